// Package ingest buffers challenge events in memory and writes them to the
// database in periodic batches. The contract with clients is that an
// acknowledged event is never lost: Accept takes a whole batch or none of
// it, and Shutdown flushes everything acknowledged before returning.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"loadgate/service/internal/metrics"
	"loadgate/service/internal/store"
)

// Validation limits shared by the HTTP and gRPC front ends.
const (
	MaxBatch      = 1000
	MaxEventIDLen = 128
	MaxDelta      = 1_000_000
)

var (
	// ErrFull means the buffer cannot take the whole batch right now;
	// clients should retry after a short pause.
	ErrFull = errors.New("event buffer full")
	// ErrClosed means the ingestor is shutting down.
	ErrClosed = errors.New("event intake closed")
)

// Event is one client-reported increment to a user's goal progress.
type Event struct {
	EventID string
	UserID  int64
	GoalID  int64
	Delta   int64
}

// Validate checks a batch against the seeded id ranges and limits. The
// error names the first offending event.
func Validate(events []Event) error {
	if len(events) == 0 || len(events) > MaxBatch {
		return fmt.Errorf("events must hold 1..%d events, got %d", MaxBatch, len(events))
	}
	for i, e := range events {
		switch {
		case e.EventID == "" || len(e.EventID) > MaxEventIDLen:
			return fmt.Errorf("events[%d].event_id must be 1..%d bytes", i, MaxEventIDLen)
		case e.UserID < 1 || e.UserID > store.NumUsers:
			return fmt.Errorf("events[%d].user_id must be in 1..%d", i, store.NumUsers)
		case e.GoalID < 1 || e.GoalID > store.NumGoals:
			return fmt.Errorf("events[%d].goal_id must be in 1..%d", i, store.NumGoals)
		case e.Delta < 1 || e.Delta > MaxDelta:
			return fmt.Errorf("events[%d].delta must be in 1..%d", i, MaxDelta)
		}
	}
	return nil
}

// Writer persists aggregated progress; *store.Store implements it.
type Writer interface {
	ApplyProgress(ctx context.Context, deltas []store.ProgressDelta, nowMillis int64) error
}

// Config configures an Ingestor.
type Config struct {
	FlushInterval time.Duration
	Limit         int // maximum buffered events
	Goals         map[int64]store.Goal
	Writer        Writer
	Metrics       *metrics.Metrics
	Logger        *slog.Logger
	// RetryBackoff is the pause after a failed flush; defaults to 100ms.
	RetryBackoff time.Duration
}

// Ingestor owns the buffer and its flusher goroutine.
type Ingestor struct {
	cfg Config

	mu     sync.Mutex
	buf    []Event
	closed bool
	// highWater is the longest buf has been, for the high-water gauge.
	highWater int

	// kick wakes the flusher early when the buffer reaches its limit.
	kick chan struct{}
	stop chan struct{}
	done chan struct{}

	written int64 // owned by the flusher goroutine until done is closed
}

// New creates an Ingestor; call Start to run its flusher.
func New(cfg Config) (*Ingestor, error) {
	if cfg.FlushInterval <= 0 {
		return nil, fmt.Errorf("flush interval must be > 0, got %s", cfg.FlushInterval)
	}
	if cfg.Limit < 1 {
		return nil, fmt.Errorf("buffer size limit must be >= 1, got %d", cfg.Limit)
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = 100 * time.Millisecond
	}
	cfg.Metrics.BufferLimit.Set(float64(cfg.Limit))
	return &Ingestor{
		cfg:  cfg,
		kick: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}, nil
}

