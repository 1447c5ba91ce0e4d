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
import { apiSettings, endpointUrl, requestTags, tokenHeader, type EndpointSpec, type EndpointTable, type Route, type TokenScheme } from '../thresholds/endpoints.ts';

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

/** What a client builds once per endpoint and VU. */
interface Prepared {
  route: Route;
  /** Absent where the k6 scenario carries them (scenarioTagged). */
  tags: Record<string, string> | undefined;
  fixedUrl: string | null;
  headers: Record<string, string>;
  plainParams: RefinedParams<'text'>;
  isGet: boolean;
}

/**
 * `endpoints` names the endpoints this client will send (default: the whole table). Each costs
 * every VU its prepared request, so a scenario that drives a few should name them.
 * `scenarioTagged` are sent without tags of their own: the k6 scenario that sends them carries
 * them (ScenarioSpec.scenarioTagged in lib/scenario.ts).
 */
export function createClient<E extends string>(
  table: EndpointTable<E>,
  { baseUrl, requestTimeoutMs, allowHosts }: ClientOptions,
  endpoints: readonly E[] = Object.keys(table) as E[],
  scenarioTagged: readonly E[] = [],
): Request<E> {
  // Checked again here (init runs it once per VU) so a team's scenario cannot skip the allow-list.
  const refusal = refusalFor(baseUrl, allowHosts);
  if (refusal) throw new Error(refusal);
  const settings = apiSettings(table);
  // k6 reads a number as milliseconds, where a string is parsed again on every request.
  const timeout = requestTimeoutMs;
  return sender(prepare(table, endpoints, scenarioTagged, baseUrl, timeout, settings.headers), endpoints, baseUrl, timeout, settings.token);
}

/**
 * Everything that does not change between requests, built once per VU: the k6 profile of a run
 * showed per-request object building and URL templating next to the request itself. A loop, not
 * map and Object.fromEntries: those make sobek build Array's species and its iterators in every VU
 * (about 10 KB, docs/benchmarks.md).
 */
function prepare(table: EndpointTable, endpoints: readonly string[], scenarioTagged: readonly string[], baseUrl: string, timeout: number, tableHeaders: Record<string, string>) {
  const prepared = dictionary<Prepared>();
  for (let i = 0; i < endpoints.length; i++) {
    const endpoint = endpoints[i];
    const spec: EndpointSpec = table[endpoint];
    const route: Route = { method: spec.method, path: spec.path };
    const tags = scenarioTagged.includes(endpoint) ? undefined : requestTags(endpoint, route);
    // A route without {params} has one URL unless a query is given.
    const fixedUrl = route.path.includes('{') ? null : endpointUrl(baseUrl, route);
    const headers = { ...tableHeaders, ...spec.headers };
    // k6 only reads params, so a request without body or token can reuse one object. It walks
    // every key of it, and of its tags, through the JS runtime on each request.
    const plainParams: RefinedParams<'text'> = { timeout, ...(tags ? { tags } : {}), ...(Object.keys(headers).length ? { headers } : {}) };
    prepared[endpoint] = { route, tags, fixedUrl, headers, plainParams, isGet: route.method === 'GET' };
  }
  return prepared;
}

/**
 * The client proper, apart from createClient: sobek keeps every parameter of a function whose default
 * parameter reads another one (createClient's `endpoints`) for as long as its closures live, so made
 * there the closures kept the whole endpoint table in every VU (docs/benchmarks.md). Here they keep
 * only what a request reads.
 */
