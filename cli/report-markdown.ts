// REPORT.md: the one file a person reads after a run. Pure: it renders what cli/report.ts collected
// from the run folder, so tests feed it recorded runs and hand-made gaps. Every section says in a
// sentence when its data is missing, because a report with holes in it reads as a report with lies.
import { parsePrometheusText, type Sample } from '../lib/alerting.ts';
import { durationToMs } from '../lib/profiles.ts';
import {
  endpointRows,
  failedThresholds,
  firedAlerts,
  formatObserved,
  runDurationSeconds,
  thresholdResults,
  type K6Summary,
  type MetricSummary,
} from '../lib/summary/model.ts';
import { serviceObjectives } from '../thresholds/slo.ts';

/** What meta.json holds; every field beyond the first four may be absent in older or aborted runs. */
export interface ReportMeta {
  scenario: string;
  profile: string;
  reason: string;
  exitCode: number;
  startedAt?: string;
  endedAt?: string;
  gitCommit?: string;
  k6?: string;
  machine?: { cpus?: number; cpuModel?: string; memoryBytes?: number; platform?: string; node?: string; go?: string };
  target?: { baseUrl?: string; identity?: unknown; startedByLoadgate?: boolean; args?: string[] };
  environment?: Record<string, string>;
  options?: unknown;
  captures?: { files: string[]; failures: string[] };
}

/** A piece of run data, or the sentence explaining why it is not there. */
export type Captured<T> = { ok: true; value: T } | { ok: false; missing: string };

export interface PprofRow {
  flat: string;
  flatPercent: number;
  sumPercent: number;
  cum: string;
  cumPercent: number;
  name: string;
}

export interface PprofTop {
  /** "Type", "Duration", "Time"… from the lines above the table. */
  header: Record<string, string>;
  /** The total the percentages refer to, e.g. "140ms" or "11". */
  total: string;
  rows: PprofRow[];
}

export const profileNames = ['cpu', 'allocs', 'goroutine', 'block', 'mutex'] as const;
export type ProfileName = (typeof profileNames)[number];

export interface ReportInput {
  /** The run folder's own name, e.g. 20261122T163838Z-mixed-smoke. */
  runName: string;
  summary: K6Summary | null;
  meta: ReportMeta | null;
  metricsBefore: Captured<string>;
  metricsAfter: Captured<string>;
  profiles: Record<ProfileName, Captured<PprofTop>>;
  /** Paths relative to the run folder, sorted. */
  files: string[];
}

const pprofRow = /^\s*(\S+)\s+([\d.]+)%\s+([\d.]+)%\s+(\S+)\s+([\d.]+)%\s+(.+?)\s*$/;

/** Parses the text of `go tool pprof -top`. */
export function parsePprofTop(text: string): PprofTop {
  const header: Record<string, string> = {};
  const rows: PprofRow[] = [];
  let total = '';
  let inTable = false;
  for (const line of text.split('\n')) {
    if (inTable) {
      const match = pprofRow.exec(line);
      if (match) {
        rows.push({
          flat: match[1],
          flatPercent: Number(match[2]),
          sumPercent: Number(match[3]),
          cum: match[4],
          cumPercent: Number(match[5]),
          name: match[6],
        });
      }
      continue;
    }
    const showing = /^Showing nodes accounting for .* of (.+) total/.exec(line);
    if (showing) total = showing[1];
    else if (/^\s*flat\s+flat%/.test(line)) inTable = true;
    else {
      const pair = /^([A-Z][A-Za-z ]*):\s+(.*)$/.exec(line);
      if (pair) header[pair[1]] = pair[2];
    }
  }
  return { header, total, rows };
}

// ---- formatting -------------------------------------------------------------------------------

const ms = (value: number) => `${value < 100 ? value.toFixed(2) : value.toFixed(1)} ms`;
const percent = (ratio: number) => `${(ratio * 100).toFixed(2)}%`;
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const perSecond = (value: number) => `${value.toFixed(1)}/s`;

