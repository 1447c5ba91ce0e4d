// What a scenario declares about the API it drives: one row per endpoint with its route, its
// objectives and how to probe it before any load, plus the API-wide settings (health check,
// headers, token scheme). Threshold keys, no-data guards, report rows, request tags, headers and
// the pre-flight probes are all derived from such a table, so a team adds its own API with its
// own table file and no edit here.

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The latency statistics an objective may name, in the order reports show them. */
export const latencyStats = ['p50', 'p90', 'p95', 'p99', 'max'] as const;
export type LatencyStat = (typeof latencyStats)[number];

/**
 * An endpoint's objectives: any subset of latency targets in milliseconds (judged on successful
 * responses only) and the share of responses that may fail (default: the service-wide objective).
 */
export type Objectives = Partial<Record<LatencyStat, number>> & { errorRate?: number };

export interface EndpointSpec {
  /** Human label used in reports. */
  label: string;
  method: Method;
  /** Path template from the API's root, with {params}: /api/v1/clips/{id}. */
  path: string;
  slo: Objectives;
  /** Headers sent with this endpoint's requests only, on top of the table's own. */
  headers?: Record<string, string>;
  /**
   * The pre-flight request that shows the route exists. GET is probed with these {params} (a
   * record the seed data is known to hold); writes are probed with OPTIONS so no data changes.
   * `false` skips the probe (a route that only exists over gRPC, say).
   */
  probe?: { params?: Record<string, string | number>; query?: Record<string, string> } | false;
}

/** How a token is sent: `Authorization: Bearer <token>` unless the table says otherwise. */
export interface TokenScheme {
  /** The header that carries the token (default Authorization). */
  header?: string;
  /** The word before the token (default Bearer); '' sends the token alone (X-Api-Key: <token>). */
  scheme?: string;
}

/** API-wide settings an endpoint table may declare; every field has a default. */
export interface ApiSettings {
  /** The pre-flight's first request: the target is up when this path answers this status. */
  health?: { path?: string; status?: number };
  /** Headers sent with every request of the table (not secrets: they are written in the table file). */
  headers?: Record<string, string>;
  token?: TokenScheme;
  /**
   * The Go module of the service (github.com/team/app): its packages count as "the application's
   * own code" in REPORT.md's hot spots. Default: the module main.main calls in the profiles.
   */
  module?: string;
}

export const defaultHealth = { path: '/healthz', status: 200 };
export const defaultTokenScheme = { header: 'Authorization', scheme: 'Bearer' };

export type EndpointTable<E extends string = string> = Readonly<Record<E, EndpointSpec>>;

// Settings live beside the table rather than in it: its keys are exactly its endpoint names. They
// hang on a non-enumerable property with a fixed name, not in this module's WeakMap or under a
// Symbol: VU 0 reads a table that the scenario's bundle built through the control bundle's own
// copy of this module (lib/control.ts), where a WeakMap would be a different one, and touching
// Symbol makes sobek build it in every VU (about 11 KB, docs/benchmarks.md).
const settingsKey = 'loadgate.apiSettings';

/**
 * Checked where a run is declared (k6's VU 0, node's CLI and tests), not again in every load VU:
 * there it was about 57 KB of init garbage per VU (docs/benchmarks.md).
 */
const checksTables = typeof __VU === 'undefined' || __VU === 0;

/** Types a table without widening its keys, so a typo in an endpoint name fails to compile. */
export function defineEndpoints<E extends string>(table: Record<E, EndpointSpec>, settings: ApiSettings = {}): EndpointTable<E> {
  if (checksTables) checkObjectives(table);
  Object.defineProperty(table, settingsKey, { value: settings, enumerable: false });
  return table;
}

function checkObjectives(table: Record<string, EndpointSpec>): void {
  for (const [name, spec] of Object.entries<EndpointSpec>(table)) {
    for (const [stat, target] of Object.entries(spec.slo)) {
      if (stat !== 'errorRate' && !(latencyStats as readonly string[]).includes(stat)) {
        throw new Error(`endpoint ${name}: slo.${stat} is not an objective; valid ones are ${latencyStats.join(', ')} and errorRate`);
      }
      if (typeof target !== 'number' || !(target > 0) || (stat === 'errorRate' && target > 1)) {
        throw new Error(`endpoint ${name}: slo.${stat}=${String(target)} must be a number above 0${stat === 'errorRate' ? ' and at most 1 (a share of responses)' : ' (milliseconds)'}`);
      }
    }
  }
}

/** A table's settings with every default filled in. */
export function apiSettings(table: EndpointTable): Required<ApiSettings> & { health: typeof defaultHealth; token: typeof defaultTokenScheme } {
  const declared = (table as { [settingsKey]?: ApiSettings })[settingsKey] ?? {};
  return {
    health: { ...defaultHealth, ...declared.health },
    headers: declared.headers ?? {},
    token: { ...defaultTokenScheme, ...declared.token },
    module: declared.module ?? '',
  };
}

/** The header a token travels in, e.g. ['Authorization', 'Token abc']. */
export function tokenHeader(scheme: Required<TokenScheme>, token: string): [string, string] {
  return [scheme.header, scheme.scheme ? `${scheme.scheme} ${token}` : token];
}

/** What a request needs of its endpoint's entry. */
export type Route = Pick<EndpointSpec, 'method' | 'path'>;

/** The `name` tag of a request: one time series per route, whatever ids the URL carries. */
export const routeName = (spec: Route) => `${spec.method} ${spec.path}`;

/**
 * The tags every request of an endpoint carries, which its thresholds select on. A k6 scenario
 * that drives one endpoint can carry them instead (ScenarioSpec.scenarioTagged, lib/scenario-tags.ts).
 */
export const requestTags = (endpoint: string, spec: Route) => ({ endpoint, name: routeName(spec) });

/** The URL of a path template with its {params} filled in, plus an optional query. */
export function endpointUrl(baseUrl: string, spec: Route, params: Record<string, string | number> = {}, query?: Record<string, string>): string {
  // Scanned, not matched with a regular expression: this runs on every request with {params}, and
  // in every k6 VU's init, where each regular expression evaluated costs the VU memory.
  let path = '';
  let from = 0;
  for (let open = spec.path.indexOf('{'); open >= 0; open = spec.path.indexOf('{', from)) {
    const close = spec.path.indexOf('}', open);
    if (close < 0) break;
    const name = spec.path.slice(open + 1, close);
    if (!(name in params)) throw new Error(`${routeName(spec)} needs a value for {${name}}`);
    path += spec.path.slice(from, open) + encodeURIComponent(String(params[name]));
    from = close + 1;
  }
  path += spec.path.slice(from);
  const search = query ? Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') : '';
  return `${baseUrl}${path}${search ? `?${search}` : ''}`;
}
