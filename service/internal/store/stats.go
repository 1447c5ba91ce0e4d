package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// DBReport is what the database can tell about the load it served, as
// GET /debug/db returns it. Every list is present (maybe empty); Notes say
// in one line each what this database cannot tell and why.
type DBReport struct {
	Dialect string `json:"dialect"`
	Version string `json:"version"`
	// Queries is the service's own account per named statement, slowest
	// in total first. On SQLite it is the only per-query source.
	Queries []QueryTiming `json:"queries"`
	// Statements is pg_stat_statements, by total time.
	Statements []Statement `json:"statements"`
	// Tables and Indexes are pg_stat_user_tables and pg_stat_user_indexes.
	Tables      []TableScans `json:"tables"`
	Indexes     []IndexUse   `json:"indexes"`
	BufferCache *BufferCache `json:"buffer_cache"`
	Explain     *Explain     `json:"explain"`
	Notes       []string     `json:"notes"`
}

type QueryTiming struct {
	Name    string  `json:"name"`
	SQL     string  `json:"sql"`
	Calls   int64   `json:"calls"`
	TotalMs float64 `json:"total_ms"`
	MeanMs  float64 `json:"mean_ms"`
	MaxMs   float64 `json:"max_ms"`
}

type Statement struct {
	// Name is the service's name for the statement, "" for SQL it did not
	// send itself.
	Name           string  `json:"name"`
	Query          string  `json:"query"`
	Calls          int64   `json:"calls"`
	TotalMs        float64 `json:"total_ms"`
	MeanMs         float64 `json:"mean_ms"`
	MaxMs          float64 `json:"max_ms"`
	Rows           int64   `json:"rows"`
	SharedBlksHit  int64   `json:"shared_blks_hit"`
	SharedBlksRead int64   `json:"shared_blks_read"`
}

type TableScans struct {
	Table       string `json:"table"`
	SeqScan     int64  `json:"seq_scan"`
	SeqTupRead  int64  `json:"seq_tup_read"`
	IdxScan     int64  `json:"idx_scan"`
	IdxTupFetch int64  `json:"idx_tup_fetch"`
	LiveRows    int64  `json:"live_rows"`
}

type IndexUse struct {
	Table         string `json:"table"`
	Index         string `json:"index"`
	Scans         int64  `json:"scans"`
	TupRead       int64  `json:"tuples_read"`
	TupFetched    int64  `json:"tuples_fetched"`
	DefinitionSQL string `json:"definition"`
}

// BufferCache counts block reads of the service's tables and indexes
// served from shared buffers (hits) and from outside them (reads).
type BufferCache struct {
	Hits  int64 `json:"hits"`
	Reads int64 `json:"reads"`
}

// Explain is the plan of the slowest statement by mean time.
type Explain struct {
	Name    string   `json:"name"`
	SQL     string   `json:"sql"`
	Command string   `json:"command"`
	MeanMs  float64  `json:"mean_ms"`
	From    string   `json:"from"` // which figures chose it
	Plan    []string `json:"plan"`
}

// internalNames are statements of start-up, not of the load.
func internal(name string) bool {
	return strings.HasPrefix(name, "seed") || name == "analyze" || name == "goals"
}

func ms(d int64) float64 { return float64(d) / float64(time.Millisecond) }

func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

// pg_stat_statements replaces constants with numbered parameters, so a
// statement is matched to the service's SQL with both spelled alike.
var constants = regexp.MustCompile(`'[^']*'|\$\d+|\b\d+\b`)

func normalized(q string) string { return constants.ReplaceAllString(oneLine(q), "?") }

// ResetStats forgets what start-up did (seeding, warming), so the report
// covers the load only.
func (s *Store) ResetStats(ctx context.Context) error {
	s.stats.Clear()
	if s.d.name != postgres.name {
		return nil
	}
	// Counters still pending in the warmed connections would land after the reset.
	s.flushBackendStats(ctx)
	if _, err := s.read.db.ExecContext(ctx, `SELECT pg_stat_reset()`); err != nil {
		return fmt.Errorf("reset statistics: %w", err)
	}
	if s.statementsErr == nil {
		if _, err := s.read.db.ExecContext(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
			return fmt.Errorf("reset pg_stat_statements: %w", err)
		}
	}
	return nil
}

