// The database under the reference service: pool use over the run, the statements that cost the
// most, slow ones, N+1 patterns, scans per table and index, the buffer cache and the slowest
// statement's plan. Pool and per-route figures come from the service's /metrics; the rest from its
// GET /debug/db (pg_stat_statements and friends on PostgreSQL, the service's own timings on SQLite).
import { runDurationSeconds } from '../../../lib/summary/model.ts';
import { code, count, ms, percent, plural, table } from '../../runs/format.ts';
import { noLoad, noLoadSentence, type ReportInput } from '../input.ts';
import { snapshots, type Labels, type Snapshots } from '../../runs/prometheus.ts';
import { targetMetric, histogramSeries } from '../../../thresholds/service-contract.ts';

/** GET /debug/db, as service/internal/store/stats.go writes it. */
export interface DbReport {
  dialect: 'sqlite' | 'postgres';
  version: string;
  queries: Array<{ name: string; sql: string; calls: number; total_ms: number; mean_ms: number; max_ms: number }>;
  statements: Array<{ name: string; query: string; calls: number; total_ms: number; mean_ms: number; max_ms: number; rows: number }>;
  tables: Array<{ table: string; seq_scan: number; seq_tup_read: number; idx_scan: number; idx_tup_fetch: number; live_rows: number }>;
  indexes: Array<{ table: string; index: string; scans: number; tuples_read: number; tuples_fetched: number; definition: string }>;
  buffer_cache: { hits: number; reads: number } | null;
  explain: { name: string; sql: string; command: string; mean_ms: number; from: string; plan: string[] } | null;
  notes: string[];
}

/** The seed report's line for a slow statement. */
export const slowQueryMs = 10;
/** More statements than this per request reads as one statement per item: an N+1 pattern. */
export const nPlusOneThreshold = 3;
/** PostgreSQL's buffer cache should serve this share of block reads (the tuning guide's target). */
const bufferHitTarget = 0.95;
const topRows = 5;

function runSeconds(input: ReportInput): number {
  if (input.summary) return runDurationSeconds(input.summary);
  const { startedAt, endedAt } = input.meta ?? {};
  return startedAt && endedAt ? (Date.parse(endedAt) - Date.parse(startedAt)) / 1000 : 0;
}

export function parseDbReport(text: string): DbReport | string {
  try {
    const report = JSON.parse(text) as DbReport;
    return Array.isArray(report.queries) ? report : 'profiles/db.json is not a /debug/db report';
  } catch (error) {
    return `profiles/db.json is not JSON (${String(error)})`;
  }
}

const shortSql = (sql: string) => (sql.length > 110 ? `${sql.slice(0, 107)}…` : sql);
const statementCell = (name: string, sql: string) => (name ? `${code(name)}: ${code(shortSql(sql))}` : code(shortSql(sql)));

function poolTable(m: Snapshots, seconds: number): string[] {
  const rows: string[][] = [];
  for (const pool of m.after.labelValues(targetMetric.dbConnectionsMax, 'pool')) {
    const inPool = (labels: Labels) => labels.pool === pool;
    const max = m.after.sum(targetMetric.dbConnectionsMax, inPool);
    const held = m.delta(targetMetric.dbConnectionHeld, inPool);
    const acquires = m.delta(histogramSeries(targetMetric.dbAcquireDuration, 'count'), inPool);
    const acquireSeconds = m.delta(histogramSeries(targetMetric.dbAcquireDuration, 'sum'), inPool);
    const active = seconds > 0 ? held / seconds : NaN;
    const open = m.after.sum(targetMetric.dbConnectionsOpen, inPool);
    rows.push([
      code(pool),
      count(max),
      Number.isNaN(active) ? '—' : `${active.toFixed(2)} (${percent(active / max)})`,
      count(acquires),
      acquires > 0 ? ms((acquireSeconds / acquires) * 1000) : '—',
      count(m.delta(targetMetric.dbWaitCount, inPool)),
      `${count(open)} open: ${count(m.after.sum(targetMetric.dbConnectionsInUse, inPool))} in use, ${count(m.after.sum(targetMetric.dbConnectionsIdle, inPool))} idle`,
    ]);
  }
  if (!rows.length) return [];
  return [
    '### Connection pool',
    '',
    ...table(['Pool', 'Max', 'Average in use over the run (utilisation)', 'Connections handed out', 'Average acquire time', 'Waits for a free one', 'At the end'], rows, 'lrrrrrl'),
    '',
    'Average in use is the connection-seconds statements held connections, divided by the run time; the rest of the open connections sat idle.',
    '',
  ];
}

