package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openSeeded(t *testing.T, path string, seed int64) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, Options{Path: path, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := s.Seed(ctx, seed); err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Logf("seed took %s", time.Since(start))
	return s
}

func TestSeedDeterministicAndQueries(t *testing.T) {
	ctx := context.Background()
	a := openSeeded(t, "", 7)
	defer a.Close()
	b := openSeeded(t, filepath.Join(t.TempDir(), "b.db"), 7)
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

func TestVoteAndProgress(t *testing.T) {
	ctx := context.Background()
	s := openSeeded(t, "", 1)
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