// Report gathers the database's own statistics and the plan of the
// slowest statement. Parts that fail become notes; only a database that
// cannot answer at all is an error.
func (s *Store) Report(ctx context.Context) (DBReport, error) {
	r := DBReport{Dialect: s.d.name, Queries: []QueryTiming{}, Statements: []Statement{},
		Tables: []TableScans{}, Indexes: []IndexUse{}, Notes: []string{}}
	db := s.read.db
	versionSQL := `SELECT sqlite_version()`
	if s.d.name == postgres.name {
		versionSQL = `SELECT version()`
	}
	if err := db.QueryRowContext(ctx, versionSQL).Scan(&r.Version); err != nil {
		return r, fmt.Errorf("database did not answer: %w", err)
	}
	if s.d.name == sqlite.name {
		r.Version = "SQLite " + r.Version
	}

	sqlByName := map[string]*queryStat{}
	s.stats.Range(func(_, v any) bool {
		st := v.(*queryStat)
		if internal(st.name) || st.calls.Load() == 0 {
			return true
		}
		sqlByName[normalized(st.sql)] = st
		calls, total := st.calls.Load(), st.total.Load()
		r.Queries = append(r.Queries, QueryTiming{Name: st.name, SQL: oneLine(st.sql), Calls: calls,
			TotalMs: ms(total), MeanMs: ms(total) / float64(calls), MaxMs: ms(st.max.Load())})
		return true
	})
	sort.Slice(r.Queries, func(i, j int) bool { return r.Queries[i].TotalMs > r.Queries[j].TotalMs })

	// Candidates for EXPLAIN, slowest mean first, from the best source.
	var candidates []*queryStat
	from := "the service's own timings"
	if s.d.name == postgres.name {
		s.postgresReport(ctx, &r, sqlByName)
		if len(r.Statements) > 0 {
			from = "pg_stat_statements"
			byMean := append([]Statement(nil), r.Statements...)
			sort.Slice(byMean, func(i, j int) bool { return byMean[i].MeanMs > byMean[j].MeanMs })
			for _, st := range byMean {
				if q, ok := sqlByName[normalized(st.Query)]; ok {
					candidates = append(candidates, q)
				}
			}
		}
	} else {
		r.Notes = append(r.Notes,
			"SQLite keeps no statement statistics (pg_stat_statements is PostgreSQL's): the query timings are the service's own",
			"SQLite keeps no scan counters per table or index (pg_stat_user_tables is PostgreSQL's)",
			"SQLite has no shared buffer cache to report a hit ratio for (it reads through the OS page cache)")
	}
	if len(candidates) == 0 {
		byMean := append([]QueryTiming(nil), r.Queries...)
		sort.Slice(byMean, func(i, j int) bool { return byMean[i].MeanMs > byMean[j].MeanMs })
		for _, q := range byMean {
			if st, ok := s.stats.Load(q.Name); ok {
				candidates = append(candidates, st.(*queryStat))
			}
		}
		from = "the service's own timings"
	}
	if len(candidates) == 0 {
		r.Notes = append(r.Notes, "no query ran during the run, so there is no slowest one to explain")
		return r, nil
	}
	e, err := s.explain(ctx, candidates[0])
	if err != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("%s of %s failed: %v", strings.TrimSpace(s.d.explain), candidates[0].name, err))
		return r, nil
	}
	e.From = from
	r.Explain = e
	return r, nil
}