function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${unit === 0 ? scaled.toFixed(0) : scaled.toFixed(1)} ${units[unit]}`;
}

function seconds(value: number): string {
  if (value < 1) return ms(value * 1000);
  return `${value.toFixed(value < 10 ? 2 : 1)} s`;
}

/** Markdown table cells must not break the row; pipes are the only character that can. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** `align` has one letter per column: l for text, r for numbers, c for marks. */
function table(header: string[], rows: string[][], align = 'l'.repeat(header.length)): string[] {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map((_, i) => (align[i] === 'r' ? '---:' : align[i] === 'c' ? ':---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

const mark = (ok: boolean) => (ok ? '✅' : '❌');
const plural = (n: number, word: string) => `${count(n)} ${word}${Math.round(n) === 1 ? '' : 's'}`;

// ---- reading the summary ----------------------------------------------------------------------

function metric(summary: K6Summary | null, name: string): MetricSummary | undefined {
  return summary?.metrics[name];
}

function value(summary: K6Summary | null, name: string, stat: string): number | undefined {
  const v = metric(summary, name)?.values[stat];
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

interface SetupInfo {
  monitor?: boolean;
  monitorNote?: string;
}

const setupInfo = (summary: K6Summary | null) => (summary?.setup_data ?? {}) as SetupInfo;

// ---- reading meta.options (k6 inspect output) -------------------------------------------------

interface ScenarioOptions {
  executor?: string;
  startTime?: string | null;
  vus?: number;
  duration?: string;
  iterations?: number;
  startVUs?: number;
  rate?: number;
  timeUnit?: string | null;
  preAllocatedVUs?: number;
  maxVUs?: number;
  startRate?: number;
  stages?: Array<{ duration: string; target: number }>;
}

interface K6Options {
  scenarios?: Record<string, ScenarioOptions>;
  thresholds?: Record<string, unknown>;
  totalDuration?: string;
  maxVUs?: number;
}

const optionsOf = (meta: ReportMeta | null): K6Options | null =>
  meta?.options && typeof meta.options === 'object' ? (meta.options as K6Options) : null;

function safeMs(duration: string | null | undefined): number | undefined {
  if (!duration) return undefined;
  try {
    return durationToMs(duration);
  } catch {
    return undefined;
  }
}

function describeScenario(s: ScenarioOptions): string {
  const unit = s.timeUnit || '1s';
  const stages = (s.stages ?? []).map((stage) => `${stage.target} over ${stage.duration}`).join(', ');
  switch (s.executor) {
    case 'constant-vus':
      return `${plural(s.vus ?? 1, 'VU')} for ${s.duration ?? 'the whole run'}`;
    case 'ramping-vus':
      return `from ${s.startVUs ?? 0} VUs: ${stages} (VUs)`;
    case 'constant-arrival-rate':
      return `${s.rate} iterations per ${unit} for ${s.duration}, ${s.preAllocatedVUs ?? 0} VUs pre-allocated (max ${s.maxVUs ?? s.preAllocatedVUs ?? 0})`;
    case 'ramping-arrival-rate':
      return `from ${s.startRate ?? 0} iterations per ${unit}: ${stages}; ${s.preAllocatedVUs ?? 0} VUs pre-allocated (max ${s.maxVUs ?? s.preAllocatedVUs ?? 0})`;
    case 'per-vu-iterations':
      return `${s.iterations} iterations on each of ${s.vus} VUs`;
    case 'shared-iterations':
      return `${s.iterations} iterations shared by ${s.vus} VUs`;
    default:
      return `executor ${s.executor ?? 'unknown'}`;
  }
}

/** The level a staged scenario asked for `elapsedMs` into the run, the way k6 interpolates. */
function stagedLevelAt(s: ScenarioOptions, elapsedMs: number, start: number): number {
  let from = start;
  let stageStart = safeMs(s.startTime) ?? 0;
  if (elapsedMs < stageStart) return 0;
  for (const stage of s.stages ?? []) {
    const length = safeMs(stage.duration) ?? 0;
    if (elapsedMs <= stageStart + length) {
      return length === 0 ? stage.target : from + ((stage.target - from) * (elapsedMs - stageStart)) / length;
    }
    from = stage.target;
    stageStart += length;
  }
  return from;
}

/**
 * inspect is run before k6 starts; when it resolves a different profile than the run used (its
 * environment differs), its thresholds differ from the ones the summary evaluated.
 */
function optionsMatchRun(options: K6Options, summary: K6Summary | null): boolean {
  if (!summary || !options.thresholds) return true;
  const planned = Object.keys(options.thresholds).sort().join('\n');
  const evaluated = Object.entries(summary.metrics)
    .filter(([, m]) => m.thresholds && Object.keys(m.thresholds).length > 0)
    .map(([name]) => name)
    .sort()
    .join('\n');
  return planned === evaluated;
}

// ---- Prometheus snapshots ---------------------------------------------------------------------

const targetFamilies = new Set([
  'target_db_connections_in_use',
  'target_db_connections_idle',
  'target_db_connections_open',
  'target_db_connections_max',
  'target_db_wait_count_total',
  'target_db_wait_duration_seconds_total',
  'target_event_buffer_size',
  'target_event_buffer_limit',
  'target_events_accepted_total',
  'target_events_rejected_total',
  'target_events_written_total',
  'target_buffer_flushes_total',
  'target_http_request_duration_seconds',
  'go_goroutines',
  'go_memstats_heap_inuse_bytes',
  'go_gc_duration_seconds',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
]);

class Snapshot {
  constructor(private readonly samples: Sample[]) {}

  static parse(text: string): Snapshot {
    return new Snapshot(parsePrometheusText(text, targetFamilies));
  }

  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }

  sum(name: string, where: (labels: Record<string, string>) => boolean = () => true): number {
    return this.samples.filter((s) => s.name === name && where(s.labels)).reduce((total, s) => total + s.value, 0);
  }

  labelValues(name: string, label: string): string[] {
    return [...new Set(this.samples.filter((s) => s.name === name && label in s.labels).map((s) => s.labels[label]))].sort();
  }
}

/** Counters only grow; a smaller value afterwards means the target restarted in between. */
const increase = (after: number, before: number) => (after >= before ? after - before : after);

// ---- sections ---------------------------------------------------------------------------------

function title(input: ReportInput): string[] {
  const { meta } = input;
  const scenario = meta?.scenario ?? input.runName;
  const profile = meta?.profile ?? 'unknown profile';
  const started = meta?.startedAt ? `${meta.startedAt.slice(0, 16).replace('T', ' ')} UTC` : 'start time not recorded';
  return [`# Load test report: ${scenario} (${profile}), ${started}`, '', `Run folder: ${code(input.runName)}.`, ''];
}