function queryTables(db: DbReport): string[] {
  const fromPostgres = db.statements.length > 0;
  const rows = fromPostgres
    ? db.statements.map((s) => ({ cell: statementCell(s.name, s.query), calls: s.calls, total: s.total_ms, mean: s.mean_ms, max: s.max_ms }))
    : db.queries.map((q) => ({ cell: statementCell(q.name, q.sql), calls: q.calls, total: q.total_ms, mean: q.mean_ms, max: q.max_ms }));
  if (!rows.length) return ['### Top queries', '', 'No statement ran during the run.', ''];
  const render = (sorted: typeof rows) => table(['Statement', 'Calls', 'Total', 'Mean', 'Max'], sorted.slice(0, topRows).map((r) => [r.cell, count(r.calls), ms(r.total), ms(r.mean), ms(r.max)]), 'lrrrr');
  return [
    '### Top queries',
    '',
    fromPostgres
      ? 'From `pg_stat_statements` (execution time inside PostgreSQL), reset when the service had seeded its data.'
      : `From the service's own timing of each statement (SQLite keeps no statement statistics), connection wait excluded.`,
    '',
    'By total time:',
    '',
    ...render([...rows].sort((a, b) => b.total - a.total)),
    '',
    'By mean time:',
    '',
    ...render([...rows].sort((a, b) => b.mean - a.mean)),
    '',
  ];
}

function slowQueries(m: Snapshots | null, db: DbReport | null): string[] {
  const lines = [`### Queries over ${slowQueryMs} ms`, ''];
  if (!m || !m.after.has(histogramSeries(targetMetric.dbQueryDuration, 'count'))) {
    lines.push(`Not measured: the target's /metrics has no ${targetMetric.dbQueryDuration} histogram.`, '');
    return lines;
  }
  const sqlOf = new Map((db?.queries ?? []).map((q) => [q.name, q.sql]));
  const rows: string[][] = [];
  for (const query of m.after.labelValues(histogramSeries(targetMetric.dbQueryDuration, 'count'), 'query')) {
    const ofQuery = (labels: Labels) => labels.query === query;
    const total = m.delta(histogramSeries(targetMetric.dbQueryDuration, 'count'), ofQuery);
    const fast = m.delta(histogramSeries(targetMetric.dbQueryDuration, 'bucket'), (labels) => ofQuery(labels) && Number(labels.le) === slowQueryMs / 1000);
    if (total > 0 && total - fast > 0) rows.push([statementCell(query, sqlOf.get(query) ?? ''), count(total - fast), count(total), percent((total - fast) / total)]);
  }
  if (!rows.length) {
    lines.push(`None: the service timed no statement over ${slowQueryMs} ms.`, '');
    return lines;
  }
  lines.push(
    `Executions the service timed over ${slowQueryMs} ms (statement on its connection, rows read included):`,
    '',
    ...table(['Statement', `Over ${slowQueryMs} ms`, 'Executions', 'Share'], rows.sort((a, b) => Number(b[1].replace(/,/g, '')) - Number(a[1].replace(/,/g, ''))), 'lrrr'),
    '',
  );
  return lines;
}

function nPlusOne(m: Snapshots | null): string[] {
  const lines = ['### Queries per request (N+1 patterns)', ''];
  if (!m || !m.after.has(targetMetric.dbQueries)) {
    lines.push(`Not measured: the target's /metrics has no per-route statement counter (${targetMetric.dbQueries}).`, '');
    return lines;
  }
  const rows: string[][] = [];
  const suspects: string[] = [];
  for (const route of m.after.labelValues(targetMetric.dbQueries, 'route')) {
    const ofRoute = (labels: Labels) => labels.route === route;
    const requests = m.delta(histogramSeries(targetMetric.httpRequestDuration, 'count'), ofRoute);
    const statements = m.delta(targetMetric.dbQueries, ofRoute);
    if (requests <= 0) continue;
    const perRequest = statements / requests;
    rows.push([code(route), count(requests), count(statements), perRequest.toFixed(2)]);
    if (perRequest > nPlusOneThreshold) suspects.push(`${code(route)} runs ${perRequest.toFixed(1)} statements per request`);
  }
  if (!rows.length) {
    lines.push('No request reached the database during the run.', '');
    return lines;
  }
  lines.push(...table(['Endpoint', 'Requests', 'Statements', 'Per request'], rows, 'lrrr'), '');
  lines.push(
    suspects.length
      ? `Likely N+1 (more than ${nPlusOneThreshold} statements per request, one per item): ${suspects.join('; ')}.`
      : `No N+1 pattern: no endpoint ran more than ${nPlusOneThreshold} statements per request. Cached answers run none, so a cache lowers these figures.`,
    '',
  );
  return lines;
}

