// Package store owns the target's SQLite database: schema, deterministic
// seed data and every query the API and the ingestion flusher run.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// ErrNotFound is returned when the addressed row does not exist.
var ErrNotFound = errors.New("not found")

// Options configures Open.
type Options struct {
	// Path is the database file. Empty means a fresh temp file in
	// os.TempDir that Close removes again.
	Path string
	// MaxOpenConns bounds the read pool.
	MaxOpenConns int
}

// Store is the database handle. It keeps two pools over the same file:
// SQLite allows one writer at a time, so the write pool holds exactly one
// connection and writers queue in database/sql (visible in the wait
// metrics) instead of colliding inside SQLite and failing with
// SQLITE_BUSY. Readers never block the writer in WAL mode, so they get
// their own, larger pool.
type Store struct {
	read      *sql.DB
	write     *sql.DB
	path      string
	removeDir string
}

// Open opens (creating if needed) the database and applies the schema.
// Existing tables are dropped first so every start, with the same seed,
// produces the same data.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.MaxOpenConns < 1 {
		return nil, fmt.Errorf("max open conns must be >= 1, got %d", opts.MaxOpenConns)
	}
	s := &Store{path: opts.Path}
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

	var err error
	s.write, err = sql.Open("sqlite", dsn(s.path, false))
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("open write pool: %w", err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	s.write.SetConnMaxIdleTime(0)

	// The schema must exist (and WAL mode be set) before a read-only
	// connection can open the file.
	if err := s.migrate(ctx); err != nil {
		s.write.Close()
		s.cleanup()
		return nil, err
	}

	s.read, err = sql.Open("sqlite", dsn(s.path, true))
	if err != nil {
		s.write.Close()
		s.cleanup()
		return nil, fmt.Errorf("open read pool: %w", err)
	}
	s.read.SetMaxOpenConns(opts.MaxOpenConns)
	s.read.SetMaxIdleConns(opts.MaxOpenConns)
	s.read.SetConnMaxLifetime(0)
	s.read.SetConnMaxIdleTime(0)
	if err := s.read.PingContext(ctx); err != nil {
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

// Path is the database file in use.
func (s *Store) Path() string { return s.path }

// ReadDB and WriteDB expose the pools for metrics.
func (s *Store) ReadDB() *sql.DB  { return s.read }
func (s *Store) WriteDB() *sql.DB { return s.write }

// Close closes both pools and removes the temp database if Open made one.
func (s *Store) Close() error {
	var errs []error
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	if s.write != nil {
		// Fold the WAL back into the main file so a persistent -db is
		// self-contained after shutdown.
		if s.removeDir == "" {
			_, _ = s.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		}
		errs = append(errs, s.write.Close())
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
	for _, stmt := range schema {
		if _, err := s.write.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("schema %q: %w", stmt, err)
		}
	}
	return nil
}

var schema = []string{
	`DROP TABLE IF EXISTS clips_fts`,
	`DROP TABLE IF EXISTS user_goal_progress`,
	`DROP TABLE IF EXISTS goals`,
	`DROP TABLE IF EXISTS challenges`,
	`DROP TABLE IF EXISTS votes`,
	`DROP TABLE IF EXISTS comments`,
	`DROP TABLE IF EXISTS clips`,
	`DROP TABLE IF EXISTS users`,
	`CREATE TABLE users (
		id         INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		created_at INTEGER NOT NULL
	)`,
	// created_at columns hold Unix milliseconds.
	`CREATE TABLE clips (
		id         INTEGER PRIMARY KEY,
		title      TEXT    NOT NULL,
		creator_id INTEGER NOT NULL,
		game       TEXT    NOT NULL,
		views      INTEGER NOT NULL,
		score      INTEGER NOT NULL,
		created_at INTEGER NOT NULL
	)`,
	`CREATE INDEX idx_clips_feed ON clips(created_at, id)`,
	`CREATE INDEX idx_clips_game_score ON clips(game, score)`,
	`CREATE VIRTUAL TABLE clips_fts USING fts5(title, content='clips', content_rowid='id')`,
	`CREATE TABLE comments (
		id         INTEGER PRIMARY KEY,
		clip_id    INTEGER NOT NULL,
		user_id    INTEGER NOT NULL,
		body       TEXT    NOT NULL,
		created_at INTEGER NOT NULL
	)`,
	`CREATE INDEX idx_comments_clip ON comments(clip_id, id)`,
	`CREATE TABLE votes (
		user_id    INTEGER NOT NULL,
		clip_id    INTEGER NOT NULL,
		value      INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (user_id, clip_id)
	) WITHOUT ROWID`,
	`CREATE TABLE challenges (
		id   INTEGER PRIMARY KEY,
		name TEXT NOT NULL
	)`,
	`CREATE TABLE goals (
		id           INTEGER PRIMARY KEY,
		challenge_id INTEGER NOT NULL,
		name         TEXT    NOT NULL,
		target       INTEGER NOT NULL
	)`,
	`CREATE TABLE user_goal_progress (
		user_id       INTEGER NOT NULL,
		goal_id       INTEGER NOT NULL,
		challenge_id  INTEGER NOT NULL,
		progress      INTEGER NOT NULL,
		status        TEXT    NOT NULL,
		completed_at  INTEGER,
		claimed_at    INTEGER,
		last_event_id TEXT    NOT NULL,
		updated_at    INTEGER NOT NULL,
		PRIMARY KEY (user_id, goal_id)
	)`,
	`CREATE INDEX idx_user_challenge ON user_goal_progress(user_id, challenge_id)`,
	`CREATE INDEX idx_completed_unclaimed ON user_goal_progress(user_id, status)
		WHERE status = 'completed' AND claimed_at IS NULL`,
}
