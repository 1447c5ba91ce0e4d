package main

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"loadgate/service/internal/backendtest"
)

// metricValue is the value of one exact series line of /metrics, or -1.
func metricValue(metrics, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(metrics)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// The service on a real PostgreSQL and Redis, started here: the cache
// answers repeats and forgets what votes change, the metrics count queries
// per route and cache hits, /debug/db reads PostgreSQL's statistics, and a
// PostgreSQL that dies turns requests into quick 500s, not hangs.
func TestPostgresAndRedis(t *testing.T) {
	pg, err := backendtest.StartPostgres()
	if errors.Is(err, backendtest.ErrNotInstalled) {
		t.Skipf("skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	rd, err := backendtest.StartRedis("16mb")
	if errors.Is(err, backendtest.ErrNoRedis) {
		t.Skipf("skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Stop()
	url, err := pg.NewDatabase()
	if err != nil {
		t.Fatal(err)
	}

	tg := startService(t, map[string]string{"DATABASE_URL": url, "REDIS_URL": rd.URL(), "DB_MAX_OPEN_CONNS": "3"})
	if l := tg.stderr.logLine("database ready"); l == nil || l["warm_connections"] != float64(3) || !strings.HasPrefix(l["database"].(string), "postgres 127.0.0.1:") {
		t.Fatalf("database ready line: %v", l)
	}
	token := tg.post("/api/v1/auth/token", "", `{"user_id":7}`).body["token"].(string)

	first := tg.get("/api/v1/clips/3")
	expect(t, first, 200, "clip")
	expect(t, tg.get("/api/v1/clips/3"), 200, "clip again")
	expect(t, tg.get("/api/v1/feed"), 200, "feed")
	expect(t, tg.get("/api/v1/feed"), 200, "feed again")
	expect(t, tg.post("/api/v1/clips/3/votes", token, `{"value":1}`), 201, "first vote")
	if v := tg.post("/api/v1/clips/3/votes", token, `{"value":1}`); v.code != 200 || v.body["created"] != false {
		t.Fatalf("repeated vote: %d %s", v.code, v.raw)
	}
	after := tg.get("/api/v1/clips/3")
	if after.body["score"].(float64) != first.body["score"].(float64)+1 {
		t.Fatalf("clip score after a vote: %v, before %v: the vote did not invalidate the cached clip", after.body["score"], first.body["score"])
	}

	m := tg.get("/metrics").raw
	for series, want := range map[string]float64{
		`target_cache_hits_total{kind="clip"}`:         1,
		`target_cache_misses_total{kind="clip"}`:       2,
		`target_cache_hits_total{kind="feed"}`:         1,
		`target_cache_hits_total{kind="vote"}`:         1,
		`target_db_queries_total{route="clip_detail"}`: 2,
		`target_db_connections_max{pool="main"}`:       3,
		`target_cache_memory_limit_bytes`:              16 << 20,
		`target_cache_up`:                              1,
	} {
		if got := metricValue(m, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	for _, series := range []string{`target_cache_memory_bytes`, `target_cache_keys`, `target_db_acquire_duration_seconds_count{pool="main"}`, `target_db_connection_held_seconds_total{pool="main"}`} {
		if metricValue(m, series) <= 0 {
			t.Errorf("%s missing or zero", series)
		}
	}

	db := tg.do("GET", tg.debug+"/debug/db", "", "", nil)
	expect(t, db, 200, "/debug/db")
	if db.body["dialect"] != "postgres" || len(db.body["statements"].([]any)) == 0 || db.body["explain"] == nil {
		t.Fatalf("/debug/db: %s", db.raw)
	}
	if r := tg.get("/debug/db"); r.code != 404 && r.code != 405 {
		t.Fatalf("/debug/db reachable on the API listener: %d", r.code)
	}

	pg.Kill()
	start := time.Now()
	// Kill returns once the postmaster is reaped; on a loaded machine a backend of the pool's open
	// connection can still answer for a moment, so the first uncached read may pass. Within a few
	// tries (bounded in count and time) it must fail. Each try reads a clip not read before: a read
	// that passed put its clip in Redis, and a retry of it would be answered from there.
	clip := 4
	gone := tg.get("/api/v1/clips/" + strconv.Itoa(clip))
	for try := 1; gone.code == 200 && try < 20 && time.Since(start) < 5*time.Second; try++ {
		t.Logf("clip %d was read after PostgreSQL was killed; trying another", clip)
		time.Sleep(100 * time.Millisecond)
		clip++
		gone = tg.get("/api/v1/clips/" + strconv.Itoa(clip))
	}
	expect(t, gone, 500, "clip with PostgreSQL gone")
	expect(t, tg.get("/api/v1/clips/3"), 200, "cached clip with PostgreSQL gone")
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("requests took %s with PostgreSQL gone", took)
	}
	expect(t, tg.do("GET", tg.debug+"/debug/db", "", "", nil), 503, "/debug/db with PostgreSQL gone")
}
