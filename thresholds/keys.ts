// Threshold and summary keys, built in one place: a key typed by hand elsewhere could silently
// point at a submetric nothing ever feeds.

export type Transport = 'http' | 'grpc';

/** Latency of successful responses (HTTP) or of every call (gRPC has no expected_response tag). */
export function latencyKey(endpoint: string, transport: Transport = 'http'): string {
  return transport === 'http'
    ? `http_req_duration{endpoint:${endpoint},expected_response:true}`
    : `grpc_req_duration{endpoint:${endpoint}}`;
}

export function requestCountKey(endpoint: string): string {
  return `http_reqs{endpoint:${endpoint}}`;
}

export function failureRateKey(endpoint: string): string {
  return `http_req_failed{endpoint:${endpoint}}`;
}

/**
 * Fired alerts by rule (lib/metrics.ts). Here, not beside the rules in thresholds/alerts.ts: the
 * counter is declared in every VU, and importing that module would build its tables there too.
 */
export const alertMetricName = 'loadgate_alerts_fired';

/**
 * The alert monitor's scrapes, one sample each: read and evaluated (true) or failed (false). A
 * monitor whose every scrape fails evaluates nothing, and the report must say so.
 */
export const monitorScrapesMetric = 'loadgate_monitor_scrapes_read';

/** A VU saw nothing but failures from this endpoint for the all-failing window (lib/request.ts feeds it). */
export const endpointDownMetric = 'loadgate_endpoint_down';

export function endpointDownKey(endpoint: string): string {
  return `${endpointDownMetric}{endpoint:${endpoint}}`;
}

/**
 * The event-ingestion metrics by name: lib/metrics.ts declares them for k6, and the CLI reads a
 * run's summary by the same names (a run that measured e2e visibility is read as an event run).
 */
export const eventMetrics = {
  e2eLatency: 'loadgate_event_e2e_latency',
  accepted: 'loadgate_events_accepted',
  rejected: 'loadgate_ingest_rejected',
  e2eVisible: 'loadgate_event_e2e_visible',
  e2eTimeouts: 'loadgate_event_e2e_timeouts',
} as const;

export function iterationsKey(scenario: string): string {
  return `iterations{scenario:${scenario}}`;
}

/**
 * Failed responses (status 0 or ≥ 400) go to one counter, tagged with their endpoint and status.
 * Each endpoint × status the reports name is a submetric, declared by a record-only threshold
 * (`count>=0`, failedResponseRecords in thresholds/guards.ts). k6 matches submetrics only against
 * the samples of their metric, so a successful response costs nothing, and every VU holds one
 * Counter instead of one per endpoint and status (measured: 0.36 MB per VU for mixed's 136).
 */
export const failedResponsesMetric = 'loadgate_failed_responses';

/** The statuses counted one by one; any other status is counted as "other". */
export const namedStatuses = [0, 400, 401, 403, 404, 405, 408, 409, 413, 422, 429, 500, 501, 502, 503, 504] as const;

/** The status tag of a failed response: its code when named, else "other". */
export function statusTag(status: number): string {
  return (namedStatuses as readonly number[]).includes(status) ? String(status) : 'other';
}

export function failedResponsesKey(endpoint: string, status: number | 'other'): string {
  return `${failedResponsesMetric}{endpoint:${endpoint},status:${status}}`;
}

// Built on first use: a regular expression at module level costs every k6 VU about 26 KB, and
// only summaries parse these keys.
let failedKeyPattern: RegExp | undefined;

/** The endpoint and status of a failed-responses submetric's key, or null for any other metric. */
export function parseFailedResponsesKey(name: string): { endpoint: string; status: string } | null {
  failedKeyPattern ??= new RegExp(`^${failedResponsesMetric}\\{endpoint:([^,}]+),status:([^,}]+)\\}$`);
  const match = failedKeyPattern.exec(name);
  return match ? { endpoint: match[1], status: match[2] } : null;
}