function sender<E extends string>(
  prepared: Record<string, Prepared | undefined>,
  endpoints: readonly E[],
  baseUrl: string,
  timeout: number,
  tokenScheme: Required<TokenScheme>,
): Request<E> {
  // Custom metrics exist only if declared in init, which is where a client is created. One counter
  // whatever the table's size; its endpoint × status submetrics come from failedResponseRecords.
  const failed = new Counter(failedResponsesMetric);
  const countFailure = (endpoint: string, status: number) => failed.add(1, { endpoint, status: statusTag(status) });
  // k6 thresholds only see the whole run so far, so an endpoint that breaks mid-run is caught here:
  // this VU's failures of an endpoint since its last success (thresholds/objectives.ts aborts on it).
  const down = new Counter(endpointDownMetric);
  // Dictionaries, not Maps, here and below: a Map made in init costs every VU sobek's Map (about
  // 18 KB, docs/benchmarks.md), and a property read is cheaper than a call to Map.get.
  const streaks = dictionary<{ since: number; failures: number }>();
  let streaking = 0;
  const watchStreak = (endpoint: string, failedNow: boolean) => {
    let streak = streaks[endpoint];
    if (!failedNow) {
      if (streak === undefined) return;
      streaks[endpoint] = undefined;
      streaking--;
      return;
    }
    if (streak === undefined) {
      streak = streaks[endpoint] = { since: Date.now(), failures: 0 };
      streaking++;
    }
    streak.failures++;
    if (streak.failures >= allFailingMinFailures && Date.now() - streak.since >= allFailingWindowMs) down.add(1, { endpoint });
  };
  // A VU keeps its token, so the params of a request with a body or token are built once per
  // endpoint, kind and token, not on every request.
  const builtParams = dictionary<{ token: string | null; params: RefinedParams<'text'> }>();
  const writeParams = (endpoint: string, tags: Record<string, string> | undefined, headers: Record<string, string>, hasBody: boolean, token: string | null) => {
    const key = `${endpoint}\u0000${hasBody ? 1 : 0}`;
    const built = builtParams[key];
    if (built && built.token === token) return built.params;
    const params: RefinedParams<'text'> = {
      timeout,
      ...(tags ? { tags } : {}),
      headers: {
        ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
        ...(token ? Object.fromEntries([tokenHeader(tokenScheme, token)]) : {}),
      },
    };
    builtParams[key] = { token, params };
    return params;
  };
  // The path every request takes, kept short: sobek interprets each step, and in a k6 CPU profile
  // the JS of loadgate's iteration cost as much as the request's own Go code. A request without
  // options (a fixed URL, no body, no token) goes straight to k6 with what was built above.
  return (endpoint, options) => {
    const ready = prepared[endpoint];
    if (ready === undefined) throw new Error(`${endpoint} is not one of the endpoints this client was created for: ${endpoints.join(', ')}`);
    let url = ready.fixedUrl;
    let params = ready.plainParams;
    let body: string | null = null;
    if (options !== undefined) {
      const hasBody = options.body !== undefined;
      if (hasBody) body = JSON.stringify(options.body);
      if (hasBody || options.token) params = writeParams(endpoint, ready.tags, ready.headers, hasBody, options.token ?? null);
      if (url === null || options.query) url = endpointUrl(baseUrl, ready.route, options.params, options.query);
    }
    // http.get takes two arguments to request's four, and sobek converts each one through
    // reflection (visible in k6's profile at 1,000 requests/s).
    url ??= endpointUrl(baseUrl, ready.route);
    const response = ready.isGet && body === null ? http.get(url, params) : http.request(ready.route.method, url, body, params);
    // Read once: each read of a k6 Response field is a reflected call into Go. The check that
    // usually follows reads it from here (statusOf).
    const status = response.status;
    lastResponse = response;
    lastStatus = status;
    if (status === 0 || status >= 400) {
      countFailure(endpoint, status);
      watchStreak(endpoint, true);
    } else if (streaking !== 0) watchStreak(endpoint, false);
    return response;
  };
}

/** No prototype, so a name such as `constructor` finds nothing it did not store. */
function dictionary<T>(): Record<string, T | undefined> {
  return Object.create(null) as Record<string, T | undefined>;
}

// The last response a client of this VU received and its status, so a check of that response
// does not read the status from Go a second time. Read once: statusOf lets it go, or a VU would
// keep its last response (body included) alive between iterations (docs/benchmarks.md).
let lastResponse: Response | undefined;
let lastStatus = 0;
function statusOf(response: Response): number {
  if (response !== lastResponse) return response.status;
  lastResponse = undefined;
  return lastStatus;
}

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

/**
 * Validates only: k6 runs gjson's validator over the body (and remembers the answer for later
 * selectors), then `!true` is a gjson literal, answered without reading the body again. k6 answers
 * undefined for invalid JSON.
 */
function isJson(r: Response): boolean {
  try {
    return r.json('!true') === true;
  } catch {
    return bodyless(r);
  }
}

/**
 * Declared JSON: a Content-Type of application/json or a +json type (application/problem+json).
 * For a body nobody reads, one header instead of a pass over the body: validating a 3 KB body cost
 * about 17 µs of k6 CPU per response at 1,000 requests/s (docs/benchmarks.md). A Go handler's
 * encoder writes whole JSON, and a connection cut mid-body is an error k6 reports (the status
 * check fails); what this lets through is a body corrupted with its headers intact.
 */
function declaresJson(r: Response): boolean {
  const type = r.headers['Content-Type'];
  if (type === 'application/json') return true;
  if (typeof type !== 'string') return false;
  const media = type.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}

