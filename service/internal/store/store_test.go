package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"loadgate/service/internal/backendtest"
	"loadgate/service/internal/route"
)

// The store's tests run against SQLite and against a real PostgreSQL that
// this package starts once (make test installs the Debian package; only a
// machine without it skips, saying so).
var (
	pgOnce   sync.Once
	pgServer *backendtest.Server
	pgErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pgServer != nil {
		pgServer.Stop()
	}
	os.Exit(code)
}

type backend struct {
	name string
	// open returns a seeded store; path only matters to SQLite ("" is a
	// temp file), each PostgreSQL open gets a database of its own.
	open func(t *testing.T, path string, seed int64) *Store
}

func postgresURL(t *testing.T) string {
	t.Helper()
	pgOnce.Do(func() { pgServer, pgErr = backendtest.StartPostgres() })
	if errors.Is(pgErr, backendtest.ErrNotInstalled) {
		t.Skipf("PostgreSQL tests skipped: %v", pgErr)
	}
	if pgErr != nil {
		t.Fatalf("start PostgreSQL: %v", pgErr)
	}
	url, err := pgServer.NewDatabase()
	if err != nil {
		t.Fatal(err)
	}
	return url
}

var backends = []backend{
	{"sqlite", func(t *testing.T, path string, seed int64) *Store {
		return openSeeded(t, Options{Path: path, MaxOpenConns: 4}, seed)
	}},
	{"postgres", func(t *testing.T, _ string, seed int64) *Store {
		return openSeeded(t, Options{DatabaseURL: postgresURL(t), MaxOpenConns: 4, MaxIdleConns: 4}, seed)
	}},
}

func eachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}

func openSeeded(t *testing.T, opts Options, seed int64) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := s.Seed(ctx, seed); err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Logf("%s seed took %s", s.Dialect(), time.Since(start))
	return s
}

func TestSeedDeterministicAndQueries(t *testing.T) { eachBackend(t, testSeedDeterministicAndQueries) }