function runPassed(input: ReportInput): boolean {
  const failed = input.summary ? failedThresholds(input.summary).length : 0;
  if (input.meta) return input.meta.exitCode === 0 && failed === 0;
  return input.summary !== null && failed === 0;
}

function breakpointSentence(input: ReportInput): string | null {
  if (input.meta?.profile !== 'breakpoint') return null;
  const parts: string[] = [];
  const vusMax = value(input.summary, 'vus_max', 'max');
  if (vusMax !== undefined) parts.push(`${count(vusMax)} VUs allocated at most (vus_max)`);
  const options = optionsOf(input.meta);
  const elapsedMs = input.summary ? runDurationSeconds(input.summary) * 1000 : undefined;
  if (options?.scenarios && elapsedMs !== undefined) {
    for (const [name, s] of Object.entries(options.scenarios)) {
      if (s.executor !== 'ramping-arrival-rate') continue;
      const rate = stagedLevelAt(s, elapsedMs, s.startRate ?? 0);
      parts.push(`${name} at ${rate.toFixed(1)} iterations per ${s.timeUnit || '1s'} when it stopped`);
    }
  }
  if (!parts.length) return 'Breakpoint level reached: not captured, the summary has neither vus_max nor the arrival-rate stages.';
  const after = elapsedMs !== undefined ? ` after ${seconds(elapsedMs / 1000)}` : '';
  return `Breakpoint level reached${after}: ${parts.join('; ')}.`;
}

