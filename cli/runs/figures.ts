// What the gate compares, taken from one run folder through the run record (cli/record.ts): per
// endpoint the latency aggregates k6 reports, request and failure counts and throughput; per run the
// checks and dropped iterations. Endpoints come from the run's own summary (its `endpoint:<name>`
// submetrics), so any scenario with any endpoint table can be gated.
import type { K6Summary } from '../../lib/summary/model.ts';
import { failureRateKey, latencyKey, requestCountKey } from '../../thresholds/keys.ts';
import { LoadgateError } from '../exit-codes.ts';
import { readMeta, readSummary, type RunMeta } from '../record.ts';

type EndpointName = Parameters<typeof latencyKey>[0];

export interface Latency {
  /** Successful responses the percentiles are taken over. */
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  avg: number;
  min: number;
  max: number;
}

export interface EndpointFigures {
  requests: number;
  failures: number;
  /** Failed share of requests; 0 without requests. */
  errorRate: number;
  /** Requests per second over the run. */
  throughput: number;
  /** Null when no request succeeded: there is no latency to compare. */
  latency: Latency | null;
}

export interface RunFigures {
  /** The run folder as given. */
  folder: string;
  scenario: string;
  profile: string;
  exitCode: number;
  reason: string;
  startedAt?: string;
  gitCommit?: string;
  k6?: string;
  machine?: RunMeta['machine'];
  /** Absent in baselines taken before targets were recorded. */
  target?: TargetRecord;
  durationSeconds: number;
  endpoints: Record<string, EndpointFigures>;
  checks: { passes: number; fails: number; rate: number };
  iterations: number;
  droppedIterations: number;
}

/**
 * The target as a gate compares it: the reference service loadgate started (its port changes every
 * run, so no URL), or BASE_URL with the service name its health check reported. The version is
 * left out on purpose: comparing versions of one service is what a gate is for.
 */
export interface TargetRecord {
  baseUrl: string | null;
  service: string;
}

export function targetRecord(target: RunMeta['target'] | undefined): TargetRecord {
  const identity = target?.identity as { service?: unknown } | null | undefined;
  const service = typeof identity?.service === 'string' ? identity.service : 'not reported';
  return { baseUrl: target?.startedByLoadgate ? null : (target?.baseUrl ?? null), service };
}

export const describeTarget = (target: TargetRecord) =>
  target.baseUrl === null ? `the reference service started by loadgate (${target.service})` : `${target.baseUrl} (service "${target.service}")`;

/** A folder that cannot be read as a run (exit 2, nothing to compare); the sentence says which file and what to do. */
export const unreadableRun = (sentence: string) => new LoadgateError('badCommandLine', sentence);

/** Endpoint names that the summary holds submetrics for, sorted. */
export function summaryEndpoints(summary: K6Summary): string[] {
  const names = new Set<string>();
  for (const key of Object.keys(summary.metrics)) {
    const match = /^(?:http_reqs|grpc_req_duration)\{endpoint:([^,}]+)\}$/.exec(key);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

function latencyOf(summary: K6Summary, endpoint: EndpointName): Latency | null {
  const metric = summary.metrics[latencyKey(endpoint, 'http')] ?? summary.metrics[latencyKey(endpoint, 'grpc')];
  const values = metric?.values;
  // k6 reports zeros for a trend without samples.
  if (!values || !(values.count > 0)) return null;
  return {
    count: values.count,
    p50: values['p(50)'] ?? values.med,
    p90: values['p(90)'],
    p95: values['p(95)'],
    p99: values['p(99)'],
    avg: values.avg,
    min: values.min,
    max: values.max,
  };
}

function endpointFigures(summary: K6Summary, endpoint: EndpointName, seconds: number): EndpointFigures {
  const latency = latencyOf(summary, endpoint);
  const requests = summary.metrics[requestCountKey(endpoint)]?.values.count ?? summary.metrics[latencyKey(endpoint, 'grpc')]?.values.count ?? 0;
  // A Rate's "passes" are its true samples: here, the failed requests.
  const failures = summary.metrics[failureRateKey(endpoint)]?.values.passes ?? 0;
  return {
    requests,
    failures,
    errorRate: requests > 0 ? failures / requests : 0,
    throughput: seconds > 0 ? requests / seconds : 0,
    latency,
  };
}

/** Which run, and how it ended: the head of every command's per-run figures. */
export function runOutcome(meta: RunMeta, folder: string): Pick<RunFigures, 'folder' | 'scenario' | 'profile' | 'exitCode' | 'reason'> {
  return { folder, scenario: meta.scenario, profile: meta.profile, exitCode: meta.exitCode, reason: meta.reason };
}

export function figuresFromSummary(summary: K6Summary, meta: RunMeta, folder: string): RunFigures {
  const durationSeconds = (summary.state?.testRunDurationMs ?? 0) / 1000;
  const endpoints: Record<string, EndpointFigures> = {};
  for (const name of summaryEndpoints(summary)) endpoints[name] = endpointFigures(summary, name as EndpointName, durationSeconds);
  const checks = summary.metrics.checks?.values ?? {};
  return {
    ...runOutcome(meta, folder),
    startedAt: meta.startedAt,
    gitCommit: meta.gitCommit,
    k6: meta.k6,
    machine: meta.machine,
    target: targetRecord(meta.target),
    durationSeconds,
    endpoints,
    checks: { passes: checks.passes ?? 0, fails: checks.fails ?? 0, rate: checks.rate ?? 1 },
    iterations: summary.metrics.iterations?.values.count ?? 0,
    droppedIterations: summary.metrics.dropped_iterations?.values.count ?? 0,
  };
}

/** A run folder's figures; a run that failed still has figures, and its exit code says it failed. */
export function readRunFigures(folder: string): RunFigures {
  const meta = readMeta(folder);
  if (!meta) throw unreadableRun(`${folder} has no readable meta.json: it is not a finished loadgate run folder`);
  const summary = readSummary(folder);
  if (!summary) {
    throw unreadableRun(`${folder} has no readable summary.json (the run ended: ${meta.reason}); there is nothing to compare`);
  }
  return figuresFromSummary(summary, meta, folder);
}