function scans(db: DbReport): string[] {
  if (db.dialect !== 'postgres') return ['### Table and index scans', '', 'Not available on SQLite: it keeps no scan counters per table or index.', ''];
  const lines = ['### Table and index scans', '', 'From `pg_stat_user_tables` and `pg_stat_user_indexes`, reset when the service had seeded its data.', ''];
  if (db.tables.length) {
    lines.push(
      ...table(
        ['Table', 'Rows', 'Sequential scans', 'Rows read by them', 'Index scans', 'Rows fetched by index'],
        db.tables.map((t) => [code(t.table), count(t.live_rows), count(t.seq_scan), count(t.seq_tup_read), count(t.idx_scan), count(t.idx_tup_fetch)]),
        'lrrrrr',
      ),
      '',
    );
  }
  if (db.indexes.length) {
    lines.push(...table(['Index', 'Table', 'Scans', 'Tuples read', 'Tuples fetched'], db.indexes.map((i) => [code(i.index), code(i.table), count(i.scans), count(i.tuples_read), count(i.tuples_fetched)]), 'llrrr'), '');
  }
  const advice: string[] = [];
  for (const t of db.tables.filter((t) => t.seq_scan > 0 && t.seq_scan > t.idx_scan)) {
    const readers = db.statements.filter((s) => new RegExp(`\\b(FROM|JOIN|UPDATE|INTO)\\s+${t.table}\\b`, 'i').test(s.query)).map((s) => (s.name ? code(s.name) : code(shortSql(s.query))));
    advice.push(
      `${code(t.table)} was scanned sequentially ${plural(t.seq_scan, "time")} (${count(t.seq_tup_read)} rows read) against ${count(t.idx_scan)} index scans` +
        (readers.length ? `; statements reading it: ${readers.join(', ')}` : '') +
        (t.live_rows < 1000 ? `. With ${count(t.live_rows)} rows the planner may prefer a scan; re-check once the table has grown and been analysed.` : '. Index the columns these statements filter on.'),
    );
  }
  const unused = db.indexes.filter((i) => i.scans === 0 && !i.index.endsWith('_pkey'));
  if (unused.length) advice.push(`Unused during this run: ${unused.map((i) => code(i.index)).join(', ')} (keep them if other workloads need them; each costs writes).`);
  lines.push('Recommended indexes:', '', ...(advice.length ? advice.map((a) => `- ${a}`) : ['- None: every table with sequential scans was read more often through an index.']), '');
  return lines;
}

function bufferCache(db: DbReport): string[] {
  if (db.dialect !== 'postgres') return [];
  if (!db.buffer_cache) return ['Buffer cache hit ratio: not measured (see the notes below).', ''];
  const { hits, reads } = db.buffer_cache;
  const total = hits + reads;
  if (total === 0) return ['Buffer cache hit ratio: no block of the service’s tables was read during the run.', ''];
  return [
    `Buffer cache hit ratio: ${percent(hits / total)} of ${count(total)} block reads of the service's tables and indexes came from shared buffers (${count(reads)} from disk or the OS cache); target > ${percent(bufferHitTarget)} ${hits / total > bufferHitTarget ? '✅' : '❌'}.`,
    '',
  ];
}

function plan(db: DbReport): string[] {
  const e = db.explain;
  if (!e) return [];
  return [
    `### ${e.command} of the slowest statement`,
    '',
    `${code(e.name)}, mean ${ms(e.mean_ms)} per the service's timings, chosen as the slowest by mean time from ${e.from}; planned with the first arguments it ran with${e.command.includes('ANALYZE') ? ', inside a transaction rolled back afterwards' : ''}:`,
    '',
    '```sql',
    e.sql,
    '```',
    '',
    '```text',
    ...e.plan,
    '```',
    '',
  ];
}

export function databaseSection(input: ReportInput): string[] {
  const lines = ['## Database', ''];
  const startedByLoadgate = input.meta?.target?.startedByLoadgate !== false;
  // A team's own service without the reference service's GET /debug/db or target_db_* metrics:
  // there is nothing to say about its database, so the section is left out rather than guessed.
  const poolMetrics = input.metricsAfter.ok && input.metricsAfter.value.includes('target_db_');
  if (!startedByLoadgate && !input.database.ok && !poolMetrics) return [];
  if (noLoad(input)) return [...lines, noLoadSentence('Database figures under load'), ''];
  const db = input.database.ok ? parseDbReport(input.database.value) : null;
  const m = input.metricsAfter.ok ? snapshots(input.metricsAfter.value, input.metricsBefore.ok ? input.metricsBefore.value : undefined) : null;
  const started = input.meta?.backends?.find((b) => b.name === 'PostgreSQL');
  if (db && typeof db !== 'string') {
    const where = db.dialect === 'sqlite' ? 'embedded in the reference service' : started ? `started by loadgate for this run at ${started.address}` : 'named by DATABASE_URL';
    lines.push(`${db.version.split(' on ')[0]}, ${where}.`, '');
  } else {
    lines.push(`Database statistics: not captured, ${typeof db === 'string' ? db : input.database.ok ? '' : input.database.missing}.`, '');
  }
  if (started?.unexpectedExit) lines.push(`**PostgreSQL ${started.unexpectedExit}**: requests that needed it failed from then on.`, '');
  if (m) lines.push(...poolTable(m, runSeconds(input)));
  else lines.push(`Pool figures: not captured, ${input.metricsAfter.ok ? '' : input.metricsAfter.missing}.`, '');
  if (db && typeof db !== 'string') lines.push(...queryTables(db));
  lines.push(...slowQueries(m, db && typeof db !== 'string' ? db : null), ...nPlusOne(m));
  if (db && typeof db !== 'string') {
    lines.push(...scans(db), ...bufferCache(db), ...plan(db));
    if (db.notes.length) lines.push('Notes from the database:', '', ...db.notes.map((n) => `- ${n}`), '');
  }
  return lines;
}