/**
 * How a check judges the body: parsed and built, validated for a later read, or its declared type.
 * Each keeps the verdicts of its checks, built on first use of a `what` and expected status and
 * reused: building objects on every request showed in the k6 profile. Keyed by `what`, then by
 * the status, so a single status needs no string built per request.
 */
interface BodyTest {
  judge: (r: Response) => boolean;
  says: string;
  verdicts: Record<string, Record<number | string, Verdicts | undefined> | undefined>;
}
const bodyTests = {
  build: { judge: parsesAsJson, says: 'with a JSON body', verdicts: dictionary() },
  validate: { judge: isJson, says: 'with a JSON body', verdicts: dictionary() },
  declared: { judge: declaresJson, says: 'declared JSON', verdicts: dictionary() },
} satisfies Record<string, BodyTest>;

/** A check's two possible outcomes, as the objects k6's check() records. */
interface Verdicts {
  statuses: number[];
  pass: Record<string, object>;
  fail: Record<string, null>;
}

// k6's check() records a plain value as the check's outcome, by its truthiness ("Resolve callables
// into values" in its Check); its type declarations list only functions. The values are an object
// and null, not true and false: before recording, k6 asks whether the value is an async function,
// and for a boolean that boxes it into a new Boolean object on every check (4 of a feed request's
// Go allocations), where an object is asked as it is and null not at all.
const recordCheck = check as unknown as (value: null, outcome: Record<string, object | null>) => boolean;
const passed = Object.freeze({});

function verdicts(status: number | number[], what: string, body: BodyTest): Verdicts {
  let byStatus = body.verdicts[what];
  if (byStatus === undefined) body.verdicts[what] = byStatus = dictionary();
  const key = typeof status === 'number' ? status : status.join(' or ');
  let found = byStatus[key];
  if (found === undefined) {
    const statuses = typeof status === 'number' ? [status] : [...status];
    const name = `${what}: status ${statuses.join(' or ')} ${body.says}`;
    found = { statuses, pass: { [name]: passed }, fail: { [name]: null } };
    byStatus[key] = found;
  }
  return found;
}

/**
 * One check per response, `<what>: status … with a JSON body` (or `… declared JSON`): each check
 * is a sample with its tags, and two per request (status, then body) were a visible share of k6's
 * CPU per request.
 * The verdict is reached here and check() is handed a boolean, not a function: k6 records a
 * value as it is, where a function cost a call from Go back into the JS runtime on every response
 * (k6 CPU profile of api-load at 1,000 requests/s: check() with the validation 0.44 s, now check()
 * 0.12 s and the validation 0.20 s, of 3.1 s). A failed check still says both conditions, and the
 * endpoint's failed statuses are counted apart.
 */
function checkJson(response: Response, status: number | number[], what: string, body: BodyTest): boolean {
  const verdict = verdicts(status, what, body);
  const ok = isExpected(verdict.statuses, statusOf(response)) && body.judge(response);
  recordCheck(null, ok ? verdict.pass : verdict.fail);
  return ok;
}

/** A loop, not Array.prototype.includes: looking the method up on every response showed in k6's profile. */
function isExpected(statuses: number[], status: number): boolean {
  for (let i = 0; i < statuses.length; i++) if (statuses[i] === status) return true;
  return false;
}

/**
 * Checks the status and returns the parsed JSON body, or null when either is wrong. The body comes
 * from k6's decoder rather than JSON.parse: sobek's token-by-token JSON.parse was the largest
 * per-request cost in the k6 profile, above the request itself.
 */
export function expectJson<T>(response: Response, status: number | number[], what: string): T | null {
  return checkJson(response, status, what, bodyTests.build) ? (response.json() as T) : null;
}

/**
 * The same checks as expectJson, returning one value of the body (a gjson path such as
 * `items.0.id`), or null when the check failed or the body has no such value. Only that value
 * becomes a JS value: building a whole list to read one field of it was most of a response's
 * cost in mixed's k6 profile.
 */
export function expectJsonField<T>(response: Response, status: number | number[], what: string, path: string): T | null {
  // k6 validates a body once for all selectors, so the check's validation is not repeated here.
  return checkJson(response, status, what, bodyTests.validate) ? ((response.json(path) as T | undefined) ?? null) : null;
}

/**
 * For a caller that never reads the body: the status, and a JSON Content-Type (declaresJson). The
 * check is named `<what>: status … declared JSON`, saying what was judged.
 */
export function expectJsonBody(response: Response, status: number | number[], what: string): boolean {
  return checkJson(response, status, what, bodyTests.declared);
}
