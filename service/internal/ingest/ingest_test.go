package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"loadgate/service/internal/metrics"
	"loadgate/service/internal/store"
)

type fakeWriter struct {
	mu       sync.Mutex
	failures int // fail this many calls first
	calls    int
	total    int64
	last     map[[2]int64]string
}

func (f *fakeWriter) ApplyProgress(_ context.Context, deltas []store.ProgressDelta, _ int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failures > 0 {
		f.failures--
		return errors.New("disk on fire")
	}
	if f.last == nil {
		f.last = map[[2]int64]string{}
	}
	for _, d := range deltas {
		f.total += d.Delta
		f.last[[2]int64{d.UserID, d.Goal.ID}] = d.LastEventID
	}
	return nil
}

func (f *fakeWriter) sum() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

func newTestIngestor(t *testing.T, w Writer, interval time.Duration, limit int) (*Ingestor, *metrics.Metrics) {
	t.Helper()
	m := metrics.New(prometheus.NewRegistry())
	in, err := New(Config{
		FlushInterval: interval,
		Limit:         limit,
		Goals:         map[int64]store.Goal{1: {ID: 1, ChallengeID: 1, Target: 10}, 2: {ID: 2, ChallengeID: 1, Target: 10}},
		Writer:        w,
		Metrics:       m,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		RetryBackoff:  time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	in.Start()
	return in, m
}

func ev(id string, user, goal int64) Event {
	return Event{EventID: id, UserID: user, GoalID: goal, Delta: 1}
}

func TestAcceptAllOrNothingAndShutdownFlushes(t *testing.T) {
	w := &fakeWriter{}
	in, m := newTestIngestor(t, w, time.Hour, 5)

	if err := in.Accept([]Event{ev("a", 1, 1), ev("b", 1, 1), ev("c", 2, 2)}); err != nil {
		t.Fatal(err)
	}
	if err := in.Accept([]Event{ev("d", 1, 1), ev("e", 1, 1), ev("f", 1, 1)}); !errors.Is(err, ErrFull) {
		t.Fatalf("want ErrFull, got %v", err)
	}
	if got := in.Buffered(); got != 3 {
		t.Fatalf("partial batch leaked into buffer: %d", got)
	}
	written, err := in.Shutdown(context.Background())
	if err != nil || written != 3 || w.sum() != 3 {
		t.Fatalf("written=%d err=%v sum=%d", written, err, w.sum())
	}
	if w.last[[2]int64{1, 1}] != "b" {
		t.Fatalf("last event id %q, want b", w.last[[2]int64{1, 1}])
	}
	if err := in.Accept([]Event{ev("g", 1, 1)}); !errors.Is(err, ErrClosed) {
		t.Fatalf("want ErrClosed after shutdown, got %v", err)
	}
	if got := testutil.ToFloat64(m.EventsRejected); got != 4 {
		t.Fatalf("rejected = %v, want 4", got)
	}
	if a, wr := testutil.ToFloat64(m.EventsAccepted), testutil.ToFloat64(m.EventsWritten); a != 3 || wr != 3 {
		t.Fatalf("accepted=%v written=%v", a, wr)
	}
	// Drained to zero, the buffer still shows how full it got: the refused batch never counted.
	if size, high := testutil.ToFloat64(m.BufferSize), testutil.ToFloat64(m.BufferHighWater); size != 0 || high != 3 {
		t.Fatalf("buffer size=%v high water=%v, want 0 and 3", size, high)
	}
}

func TestFullBufferFlushesEarly(t *testing.T) {
	w := &fakeWriter{}
	in, _ := newTestIngestor(t, w, time.Hour, 2)
	defer in.Shutdown(context.Background())
	if err := in.Accept([]Event{ev("a", 1, 1), ev("b", 1, 2)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for w.sum() != 2 {
		if time.Now().After(deadline) {
			t.Fatal("full buffer was not flushed before the interval")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFailedFlushIsRetried(t *testing.T) {
	w := &fakeWriter{failures: 3}
	in, _ := newTestIngestor(t, w, time.Millisecond, 100)
	if err := in.Accept([]Event{ev("a", 1, 1)}); err != nil {
		t.Fatal(err)
	}
	written, err := in.Shutdown(context.Background())
	if err != nil || written != 1 || w.sum() != 1 {
		t.Fatalf("written=%d err=%v sum=%d", written, err, w.sum())
	}
}

func TestShutdownReportsLossWhenWriterNeverRecovers(t *testing.T) {
	w := &fakeWriter{failures: 1 << 30}
	in, _ := newTestIngestor(t, w, time.Hour, 100)
	if err := in.Accept([]Event{ev("a", 1, 1)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := in.Shutdown(ctx); err == nil {
		t.Fatal("want an error reporting unwritten events")
	}
}

func TestValidate(t *testing.T) {
	good := ev("x", 1, 1)
	cases := map[string][]Event{
		"empty":      {},
		"no id":      {{UserID: 1, GoalID: 1, Delta: 1}},
		"user 0":     {{EventID: "x", UserID: 0, GoalID: 1, Delta: 1}},
		"user big":   {{EventID: "x", UserID: store.NumUsers + 1, GoalID: 1, Delta: 1}},
		"goal big":   {{EventID: "x", UserID: 1, GoalID: store.NumGoals + 1, Delta: 1}},
		"zero delta": {{EventID: "x", UserID: 1, GoalID: 1}},
	}
	for name, evs := range cases {
		if Validate(evs) == nil {
			t.Errorf("%s: want error", name)
		}
	}
	if err := Validate([]Event{good}); err != nil {
		t.Fatal(err)
	}
	if Validate(make([]Event, MaxBatch+1)) == nil {
		t.Fatal("oversized batch accepted")
	}
}
