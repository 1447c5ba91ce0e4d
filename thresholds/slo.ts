// The one table of endpoints. Threshold keys, guards, report rows and request tags are all derived
// from it, so an endpoint cannot be misspelt in one place and silently lose its SLO in another.

export const endpointNames = [
  'feed',
  'clip_detail',
  'related',
  'search',
  'comments_list',
  'comment_create',
  'vote',
  'auth_token',
  'events_ingest',
  'challenge_progress',
] as const;

export type Endpoint = (typeof endpointNames)[number];

export interface LatencyTarget {
  /** Human label used in reports. */
  label: string;
  /** Latency targets in milliseconds, measured on successful responses only. */
  p50: number;
  p95: number;
  p99: number;
}

// p95 targets come from the baseline report's endpoint table; p50 and p99 bracket them so a run
// that only meets p95 by luck on a bimodal distribution still shows up.
export const sloTable: Record<Endpoint, LatencyTarget> = {
  feed: { label: 'Feed listing', p50: 50, p95: 100, p99: 250 },
  clip_detail: { label: 'Clip detail', p50: 25, p95: 50, p99: 125 },
  related: { label: 'Related clips', p50: 40, p95: 75, p99: 200 },
  search: { label: 'Search', p50: 50, p95: 100, p99: 250 },
  comments_list: { label: 'Comments list', p50: 25, p95: 50, p99: 125 },
  comment_create: { label: 'Create comment', p50: 50, p95: 100, p99: 250 },
  vote: { label: 'Vote', p50: 25, p95: 50, p99: 125 },
  auth_token: { label: 'Auth token', p50: 50, p95: 100, p99: 250 },
  events_ingest: { label: 'Event ingestion', p50: 50, p95: 100, p99: 250 },
  challenge_progress: { label: 'Challenge progress', p50: 50, p95: 100, p99: 250 },
};

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
  return (endpointNames as readonly string[]).includes(name);
}
