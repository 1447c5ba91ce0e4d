// Reads k6's end-of-test summary object. Pure: the k6 handleSummary, the node report command and
// the tests all read summaries through these functions.
import { endpointNames, sloTable, type Endpoint } from '../../thresholds/slo.ts';
import { alertMetricName } from '../../thresholds/alerts.ts';
import { latencyKey, requestCountKey } from '../../thresholds/keys.ts';
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
    for (const [expression, { ok }] of Object.entries(metric.thresholds ?? {})) {
      const stat = statOf(expression);
      results.push({ metric: name, expression, ok, stat, observed: metric.values[stat], unit: unitOf(metric, stat) });
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
  endpoint: Endpoint;
  label: string;
  requests: number;
  p50?: number;
  p95?: number;
  p99?: number;
  targetP95: number;
  ok: boolean;
}

function latencyMetric(summary: K6Summary, endpoint: Endpoint): MetricSummary | undefined {
  return summary.metrics[latencyKey(endpoint, 'http')] ?? summary.metrics[latencyKey(endpoint, 'grpc')];
}

/** One row per endpoint the run drove, in the endpoint table's order. */
export function endpointRows(summary: K6Summary): EndpointRow[] {
  const rows: EndpointRow[] = [];
  for (const endpoint of endpointNames) {
    const latency = latencyMetric(summary, endpoint);
    const count = summary.metrics[requestCountKey(endpoint)]?.values.count ?? latency?.values.count;
    if (latency === undefined && count === undefined) continue;
    // k6 reports zeros for a latency metric without samples: with no successful response there
    // is no latency to show, and the endpoint cannot pass.
    const succeeded = (latency?.values.count ?? 0) > 0;
    const values = succeeded ? latency!.values : {};
    const ok = succeeded && Object.values(latency?.thresholds ?? {}).every((t) => t.ok) && (count ?? 0) > 0;
    rows.push({
      endpoint,
      label: sloTable[endpoint].label,
      requests: count ?? 0,
      p50: values['p(50)'] ?? values.med,
      p95: values['p(95)'],
      p99: values['p(99)'],
      targetP95: sloTable[endpoint].p95,
      ok,
    });
  }
  return rows;
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

export function runDurationSeconds(summary: K6Summary): number {
  return (summary.state?.testRunDurationMs ?? 0) / 1000;
}
