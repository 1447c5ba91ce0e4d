// Threshold and summary keys, built in one place: a key typed by hand elsewhere could silently
// point at a submetric nothing ever feeds.
import type { Endpoint } from './slo.ts';

export type Transport = 'http' | 'grpc';

/** Latency of successful responses (HTTP) or of every call (gRPC has no expected_response tag). */
export function latencyKey(endpoint: Endpoint, transport: Transport = 'http'): string {
  return transport === 'http'
    ? `http_req_duration{endpoint:${endpoint},expected_response:true}`
    : `grpc_req_duration{endpoint:${endpoint}}`;
}

export function requestCountKey(endpoint: Endpoint): string {
  return `http_reqs{endpoint:${endpoint}}`;
}

export function failureRateKey(endpoint: Endpoint): string {
  return `http_req_failed{endpoint:${endpoint}}`;
}

export function iterationsKey(scenario: string): string {
  return `iterations{scenario:${scenario}}`;
}
