// Package store owns the service's database, SQLite by default or
// PostgreSQL when given a postgres:// URL: schema, deterministic seed data
// and every query the API and the ingestion flusher run, written once for
// both.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the pure-Go "sqlite" driver
)

// ErrNotFound is returned when the addressed row does not exist.
var ErrNotFound = errors.New("not found")

// Options configures Open.
type Options struct {
	// DatabaseURL, a postgres:// or postgresql:// URL, selects PostgreSQL;
	// empty means SQLite at Path.
	DatabaseURL string
	// Path is the SQLite database file. Empty means a fresh temp file in
	// os.TempDir that Close removes again.
	Path string
	// MaxOpenConns bounds the pool (on SQLite the read pool; writes use one
	// connection). MaxIdleConns, ConnMaxLifetime and ConnMaxIdleTime are
	// database/sql's settings of the same names for that pool.
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration
	// Observer receives acquire, hold and query timings; nil for none.
	Observer Observer
}

// Store is the database handle. On SQLite it keeps two pools over the same
// file: SQLite allows one writer at a time, so the write pool holds exactly
// one connection and writers queue in database/sql (visible in the wait
// metrics) instead of colliding inside SQLite and failing with SQLITE_BUSY.
// Readers never block the writer in WAL mode, so they get their own, larger
// pool. PostgreSQL handles concurrent writers itself: one pool serves both.
type Store struct {
	d         dialect
	read      *pool
	write     *pool
	path      string
	where     string
	removeDir string
	obs       Observer
	stats     sync.Map // query name → *queryStat
	// statementsErr says why pg_stat_statements is unavailable, if it is.
	statementsErr error
	maxIdle       int
}

// Open opens (creating if needed) the database and applies the schema.
// Existing tables are dropped first so every start, with the same seed,
// produces the same data.
func Open(ctx context.Context, opts Options) (*Store, error) {
	switch {
	case opts.MaxOpenConns < 1:
		return nil, fmt.Errorf("max open conns must be >= 1, got %d", opts.MaxOpenConns)
	case opts.MaxIdleConns < 0 || opts.ConnMaxLifetime < 0 || opts.ConnMaxIdleTime < 0:
		return nil, fmt.Errorf("max idle conns, conn max lifetime and conn max idle time must not be negative")
	}
	if opts.DatabaseURL != "" {
		return openPostgres(ctx, opts)
	}
	return openSQLite(ctx, opts)
}

func (s *Store) newPool(db *sql.DB, name string) *pool { return &pool{db: db, name: name, s: s} }

func configure(db *sql.DB, opts Options) {
	db.SetMaxOpenConns(opts.MaxOpenConns)
	db.SetMaxIdleConns(opts.MaxIdleConns)
	db.SetConnMaxLifetime(opts.ConnMaxLifetime)
	db.SetConnMaxIdleTime(opts.ConnMaxIdleTime)
}

func openPostgres(ctx context.Context, opts Options) (*Store, error) {
	u, err := url.Parse(opts.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, fmt.Errorf("database URL %q is not a postgres://host/db URL", Redact(opts.DatabaseURL))
	}
	s := &Store{d: postgres, obs: opts.Observer, where: "postgres " + u.Host + u.Path, maxIdle: opts.MaxIdleConns}
	db, err := sql.Open(postgres.driver, opts.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", s.where, err)
	}
	configure(db, opts)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", s.where, err)
	}
	s.read = s.newPool(db, "main")
	s.write = s.read
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Needs shared_preload_libraries=pg_stat_statements; without it the
	// report falls back to the service's own per-query timings.
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		s.statementsErr = err
	} else if _, err := db.ExecContext(ctx, `SELECT 1 FROM pg_stat_statements LIMIT 1`); err != nil {
		s.statementsErr = err
	}
	return s, nil
}

func openSQLite(ctx context.Context, opts Options) (*Store, error) {
	s := &Store{d: sqlite, obs: opts.Observer, path: opts.Path}
	if s.path == "" {
		dir, err := os.MkdirTemp("", "loadgate-service-")
		if err != nil {
			return nil, fmt.Errorf("create temp db dir: %w", err)
		}
		// A directory rather than a single file, so the -wal and -shm side
		// files go away with it.
		s.removeDir = dir
		s.path = filepath.Join(dir, "target.db")
	}
	s.where = "sqlite " + s.path

	write, err := sql.Open(sqlite.driver, dsn(s.path, false))
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("open write pool: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	s.write = s.newPool(write, "write")

	// The schema must exist (and WAL mode be set) before a read-only
	// connection can open the file.
	if err := s.migrate(ctx); err != nil {
		write.Close()
		s.cleanup()
		return nil, err
	}

	read, err := sql.Open(sqlite.driver, dsn(s.path, true))
	if err != nil {
		write.Close()
		s.cleanup()
		return nil, fmt.Errorf("open read pool: %w", err)
	}
	configure(read, opts)
	s.read = s.newPool(read, "read")
	if err := read.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("ping read pool: %w", err)
	}
	return s, nil
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	// NORMAL is durable against process crashes in WAL mode; only an OS
	// crash can lose the last commits, which is fine for a load target.
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// Take the write lock at BEGIN: a deferred transaction that later
		// upgrades can fail with SQLITE_BUSY without honouring
		// busy_timeout.
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Redact hides the password of a database URL, for logs and errors.
func Redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(databaseURL, "@"); i >= 0 {
			return "(redacted)" + databaseURL[i:]
		}
		return databaseURL
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "redacted")
	}
	return u.String()
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Path is the SQLite database file in use ("" on PostgreSQL).
func (s *Store) Path() string { return s.path }

// Where names the database for logs: the dialect and the file or host/db,
// never a password.
func (s *Store) Where() string { return s.where }

// Pools are the connection pools by metric label, for the pool metrics.
func (s *Store) Pools() map[string]*sql.DB {
	if s.read == s.write {
		return map[string]*sql.DB{s.read.name: s.read.db}
	}
	return map[string]*sql.DB{s.read.name: s.read.db, s.write.name: s.write.db}
}

// Warm opens up to n connections of the read pool before the first request
// needs them, so the first requests of a run do not pay for connecting
// (the tuning guide's pre-warming). It returns how many it opened and why
// it stopped short, if it did.
func (s *Store) Warm(ctx context.Context, n int) (int, error) {
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range n {
		// Held until all are open, or each would reuse the one before.
		c, err := s.read.db.Conn(ctx)
		if err == nil {
			err = c.PingContext(ctx)
		}
		if err != nil {
			return len(conns), err
		}
		conns = append(conns, c)
	}
	return len(conns), nil
}

// Close closes the pools and removes the temp database if Open made one.
func (s *Store) Close() error {
	var errs []error
	if s.read != nil && s.read != s.write {
		errs = append(errs, s.read.db.Close())
	}
	if s.write != nil {
		// Fold the WAL back into the main file so a persistent -db is
		// self-contained after shutdown.
		if s.d.name == sqlite.name && s.removeDir == "" {
			_, _ = s.write.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		}
		errs = append(errs, s.write.db.Close())
	}
	s.cleanup()
	return errors.Join(errs...)
}

func (s *Store) cleanup() {
	if s.removeDir != "" {
		_ = os.RemoveAll(s.removeDir)
	}
}

func (s *Store) migrate(ctx context.Context) error {
	for _, stmt := range s.d.schema() {
		if _, err := s.write.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("schema %q: %w", stmt, err)
		}
	}
	return nil
}