function executiveSummary(input: ReportInput): string[] {
  const { summary, meta } = input;
  const lines = ['## Executive summary', ''];
  const passed = runPassed(input);
  const reason = meta ? `${meta.reason} (k6 exit code ${meta.exitCode})` : 'meta.json was not written, so why the run ended is not recorded';
  lines.push(`**Status: ${passed ? 'PASSED' : 'FAILED'}**: ${passed ? 'every SLO threshold held' : reason}.`, '');
  const stoppedEarly = meta !== null && (/^aborted|interrupted/.test(meta.reason) || [105, 108].includes(meta.exitCode));
  if (stoppedEarly && summary) {
    lines.push(`The run stopped after ${seconds(runDurationSeconds(summary))}, so every figure below covers only that part of it.`, '');
  }
  if (!summary) {
    lines.push('Measurements: not captured, k6 wrote no summary.json (it crashed or was killed before its end-of-test summary).', '');
    return lines;
  }
  const bullets: string[] = [];
  const p95 = value(summary, 'http_req_duration', 'p(95)');
  const rows = endpointRows(summary);
  const measured = rows.filter((row) => hasLatency(summary, row.endpoint));
  if (p95 !== undefined) {
    const within = measured.filter((row) => row.p95 !== undefined && row.p95 < row.targetP95).length;
    bullets.push(
      `Latency: p95 over all requests ${ms(p95)}; ${within} of ${rows.length} endpoints within their p95 target.`,
    );
  } else {
    bullets.push('Latency: not captured, the run made no HTTP requests.');
  }
  const errorRate = value(summary, 'http_req_failed', 'rate');
  if (errorRate !== undefined) {
    const ok = errorRate < serviceObjectives.maxErrorRate;
    bullets.push(`Error rate: ${percent(errorRate)} of requests failed, objective < ${percent(serviceObjectives.maxErrorRate)} ${mark(ok)}.`);
  }
  const checks = value(summary, 'checks', 'rate');
  if (checks !== undefined) {
    bullets.push(`Checks: ${percent(checks)} passed, objective > ${percent(serviceObjectives.minCheckRate)} ${mark(checks > serviceObjectives.minCheckRate)}.`);
  }
  const rate = value(summary, 'http_reqs', 'rate');
  if (rate !== undefined) {
    const objective = thresholdResults(summary).find((t) => t.metric === 'http_reqs' && t.stat === 'rate');
    bullets.push(
      objective
        ? `Throughput: ${perSecond(rate)}, objective ${objective.expression.replace('rate', '')} ${mark(objective.ok)}.`
        : `Throughput: ${perSecond(rate)}; the ${meta?.profile ?? 'run\'s'} profile sets no throughput objective.`,
    );
  }
  const failed = failedThresholds(summary);
  if (failed.length) {
    bullets.push(
      `Failed thresholds (${failed.length} of ${thresholdResults(summary).length}): ${failed
        .map((t) => `${code(`${t.metric} ${t.expression}`)} observed ${formatObserved(t)}`)
        .join('; ')}.`,
    );
  }
  const alerts = firedAlerts(summary);
  bullets.push(alerts.length ? `Alerts fired: ${alerts.map((a) => a.name).join(', ')}.` : 'Alerts fired: none.');
  lines.push(...bullets.map((b) => `- ${b}`));
  const breakpoint = breakpointSentence(input);
  if (breakpoint) lines.push('', breakpoint);
  lines.push('');
  return lines;
}

function testConfiguration(input: ReportInput): string[] {
  const { meta, summary } = input;
  const lines = ['## Test configuration', ''];
  if (!meta) {
    lines.push('Configuration: not captured, the run folder has no meta.json.', '');
    return lines;
  }
  const rows: string[][] = [
    ['Scenario', meta.scenario],
    ['Profile', meta.profile],
  ];
  if (meta.startedAt) rows.push(['Started', `${meta.startedAt}${meta.endedAt ? `, ended ${meta.endedAt}` : ''}`]);
  if (summary) rows.push(['Test run duration', seconds(runDurationSeconds(summary))]);
  const vusMax = value(summary, 'vus_max', 'max');
  if (vusMax !== undefined) rows.push(['Peak VUs (observed)', count(vusMax)]);
  const m = meta.machine;
  if (m) {
    const parts = [
      m.cpus !== undefined ? `${m.cpus} cores${m.cpuModel ? ` (${m.cpuModel})` : ''}` : 'cores not recorded',
      m.memoryBytes !== undefined ? `${bytes(m.memoryBytes)} memory` : 'memory not recorded',
    ];
    if (m.platform) parts.push(m.platform);
    rows.push(['Machine', parts.join(', ')]);
    if (m.go) rows.push(['Go', m.go]);
    if (m.node) rows.push(['Node.js', m.node]);
  }
  if (meta.k6) rows.push(['k6', meta.k6]);
  if (meta.gitCommit) rows.push(['Git commit', meta.gitCommit]);
  const target = meta.target;
  if (target) {
    const identity = target.identity as { service?: string; version?: string } | null | undefined;
    const who = identity?.service ? `${identity.service} ${identity.version ?? ''}`.trim() : 'identity not reported by /healthz';
    rows.push(['Target', `${who} at ${target.baseUrl ?? 'an unrecorded URL'}${target.startedByLoadgate ? ', started by loadgate' : ', started outside loadgate'}`]);
    const faults = (target.args ?? []).filter((arg, i, args) => arg.startsWith('-fault') || args[i - 1]?.startsWith('-fault'));
    if (faults.length) rows.push(['Fault injection', faults.join(' ')]);
  }
  lines.push(...table(['Setting', 'Value'], rows), '');
  if (m?.cpus !== undefined) {
    lines.push(
      `The load generator (k6) and the target ran on the same machine and shared its ${m.cpus} cores, so the latencies include contention between the two.`,
      '',
    );
  }
  const options = optionsOf(meta);
  if (!options?.scenarios) {
    lines.push('Load shape: not captured, meta.json has no resolved k6 options (k6 inspect failed).', '');
    return lines;
  }
  lines.push('Load shape, as k6 resolved the options:', '');
  lines.push(
    ...table(
      ['k6 scenario', 'Executor', 'Load'],
      Object.entries(options.scenarios)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, s]) => [name, s.executor ?? 'unknown', describeScenario(s)]),
    ),
    '',
  );
  if (options.totalDuration) lines.push(`Planned duration including graceful stops: ${options.totalDuration}.`, '');
  if (!optionsMatchRun(options, summary)) {
    lines.push(
      `Caution: these resolved options carry different thresholds from the ones this run evaluated, so they probably describe another profile than ${meta.profile}; trust the observed peak VUs and run duration above.`,
      '',
    );
  }
  return lines;
}

