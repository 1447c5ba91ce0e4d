// Reads k6's end-of-test summary object. Pure: the k6 handleSummary, the node report command and
// the tests all read summaries through these functions.
import { alertMetricName, monitorScrapesMetric } from '../../thresholds/keys.ts';
import { failureRateKey, latencyKey, parseFailedResponsesKey, requestCountKey } from '../../thresholds/keys.ts';
import { ms, percent, perSecond } from '../format.ts';

export interface MetricSummary {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6Summary {
  metrics: Record<string, MetricSummary>;
  state?: { testRunDurationMs?: number };
  setup_data?: unknown;
  options?: unknown;
  root_group?: unknown;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  stat: string;
  observed: number | undefined;
  unit: 'ms' | 'ratio' | 'count' | 'per-second' | 'value';
  /** A latency threshold over no samples: k6 passes it, but nothing was judged. */
  noData: boolean;
}

/** The statistic a threshold expression compares, e.g. "p(95)" in "p(95)<100". */
function statOf(expression: string): string {
  return expression.split(/[<>=!]/)[0].trim();
}

function unitOf(metric: MetricSummary, stat: string): ThresholdResult['unit'] {
  if (stat === 'count') return 'count';
  if (stat === 'rate') return metric.type === 'counter' ? 'per-second' : 'ratio';
  return metric.contains === 'time' ? 'ms' : 'value';
}

export function thresholdResults(summary: K6Summary): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [name, metric] of Object.entries(summary.metrics)) {
    // Record-only counts of failed statuses (thresholds/guards.ts) are data, not objectives.
    if (parseFailedResponsesKey(name)) continue;
    const noData = metric.type === 'trend' && (metric.values.count ?? 0) === 0;
    for (const [expression, { ok }] of Object.entries(metric.thresholds ?? {})) {
      const stat = statOf(expression);
      results.push({ metric: name, expression, ok, stat, observed: noData ? undefined : metric.values[stat], unit: unitOf(metric, stat), noData });
    }
  }
  return results.sort((a, b) => a.metric.localeCompare(b.metric) || a.expression.localeCompare(b.expression));
}

/** The thresholds that crossed their limit. */
export function failedThresholds(summary: K6Summary): ThresholdResult[] {
  return thresholdResults(summary).filter((result) => !result.ok);
}

export function formatObserved(result: Pick<ThresholdResult, 'observed' | 'unit'>): string {
  const { observed, unit } = result;
  if (observed === undefined || Number.isNaN(observed)) return 'no data';
  switch (unit) {
    case 'ms':
      return ms(observed);
    case 'ratio':
      return percent(observed);
    case 'per-second':
      return perSecond(observed);
    case 'count':
      return String(Math.round(observed));
    default:
      return String(Number(observed.toFixed(4)));
  }
}

export interface EndpointRow {
  endpoint: string;
  label: string;
  requests: number;
  p50?: number;
  p95?: number;
  p99?: number;
  /** The objectives the scenario declared for it, each as judged: "p95 < 80 ms", "errors < 1%". */
  objectives: Array<{ text: string; ok: boolean; observed: string }>;
  /** Share of its responses that failed, when k6 counted them. */
  errorRate?: number;
  /** Every objective held and at least one response succeeded (an endpoint without any can pass nothing). */
  ok: boolean;
  /** Why it failed, one phrase per objective missed: "errors 71.0% (objective < 1.00%)". */
  failures: string[];
}

/** The part of lib/preflight.ts's setup data the summary readers use. */
interface DeclaredEndpoints {
  endpoints?: Array<{ name: string; label: string; route: string }>;
}

const declaredEndpoints = (summary: K6Summary) => (summary.setup_data as DeclaredEndpoints | undefined)?.endpoints ?? [];

function latencyMetric(summary: K6Summary, endpoint: string): MetricSummary | undefined {
  return summary.metrics[latencyKey(endpoint, 'http')] ?? summary.metrics[latencyKey(endpoint, 'grpc')];
}

const endpointMetric = /^(?:http_reqs|http_req_duration|grpc_req_duration)\{endpoint:([^,}]+)/;

/** The endpoints a run measured: in the order its scenario declared them, then any others by name. */
export function measuredEndpoints(summary: K6Summary): string[] {
  const seen = new Set<string>();
  for (const name of Object.keys(summary.metrics)) {
    const match = endpointMetric.exec(name);
    if (match) seen.add(match[1]);
  }
  const declared = declaredEndpoints(summary).map((e) => e.name);
  return [...declared.filter((e) => seen.has(e)), ...[...seen].filter((e) => !declared.includes(e)).sort()];
}

/** "p(95)<80" → "p95 < 80 ms"; the abort-only "rate<1" is not an objective and gives null. */
function objectiveText(expression: string, unit: 'ms' | 'ratio'): string | null {
  const match = /^(p\((\d+(?:\.\d+)?)\)|max|med|avg|rate)\s*([<>]=?)\s*([\d.]+)$/.exec(expression);
  if (!match) return null;
  const limit = Number(match[4]);
  if (unit === 'ratio') return limit >= 1 ? null : `errors ${match[3]} ${percent(limit)}`;
  const stat = match[2] ? `p${match[2]}` : match[1];
  return `${stat} ${match[3]} ${limit} ms`;
}

