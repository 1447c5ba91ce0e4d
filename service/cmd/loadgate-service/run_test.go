package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	ingestv1 "loadgate/service/internal/gen/loadgate/ingest/v1"
	"loadgate/service/internal/metrics"
	"loadgate/service/internal/route"
)

// syncBuffer lets the test read run's stderr while run writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logLine returns the first JSON log line with the given msg.
func (b *syncBuffer) logLine(msg string) map[string]any {
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
			return m
		}
	}
	return nil
}

type target struct {
	t                *testing.T
	api, grpc, debug string // base URLs / addresses
	stderr           *syncBuffer
	cancel           context.CancelFunc
	done             chan error
	stopped          bool
}

const testSecret = "test-secret-do-not-leak"

func startService(t *testing.T, env map[string]string, args ...string) *target {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tg := &target{t: t, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	base := []string{"-addr", "127.0.0.1:0", "-grpc-addr", "127.0.0.1:0", "-debug-addr", "127.0.0.1:0"}
	getenv := func(k string) string {
		if k == "LOADGATE_TARGET_SECRET" && env[k] == "" {
			return testSecret
		}
		return env[k]
	}
	go func() { tg.done <- run(ctx, append(base, args...), getenv, io.Discard, tg.stderr) }()
	t.Cleanup(func() { tg.stop() })

	deadline := time.Now().Add(30 * time.Second)
	for {
		if l := tg.stderr.logLine("listening"); l != nil {
			tg.api = "http://" + l["api"].(string)
			tg.grpc = l["grpc"].(string)
			tg.debug = "http://" + l["debug"].(string)
			break
		}
		select {
		case err := <-tg.done:
			t.Fatalf("run exited before listening: %v\n%s", err, tg.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening line:\n%s", tg.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		resp, err := http.Get(tg.api + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return tg
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz never ready: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop cancels run and returns its "shutdown complete" log line.
func (tg *target) stop() map[string]any {
	if tg.stopped {
		return tg.stderr.logLine("shutdown complete")
	}
	tg.stopped = true
	tg.cancel()
	select {
	case err := <-tg.done:
		if err != nil {
			tg.t.Errorf("run returned %v\n%s", err, tg.stderr)
		}
	case <-time.After(60 * time.Second):
		tg.t.Fatalf("run did not return after cancel")
	}
	return tg.stderr.logLine("shutdown complete")
}

type resp struct {
	code   int
	header http.Header
	body   map[string]any
	raw    string
}

func (tg *target) do(method, url, token, body string, hdr map[string]string) resp {
	tg.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tg.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tg.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{code: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (tg *target) get(path string) resp { return tg.do("GET", tg.api+path, "", "", nil) }

func (tg *target) post(path, token, body string) resp {
	return tg.do("POST", tg.api+path, token, body, nil)
}

func expect(t *testing.T, r resp, code int, what string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.code, code, r.raw)
	}
	if code >= 400 {
		if _, ok := r.body["error"].(string); !ok {
			t.Fatalf("%s: error body not {\"error\":...}: %s", what, r.raw)
		}
	}
}

func items(t *testing.T, r resp) []map[string]any {
	t.Helper()
	raw, ok := r.body["items"].([]any)
	if !ok {
		t.Fatalf("no items array: %s", r.raw)
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

var clipKeys = []string{"id", "title", "creator_id", "game", "views", "score", "created_at"}

func hasKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Fatalf("missing key %q in %v", k, m)
		}
	}
}

func TestHTTPAPI(t *testing.T) {
	tg := startService(t, nil)

	h := tg.get("/healthz")
	expect(t, h, 200, "healthz")
	if h.body["service"] != "loadgate-service" || h.body["status"] != "ok" || h.body["version"] != version {
		t.Fatalf("healthz body %s", h.raw)
	}

	// Feed: shape, limit, pagination without overlap.
	f1 := tg.get("/api/v1/feed?limit=3")
	expect(t, f1, 200, "feed")
	page1 := items(t, f1)
	if len(page1) != 3 {
		t.Fatalf("feed limit ignored: %d", len(page1))
	}
	hasKeys(t, page1[0], clipKeys...)
	cur, _ := f1.body["next_cursor"].(string)
	if cur == "" {
		t.Fatal("no next_cursor")
	}
	f2 := tg.get("/api/v1/feed?limit=3&cursor=" + cur)
	expect(t, f2, 200, "feed page 2")
	if items(t, f2)[0]["id"] == page1[2]["id"] {
		t.Fatal("page 2 repeats page 1")
	}
	if n := len(items(t, tg.get("/api/v1/feed"))); n != 20 {
		t.Fatalf("default feed limit %d", n)
	}
	if n := len(items(t, tg.get("/api/v1/feed?limit=1000"))); n != 100 {
		t.Fatalf("feed max limit %d", n)
	}
	expect(t, tg.get("/api/v1/feed?cursor=!!"), 400, "bad cursor")
	expect(t, tg.get("/api/v1/feed?limit=abc"), 400, "bad limit")

	c := tg.get("/api/v1/clips/42")
	expect(t, c, 200, "clip")
	hasKeys(t, c.body, clipKeys...)
	expect(t, tg.get("/api/v1/clips/999999"), 404, "unknown clip")
	expect(t, tg.get("/api/v1/clips/abc"), 400, "non-numeric clip")

	rel := tg.get("/api/v1/clips/42/related")
	expect(t, rel, 200, "related")
	ri := items(t, rel)
	if len(ri) == 0 || len(ri) > 10 {
		t.Fatalf("related count %d", len(ri))
	}
	for _, it := range ri {
		if it["game"] != c.body["game"] || it["id"] == c.body["id"] {
			t.Fatalf("bad related item %v", it)
		}
	}
	expect(t, tg.get("/api/v1/clips/999999/related"), 404, "related unknown")

	s := tg.get("/api/v1/search?q=clutch&limit=5")
	expect(t, s, 200, "search")
	si := items(t, s)
	if len(si) == 0 || !strings.Contains(si[0]["title"].(string), "clutch") {
		t.Fatalf("search results %s", s.raw)
	}
	expect(t, tg.get("/api/v1/search?q="), 400, "empty search")
	expect(t, tg.get(`/api/v1/search?q=%22OR%20NEAR(`), 200, "hostile search")

	cl := tg.get("/api/v1/clips/42/comments?limit=2")
	expect(t, cl, 200, "comments")
	ci := items(t, cl)
	if len(ci) != 2 {
		t.Fatalf("comments %s", cl.raw)
	}
	hasKeys(t, ci[0], "id", "clip_id", "user_id", "body", "created_at")
	if _, ok := cl.body["next_cursor"].(string); !ok {
		t.Fatalf("no next_cursor: %s", cl.raw)
	}
	expect(t, tg.get("/api/v1/clips/999999/comments"), 404, "comments unknown clip")

	// Auth.
	tok := tg.post("/api/v1/auth/token", "", `{"user_id":7}`)
	expect(t, tok, 200, "token")
	token := tok.body["token"].(string)
	if tok.body["user_id"] != float64(7) {
		t.Fatalf("token body %s", tok.raw)
	}
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte("user:7"))
	if want := "7." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); token != want {
		t.Fatalf("token %q does not follow the documented scheme (%q)", token, want)
	}
	expect(t, tg.post("/api/v1/auth/token", "", `{"user_id":10001}`), 404, "token unknown user")
	expect(t, tg.post("/api/v1/auth/token", "", `{"user_id":0}`), 400, "token user 0")
	expect(t, tg.post("/api/v1/auth/token", "", `nope`), 400, "token bad json")

	// Comments need a valid token.
	expect(t, tg.post("/api/v1/clips/42/comments", "", `{"body":"x"}`), 401, "comment no token")
	expect(t, tg.post("/api/v1/clips/42/comments", token+"x", `{"body":"x"}`), 401, "comment bad token")
	expect(t, tg.post("/api/v1/clips/42/comments", "8"+token[1:], `{"body":"x"}`), 401, "comment forged token")
	cc := tg.post("/api/v1/clips/42/comments", token, `{"body":"nice one"}`)
	expect(t, cc, 201, "comment create")
	if cc.body["body"] != "nice one" || cc.body["user_id"] != float64(7) || cc.body["clip_id"] != float64(42) {
		t.Fatalf("comment body %s", cc.raw)
	}
	if first := items(t, tg.get("/api/v1/clips/42/comments?limit=1"))[0]; first["id"] != cc.body["id"] {
		t.Fatalf("new comment not first: %v", first)
	}
	expect(t, tg.post("/api/v1/clips/42/comments", token, `{"body":""}`), 400, "empty comment")
	expect(t, tg.post("/api/v1/clips/42/comments", token, `{"body":"`+strings.Repeat("a", 2001)+`"}`), 400, "long comment")
	expect(t, tg.post("/api/v1/clips/999999/comments", token, `{"body":"x"}`), 404, "comment unknown clip")

	// Votes are idempotent per (user, clip).
	expect(t, tg.post("/api/v1/clips/42/votes", "", `{"value":1}`), 401, "vote no token")
	v1 := tg.post("/api/v1/clips/42/votes", token, `{"value":1}`)
	expect(t, v1, 201, "first vote")
	if v1.body["created"] != true || v1.body["value"] != float64(1) || v1.body["clip_id"] != float64(42) || v1.body["user_id"] != float64(7) {
		t.Fatalf("vote body %s", v1.raw)
	}
	v2 := tg.post("/api/v1/clips/42/votes", token, `{"value":1}`)
	expect(t, v2, 200, "repeat vote")
	if v2.body["created"] != false {
		t.Fatalf("repeat vote body %s", v2.raw)
	}
	v3 := tg.post("/api/v1/clips/42/votes", token, `{"value":-1}`)
	expect(t, v3, 200, "changed vote")
	if v3.body["value"] != float64(-1) || v3.body["created"] != false {
		t.Fatalf("changed vote body %s", v3.raw)
	}
	if got := tg.get("/api/v1/clips/42").body["score"].(float64); got != c.body["score"].(float64)-1 {
		t.Fatalf("score after vote %v, before %v", got, c.body["score"])
	}
	expect(t, tg.post("/api/v1/clips/42/votes", token, `{"value":2}`), 400, "bad vote value")
	expect(t, tg.post("/api/v1/clips/999999/votes", token, `{"value":1}`), 404, "vote unknown clip")

	// Events become visible in challenge progress after a flush.
	ev := tg.post("/api/v1/events", "", `{"events":[{"event_id":"probe-1","user_id":9,"goal_id":3,"delta":2},{"event_id":"probe-2","user_id":9,"goal_id":3,"delta":1}]}`)
	expect(t, ev, 202, "events")
	if ev.body["accepted"] != float64(2) {
		t.Fatalf("events body %s", ev.raw)
	}
	for _, bad := range []string{
		`{"events":[]}`,
		`{"events":[{"event_id":"x","user_id":10001,"goal_id":1,"delta":1}]}`,
		`{"events":[{"event_id":"x","user_id":1,"goal_id":501,"delta":1}]}`,
		`{"events":[{"event_id":"","user_id":1,"goal_id":1,"delta":1}]}`,
		`not json`,
	} {
		expect(t, tg.post("/api/v1/events", "", bad), 400, "invalid events "+bad)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		cp := tg.get("/api/v1/users/9/challenges")
		expect(t, cp, 200, "challenges")
		chs := cp.body["challenges"].([]any)
		if len(chs) == 1 {
			ch := chs[0].(map[string]any)
			g := ch["goals"].([]any)[0].(map[string]any)
			if ch["challenge_id"] != float64(1) || g["goal_id"] != float64(3) || g["progress"] != float64(3) ||
				g["last_event_id"] != "probe-2" || (g["status"] != "in_progress" && g["status"] != "completed") {
				t.Fatalf("challenge progress %s", cp.raw)
			}
			hasKeys(t, g, "target")
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("event never became visible: %s", cp.raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	empty := tg.get("/api/v1/users/10/challenges")
	expect(t, empty, 200, "no progress")
	if len(empty.body["challenges"].([]any)) != 0 || empty.body["user_id"] != float64(10) {
		t.Fatalf("empty progress %s", empty.raw)
	}
	expect(t, tg.get("/api/v1/users/10001/challenges"), 404, "unknown user progress")

	// Metrics on the API listener, pprof only on the debug listener.
	m := tg.get("/metrics")
	for _, name := range []string{
		`target_http_request_duration_seconds_bucket{code="200",method="GET",route="feed"`,
		"target_http_requests_in_flight", "target_event_buffer_size", "target_event_buffer_limit 100000",
		"target_events_accepted_total 2", "target_events_written_total", "target_events_rejected_total",
		"target_buffer_flushes_total", "target_buffer_flush_duration_seconds", "target_buffer_flush_rows",
		`target_db_connections_max{pool="read"} 8`, "target_db_connections_in_use", "target_db_connections_idle",
		"target_db_connections_open", "target_db_wait_count_total", "target_db_wait_duration_seconds_total",
		"go_goroutines", "process_cpu_seconds_total", `target_event_ingest_duration_seconds_count{protocol="http"}`,
	} {
		if !strings.Contains(m.raw, name) {
			t.Errorf("metrics missing %q", name)
		}
	}
	if r := tg.get("/debug/pprof/"); r.code != 404 {
		t.Fatalf("pprof reachable on API listener: %d", r.code)
	}
	if r := tg.do("GET", tg.debug+"/debug/pprof/", "", "", nil); r.code != 200 {
		t.Fatalf("pprof on debug listener: %d", r.code)
	}

	if l := tg.stop(); l == nil || l["events_flushed"] != float64(2) {
		t.Fatalf("shutdown line %v", l)
	}
}

func TestGRPCIngest(t *testing.T) {
	tg := startService(t, nil, "-buffer-size-limit", "5", "-buffer-flush-interval", "1h")
	conn, err := grpc.NewClient(tg.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cli := ingestv1.NewEventIngestClient(conn)
	ctx := context.Background()

	batch := func(n int) *ingestv1.IngestRequest {
		req := &ingestv1.IngestRequest{}
		for i := range n {
			req.Events = append(req.Events, &ingestv1.Event{EventId: fmt.Sprint("g", i), UserId: 1, GoalId: 2, Delta: 1})
		}
		return req
	}
	res, err := cli.Ingest(ctx, batch(3))
	if err != nil || res.GetAccepted() != 3 {
		t.Fatalf("ingest: %v %v", res, err)
	}
	if _, err := cli.Ingest(ctx, batch(3)); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("want ResourceExhausted, got %v", err)
	}
	if _, err := cli.Ingest(ctx, &ingestv1.IngestRequest{}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("want InvalidArgument, got %v", err)
	}
	m := tg.get("/metrics")
	if !strings.Contains(m.raw, `target_grpc_request_duration_seconds_count{code="ResourceExhausted",method="/loadgate.ingest.v1.EventIngest/Ingest"} 1`) {
		t.Fatalf("grpc metric missing:\n%s", m.raw)
	}
	// One histogram for both protocols is what the HighEventLatency alert rule reads.
	if !strings.Contains(m.raw, `target_event_ingest_duration_seconds_count{protocol="grpc"} 3`) {
		t.Fatalf("ingest latency metric missing for grpc:\n%s", m.raw)
	}
	if l := tg.stop(); l["events_flushed"] != float64(3) {
		t.Fatalf("shutdown line %v", l)
	}
}

// TestNoAcknowledgedEventLost hammers a tiny buffer over HTTP and gRPC,
// shuts down mid-traffic and checks the database holds exactly what was
// acknowledged.
func TestNoAcknowledgedEventLost(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "t.db")
	tg := startService(t, map[string]string{"BUFFER_SIZE_LIMIT": "40", "BUFFER_FLUSH_INTERVAL": "150ms"}, "-db", dbPath)
	conn, err := grpc.NewClient(tg.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cli := ingestv1.NewEventIngestClient(conn)

	var ackEvents, ackDelta, rejected, retryAfterMissing atomic.Int64
	var seq atomic.Int64
	stopAt := time.Now().Add(1500 * time.Millisecond)
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := 0; ; i++ {
				if time.Now().After(stopAt) && i%2 == 0 {
					// Keep going a little past the cancel below so some
					// batches race the shutdown.
					if time.Now().After(stopAt.Add(300 * time.Millisecond)) {
						return
					}
				}
				n := 1 + (i+w)%9
				var delta int64
				evs := make([]map[string]any, n)
				pbs := make([]*ingestv1.Event, n)
				for j := range evs {
					d := int64(1 + (i+j)%3)
					delta += d
					id := fmt.Sprintf("e-%d", seq.Add(1))
					u, g := int64(1+(i*7+j)%50), int64(1+(i+j*3)%20)
					evs[j] = map[string]any{"event_id": id, "user_id": u, "goal_id": g, "delta": d}
					pbs[j] = &ingestv1.Event{EventId: id, UserId: u, GoalId: g, Delta: d}
				}
				if w%2 == 0 {
					body, _ := json.Marshal(map[string]any{"events": evs})
					res, err := http.Post(tg.api+"/api/v1/events", "application/json", bytes.NewReader(body))
					if err != nil {
						return // listener closed by shutdown
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					switch res.StatusCode {
					case 202:
						ackEvents.Add(int64(n))
						ackDelta.Add(delta)
					case 503:
						rejected.Add(1)
						if res.Header.Get("Retry-After") != "1" {
							retryAfterMissing.Add(1)
						}
						time.Sleep(2 * time.Millisecond)
					default:
						t.Errorf("unexpected status %d", res.StatusCode)
						return
					}
				} else {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
					_, err := cli.Ingest(ctx, &ingestv1.IngestRequest{Events: pbs})
					cancel()
					switch status.Code(err) {
					case codes.OK:
						ackEvents.Add(int64(n))
						ackDelta.Add(delta)
					case codes.ResourceExhausted:
						rejected.Add(1)
						time.Sleep(2 * time.Millisecond)
					default:
						return // server gone or draining
					}
				}
			}
		})
	}
	time.Sleep(time.Until(stopAt))
	line := tg.stop()
	wg.Wait()

	if rejected.Load() == 0 {
		t.Fatal("buffer never filled; the test did not exercise rejection")
	}
	if retryAfterMissing.Load() != 0 {
		t.Fatalf("%d 503s without Retry-After: 1", retryAfterMissing.Load())
	}
	if line == nil || int64(line["events_flushed"].(float64)) != ackEvents.Load() {
		t.Fatalf("events_flushed %v, acknowledged %d", line, ackEvents.Load())
	}
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sum int64
	if err := db.QueryRow(`SELECT COALESCE(SUM(progress),0) FROM user_goal_progress`).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if sum != ackDelta.Load() {
		t.Fatalf("progress in DB %d, acknowledged delta %d (events %d, rejected batches %d)",
			sum, ackDelta.Load(), ackEvents.Load(), rejected.Load())
	}
	t.Logf("acknowledged %d events (delta %d), rejected %d batches", ackEvents.Load(), ackDelta.Load(), rejected.Load())
}

func elapsed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

func TestFaultInjection(t *testing.T) {
	tg := startService(t, nil, "-fault-delay", "feed=400ms", "-fault-error-rate", "vote=1")
	token := tg.post("/api/v1/auth/token", "", `{"user_id":1}`).body["token"].(string)

	if d := elapsed(func() { expect(t, tg.get("/api/v1/feed"), 200, "delayed feed") }); d < 400*time.Millisecond {
		t.Fatalf("feed took %s, want >= 400ms", d)
	}
	if d := elapsed(func() { expect(t, tg.get("/api/v1/clips/1"), 200, "clip") }); d >= 400*time.Millisecond {
		t.Fatalf("undelayed route took %s", d)
	}
	v := tg.post("/api/v1/clips/1/votes", token, `{"value":1}`)
	expect(t, v, 500, "vote with error rate 1")
	if v.body["error"] != "injected fault" {
		t.Fatalf("fault body %s", v.raw)
	}
	// Header faults are off unless -fault-headers.
	expect(t, tg.do("GET", tg.api+"/api/v1/clips/1", "", "", map[string]string{"X-Fault-Error-Rate": "1"}), 200, "headers disabled")

	// Runtime table on the debug listener overrides flags per route.
	put := func(body string) resp { return tg.do("PUT", tg.debug+"/debug/faults", "", body, nil) }
	expect(t, put(`{"clip_detail":{"error_rate":1},"feed":{"delay":"0s","error_rate":0}}`), 200, "PUT faults")
	expect(t, tg.get("/api/v1/clips/1"), 500, "runtime error rate")
	if d := elapsed(func() { expect(t, tg.get("/api/v1/feed"), 200, "feed") }); d >= 400*time.Millisecond {
		t.Fatalf("runtime rule should override flag delay, took %s", d)
	}
	g := tg.do("GET", tg.debug+"/debug/faults", "", "", nil)
	expect(t, g, 200, "GET faults")
	if _, ok := g.body["clip_detail"]; !ok {
		t.Fatalf("GET faults %s", g.raw)
	}
	bad := put(`{"clips":{"error_rate":1}}`)
	expect(t, bad, 400, "bad route")
	if !strings.Contains(bad.raw, "clip_detail") {
		t.Fatalf("bad route error should list valid routes: %s", bad.raw)
	}
	expect(t, put(`{}`), 200, "clear faults")
	expect(t, tg.get("/api/v1/clips/1"), 200, "cleared")
	if r := tg.get("/debug/faults"); r.code != 404 && r.code != 405 {
		t.Fatalf("fault control reachable on API listener: %d", r.code)
	}

	m := tg.get("/metrics").raw
	if !strings.Contains(m, `target_http_request_duration_seconds_count{code="500",method="POST",route="vote"} 1`) {
		t.Fatalf("500 not recorded:\n%s", m)
	}
}

func TestHeaderFaults(t *testing.T) {
	tg := startService(t, nil, "-fault-headers")
	expect(t, tg.do("GET", tg.api+"/api/v1/clips/1", "", "", map[string]string{"X-Fault-Error-Rate": "1"}), 500, "header error")
	if d := elapsed(func() {
		expect(t, tg.do("GET", tg.api+"/api/v1/clips/1", "", "", map[string]string{"X-Fault-Delay": "200ms"}), 200, "header delay")
	}); d < 200*time.Millisecond {
		t.Fatalf("header delay ignored: %s", d)
	}
	expect(t, tg.get("/api/v1/clips/1"), 200, "no headers")
	expect(t, tg.do("GET", tg.api+"/api/v1/clips/1", "", "", map[string]string{"X-Fault-Delay": "soon"}), 400, "bad header")
}

func TestFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-fault-delay", "nope=1s"}, nil, "nope"},
		{[]string{"-fault-error-rate", "vote=3"}, nil, "vote=3"},
		{nil, map[string]string{"BUFFER_SIZE_LIMIT": "many"}, "BUFFER_SIZE_LIMIT"},
		{nil, map[string]string{"BUFFER_FLUSH_INTERVAL": "-1s"}, "interval"},
		{[]string{"extra"}, nil, "unexpected"},
	} {
		err := run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, io.Discard, io.Discard)
		var uerr usageError
		if !errors.As(err, &uerr) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: got %v, want usage error mentioning %q", tc.args, tc.env, err, tc.want)
		}
	}
	err := run(context.Background(), []string{"-fault-delay", "nope=1s"}, func(string) string { return "" }, io.Discard, io.Discard)
	if !strings.Contains(err.Error(), "challenge_progress") {
		t.Errorf("error should list valid routes: %v", err)
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"-version"}, func(string) string { return "" }, &out, io.Discard); err != nil || !strings.Contains(out.String(), version) {
		t.Fatalf("-version: %v %q", err, out.String())
	}
}

