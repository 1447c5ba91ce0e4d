// The request helper for any declared endpoint: URL from the endpoint table, the `endpoint` and
// `name` tags every threshold and report relies on, the configured timeout, a bearer token when
// given, and a count of failed responses by status. A team's scenario gets all of it by passing
// its own table; the reference API (lib/api.ts) is built on the same helper.
import { check } from 'k6';
import http, { type RefinedParams, type RefinedResponse, type ResponseType } from 'k6/http';
import { refusalFor } from './allowlist.ts';
import { Counter } from 'k6/metrics';
import { failedResponsesMetric, namedStatuses } from '../thresholds/keys.ts';
import { endpointUrl, routeName, type EndpointTable } from '../thresholds/endpoints.ts';

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

export function createClient<E extends string>(table: EndpointTable<E>, { baseUrl, requestTimeoutMs, allowHosts }: ClientOptions): Request<E> {
  // Checked again here (init runs it once per VU) so a team's scenario cannot skip the allow-list.
  const refusal = refusalFor(baseUrl, allowHosts);
  if (refusal) throw new Error(refusal);
  const timeout = `${requestTimeoutMs}ms`;
  // Custom metrics exist only if declared in init, which is where a client is created.
  const failed = new Map<string, Counter>();
  for (const endpoint of Object.keys(table)) {
    for (const status of [...namedStatuses, 'other' as const]) failed.set(`${endpoint} ${status}`, new Counter(failedResponsesMetric(endpoint, status)));
  }
  const countFailure = (endpoint: string, status: number) => (failed.get(`${endpoint} ${status}`) ?? failed.get(`${endpoint} other`))!.add(1);
  const tags = Object.fromEntries(Object.entries(table).map(([endpoint, spec]) => [endpoint, { endpoint, name: routeName(spec as EndpointTable[string]) }]));
  return (endpoint, options = {}) => {
    const spec = table[endpoint];
    const params: RefinedParams<'text'> = {
      timeout,
      tags: tags[endpoint],
      headers: {
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
    };
    const url = endpointUrl(baseUrl, spec, options.params, options.query);
    const body = options.body === undefined ? null : JSON.stringify(options.body);
    const response = http.request(spec.method, url, body, params);
    if (response.status === 0 || response.status >= 400) countFailure(endpoint, response.status);
    return response;
  };
}

/** Checks the status and returns the parsed JSON body, or null when either is wrong. */
export function expectJson<T>(response: Response, status: number | number[], what: string): T | null {
  const statuses = Array.isArray(status) ? status : [status];
  let body: T | null = null;
  const ok = check(response, {
    [`${what}: status ${statuses.join(' or ')}`]: (r) => statuses.includes(r.status),
    [`${what}: JSON body`]: (r) => {
      try {
        body = JSON.parse(r.body as string) as T;
        return true;
      } catch {
        return false;
      }
    },
  });
  return ok ? body : null;
}