/** One row per endpoint the run drove; labels come from the scenario's table via setup data. */
export function endpointRows(summary: K6Summary): EndpointRow[] {
  const labels = Object.fromEntries(declaredEndpoints(summary).map((e) => [e.name, e.label]));
  return measuredEndpoints(summary).map((endpoint) => {
    const latency = latencyMetric(summary, endpoint);
    const failure = summary.metrics[failureRateKey(endpoint)];
    const count = summary.metrics[requestCountKey(endpoint)]?.values.count ?? latency?.values.count ?? 0;
    // k6 reports zeros for a latency metric without samples: with no successful response there
    // is no latency to show, and the endpoint cannot pass.
    // A summary written without the count statistic still shows a percentile above zero.
    const succeeded = (latency?.values.count ?? latency?.values['p(95)'] ?? 0) > 0;
    const values = succeeded ? latency!.values : {};
    const objectives: EndpointRow['objectives'] = [];
    for (const [expression, { ok }] of Object.entries(latency?.thresholds ?? {})) {
      const text = objectiveText(expression, 'ms');
      const stat = expression.split(/[<>]/)[0].trim();
      if (text) objectives.push({ text, ok: ok && succeeded, observed: succeeded && values[stat] !== undefined ? ms(values[stat]) : 'no successful response' });
    }
    for (const [expression, { ok }] of Object.entries(failure?.thresholds ?? {})) {
      const text = objectiveText(expression, 'ratio');
      if (text) objectives.push({ text, ok, observed: percent(failure!.values.rate ?? 0) });
    }
    // Objectives in the table's order (k6 keeps no key order): p50, p90, p95, p99, max, errors.
    const rank = (text: string) => ['p50', 'p90', 'p95', 'p99', 'max', 'errors'].indexOf(text.split(' ')[0]);
    objectives.sort((a, b) => rank(a.text) - rank(b.text));
    // Without a successful response no latency objective can hold: one phrase says so for all of them.
    const missed = objectives.filter((o) => !o.ok && (succeeded || o.text.startsWith('errors')));
    const failures = missed.map((o) => `${o.text.split(' ')[0]} ${o.observed} (objective ${o.text.slice(o.text.indexOf(' ') + 1)})`);
    if (!succeeded && count > 0) failures.unshift('no successful response');
    if (count === 0 && !succeeded) failures.push('never requested');
    return {
      endpoint,
      label: labels[endpoint] ?? endpoint,
      requests: count,
      p50: values['p(50)'] ?? values.med,
      p95: values['p(95)'],
      p99: values['p(99)'],
      objectives,
      errorRate: failure?.values.rate,
      ok: failures.length === 0,
      failures,
    };
  });
}

/** Failed responses of one endpoint by status, most frequent first (thresholds/keys.ts counts them). */
export function failedStatuses(summary: K6Summary, endpoint: string): Array<{ status: string; count: number }> {
  const statuses: Array<{ status: string; count: number }> = [];
  for (const [name, metric] of Object.entries(summary.metrics)) {
    const parsed = parseFailedResponsesKey(name);
    if (parsed?.endpoint === endpoint && (metric.values.count ?? 0) > 0) statuses.push({ status: parsed.status, count: metric.values.count });
  }
  return statuses.sort((a, b) => b.count - a.count);
}

/** "404 ×12, 500 ×3": how an endpoint failed, for reasons and tables. */
export const describeStatuses = (statuses: Array<{ status: string; count: number }>) =>
  statuses.map(({ status, count }) => `${status === '0' ? 'no response' : status === 'other' ? 'other' : `HTTP ${status}`} ×${count}`).join(', ');

/** No iteration ran: setup failed or the run was stopped before the first one. */
export function noLoadRan(summary: K6Summary): boolean {
  return (summary.metrics.iterations?.values.count ?? 0) === 0;
}

export interface FiredAlert {
  name: string;
  count: number;
  aborting: boolean;
}

export function firedAlerts(summary: K6Summary): FiredAlert[] {
  const prefix = `${alertMetricName}{alert:`;
  return Object.entries(summary.metrics)
    .filter(([name, metric]) => name.startsWith(prefix) && (metric.values.count ?? 0) > 0)
    .map(([name, metric]) => ({
      name: name.slice(prefix.length, -1),
      count: metric.values.count,
      aborting: Object.entries(metric.thresholds ?? {}).some(([expr, t]) => expr === 'count<1' && !t.ok),
    }));
}

/** The alert monitor's scrapes: read and evaluated, out of all; null when it never scraped. */
export function monitorScrapes(summary: K6Summary): { read: number; all: number } | null {
  const values = summary.metrics[monitorScrapesMetric]?.values;
  if (!values) return null;
  const read = values.passes ?? 0;
  return { read, all: read + (values.fails ?? 0) };
}

/**
 * What setup said of the monitor and, once it scraped, how many scrapes it read: "alert monitor
 * on" alone would claim a run was watched when every scrape failed.
 */
export function monitorNote(summary: K6Summary): string | undefined {
  const said = (summary.setup_data as { monitorNote?: string } | undefined)?.monitorNote;
  const scrapes = monitorScrapes(summary);
  if (!said || !scrapes) return said;
  const evaluated = scrapes.read ? '' : ', so no alert rule was evaluated';
  return `${said}; ${scrapes.read} of ${scrapes.all} scrapes read${evaluated}`;
}

export function runDurationSeconds(summary: K6Summary): number {
  return (summary.state?.testRunDurationMs ?? 0) / 1000;
}