function k6Metrics(input: ReportInput): string[] {
  const { summary } = input;
  const lines = ['## k6 metrics', ''];
  if (!summary) {
    lines.push('k6 metrics: not captured, there is no summary.json.', '');
    return lines;
  }
  const rows: string[][] = [];
  const reqs = metric(summary, 'http_reqs')?.values;
  if (reqs) rows.push(['HTTP requests', `${count(reqs.count)} (${perSecond(reqs.rate)})`]);
  const iterations = metric(summary, 'iterations')?.values;
  if (iterations) rows.push(['Iterations', `${count(iterations.count)} (${perSecond(iterations.rate)})`]);
  const duration = metric(summary, 'http_req_duration')?.values;
  if (duration) {
    for (const stat of ['avg', 'p(50)', 'p(90)', 'p(95)', 'p(99)', 'max']) {
      const v = stat === 'p(50)' ? duration[stat] ?? duration.med : duration[stat];
      if (v !== undefined) rows.push([`http_req_duration ${stat}`, ms(v)]);
    }
  }
  const failed = metric(summary, 'http_req_failed')?.values;
  if (failed) rows.push(['Failed requests', `${percent(failed.rate)} (${count(failed.passes ?? 0)} of ${count((failed.passes ?? 0) + (failed.fails ?? 0))})`]);
  const checks = metric(summary, 'checks')?.values;
  if (checks) rows.push(['Checks passed', `${percent(checks.rate)} (${count(checks.passes ?? 0)} passed, ${count(checks.fails ?? 0)} failed)`]);
  const received = value(summary, 'data_received', 'count');
  const sent = value(summary, 'data_sent', 'count');
  if (received !== undefined && sent !== undefined) rows.push(['Data received / sent', `${bytes(received)} / ${bytes(sent)}`]);
  const dropped = value(summary, 'dropped_iterations', 'count');
  if (dropped !== undefined) rows.push(['Dropped iterations', count(dropped)]);
  if (!rows.length) {
    lines.push('k6 metrics: not captured, the summary holds no HTTP metrics (the run sent no HTTP requests).', '');
    return lines;
  }
  lines.push(...table(['Metric', 'Value'], rows, 'lr'), '');
  return lines;
}

/** k6 reports zeros, not gaps, for a latency trend without samples; zero samples means no latency. */
function hasLatency(summary: K6Summary, endpoint: string): boolean {
  const trend =
    summary.metrics[`http_req_duration{endpoint:${endpoint},expected_response:true}`] ??
    summary.metrics[`grpc_req_duration{endpoint:${endpoint}}`];
  return (trend?.values.count ?? 0) > 0;
}

function endpointTable(input: ReportInput): string[] {
  const { summary } = input;
  const lines = ['## Endpoints', ''];
  if (!summary) {
    lines.push('Endpoint latencies: not captured, there is no summary.json.', '');
    return lines;
  }
  const rows = endpointRows(summary);
  if (!rows.length) {
    lines.push('Endpoint latencies: not captured, the run drove none of the endpoints in thresholds/slo.ts.', '');
    return lines;
  }
  const withoutLatency: string[] = [];
  const cells = rows.map((row) => {
    const measured = hasLatency(summary, row.endpoint);
    if (!measured) withoutLatency.push(row.requests > 0 ? `${row.endpoint} (${plural(row.requests, 'request')}, none succeeded)` : `${row.endpoint} (never requested)`);
    const latency = (v: number | undefined) => (measured && v !== undefined ? ms(v) : '—');
    return [
      `${row.label} (${code(row.endpoint)})`,
      count(row.requests),
      latency(row.p50),
      latency(row.p95),
      latency(row.p99),
      `< ${row.targetP95} ms`,
      mark(row.ok && measured),
    ];
  });
  lines.push(
    'Latency of successful responses. ✅ means every latency threshold of the endpoint (p50, p95, p99) held and it answered at least once.',
    '',
    ...table(['Endpoint', 'Requests', 'p50', 'p95', 'p99', 'Target p95', 'Met'], cells, 'lrrrrrc'),
    '',
  );
  if (withoutLatency.length) {
    lines.push(`A dash marks an endpoint without a successful response, so there is no latency to compare: ${withoutLatency.join(', ')}.`, '');
  }
  return lines;
}

