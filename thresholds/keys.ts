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

/** A VU saw nothing but failures from this endpoint for the all-failing window (lib/request.ts feeds it). */
export const endpointDownMetric = 'loadgate_endpoint_down';

export function endpointDownKey(endpoint: string): string {
  return `${endpointDownMetric}{endpoint:${endpoint}}`;
}

export function iterationsKey(scenario: string): string {
  return `iterations{scenario:${scenario}}`;
}

/**
 * Failed responses (status 0 or ≥ 400) are counted in one counter per endpoint and status,
 * `loadgate_failed__<endpoint>__<status>`, declared up front by the request helper. k6's summary
 * only lists a metric that received a sample, so a clean run shows none of them and a failing one
 * names its statuses, with no threshold (and no per-sample tag matching) needed.
 */
const failedPrefix = 'loadgate_failed__';

/** The statuses counted one by one; any other status is counted as "other". */
export const namedStatuses = [0, 400, 401, 403, 404, 405, 408, 409, 413, 422, 429, 500, 501, 502, 503, 504] as const;

export function failedResponsesMetric(endpoint: string, status: number | 'other'): string {
  return `${failedPrefix}${endpoint}__${status}`;
}

/** The endpoint and status of a failed-responses counter's name, or null for any other metric. */
export function parseFailedResponsesMetric(name: string): { endpoint: string; status: string } | null {
  if (!name.startsWith(failedPrefix)) return null;
  const split = name.lastIndexOf('__');
  return { endpoint: name.slice(failedPrefix.length, split), status: name.slice(split + 2) };
}
