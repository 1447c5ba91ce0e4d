// The request helper for any declared endpoint: URL from the endpoint table, the `endpoint` and
// `name` tags every threshold and report relies on, the configured timeout, the table's headers and
// token scheme, a count of failed responses by status, and the mid-run all-failing abort. A team's scenario gets all of it by passing
// its own table; the reference API (lib/api.ts) is built on the same helper.
import { check } from 'k6';
import http, { type RefinedParams, type RefinedResponse, type ResponseType } from 'k6/http';
import { refusalFor } from './allowlist.ts';
import { Counter } from 'k6/metrics';
import { endpointDownMetric, failedResponsesMetric, statusTag } from '../thresholds/keys.ts';
import { allFailingMinFailures, allFailingWindowMs } from '../thresholds/objectives.ts';
import { apiSettings, endpointUrl, routeName, tokenHeader, type EndpointSpec, type EndpointTable } from '../thresholds/endpoints.ts';

export type Response = RefinedResponse<ResponseType | undefined>;

export interface RequestOptions {
  params?: Record<string, string | number>;
  query?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  token?: string | null;
}

export interface ClientOptions {
  baseUrl: string;
  requestTimeoutMs: number;
  allowHosts: string[];
}

export type Request<E extends string> = (endpoint: E, options?: RequestOptions) => Response;

/**
 * `endpoints` names the endpoints this client will send (default: the whole table). Each costs a
 * failed-responses counter per status in every VU: 17 k6 Counter objects, about half a megabyte
 * of a VU's memory for a 10-endpoint table, so a scenario that drives a few should name them.
 */
export function createClient<E extends string>(
  table: EndpointTable<E>,
  { baseUrl, requestTimeoutMs, allowHosts }: ClientOptions,
  endpoints: readonly E[] = Object.keys(table) as E[],
): Request<E> {
  // Checked again here (init runs it once per VU) so a team's scenario cannot skip the allow-list.
  const refusal = refusalFor(baseUrl, allowHosts);
  if (refusal) throw new Error(refusal);
  const timeout = `${requestTimeoutMs}ms`;
  // Custom metrics exist only if declared in init, which is where a client is created. One counter
  // whatever the table's size; its endpoint × status submetrics come from failedResponseRecords.
  const failed = new Counter(failedResponsesMetric);
  const countFailure = (endpoint: string, status: number) => failed.add(1, { endpoint, status: statusTag(status) });
  // k6 thresholds only see the whole run so far, so an endpoint that breaks mid-run is caught here:
  // this VU's failures of an endpoint since its last success (thresholds/objectives.ts aborts on it).
  const down = new Counter(endpointDownMetric);
  const streaks = new Map<string, { since: number; failures: number }>();
  const watchStreak = (endpoint: string, failedNow: boolean) => {
    if (!failedNow) return void streaks.delete(endpoint);
    const streak = streaks.get(endpoint) ?? { since: Date.now(), failures: 0 };
    streak.failures++;
    streaks.set(endpoint, streak);
    if (streak.failures >= allFailingMinFailures && Date.now() - streak.since >= allFailingWindowMs) down.add(1, { endpoint });
  };
  const settings = apiSettings(table);
  // Everything that does not change between requests is built here, once per VU: the k6 profile
  // of a run showed per-request object building and URL templating next to the request itself.
  const prepared = Object.fromEntries(
    endpoints.map((endpoint) => {
      const spec: EndpointSpec = table[endpoint];
      const tags = { endpoint, name: routeName(spec) };
      // A route without {params} has one URL unless a query is given.
      const fixedUrl = spec.path.includes('{') ? null : endpointUrl(baseUrl, spec);
      const headers = { ...settings.headers, ...spec.headers };
      // k6 only reads params, so a request without body or token can reuse one object.
      const plainParams: RefinedParams<'text'> = Object.keys(headers).length ? { timeout, tags, headers } : { timeout, tags };
      return [endpoint, { spec, tags, fixedUrl, headers, plainParams }];
    }),
  );
  // A VU keeps its token, so the params of a request with a body or token are built once per
  // endpoint, kind and token, not on every request.
  const builtParams = new Map<string, { token: string | null; params: RefinedParams<'text'> }>();
  const writeParams = (endpoint: string, tags: Record<string, string>, headers: Record<string, string>, hasBody: boolean, token: string | null) => {
    const key = `${endpoint}\u0000${hasBody ? 1 : 0}`;
    const built = builtParams.get(key);
    if (built && built.token === token) return built.params;
    const params: RefinedParams<'text'> = {
      timeout,
      tags,
      headers: {
        ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
        ...(token ? Object.fromEntries([tokenHeader(settings.token, token)]) : {}),
      },
    };
    builtParams.set(key, { token, params });
    return params;
  };
  return (endpoint, options = {}) => {
    const ready = prepared[endpoint];
    if (!ready) throw new Error(`${endpoint} is not one of the endpoints this client was created for: ${endpoints.join(', ')}`);
    const { spec, tags, fixedUrl, headers, plainParams } = ready;
    const hasBody = options.body !== undefined;
    const params = !hasBody && !options.token ? plainParams : writeParams(endpoint, tags, headers, hasBody, options.token ?? null);
    const url = fixedUrl !== null && !options.query ? fixedUrl : endpointUrl(baseUrl, spec, options.params, options.query);
    const response = http.request(spec.method, url, hasBody ? JSON.stringify(options.body) : null, params);
    const failedNow = response.status === 0 || response.status >= 400;
    if (failedNow) countFailure(endpoint, response.status);
    watchStreak(endpoint, failedNow);
    return response;
  };
}