function alertsSection(input: ReportInput): string[] {
  const { summary } = input;
  const lines = ['## Alerts fired', ''];
  if (!summary) {
    lines.push('Alerts: not captured, there is no summary.json.', '');
    return lines;
  }
  const setup = setupInfo(summary);
  const alerts = firedAlerts(summary);
  if (alerts.length) {
    lines.push(
      ...alerts.map((a) => `- ${code(a.name)} fired ${plural(a.count, 'time')}${a.aborting ? ' and aborted the run' : ''}.`),
      '',
    );
  } else if (setup.monitor === false) {
    lines.push(`None: the alert monitor was off (${setup.monitorNote ?? 'no reason recorded'}), so no rule was evaluated.`, '');
  } else {
    lines.push('None: no alert rule fired during the run.', '');
  }
  if (setup.monitorNote && setup.monitor !== false) lines.push(`Monitor: ${setup.monitorNote}.`, '');
  return lines;
}

function targetMetrics(input: ReportInput): string[] {
  const lines = ['## Target metrics', ''];
  if (!input.metricsAfter.ok) {
    lines.push(`Target metrics: not captured, ${input.metricsAfter.missing}.`, '');
    return lines;
  }
  const after = Snapshot.parse(input.metricsAfter.value);
  const before = input.metricsBefore.ok ? Snapshot.parse(input.metricsBefore.value) : new Snapshot([]);
  const beforeRun = (format: (s: Snapshot) => string) => (input.metricsBefore.ok ? format(before) : 'not captured');

  const levels: string[][] = [];
  for (const pool of after.labelValues('target_db_connections_max', 'pool')) {
    const inPool = (labels: Record<string, string>) => labels.pool === pool;
    const format = (s: Snapshot) =>
      `${count(s.sum('target_db_connections_in_use', inPool))} in use, ${count(s.sum('target_db_connections_open', inPool))} open, max ${count(s.sum('target_db_connections_max', inPool))}`;
    levels.push([`DB pool ${code(pool)}`, beforeRun(format), format(after)]);
  }
  if (after.has('target_event_buffer_limit')) {
    const format = (s: Snapshot) => {
      const limit = s.sum('target_event_buffer_limit');
      const size = s.sum('target_event_buffer_size');
      return `${count(size)} of ${count(limit)}${limit > 0 ? ` (${percent(size / limit)})` : ''}`;
    };
    levels.push(['Event buffer size / limit', beforeRun(format), format(after)]);
  }
  if (after.has('go_goroutines')) {
    const format = (s: Snapshot) => count(s.sum('go_goroutines'));
    levels.push(['Goroutines', beforeRun(format), format(after)]);
  }
  if (after.has('go_memstats_heap_inuse_bytes')) {
    const format = (s: Snapshot) => bytes(s.sum('go_memstats_heap_inuse_bytes'));
    levels.push(['Heap in use', beforeRun(format), format(after)]);
  }

  const changes: string[][] = [];
  const delta = (name: string, where?: (labels: Record<string, string>) => boolean) =>
    increase(after.sum(name, where), before.sum(name, where));
  for (const pool of after.labelValues('target_db_wait_count_total', 'pool')) {
    const inPool = (labels: Record<string, string>) => labels.pool === pool;
    changes.push([
      `DB pool ${code(pool)} waits for a connection`,
      `${count(delta('target_db_wait_count_total', inPool))}, ${seconds(delta('target_db_wait_duration_seconds_total', inPool))} waiting in total`,
    ]);
  }
  if (after.has('target_events_accepted_total')) {
    changes.push([
      'Events accepted / written / rejected',
      `${count(delta('target_events_accepted_total'))} / ${count(delta('target_events_written_total'))} / ${count(delta('target_events_rejected_total'))}`,
    ]);
  }
  if (after.has('target_buffer_flushes_total')) changes.push(['Buffer flushes', count(delta('target_buffer_flushes_total'))]);
  const requestCount = 'target_http_request_duration_seconds_count';
  if (after.has(requestCount)) {
    const total = delta(requestCount);
    const errors = delta(requestCount, (labels) => /^5/.test(labels.code ?? ''));
    changes.push(['HTTP requests served / with a 5xx code', `${count(total)} / ${count(errors)}${total > 0 ? ` (${percent(errors / total)})` : ''}`]);
  }
  if (after.has('go_gc_duration_seconds_count')) {
    const longest = after.sum('go_gc_duration_seconds', (labels) => labels.quantile === '1');
    changes.push([
      'GC cycles / total pause',
      `${count(delta('go_gc_duration_seconds_count'))} / ${seconds(delta('go_gc_duration_seconds_sum'))} (longest recent pause ${seconds(longest)})`,
    ]);
  }
  if (after.has('process_cpu_seconds_total')) {
    const cpu = delta('process_cpu_seconds_total');
    const runSeconds = input.summary ? runDurationSeconds(input.summary) : 0;
    changes.push(['Target CPU time', `${seconds(cpu)}${runSeconds > 0 ? ` (${percent(cpu / runSeconds)} of one core over the run)` : ''}`]);
  }

  if (!levels.length && !changes.length) {
    lines.push('Target metrics: not captured, metrics-after.prom holds none of the target_* or Go runtime series this report reads.', '');
    return lines;
  }
  lines.push('From the /metrics snapshots taken just before k6 started and just after it ended.', '');
  if (!input.metricsBefore.ok) {
    lines.push(`The snapshot before the run was not captured (${input.metricsBefore.missing}), so the changes below are totals since the target started.`, '');
  }
  if (levels.length) {
    lines.push(
      ...table(['Level', 'Before', 'After'], levels),
      '',
      'Pool use is what the two snapshots saw, not the peak during the run; the DatabaseConnectionPoolHigh alert watches the peak live.',
      '',
    );
  }
  if (changes.length) lines.push(...table(['During the run', 'Change'], changes), '');
  return lines;
}