// Accept buffers the whole batch or, with ErrFull or ErrClosed, none of
// it. The batch must already be validated.
func (in *Ingestor) Accept(events []Event) error {
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		in.cfg.Metrics.EventsRejected.Add(float64(len(events)))
		return ErrClosed
	}
	if len(in.buf)+len(events) > in.cfg.Limit {
		in.mu.Unlock()
		in.cfg.Metrics.EventsRejected.Add(float64(len(events)))
		return ErrFull
	}
	in.buf = append(in.buf, events...)
	n := len(in.buf)
	// Gauge and counter are updated under the lock so a scrape never sees
	// accepted < written.
	in.cfg.Metrics.BufferSize.Set(float64(n))
	if n > in.highWater {
		in.highWater = n
		in.cfg.Metrics.BufferHighWater.Set(float64(n))
	}
	in.cfg.Metrics.EventsAccepted.Add(float64(len(events)))
	in.mu.Unlock()

	if n >= in.cfg.Limit {
		select {
		case in.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// Start runs the flusher until Shutdown.
func (in *Ingestor) Start() {
	go in.loop()
}

func (in *Ingestor) loop() {
	defer close(in.done)
	t := time.NewTicker(in.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-in.stop:
			return
		case <-t.C:
		case <-in.kick:
		}
		if err := in.flush(context.Background()); err != nil {
			in.cfg.Logger.Error("event flush failed; will retry", "err", err)
			select {
			case <-in.stop:
				return
			case <-time.After(in.cfg.RetryBackoff):
			}
		}
	}
}

// flush writes everything currently buffered. On failure the events go
// back to the front of the buffer, so a later flush retries them.
func (in *Ingestor) flush(ctx context.Context) error {
	in.mu.Lock()
	batch := in.buf
	in.buf = nil
	in.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}

	start := time.Now()
	deltas := aggregate(batch, in.cfg.Goals)
	if err := in.cfg.Writer.ApplyProgress(ctx, deltas, start.UnixMilli()); err != nil {
		in.mu.Lock()
		in.buf = append(batch, in.buf...)
		in.cfg.Metrics.BufferSize.Set(float64(len(in.buf)))
		in.mu.Unlock()
		return err
	}
	in.cfg.Metrics.FlushDuration.Observe(time.Since(start).Seconds())
	in.cfg.Metrics.FlushRows.Observe(float64(len(deltas)))
	in.cfg.Metrics.Flushes.Inc()
	in.cfg.Metrics.EventsWritten.Add(float64(len(batch)))
	in.written += int64(len(batch))

	in.mu.Lock()
	in.cfg.Metrics.BufferSize.Set(float64(len(in.buf)))
	in.mu.Unlock()
	return nil
}

// aggregate folds a batch into one delta per (user, goal), keeping
// arrival order for last_event_id and for a deterministic write order.
func aggregate(batch []Event, goals map[int64]store.Goal) []store.ProgressDelta {
	type key struct{ user, goal int64 }
	idx := make(map[key]int, len(batch))
	out := make([]store.ProgressDelta, 0, len(batch))
	for _, e := range batch {
		k := key{e.UserID, e.GoalID}
		if i, ok := idx[k]; ok {
			out[i].Delta += e.Delta
			out[i].LastEventID = e.EventID
			continue
		}
		idx[k] = len(out)
		out = append(out, store.ProgressDelta{
			UserID: e.UserID, Goal: goals[e.GoalID], Delta: e.Delta, LastEventID: e.EventID,
		})
	}
	return out
}

// Shutdown closes intake (later Accepts get ErrClosed), stops the flusher
// and writes every remaining event, retrying failed flushes until ctx
// ends. It returns the total number of events written over the
// ingestor's lifetime; an error means acknowledged events were lost.
func (in *Ingestor) Shutdown(ctx context.Context) (written int64, err error) {
	in.mu.Lock()
	already := in.closed
	in.closed = true
	in.mu.Unlock()
	if !already {
		close(in.stop)
	}
	<-in.done

	for {
		err := in.flush(ctx)
		if err == nil {
			return in.written, nil
		}
		in.cfg.Logger.Error("final event flush failed", "err", err)
		select {
		case <-ctx.Done():
			in.mu.Lock()
			lost := len(in.buf)
			in.mu.Unlock()
			return in.written, fmt.Errorf("final flush gave up with %d events unwritten: %w", lost, err)
		case <-time.After(in.cfg.RetryBackoff):
		}
	}
}

// Buffered reports how many events wait for the next flush.
func (in *Ingestor) Buffered() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.buf)
}
