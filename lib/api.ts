// The reference service's API, one function per endpoint, over a client of the reference endpoint
// table (thresholds/reference-endpoints.ts): the one defineScenario builds (`scenario.request`).
import { expectJsonField, type Request, type Response } from './request.ts';
import type { Endpoint } from '../thresholds/reference-endpoints.ts';

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

/** Endpoints the client was not built for throw when called. */
export function createApi(request: Request<Endpoint>): Api {
  return {
    // No options object when there is nothing to say: the client's shortest path (lib/request.ts).
    feed: (cursor) => (cursor ? request('feed', { query: { cursor } }) : request('feed')),
    clipDetail: (clipId) => request('clip_detail', { params: { id: clipId } }),
    related: (clipId) => request('related', { params: { id: clipId } }),
    search: (term) => request('search', { query: { q: term } }),
    commentsList: (clipId) => request('comments_list', { params: { id: clipId } }),
    commentCreate: (clipId, body, token) => request('comment_create', { params: { id: clipId }, body: { body }, token }),
    vote: (clipId, value, token) => request('vote', { params: { id: clipId }, body: { value }, token }),
    authToken: (userId) => request('auth_token', { body: { user_id: userId } }),
    ingestEvents: (events) => request('events_ingest', { body: { events } }),
    challengeProgress: (userId) => request('challenge_progress', { params: { id: userId } }),
  };
}

/** A token from the reference service's own login, for lib/session.ts's vuToken. */
export const tokenFromApi = (api: Api, userId: number) => () => expectJsonField<string>(api.authToken(userId), 200, 'auth token', 'token');