function pprofTable(top: PprofTop, limit: number): string[] {
  return table(
    ['flat', 'flat%', 'sum%', 'cum', 'cum%', 'function'],
    top.rows.slice(0, limit).map((r) => [r.flat, `${r.flatPercent.toFixed(2)}%`, `${r.sumPercent.toFixed(2)}%`, r.cum, `${r.cumPercent.toFixed(2)}%`, code(r.name)]),
    'rrrrrl',
  );
}

function profileBlock(heading: string, profile: Captured<PprofTop>, limit: number, emptyText: string): string[] {
  const lines = [`### ${heading}`, ''];
  if (!profile.ok) {
    lines.push(`${heading}: not captured, ${profile.missing}.`, '');
    return lines;
  }
  const header = profile.value.header;
  const facts = [header.Type && `type ${header.Type}`, header.Duration && `duration ${header.Duration.split(',')[0]}`, profile.value.total && `total ${profile.value.total}`]
    .filter(Boolean)
    .join(', ');
  if (facts) lines.push(`Profile ${facts}.`, '');
  if (!profile.value.rows.length) {
    lines.push(emptyText, '');
    return lines;
  }
  lines.push(...pprofTable(profile.value, limit), '');
  return lines;
}

function cpuAndAllocations(input: ReportInput): string[] {
  return [
    '## CPU and allocations',
    '',
    ...profileBlock('CPU', input.profiles.cpu, 15, 'The CPU profile holds no samples: the target was idle while it was recorded.'),
    ...profileBlock('Allocations (alloc_space)', input.profiles.allocs, 15, 'The allocation profile holds no samples.'),
  ];
}

function goroutinesBlockMutex(input: ReportInput): string[] {
  const lines = ['## Goroutines, block and mutex', ''];
  const counts: string[] = [];
  if (input.metricsAfter.ok) {
    const after = Snapshot.parse(input.metricsAfter.value);
    if (after.has('go_goroutines')) counts.push(`${count(after.sum('go_goroutines'))} goroutines by go_goroutines after the run`);
  }
  if (input.profiles.goroutine.ok && input.profiles.goroutine.value.total) {
    counts.push(`${input.profiles.goroutine.value.total} in the goroutine profile`);
  }
  lines.push(counts.length ? `Goroutines: ${counts.join('; ')}.` : 'Goroutine count: not captured, neither metrics-after.prom nor goroutine.pb.gz is in the run folder.', '');
  lines.push(
    ...profileBlock('Goroutines', input.profiles.goroutine, 10, 'The goroutine profile is empty.'),
    ...profileBlock('Block', input.profiles.block, 10, 'No blocking was sampled: no goroutine waited long enough on a channel or lock to be recorded.'),
    ...profileBlock('Mutex', input.profiles.mutex, 10, 'No mutex contention was sampled.'),
  );
  return lines;
}

/** Below this much CPU time a profile's percentages are a handful of 10 ms samples, not a ranking. */
const meaningfulCpuMs = 1000;