type Checker = Record<string, (r: Response) => boolean>;

/** A response without a body (a connection error) passes, as JSON.parse(null) did: its status check fails it. */
const bodyless = (r: Response) => r.body === null;

/** Builds the value: k6's decoder (Go's encoding/json), which then keeps it for r.json(). */
function parsesAsJson(r: Response): boolean {
  try {
    r.json();
    return true;
  } catch {
    return bodyless(r);
  }
}

/** Validates only (gjson, no allocation): `..#` counts the documents; k6 answers undefined for invalid JSON. */
function isJson(r: Response): boolean {
  try {
    return r.json('..#') !== undefined;
  } catch {
    return bodyless(r);
  }
}

// The check function of each `what` and status, built on first use and reused: building the
// object and its closure on every request showed in the k6 profile.
const checkerCache = new Map<string, Checker>();

/**
 * One check per response, `<what>: status … with a JSON body`: each check is a sample with its
 * tags, and two per request (status, then body) were a visible share of k6's CPU per request.
 * A failed check still says both conditions, and the endpoint's failed statuses are counted apart.
 */
function checkJson(response: Response, status: number | number[], what: string, build: boolean): boolean {
  const key = `${build ? 1 : 0}${what}\u0000${status}`;
  let checker = checkerCache.get(key);
  if (!checker) {
    const statuses = Array.isArray(status) ? [...status] : [status];
    const json = build ? parsesAsJson : isJson;
    checker = { [`${what}: status ${statuses.join(' or ')} with a JSON body`]: (r) => statuses.includes(r.status) && json(r) };
    checkerCache.set(key, checker);
  }
  return check(response, checker);
}

/**
 * Checks the status and returns the parsed JSON body, or null when either is wrong. The body comes
 * from k6's decoder rather than JSON.parse: sobek's token-by-token JSON.parse was the largest
 * per-request cost in the k6 profile, above the request itself.
 */
export function expectJson<T>(response: Response, status: number | number[], what: string): T | null {
  return checkJson(response, status, what, true) ? (response.json() as T) : null;
}

/** The same checks as expectJson for a caller that never reads the body: validated, never built. */
export function expectJsonBody(response: Response, status: number | number[], what: string): boolean {
  return checkJson(response, status, what, false);
}