func testSeedDeterministicAndQueries(t *testing.T, be backend) {
	ctx := context.Background()
	a := be.open(t, "", 7)
	defer a.Close()
	b := be.open(t, filepath.Join(t.TempDir(), "b.db"), 7)
	defer b.Close()

	for _, id := range []int64{1, 2500, NumClips} {
		ca, err := a.Clip(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		cb, err := b.Clip(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ca != cb {
			t.Fatalf("clip %d differs across runs with the same seed: %+v vs %+v", id, ca, cb)
		}
	}
	if _, err := a.Clip(ctx, NumClips+1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}

	// Walking the whole feed visits every clip exactly once, in order.
	seen := map[int64]bool{}
	var cur *FeedCursor
	var prev *Clip
	for {
		page, next, err := a.Feed(ctx, cur, 100)
		if err != nil {
			t.Fatal(err)
		}
		for i := range page {
			c := page[i]
			if seen[c.ID] {
				t.Fatalf("clip %d seen twice", c.ID)
			}
			seen[c.ID] = true
			if prev != nil && (c.CreatedAt > prev.CreatedAt || (c.CreatedAt == prev.CreatedAt && c.ID > prev.ID)) {
				t.Fatalf("feed out of order at %d", c.ID)
			}
			prev = &c
		}
		if next == nil {
			break
		}
		cur = next
	}
	if len(seen) != NumClips {
		t.Fatalf("feed visited %d clips, want %d", len(seen), NumClips)
	}

	for _, w := range TitleWords() {
		res, err := a.Search(ctx, []string{w}, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) == 0 || !strings.Contains(res[0].Title, w) {
			t.Fatalf("search %q: %+v", w, res)
		}
	}
	if res, err := a.Search(ctx, []string{`"OR*`}, 5); err != nil || len(res) != 0 {
		t.Fatalf("hostile search: %v %v", res, err)
	}

	rel, err := a.Related(ctx, 1, 10)
	if err != nil || len(rel) == 0 {
		t.Fatalf("related: %v %v", rel, err)
	}
	c1, _ := a.Clip(ctx, 1)
	for _, r := range rel {
		if r.ID == 1 || r.Game != c1.Game {
			t.Fatalf("bad related clip %+v", r)
		}
	}

	com, next, err := a.Comments(ctx, 1, 0, 2)
	if err != nil || len(com) != 2 || next == 0 {
		t.Fatalf("comments: %v %v %v", com, next, err)
	}
	if _, _, err := a.Comments(ctx, NumClips+5, 0, 2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("comments on unknown clip: %v", err)
	}
}

func TestVoteAndProgress(t *testing.T) { eachBackend(t, testVoteAndProgress) }

func testVoteAndProgress(t *testing.T, be backend) {
	ctx := context.Background()
	s := be.open(t, "", 1)
	defer s.Close()

	before, _ := s.Clip(ctx, 10)
	created, err := s.Vote(ctx, 3, 10, 1, 1)
	if err != nil || !created {
		t.Fatalf("first vote: %v %v", created, err)
	}
	created, err = s.Vote(ctx, 3, 10, 1, 2)
	if err != nil || created {
		t.Fatalf("repeat vote: %v %v", created, err)
	}
	if _, err := s.Vote(ctx, 3, 10, -1, 3); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Clip(ctx, 10)
	if after.Score != before.Score-1 {
		t.Fatalf("score %d -> %d, want -1", before.Score, after.Score)
	}
	if _, err := s.Vote(ctx, 3, NumClips+1, 1, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("vote unknown clip: %v", err)
	}

	goals, err := s.Goals(ctx)
	if err != nil || len(goals) != NumGoals {
		t.Fatalf("goals: %d %v", len(goals), err)
	}
	g := goals[1]
	if err := s.ApplyProgress(ctx, []ProgressDelta{{UserID: 5, Goal: g, Delta: g.Target - 1, LastEventID: "a"}}, 1); err != nil {
		t.Fatal(err)
	}
	p, _ := s.ChallengeProgress(ctx, 5)
	if len(p) != 1 || p[0].Status != "in_progress" || p[0].LastEventID != "a" {
		t.Fatalf("progress: %+v", p)
	}
	if err := s.ApplyProgress(ctx, []ProgressDelta{{UserID: 5, Goal: g, Delta: 1, LastEventID: "b"}}, 2); err != nil {
		t.Fatal(err)
	}
	p, _ = s.ChallengeProgress(ctx, 5)
	if len(p) != 1 || p[0].Status != "completed" || p[0].Progress != g.Target || p[0].LastEventID != "b" {
		t.Fatalf("progress: %+v", p)
	}
	total, _ := s.TotalProgress(ctx)
	if total != g.Target {
		t.Fatalf("total %d", total)
	}
}

func TestTempDBRemovedOnClose(t *testing.T) {
	s, err := Open(context.Background(), Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(s.Path())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("temp dir still there: %v", err)
	}
}

// The same seed gives the same rows on both databases, and the same
// answers to the same queries.
func TestDialectsAgree(t *testing.T) {
	ctx := context.Background()
	lite := backends[0].open(t, "", 3)
	defer lite.Close()
	pg := backends[1].open(t, "", 3)
	defer pg.Close()
	for _, id := range []int64{1, 777, NumClips} {
		a, errA := lite.Clip(ctx, id)
		b, errB := pg.Clip(ctx, id)
		if errA != nil || errB != nil || a != b {
			t.Fatalf("clip %d: sqlite %+v (%v), postgres %+v (%v)", id, a, errA, b, errB)
		}
	}
	fa, _, _ := lite.Feed(ctx, nil, 20)
	fb, _, _ := pg.Feed(ctx, nil, 20)
	ra, _ := lite.Related(ctx, 9, 10)
	rb, _ := pg.Related(ctx, 9, 10)
	ca, _, _ := lite.Comments(ctx, 9, 0, 10)
	cb, _, _ := pg.Comments(ctx, 9, 0, 10)
	for what, pair := range map[string][2]any{"feed": {fa, fb}, "related": {ra, rb}, "comments": {ca, cb}} {
		if fmtSprint(pair[0]) != fmtSprint(pair[1]) {
			t.Errorf("%s differs:\nsqlite   %v\npostgres %v", what, pair[0], pair[1])
		}
	}
	// Full-text ranking differs between FTS5 and tsvector; the matches may not.
	sa, _ := lite.Search(ctx, []string{"epic", "clutch"}, 100)
	sb, _ := pg.Search(ctx, []string{"epic", "clutch"}, 100)
	if len(sa) == 0 || len(sa) != len(sb) {
		t.Errorf("search epic clutch: sqlite %d matches, postgres %d", len(sa), len(sb))
	}
}

func TestCreateComment(t *testing.T) { eachBackend(t, testCreateComment) }

func testCreateComment(t *testing.T, be backend) {
	ctx := context.Background()
	s := be.open(t, "", 1)
	defer s.Close()
	c, err := s.CreateComment(ctx, 42, 7, "nice", 99)
	if err != nil || c.ID <= 0 || c.ClipID != 42 {
		t.Fatalf("create: %+v %v", c, err)
	}
	page, _, err := s.Comments(ctx, 42, 0, 1)
	if err != nil || len(page) != 1 || page[0].ID != c.ID || page[0].Body != "nice" {
		t.Fatalf("newest comment: %+v %v, want id %d", page, err, c.ID)
	}
	if _, err := s.CreateComment(ctx, NumClips+1, 7, "x", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("comment on unknown clip: %v", err)
	}
}

type recorder struct {
	mu                 sync.Mutex
	acquired, released map[string]int
	queries            map[string]int // route/query
}

func (r *recorder) Acquired(pool string, _ time.Duration) {
	r.mu.Lock()
	r.acquired[pool]++
	r.mu.Unlock()
}
func (r *recorder) Released(pool string, _ time.Duration) {
	r.mu.Lock()
	r.released[pool]++
	r.mu.Unlock()
}
func (r *recorder) Queried(rt, q string, _ time.Duration) {
	r.mu.Lock()
	r.queries[rt+"/"+q]++
	r.mu.Unlock()
}

// Every statement is counted for the route that asked for it, and every
// connection handed out comes back.
func TestObserverAndReport(t *testing.T) { eachBackend(t, testObserverAndReport) }

func testObserverAndReport(t *testing.T, be backend) {
	ctx := context.Background()
	rec := &recorder{acquired: map[string]int{}, released: map[string]int{}, queries: map[string]int{}}
	var s *Store
	if be.name == "sqlite" {
		s = openSeeded(t, Options{MaxOpenConns: 2, Observer: rec}, 1)
	} else {
		s = openSeeded(t, Options{DatabaseURL: postgresURL(t), MaxOpenConns: 2, MaxIdleConns: 2, Observer: rec}, 1)
	}
	defer s.Close()
	if n, err := s.Warm(ctx, 2); n != 2 || err != nil {
		t.Fatalf("warmed %d connections (%v), want 2", n, err)
	}
	if err := s.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	rctx := route.WithName(ctx, route.Related)
	for range 3 {
		if _, err := s.Related(rctx, 5, 10); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Search(route.WithName(ctx, route.Search), []string{"epic"}, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Vote(route.WithName(ctx, route.Vote), 1, 5, 1, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Related(rctx, NumClips+9, 10); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	rec.mu.Lock()
	if rec.queries["related/clip_game"] != 4 || rec.queries["related/related"] != 3 {
		t.Errorf("related queries: %v", rec.queries)
	}
	if rec.queries["vote/vote_select"] != 1 || rec.queries["vote/vote_insert"] != 1 {
		t.Errorf("vote queries: %v", rec.queries)
	}
	for p, n := range rec.acquired {
		if rec.released[p] != n {
			t.Errorf("pool %s: %d acquired, %d released", p, n, rec.released[p])
		}
	}
	rec.mu.Unlock()

	r, err := s.Report(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int64{}
	for _, q := range r.Queries {
		names[q.Name] = q.Calls
	}
	if names["related"] != 3 || names["clip_game"] != 4 || names["seed_users_200"] != 0 {
		t.Errorf("service query timings after reset: %v", names)
	}
	if r.Explain == nil || len(r.Explain.Plan) == 0 {
		t.Fatalf("no plan for the slowest statement: %+v", r)
	}
	t.Logf("%s: explain %s (%s):\n%s", r.Version, r.Explain.Name, r.Explain.From, strings.Join(r.Explain.Plan, "\n"))
	if be.name == "sqlite" {
		if len(r.Notes) == 0 || r.Explain.Command != "EXPLAIN QUERY PLAN" {
			t.Errorf("sqlite report: notes %v, command %q", r.Notes, r.Explain.Command)
		}
		return
	}
	if len(r.Notes) != 0 {
		t.Errorf("postgres notes: %v", r.Notes)
	}
	var related, search *Statement
	for i := range r.Statements {
		switch r.Statements[i].Name {
		case "related":
			related = &r.Statements[i]
		case "search": // its SQL holds constants, which pg_stat_statements rewrites
			search = &r.Statements[i]
		}
	}
	if search == nil {
		t.Errorf("pg_stat_statements' search statement not matched to the service's: %+v", r.Statements)
	}
	if related == nil || related.Calls != 3 {
		t.Errorf("pg_stat_statements has no related statement with 3 calls: %+v", r.Statements)
	}
	if r.Explain.Command != "EXPLAIN (ANALYZE, BUFFERS)" || !strings.Contains(strings.Join(r.Explain.Plan, "\n"), "Buffers") {
		t.Errorf("postgres plan: %q %v", r.Explain.Command, r.Explain.Plan)
	}
	tables := map[string]TableScans{}
	for _, tb := range r.Tables {
		tables[tb.Table] = tb
	}
	if tables["clips"].LiveRows != NumClips || len(r.Indexes) == 0 || r.BufferCache == nil {
		t.Errorf("postgres tables %+v, indexes %d, buffer cache %v", tables["clips"], len(r.Indexes), r.BufferCache)
	}
}

func fmtSprint(v any) string { return fmt.Sprint(v) }

func TestNormalizedMatchesPgStatStatements(t *testing.T) {
	ours := postgres.rebind(postgres.search)
	theirs := strings.ReplaceAll(strings.ReplaceAll(ours, "'simple'", "$3"), "\n\t\t ", " ")
	theirs = strings.Replace(theirs, "'simple'", "$4", 1)
	if normalized(ours) != normalized(theirs) {
		t.Fatalf("not matched:\n%s\n%s", normalized(ours), normalized(theirs))
	}
}