function cpuTotalMs(top: PprofTop): number | undefined {
  const match = /^([\d.]+)(ns|us|µs|ms|s|m|h)?$/.exec(top.total);
  if (!match) return undefined;
  const scale: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return Number(match[1]) * scale[match[2] ?? 'ms'];
}

function bottlenecks(input: ReportInput): string[] {
  const lines = ['## Bottlenecks', ''];
  const findings: string[] = [];
  const { summary } = input;
  if (summary) {
    for (const t of failedThresholds(summary)) findings.push(`Threshold ${code(`${t.metric} ${t.expression}`)} failed, observed ${formatObserved(t)}.`);
    for (const row of endpointRows(summary)) {
      if (hasLatency(summary, row.endpoint) && row.p95 !== undefined && row.p95 >= row.targetP95) {
        findings.push(`${code(row.endpoint)} p95 is ${ms(row.p95)}, over its ${row.targetP95} ms target.`);
      }
    }
    for (const alert of firedAlerts(summary)) findings.push(`Alert ${code(alert.name)} fired${alert.aborting ? ' and stopped the run' : ''}.`);
  }
  if (input.metricsAfter.ok) {
    const after = Snapshot.parse(input.metricsAfter.value);
    const before = input.metricsBefore.ok ? Snapshot.parse(input.metricsBefore.value) : new Snapshot([]);
    const waits = increase(after.sum('target_db_wait_count_total'), before.sum('target_db_wait_count_total'));
    if (waits > 0) findings.push(`Requests waited ${count(waits)} times for a database connection: the pool is too small for this load.`);
    const limit = after.sum('target_event_buffer_limit');
    if (limit > 0 && after.sum('target_event_buffer_size') / limit > 0.8) findings.push('The event buffer ended above 80% of its limit.');
  }
  const cpu = input.profiles.cpu;
  if (cpu.ok) {
    const hot = cpu.value.rows.filter((r) => r.flatPercent > 5);
    const totalMs = cpuTotalMs(cpu.value);
    const thin = totalMs !== undefined && totalMs < meaningfulCpuMs;
    if (hot.length) {
      findings.push(
        `Functions with more than 5% of CPU time (flat): ${hot.map((r) => `${code(r.name)} ${r.flatPercent.toFixed(1)}%`).join(', ')}` +
          (thin ? `. The profile holds only ${cpu.value.total} of CPU samples, too few to rank functions with confidence.` : '.'),
      );
    }
  } else {
    findings.push(`CPU hot spots: not captured, ${cpu.missing}.`);
  }
  lines.push(...(findings.length ? findings.map((f) => `- ${f}`) : ['No bottleneck stands out: every threshold held, no alert fired and no function took more than 5% of CPU.']), '');
  return lines;
}

const fileNotes: Record<string, string> = {
  'REPORT.md': 'this report',
  'summary.json': "k6's end-of-test summary data",
  'summary.txt': 'the plain-text summary printed at the end of the run',
  'junit.xml': 'one JUnit test case per threshold, for CI',
  'report.html': "k6's web-dashboard export with the charts over time",
  'report.png': 'a screenshot of report.html',
  'meta.json': 'why the run ended, machine, versions, target and resolved options',
  'k6.log.json': "k6's log, one JSON object per line",
  'target.log': "the reference target's log",
  'profiles/cpu.pb.gz': 'CPU profile over the steady state (go tool pprof)',
  'profiles/heap.pb.gz': 'heap profile at the end of the run',
  'profiles/allocs.pb.gz': 'allocation profile at the end of the run',
  'profiles/goroutine.pb.gz': 'goroutine profile at the end of the run',
  'profiles/block.pb.gz': 'blocking profile at the end of the run',
  'profiles/mutex.pb.gz': 'mutex contention profile at the end of the run',
  'profiles/metrics-before.prom': 'target /metrics just before k6 started',
  'profiles/metrics-after.prom': 'target /metrics just after k6 ended',
};

function filesSection(input: ReportInput): string[] {
  const files = [...new Set([...input.files, 'REPORT.md'])].sort();
  return [
    '## Files',
    '',
    ...files.map((file) => `- ${code(file)}${fileNotes[file] ? `: ${fileNotes[file]}` : ''}`),
    '',
    `Rebuild this report with ${code(`make report RUN=<this folder>`)}.`,
  ];
}

export function renderReportMarkdown(input: ReportInput): string {
  const sections = [
    title(input),
    executiveSummary(input),
    testConfiguration(input),
    k6Metrics(input),
    endpointTable(input),
    alertsSection(input),
    targetMetrics(input),
    cpuAndAllocations(input),
    goroutinesBlockMutex(input),
    bottlenecks(input),
    filesSection(input),
  ];
  return `${sections.flat().join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
