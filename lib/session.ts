// A VU's bearer token: fetched once per VU from /auth/token, or taken from LOADGATE_TOKEN when the
// API under test issues tokens some other way. Tokens live in VU memory only, never in setup data,
// so they cannot reach summary.json.
import type { Api } from './api.ts';
import { expectJson } from './api.ts';

let cached: string | null = null;

export function staticTokenConfigured(): boolean {
  return Boolean(__ENV.LOADGATE_TOKEN);
}

export function vuToken(api: Api, userId: number): string | null {
  if (cached) return cached;
  if (__ENV.LOADGATE_TOKEN) return (cached = __ENV.LOADGATE_TOKEN);
  const body = expectJson<{ token: string }>(api.authToken(userId), 200, 'auth token');
  cached = body?.token ?? null;
  return cached;
}