func (s *Store) postgresReport(ctx context.Context, r *DBReport, sqlByName map[string]*queryStat) {
	db := s.read.db
	note := func(what string, err error) { r.Notes = append(r.Notes, fmt.Sprintf("%s: %v", what, err)) }
	s.flushBackendStats(ctx)
	if s.statementsErr != nil {
		note("pg_stat_statements is unavailable (the server needs shared_preload_libraries=pg_stat_statements)", s.statementsErr)
	} else if err := scanAll(ctx, db, `
		SELECT query, calls, total_exec_time, mean_exec_time, max_exec_time, rows, shared_blks_hit, shared_blks_read
		FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query NOT ILIKE '%pg_stat%' AND query NOT ILIKE 'EXPLAIN%'
		ORDER BY total_exec_time DESC LIMIT 25`, func(rows *sql.Rows) error {
		var st Statement
		if err := rows.Scan(&st.Query, &st.Calls, &st.TotalMs, &st.MeanMs, &st.MaxMs, &st.Rows, &st.SharedBlksHit, &st.SharedBlksRead); err != nil {
			return err
		}
		st.Query = oneLine(st.Query)
		if q, ok := sqlByName[normalized(st.Query)]; ok {
			st.Name = q.name
		}
		r.Statements = append(r.Statements, st)
		return nil
	}); err != nil {
		note("pg_stat_statements could not be read", err)
	}
	if err := scanAll(ctx, db, `
		SELECT t.relname, t.seq_scan, t.seq_tup_read, COALESCE(t.idx_scan, 0), COALESCE(t.idx_tup_fetch, 0),
		       CAST(GREATEST(c.reltuples, 0) AS BIGINT)
		FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid ORDER BY t.relname`, func(rows *sql.Rows) error {
		var t TableScans
		if err := rows.Scan(&t.Table, &t.SeqScan, &t.SeqTupRead, &t.IdxScan, &t.IdxTupFetch, &t.LiveRows); err != nil {
			return err
		}
		r.Tables = append(r.Tables, t)
		return nil
	}); err != nil {
		note("pg_stat_user_tables could not be read", err)
	}
	if err := scanAll(ctx, db, `
		SELECT i.relname, i.indexrelname, i.idx_scan, i.idx_tup_read, i.idx_tup_fetch, pg_get_indexdef(i.indexrelid)
		FROM pg_stat_user_indexes i ORDER BY i.relname, i.indexrelname`, func(rows *sql.Rows) error {
		var u IndexUse
		if err := rows.Scan(&u.Table, &u.Index, &u.Scans, &u.TupRead, &u.TupFetched, &u.DefinitionSQL); err != nil {
			return err
		}
		r.Indexes = append(r.Indexes, u)
		return nil
	}); err != nil {
		note("pg_stat_user_indexes could not be read", err)
	}
	var b BufferCache
	if err := db.QueryRowContext(ctx, `
		SELECT CAST(COALESCE(SUM(heap_blks_hit + COALESCE(idx_blks_hit, 0)), 0) AS BIGINT),
		       CAST(COALESCE(SUM(heap_blks_read + COALESCE(idx_blks_read, 0)), 0) AS BIGINT)
		FROM pg_statio_user_tables`).Scan(&b.Hits, &b.Reads); err != nil {
		note("pg_statio_user_tables could not be read", err)
	} else {
		r.BufferCache = &b
	}
}

func scanAll(ctx context.Context, db *sql.DB, q string, each func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// explain plans the statement with the first arguments it ran with. On
// PostgreSQL ANALYZE executes it, so it runs in a transaction that is
// rolled back: a write leaves nothing behind.
func (s *Store) explain(ctx context.Context, st *queryStat) (*Explain, error) {
	calls := st.calls.Load()
	e := &Explain{Name: st.name, SQL: oneLine(st.sql), Command: strings.TrimSpace(s.d.explain), Plan: []string{}}
	if calls > 0 {
		e.MeanMs = ms(st.total.Load()) / float64(calls)
	}
	var args []any
	if p := st.args.Load(); p != nil {
		args = *p
	}
	tx, err := s.write.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, s.d.explain+st.sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	depth := map[int64]int{}
	for rows.Next() {
		if len(cols) == 1 {
			var line string
			if err := rows.Scan(&line); err != nil {
				return nil, err
			}
			e.Plan = append(e.Plan, line)
			continue
		}
		// SQLite: id, parent, notused, detail; the parent gives the depth.
		var id, parent, unused int64
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		depth[id] = depth[parent] + 1
		e.Plan = append(e.Plan, strings.Repeat("  ", depth[id]-1)+detail)
	}
	return e, rows.Err()
}

// flushBackendStats closes the pool's idle connections and waits (at most
// 3 s) for their server processes to end. A busy backend sends its table
// and index counters to the statistics only every 10 s or when it exits;
// without this the last seconds of a run would be missing.
func (s *Store) flushBackendStats(ctx context.Context) {
	db := s.read.db
	db.SetMaxIdleConns(0)
	defer func() {
		// Back to the pool the run had, warm, so /metrics after this reads as before it.
		db.SetMaxIdleConns(s.maxIdle)
		_, _ = s.Warm(ctx, s.maxIdle)
	}()
	// One connection asks throughout: each new one would leave a backend behind.
	c, err := db.Conn(ctx)
	if err != nil {
		return
	}
	defer c.Close()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		var others int
		err := c.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&others)
		if err != nil || others == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
