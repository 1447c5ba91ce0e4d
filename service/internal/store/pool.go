package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"loadgate/service/internal/route"
)

// Observer receives what the store measures about its own database use.
// metrics.DB implements it; a nil Observer measures nothing.
type Observer interface {
	// Acquired: pool handed out a connection after wait.
	Acquired(pool string, wait time.Duration)
	// Released: a connection went back to pool after being held for held.
	Released(pool string, held time.Duration)
	// Queried: one statement, named query, ran for took on behalf of route
	// ("" when no request asked for it).
	Queried(route, query string, took time.Duration)
}

// pool is one database/sql pool whose every statement goes through an
// explicitly acquired connection: database/sql does not say how long a
// statement waited for its connection or how long it held it, and the
// report needs both (acquire time, pool utilisation over the run).
type pool struct {
	db   *sql.DB
	name string // the "pool" metric label
	s    *Store
}

// queryStat is the store's own account of one named statement: what
// /debug/db reports when the database keeps no statistics (SQLite), and
// the first arguments seen, so the slowest statement can be EXPLAINed.
type queryStat struct {
	name  string
	sql   string // as sent, in the dialect's placeholders
	calls atomic.Int64
	total atomic.Int64 // nanoseconds
	max   atomic.Int64
	args  atomic.Pointer[[]any]
}

func (s *Store) stat(name, q string) *queryStat {
	if st, ok := s.stats.Load(name); ok {
		return st.(*queryStat)
	}
	st, _ := s.stats.LoadOrStore(name, &queryStat{name: name, sql: s.d.rebind(q)})
	return st.(*queryStat)
}

func (s *Store) observe(ctx context.Context, st *queryStat, args []any, start time.Time) {
	took := time.Since(start)
	st.calls.Add(1)
	st.total.Add(int64(took))
	for {
		old := st.max.Load()
		if int64(took) <= old || st.max.CompareAndSwap(old, int64(took)) {
			break
		}
	}
	if st.args.Load() == nil {
		kept := append([]any(nil), args...)
		st.args.CompareAndSwap(nil, &kept)
	}
	if s.obs != nil {
		s.obs.Queried(route.FromContext(ctx), st.name, took)
	}
}

// runner is what a statement runs on: a pinned connection or a transaction.
type runner interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// rows closes its statement's account and gives back its connection, if
// it owns one, when closed.
type rows struct {
	*sql.Rows
	once sync.Once
	done func()
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.done)
	return err
}

func (s *Store) query(ctx context.Context, on runner, release func(), name, q string, args []any) (*rows, error) {
	st := s.stat(name, q)
	start := time.Now()
	r, err := on.QueryContext(ctx, st.sql, args...)
	done := func() {
		s.observe(ctx, st, args, start)
		if release != nil {
			release()
		}
	}
	if err != nil {
		done()
		return nil, err
	}
	return &rows{Rows: r, done: done}, nil
}

// queryRow scans the first row into dest; sql.ErrNoRows when there is none.
func (s *Store) queryRow(ctx context.Context, on runner, release func(), name, q string, args []any, dest ...any) error {
	r, err := s.query(ctx, on, release, name, q, args)
	if err != nil {
		return err
	}
	defer r.Close()
	if !r.Next() {
		if err := r.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.Scan(dest...); err != nil {
		return err
	}
	return r.Close()
}

func (s *Store) exec(ctx context.Context, on runner, name, q string, args []any) (sql.Result, error) {
	st := s.stat(name, q)
	start := time.Now()
	res, err := on.ExecContext(ctx, st.sql, args...)
	s.observe(ctx, st, args, start)
	return res, err
}

// acquire takes a connection and returns the function that gives it back.
func (p *pool) acquire(ctx context.Context) (*sql.Conn, func(), error) {
	start := time.Now()
	c, err := p.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	got := time.Now()
	obs := p.s.obs
	if obs != nil {
		obs.Acquired(p.name, got.Sub(start))
	}
	return c, func() {
		_ = c.Close()
		if obs != nil {
			obs.Released(p.name, time.Since(got))
		}
	}, nil
}

func (p *pool) query(ctx context.Context, name, q string, args ...any) (*rows, error) {
	c, release, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	return p.s.query(ctx, c, release, name, q, args)
}

func (p *pool) queryRow(ctx context.Context, name, q string, args []any, dest ...any) error {
	c, release, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	return p.s.queryRow(ctx, c, release, name, q, args, dest...)
}

func (p *pool) exec(ctx context.Context, name, q string, args ...any) (sql.Result, error) {
	c, release, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.s.exec(ctx, c, name, q, args)
}

// tx is a transaction on a connection of its own, given back at Commit or
// Rollback, whichever comes first.
type tx struct {
	*sql.Tx
	s       *Store
	once    sync.Once
	release func()
}

func (p *pool) begin(ctx context.Context) (*tx, error) {
	c, release, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	t, err := c.BeginTx(ctx, nil)
	if err != nil {
		release()
		return nil, err
	}
	return &tx{Tx: t, s: p.s, release: release}, nil
}

func (t *tx) query(ctx context.Context, name, q string, args ...any) (*rows, error) {
	return t.s.query(ctx, t.Tx, nil, name, q, args)
}

func (t *tx) queryRow(ctx context.Context, name, q string, args []any, dest ...any) error {
	return t.s.queryRow(ctx, t.Tx, nil, name, q, args, dest...)
}

func (t *tx) exec(ctx context.Context, name, q string, args ...any) (sql.Result, error) {
	return t.s.exec(ctx, t.Tx, name, q, args)
}

// stmt is a statement prepared once in a transaction and run many times.
type stmt struct {
	*sql.Stmt
	st *queryStat
	s  *Store
}

func (t *tx) prepare(ctx context.Context, name, q string) (*stmt, error) {
	st := t.s.stat(name, q)
	prepared, err := t.Tx.PrepareContext(ctx, st.sql)
	if err != nil {
		return nil, err
	}
	return &stmt{Stmt: prepared, st: st, s: t.s}, nil
}

func (s *stmt) exec(ctx context.Context, args ...any) error {
	start := time.Now()
	_, err := s.Stmt.ExecContext(ctx, args...)
	s.s.observe(ctx, s.st, args, start)
	return err
}

func (t *tx) commit() error {
	err := t.Tx.Commit()
	t.once.Do(t.release)
	return err
}

func (t *tx) rollback() {
	_ = t.Tx.Rollback()
	t.once.Do(t.release)
}
