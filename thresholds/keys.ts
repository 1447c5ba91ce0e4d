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

export function iterationsKey(scenario: string): string {
  return `iterations{scenario:${scenario}}`;
}

/** Responses outside 2xx/3xx, counted per endpoint and status so reports can name the status. */
export const failedResponsesMetric = 'loadgate_failed_responses';

export function failedResponsesKey(endpoint: string, status?: number): string {
  return `${failedResponsesMetric}{endpoint:${endpoint}${status === undefined ? '' : `,status:${status}`}}`;
}

/** The statuses a report names one by one; any other lands in the endpoint's total only. */
export const namedStatuses = [0, 400, 401, 403, 404, 405, 408, 409, 413, 422, 429, 500, 501, 502, 503, 504] as const;
