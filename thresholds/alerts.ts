// Alert rules in Prometheus form, from the tuning guide. One definition feeds both the live monitor
// inside k6 (lib/alerting.ts evaluates it against scrapes of /metrics) and the production rules
// file (`make alerts-export` → deploy/prometheus/alerts.yml).
import type { Thresholds } from './types.ts';
import { alertMetricName } from './keys.ts';
import { targetMetric, histogramSeries } from './service-contract.ts';

export type Severity = 'warning' | 'critical';
export type MatchOp = '=' | '!=' | '=~' | '!~';
export type Matchers = Record<string, { op: MatchOp; value: string }>;

export interface Series {
  metric: string;
  matchers?: Matchers;
}

export type Signal =
  /** A quantile of a Prometheus histogram over a sliding window. */
  | { kind: 'quantile'; histogram: Series; quantile: number; window: string }
  /** The ratio of two counters' increases over a sliding window. */
  | { kind: 'ratio'; numerator: Series; denominator: Series; window: string }
  /** The ratio of two gauges right now. */
  | { kind: 'gaugeRatio'; numerator: Series; denominator: Series };

export interface AlertRule {
  name: string;
  severity: Severity;
  signal: Signal;
  /** Fires when the signal stays above this for the whole `for` window. */
  above: number;
  for: string;
  summary: string;
  action: string;
}

const apiRoutes: Matchers = { route: { op: '!~', value: 'events_ingest' } };
const serverErrors: Matchers = { code: { op: '=~', value: '5..' } };

export const alertRules: AlertRule[] = [
  {
    name: 'HighAPILatency',
    severity: 'warning',
    signal: {
      kind: 'quantile',
      histogram: { metric: targetMetric.httpRequestDuration, matchers: apiRoutes },
      quantile: 0.95,
      window: '1m',
    },
    above: 0.5,
    for: '2m',
    summary: 'API p95 latency above 500 ms',
    action: 'Scale up backend instances',
  },
  {
    name: 'HighErrorRate',
    severity: 'critical',
    signal: {
      kind: 'ratio',
      numerator: { metric: histogramSeries(targetMetric.httpRequestDuration, 'count'), matchers: serverErrors },
      denominator: { metric: histogramSeries(targetMetric.httpRequestDuration, 'count') },
      window: '1m',
    },
    above: 0.01,
    for: '1m',
    summary: 'More than 1% of API requests fail with a server error',
    action: 'Investigate immediately, check logs',
  },
  {
    name: 'HighEventLatency',
    severity: 'warning',
    signal: {
      kind: 'quantile',
      histogram: { metric: targetMetric.eventIngestDuration },
      quantile: 0.95,
      window: '1m',
    },
    above: 0.1,
    for: '2m',
    summary: 'Event ingestion p95 latency above 100 ms',
    action: 'Scale up event handler instances',
  },
  {
    name: 'DatabaseConnectionPoolHigh',
    severity: 'warning',
    signal: {
      kind: 'gaugeRatio',
      numerator: { metric: targetMetric.dbConnectionsInUse },
      denominator: { metric: targetMetric.dbConnectionsMax },
    },
    above: 0.8,
    for: '5m',
    summary: 'More than 80% of database connections in use',
    action: 'Increase the connection pool or scale the database',
  },
  {
    name: 'BufferSizeHigh',
    severity: 'warning',
    signal: {
      kind: 'gaugeRatio',
      numerator: { metric: targetMetric.bufferSize },
      denominator: { metric: targetMetric.bufferLimit },
    },
    above: 0.8,
    for: '5m',
    summary: 'Event buffer above 80% of its limit',
    action: 'Increase flush frequency or scale the event handler',
  },
];

/**
 * How another service names what the rules read. Metric names map by family, so a histogram's
 * `_bucket`/`_count` series follow their family; label names map one to one (route → path).
 */
export interface MetricNaming {
  metrics?: Record<string, string>;
  labels?: Record<string, string>;
}

function renameSeries({ metric, matchers }: Series, naming: MetricNaming): Series {
  const family = metric.replace(/_(bucket|count|sum)$/, '');
  const renamed = naming.metrics?.[family];
  return {
    metric: renamed ? `${renamed}${metric.slice(family.length)}` : metric,
    matchers: matchers && Object.fromEntries(Object.entries(matchers).map(([label, m]) => [naming.labels?.[label] ?? label, m])),
  };
}

/** The same rules, reading another service's metric and label names. */
export function renameRules(rules: readonly AlertRule[], naming: MetricNaming): AlertRule[] {
  return rules.map((rule) => {
    const { signal } = rule;
    const renamed: Signal =
      signal.kind === 'quantile'
        ? { ...signal, histogram: renameSeries(signal.histogram, naming) }
        : { ...signal, numerator: renameSeries(signal.numerator, naming), denominator: renameSeries(signal.denominator, naming) };
    return { ...rule, signal: renamed };
  });
}

/**
 * One threshold per rule so every rule shows up in the summary. Rules at or above the abort
 * severity abort the run like a page would; the others are recorded and never fail it.
 */
export function alertThresholds(rules: readonly AlertRule[], abortSeverity: Severity | 'none'): Thresholds {
  const aborts = (severity: Severity) =>
    abortSeverity !== 'none' && (severity === 'critical' || abortSeverity === 'warning');
  return Object.fromEntries(
    rules.map((rule) => [
      `${alertMetricName}{alert:${rule.name}}`,
      [aborts(rule.severity) ? { threshold: 'count<1', abortOnFail: true } : 'count>=0'],
    ]),
  );
}

function selector({ metric, matchers = {} }: Series, suffix = ''): string {
  const labels = Object.entries(matchers).map(([label, { op, value }]) => `${label}${op}${JSON.stringify(value)}`);
  return `${metric}${suffix}${labels.length ? `{${labels.join(',')}}` : ''}`;
}

/** The rule's signal as a PromQL expression, for the production rules file. */
export function promql(rule: AlertRule): string {
  const { signal } = rule;
  switch (signal.kind) {
    case 'quantile':
      return `histogram_quantile(${signal.quantile}, sum by (le) (rate(${selector(signal.histogram, '_bucket')}[${signal.window}]))) > ${rule.above}`;
    case 'ratio':
      return `sum(rate(${selector(signal.numerator)}[${signal.window}])) / sum(rate(${selector(signal.denominator)}[${signal.window}])) > ${rule.above}`;
    case 'gaugeRatio':
      return `sum(${selector(signal.numerator)}) / sum(${selector(signal.denominator)}) > ${rule.above}`;
  }
}