// -routes is the contract test/unit/routes.test.ts relies on: a JSON array on
// stdout, exit 0, nothing started.
func TestRoutesFlag(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-routes", "-addr", "256.0.0.1:1"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("-routes: %v", err)
	}
	var got []string
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || !slices.Equal(got, route.All) {
		t.Fatalf("-routes printed %q (%v), want %v", out.String(), err, route.All)
	}
}

func TestDisabledListenersAndEnvFallback(t *testing.T) {
	tg := startService(t, map[string]string{"BUFFER_SIZE_LIMIT": "123"}, "-grpc-addr", "", "-debug-addr", "")
	l := tg.stderr.logLine("listening")
	if l["grpc"] != "" || l["debug"] != "" {
		t.Fatalf("disabled listeners reported: %v", l)
	}
	if !strings.Contains(tg.get("/metrics").raw, "target_event_buffer_limit 123") {
		t.Fatal("BUFFER_SIZE_LIMIT not applied")
	}
}

// -metrics and -flags are the contract test/unit/service-contract.test.ts relies on: JSON on
// stdout, exit 0, nothing started.
func TestContractFlags(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-metrics", "-addr", "256.0.0.1:1"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("-metrics: %v", err)
	}
	var families []metrics.Family
	if err := json.Unmarshal(out.Bytes(), &families); err != nil || !slices.Equal(families, metrics.All) {
		t.Fatalf("-metrics printed %q (%v)", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"-flags"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("-flags: %v", err)
	}
	var flags []flagInfo
	if err := json.Unmarshal(out.Bytes(), &flags); err != nil {
		t.Fatalf("-flags printed %q: %v", out.String(), err)
	}
	want := flagInfo{Name: "db-max-open-conns", Default: "8", Env: "DB_MAX_OPEN_CONNS"}
	if i := slices.IndexFunc(flags, func(f flagInfo) bool { return f.Name == want.Name }); i < 0 || flags[i].Default != want.Default || flags[i].Env != want.Env {
		t.Fatalf("-flags has no %+v: %q", want, out.String())
	}
}
