// What the CLI does with an environment as a whole, by the table: the names and values k6 is given,
// what meta.json records, which values are secrets to redact. Node-side only, so k6's bundles do
// not carry the whole table.
import { redacted, redactText, rememberSecret, secretLooking } from '../lib/redact.ts';
import type { Env } from '../lib/variables.ts';
import { variables } from './variables.ts';

/** Splits TARGET_ARGS the way a shell would for simple quoting: -fault-delay 'feed=200ms'. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) args.push(match[1] ?? match[2] ?? match[3]);
  return args;
}

/** TARGET_ENV's NAME=value pairs as an environment; anything else in it is ignored. */
export function targetEnvironment(env: Env): Record<string, string> {
  const pairs = splitArgs(env.TARGET_ENV ?? '').map((pair) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(pair));
  return Object.fromEntries(pairs.filter((match) => match !== null).map((match) => [match[1], match[2]]));
}

/** Command-line flags with the value of any credential-looking flag (-token-secret x) hidden, and credentials inside URLs. */
export function redactArgs(args: string[]): string[] {
  return args.map((arg, i) => {
    const [flag, inlineValue] = arg.split(/=(.*)/s);
    if (inlineValue !== undefined && flag.startsWith('-') && secretLooking.test(flag)) return `${flag}=${redacted}`;
    const previous = args[i - 1] ?? '';
    return previous.startsWith('-') && !previous.includes('=') && secretLooking.test(previous) ? redacted : redactText(arg);
  });
}

/**
 * Remembers every secret this environment holds, so redactText finds it by value wherever it is
 * quoted: the table's secret variables, any variable whose name looks like a credential, the
 * password of every URL, and the value of every credential flag in TARGET_ARGS.
 */
export function rememberSecretsOf(env: Env): void {
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    const entry = variables.find((candidate) => candidate.name === name || candidate.alias === name);
    if (entry?.secret || secretLooking.test(name)) rememberSecret(value);
    for (const match of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^\s/?#@]+)@/gi)) rememberSecret(decodeURIComponentSafe(match[1].split(':').slice(1).join(':')));
  }
  const args = splitArgs(env.TARGET_ARGS ?? '');
  redactArgs(args).forEach((arg, i) => {
    if (arg === redacted) rememberSecret(args[i]);
    else if (arg.endsWith(`=${redacted}`)) rememberSecret(args[i].slice(args[i].indexOf('=') + 1));
  });
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The first variable whose URL carries a credential (user:password@, a password parameter), for
 * the commands that write variables into a k6 archive, which travels to runners and clouds.
 */
export function urlCredentialIn(env: Env): string | null {
  for (const entry of variables) {
    const value = env[entry.name] ?? (entry.alias ? env[entry.alias] : undefined);
    if (entry.kind.type === 'url' && value && redactText(value) !== value) return entry.alias && env[entry.alias] ? entry.alias : entry.name;
  }
  return null;
}

/** The environment k6 runs with: short names copied to the LOADGATE_ names k6 reads, unless those are set. */
export function k6Environment(env: Env): Env {
  const result: Env = { ...env, K6_NO_USAGE_REPORT: 'true' };
  for (const entry of variables) {
    if (entry.alias && env[entry.alias] && !env[entry.name]) result[entry.name] = env[entry.alias];
  }
  return result;
}

/**
 * What meta.json records: the table's variables that are not secrets, and k6's own K6_* settings
 * unless their name looks like a credential (K6_CLOUD_TOKEN). Credentials inside values (a flag
 * in TARGET_ARGS, user:password in a URL) are redacted.
 */
export function recordedEnvironment(env: Env): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const entry = variables.find((candidate) => candidate.name === name || candidate.alias === name);
    if (entry ? entry.secret : !(name.startsWith('K6_') && !secretLooking.test(name))) continue;
    recorded[name] = name === 'TARGET_ARGS' ? redactArgs(splitArgs(value)).join(' ') : redactText(value);
  }
  return recorded;
}
