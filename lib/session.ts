// A VU's bearer token, looked up once per VU: from a k6 secret source (LOADGATE_TOKEN_SECRET names
// the secret; k6 then redacts it from every log), from LOADGATE_TOKEN, or from the API's own
// /auth/token. Tokens live in VU memory only, never in setup data, so they cannot reach summary.json.
import secrets from 'k6/secrets';
import type { Api } from './api.ts';
import { expectJson } from './api.ts';

let cached: string | null = null;

/** True when tokens come from outside the API, so /auth/token is not part of the load. */
export function externalTokenConfigured(): boolean {
  return Boolean(__ENV.LOADGATE_TOKEN_SECRET || __ENV.LOADGATE_TOKEN);
}

export async function vuToken(api: Api, userId: number): Promise<string | null> {
  if (cached) return cached;
  if (__ENV.LOADGATE_TOKEN_SECRET) return (cached = await secrets.get(__ENV.LOADGATE_TOKEN_SECRET));
  if (__ENV.LOADGATE_TOKEN) return (cached = __ENV.LOADGATE_TOKEN);
  const body = expectJson<{ token: string }>(api.authToken(userId), 200, 'auth token');
  cached = body?.token ?? null;
  return cached;
}
