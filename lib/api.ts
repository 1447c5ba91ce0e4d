// One function per API endpoint. Every request carries the `endpoint` tag (the contract thresholds
// and reports rely on), a `name` tag that folds ids out of the URL so k6 keeps one time series per
// route, and the configured timeout.
import http, { type RefinedParams, type RefinedResponse, type ResponseType } from 'k6/http';
import { check } from 'k6';
import type { Endpoint } from '../thresholds/slo.ts';

export interface ApiOptions {
  baseUrl: string;
  requestTimeoutMs: number;
}

type Response = RefinedResponse<ResponseType | undefined>;

export interface Api {
  feed(cursor?: string): Response;
  clipDetail(clipId: number): Response;
  related(clipId: number): Response;
  search(term: string): Response;
  commentsList(clipId: number): Response;
  commentCreate(clipId: number, body: string, token: string): Response;
  vote(clipId: number, value: 1 | -1, token: string): Response;
  authToken(userId: number): Response;
  ingestEvents(events: IngestEvent[]): Response;
  challengeProgress(userId: number): Response;
}

export interface IngestEvent {
  event_id: string;
  user_id: number;
  goal_id: number;
  delta: number;
}

export function createApi({ baseUrl, requestTimeoutMs }: ApiOptions): Api {
  const api = `${baseUrl}/api/v1`;
  const params = (endpoint: Endpoint, name: string, token?: string): RefinedParams<'text'> => ({
    timeout: `${requestTimeoutMs}ms`,
    tags: { endpoint, name },
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
  });
  const post = (url: string, body: unknown, p: RefinedParams<'text'>) => http.post(url, JSON.stringify(body), p);

  return {
    feed: (cursor) =>
      http.get(`${api}/feed${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, params('feed', 'GET /feed')),
    clipDetail: (clipId) => http.get(`${api}/clips/${clipId}`, params('clip_detail', 'GET /clips/{id}')),
    related: (clipId) => http.get(`${api}/clips/${clipId}/related`, params('related', 'GET /clips/{id}/related')),
    search: (term) => http.get(`${api}/search?q=${encodeURIComponent(term)}`, params('search', 'GET /search')),
    commentsList: (clipId) =>
      http.get(`${api}/clips/${clipId}/comments`, params('comments_list', 'GET /clips/{id}/comments')),
    commentCreate: (clipId, body, token) =>
      post(`${api}/clips/${clipId}/comments`, { body }, params('comment_create', 'POST /clips/{id}/comments', token)),
    vote: (clipId, value, token) =>
      post(`${api}/clips/${clipId}/votes`, { value }, params('vote', 'POST /clips/{id}/votes', token)),
    authToken: (userId) => post(`${api}/auth/token`, { user_id: userId }, params('auth_token', 'POST /auth/token')),
    ingestEvents: (events) => post(`${api}/events`, { events }, params('events_ingest', 'POST /events')),
    challengeProgress: (userId) =>
      http.get(`${api}/users/${userId}/challenges`, params('challenge_progress', 'GET /users/{id}/challenges')),
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
