// The reference service's API, one function per endpoint, built on the generic request helper
// (lib/request.ts) with the reference endpoint table (thresholds/reference-endpoints.ts).
import { createClient, expectJsonField, type ClientOptions, type Response } from './request.ts';
import { referenceEndpoints, type Endpoint } from '../thresholds/reference-endpoints.ts';

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

/** `endpoints`: the ones the scenario sends (see createClient); the others then throw when called. */
export function createApi(options: ClientOptions, endpoints?: readonly Endpoint[]): Api {
  const request = createClient(referenceEndpoints, options, endpoints);
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
