// The one redaction: every text loadgate writes or prints (run files, the terminal, gate, sweep and
// manifests) passes through redactText where the record is made. Two nets: patterns catch a
// credential by its shape (user:password@ in a URL, ?password= in a query, the value of a
// credential flag), and the values of secret variables this process was given are caught by value,
// whatever shape they are quoted in. Pure, so k6's handleSummary runs it too.

/** Names that hold a credential: variables, flags and query parameters alike. */
export const secretLooking = /TOKEN|SECRET|PASSWORD|PASSWD|PASS$|PWD|KEY|CREDENTIAL|AUTH/i;

export const redacted = '(redacted)';

/** Secret values seen in this process's environment, longest first so a value inside another goes too. */
const knownValues: string[] = [];

/** Values shorter than this are not searched for by value: "1" or "on" would blank half a report. */
const shortestKnownValue = 6;

/** Remembers secret values (a token, a password) so every later text is searched for them. */
export function rememberSecret(value: string | undefined): void {
  const trimmed = value?.trim();
  if (!trimmed || trimmed.length < shortestKnownValue) return;
  // A password inside a URL is quoted in its encoded form too.
  for (const form of new Set([trimmed, encodeURIComponent(trimmed)])) if (!knownValues.includes(form)) knownValues.push(form);
  knownValues.sort((a, b) => b.length - a.length);
}

/** User and password of a URL: scheme://user:password@host. */
const userinfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
/** A query or DSN parameter whose name looks like a credential: ?password=x, &sslpassword=x, token=x. */
const secretParameter = /([?&;\s](?:[a-z0-9_.-]*(?:password|passwd|pwd|token|secret|key|auth|credential)[a-z0-9_.-]*)=)[^&\s#"'<>]*/gi;
/** -token-secret x, --secret-source=mock=…, -api-key="x": a flag whose name looks like a credential, or k6's secret source. */
const secretFlag = /(^|[\s"'[,])(--?(?:[a-z0-9-]*(?:token|secret|password|passwd|key|auth|credential)[a-z0-9-]*))(=|\s+)("[^"]*"|'[^']*'|[^\s"',\]]+)/gi;

/** The text with every credential it holds replaced by "(redacted)". */
export function redactText(text: string): string {
  let result = text;
  for (const value of knownValues) result = result.split(value).join(redacted);
  return result
    .replace(userinfo, `$1${redacted}@`)
    .replace(secretParameter, `$1${redacted}`)
    .replace(secretFlag, (_all, before: string, flag: string, joint: string) => `${before}${flag}${joint}${redacted}`);
}

/** Every string inside a JSON-like value, redacted. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item)])) as T;
  return value;
}
