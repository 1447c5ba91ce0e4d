// What a scenario declares about the API it drives: one row per endpoint with its route, its
// latency objectives and how to probe it before any load. Threshold keys, no-data guards, report
// rows, request tags and the pre-flight probes are all derived from such a table, so a team adds
// its own API with its own table file and no edit here.

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Latency objectives in milliseconds, judged on successful responses only. */
export interface LatencyTargets {
  p50: number;
  p95: number;
  p99: number;
}

export interface EndpointSpec {
  /** Human label used in reports. */
  label: string;
  method: Method;
  /** Path template from the API's root, with {params}: /api/v1/clips/{id}. */
  path: string;
  slo: LatencyTargets;
  /**
   * The pre-flight request that shows the route exists. GET is probed with these {params} (a
   * record the seed data is known to hold); writes are probed with OPTIONS so no data changes.
   * `false` skips the probe (a route that only exists over gRPC, say).
   */
  probe?: { params?: Record<string, string | number>; query?: Record<string, string> } | false;
}

export type EndpointTable<E extends string = string> = Readonly<Record<E, EndpointSpec>>;

/** Types a table without widening its keys, so a typo in an endpoint name fails to compile. */
export function defineEndpoints<E extends string>(table: Record<E, EndpointSpec>): EndpointTable<E> {
  return table;
}

/** The `name` tag of a request: one time series per route, whatever ids the URL carries. */
export const routeName = (spec: EndpointSpec) => `${spec.method} ${spec.path}`;

/** The URL of a path template with its {params} filled in, plus an optional query. */
export function endpointUrl(baseUrl: string, spec: EndpointSpec, params: Record<string, string | number> = {}, query?: Record<string, string>): string {
  const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`${routeName(spec)} needs a value for {${name}}`);
    return encodeURIComponent(String(params[name]));
  });
  const search = query ? Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') : '';
  return `${baseUrl}${path}${search ? `?${search}` : ''}`;
}
