// A VU's bearer token, looked up once per VU: from a k6 secret source (LOADGATE_TOKEN_SECRET names
// the secret; k6 then redacts it from every log), from LOADGATE_TOKEN, or from the API's own
// /auth/token. Tokens live in VU memory only, never in setup data, so they cannot reach summary.json.
import secrets from 'k6/secrets';

let cached: string | null = null;

/** True when tokens come from outside the API, so /auth/token is not part of the load. */
export function externalTokenConfigured(): boolean {
  return Boolean(__ENV.LOADGATE_TOKEN_SECRET || __ENV.LOADGATE_TOKEN);
}

/** `fromApi` asks the API under test for a token when none comes from outside (any API's own login). */
export async function vuToken(fromApi: () => string | null): Promise<string | null> {
  if (cached) return cached;
  if (__ENV.LOADGATE_TOKEN_SECRET) return (cached = await secrets.get(__ENV.LOADGATE_TOKEN_SECRET));
  if (__ENV.LOADGATE_TOKEN) return (cached = __ENV.LOADGATE_TOKEN);
  cached = fromApi();
  return cached;
}
