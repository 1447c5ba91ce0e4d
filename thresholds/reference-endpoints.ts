// The reference service's endpoint table: one declaration like any team would write for its own
// API (thresholds/endpoints.ts). Threshold keys, guards, report rows, request tags and pre-flight
// probes all come from it, so an endpoint cannot be misspelt in one place and lose its SLO in another.
import { defineEndpoints } from './endpoints.ts';

// p95 targets come from the baseline report's endpoint table; p50 and p99 bracket them so a run
// that only meets p95 by luck on a bimodal distribution still shows up. Clip 1 and user 1 exist in
// every seed, so probes of routes with ids find a record.
export const referenceEndpoints = defineEndpoints({
  feed: { label: 'Feed listing', method: 'GET', path: '/api/v1/feed', slo: { p50: 50, p95: 100, p99: 250 } },
  clip_detail: { label: 'Clip detail', method: 'GET', path: '/api/v1/clips/{id}', slo: { p50: 25, p95: 50, p99: 125 }, probe: { params: { id: 1 } } },
  related: { label: 'Related clips', method: 'GET', path: '/api/v1/clips/{id}/related', slo: { p50: 40, p95: 75, p99: 200 }, probe: { params: { id: 1 } } },
  search: { label: 'Search', method: 'GET', path: '/api/v1/search', slo: { p50: 50, p95: 100, p99: 250 }, probe: { query: { q: 'loadgate' } } },
  comments_list: { label: 'Comments list', method: 'GET', path: '/api/v1/clips/{id}/comments', slo: { p50: 25, p95: 50, p99: 125 }, probe: { params: { id: 1 } } },
  comment_create: { label: 'Create comment', method: 'POST', path: '/api/v1/clips/{id}/comments', slo: { p50: 50, p95: 100, p99: 250 }, probe: { params: { id: 1 } } },
  vote: { label: 'Vote', method: 'POST', path: '/api/v1/clips/{id}/votes', slo: { p50: 25, p95: 50, p99: 125 }, probe: { params: { id: 1 } } },
  auth_token: { label: 'Auth token', method: 'POST', path: '/api/v1/auth/token', slo: { p50: 50, p95: 100, p99: 250 } },
  events_ingest: { label: 'Event ingestion', method: 'POST', path: '/api/v1/events', slo: { p50: 50, p95: 100, p99: 250 } },
  challenge_progress: { label: 'Challenge progress', method: 'GET', path: '/api/v1/users/{id}/challenges', slo: { p50: 50, p95: 100, p99: 250 }, probe: { params: { id: 1 } } },
});

export type Endpoint = keyof typeof referenceEndpoints;
export const endpointNames = Object.keys(referenceEndpoints) as Endpoint[];

/** Run-wide service objectives that are not per endpoint. */
export const serviceObjectives = {
  /** Share of failed requests (k6's http_req_failed). */
  maxErrorRate: 0.01,
  /** Share of passing checks. */
  minCheckRate: 0.99,
  /** Requests per second the mixed scenario must sustain at the baseline profile. */
  minMixedThroughputRps: 100,
};

export function isEndpoint(name: string): name is Endpoint {
  return name in referenceEndpoints;
}
