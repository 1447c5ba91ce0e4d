// The one configuration parser. Pure (no k6 imports) so the CLI validates with the same code before
// it starts anything, and k6's init context throws the same sentence when run by hand. Which
// variables exist, their defaults and valid ranges are data in variables.ts; the CLI's own settings
// are read by the same readers over the whole table (cli/settings.ts, cli/run-config.ts).
import { hostOf } from './allowlist.ts';
import { redactText } from './redact.ts';
import { durationToMs, profiles, type Profile, type ProfileName } from './profiles.ts';
import { endpointNames, isEndpoint, type Endpoint } from '../thresholds/reference-endpoints.ts';
import { describeKind, parseBoolean, scenarioVariable, type AlertAbortSeverity, type Env, type Protocol, type Variable } from './variables.ts';

export { hostOf } from './allowlist.ts';
export { alertAbortSeverities, protocols, type AlertAbortSeverity, type Env, type Protocol } from './variables.ts';

export interface Config {
  baseUrl: string;
  profileName: ProfileName;
  profile: Profile;
  protocol: Protocol;
  /** Exact host names allowed besides loopback. */
  allowHosts: string[];
  requestTimeoutMs: number;
  seed: number;
  thinkTimeScale: number;
  /** Peak VUs of the mixed scenario at level 1. */
  peakVus: number;
  /** Total requests per second of api-load at level 1. */
  totalRps: number;
  /** Per-endpoint share or explicit rate overrides for api-load. */
  rateOverrides: Partial<Record<Endpoint, number>>;
  eventsPerSec: number;
  batchSize: number;
  grpcAddr: string;
  flushIntervalMs: number;
  /** Empty when the alert monitor is off. */
  metricsUrl: string;
  alertTimeScale: number;
  alertAbortSeverity: AlertAbortSeverity;
  /** Folder handleSummary writes into; empty writes only to stdout. */
  runDir: string;
  /** As k6 reads K6_WEB_DASHBOARD_PERIOD: the setting, or the profile's. */
  dashboardPeriod: string;
}

/** Thrown for any bad value; the message names the variable, the value and the valid choices. */
export class SettingError extends Error {
  constructor(message: string) {
    // A refusal quotes the bad value, which can be a URL with its password.
    super(redactText(message));
    this.name = 'SettingError';
  }
}

/** The one sentence of a bad value: the variable as the user typed it, the value, the valid values. */
export function invalid(name: string, value: string | undefined, valid: string): SettingError {
  return new SettingError(`${name}="${value ?? ''}" is not valid; valid values are: ${valid}`);
}

interface Setting {
  /** Trimmed; undefined when unset or blank. */
  value: string | undefined;
  /** The name the user most likely typed, for messages: the short alias when the CLI copied it. */
  shown: string;
  refuse(): never;
}

function milliseconds(text: string): number | undefined {
  try {
    return durationToMs(text);
  } catch {
    return undefined;
  }
}

/**
 * The readers of one table's variables, each refusing a bad value with one SettingError sentence:
 * over the scenarios' entries here, over the whole table in cli/settings.ts.
 */
export function settingReaders<Name extends string>(lookup: (name: Name) => Variable) {
  function setting(env: Env, name: Name): Setting {
    const entry = lookup(name);
    const trimmed = (key: string | undefined) => (key === undefined ? undefined : env[key]?.trim() || undefined);
    const value = trimmed(name) ?? trimmed(entry.alias);
    const shown = entry.alias && trimmed(entry.alias) === value ? entry.alias : name;
    return {
      value,
      shown,
      refuse: () => {
        throw invalid(shown, value, describeKind(entry.kind));
      },
    };
  }

  /** The setting, else `fallback`, else the table's default. */
  function text(env: Env, name: Name, fallback?: string): string {
    return setting(env, name).value ?? fallback ?? lookup(name).default;
  }

  function choice(env: Env, name: Name): string {
    const { value, refuse } = setting(env, name);
    const { kind } = lookup(name);
    if (value === undefined) return lookup(name).default;
    return kind.type === 'enum' && kind.choices.includes(value) ? value : refuse();
  }

  function flag(env: Env, name: Name): boolean {
    const { value, refuse } = setting(env, name);
    return parseBoolean(value ?? lookup(name).default) ?? refuse();
  }

  function numeric(env: Env, name: Name, fallback?: number): number {
    const { value, refuse } = setting(env, name);
    const { kind } = lookup(name);
    if (value === undefined) return fallback ?? Number(lookup(name).default);
    const parsed = Number(value);
    const valid =
      (kind.type === 'integer' || kind.type === 'number') &&
      /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value) &&
      parsed >= kind.min &&
      parsed <= kind.max &&
      (kind.type === 'number' || Number.isInteger(parsed));
    return valid ? parsed : refuse();
  }

  /** A checked duration setting as written, for k6 settings that take duration text. */
  function duration(env: Env, name: Name, fallback?: string): string {
    const { value, refuse } = setting(env, name);
    const { kind } = lookup(name);
    if (value === undefined) return fallback ?? lookup(name).default;
    const ms = milliseconds(value);
    const valid = kind.type === 'duration' && ms !== undefined && ms >= milliseconds(kind.min)! && ms <= milliseconds(kind.max)!;
    return valid ? value : refuse();
  }

  /** Without trailing slashes; '' when unset without a default, or set to off where the kind allows it. */
  function url(env: Env, name: Name, fallback?: string): string {
    const { value, refuse } = setting(env, name);
    const { kind } = lookup(name);
    if (kind.type === 'url' && kind.off && value?.toLowerCase() === 'off') return '';
    if (value === undefined) return fallback ?? lookup(name).default;
    const trimmed = value.replace(/\/+$/, '');
    const schemes = (kind.type === 'url' && kind.schemes) || ['https?'];
    return new RegExp(`^(${schemes.join('|')}):\\/\\/[^/?#\\s]+`).test(trimmed) ? trimmed : refuse();
  }

  function list(env: Env, name: Name): string[] {
    return text(env, name)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  return { text, choice, flag, numeric, duration, url, list };
}

export const { text, choice, flag, numeric, duration, url, list } = settingReaders(scenarioVariable);

function rateOverrides(env: Env): Partial<Record<Endpoint, number>> {
  const overrides: Partial<Record<Endpoint, number>> = {};
  for (const pair of list(env, 'LOADGATE_RATES')) {
    const [endpoint, rate] = pair.split('=').map((part) => part.trim());
    if (!isEndpoint(endpoint)) {
      throw new SettingError(`LOADGATE_RATES: "${endpoint}" is not an endpoint; valid endpoints are: ${endpointNames.join(', ')}`);
    }
    const parsed = Number(rate);
    if (rate === undefined || rate === '' || !(parsed >= 0)) {
      throw new SettingError(`LOADGATE_RATES: "${pair}" needs a rate in requests per second, for example ${endpoint}=200`);
    }
    overrides[endpoint] = parsed;
  }
  return overrides;
}

export function parseConfig(env: Env): Config {
  const baseUrl = url(env, 'BASE_URL');
  const profileName = choice(env, 'PROFILE') as ProfileName;
  const profile = profiles[profileName];
  return {
    baseUrl,
    profileName,
    profile,
    protocol: choice(env, 'PROTOCOL') as Protocol,
    allowHosts: list(env, 'LOADGATE_ALLOW_HOSTS').map((host) => host.toLowerCase()),
    requestTimeoutMs: durationToMs(duration(env, 'LOADGATE_REQUEST_TIMEOUT')),
    seed: numeric(env, 'LOADGATE_SEED'),
    thinkTimeScale: numeric(env, 'LOADGATE_THINK_TIME_SCALE'),
    peakVus: numeric(env, 'LOADGATE_VUS'),
    totalRps: numeric(env, 'LOADGATE_RPS'),
    rateOverrides: rateOverrides(env),
    eventsPerSec: numeric(env, 'LOADGATE_EVENTS_PER_SEC'),
    batchSize: numeric(env, 'LOADGATE_BATCH_SIZE'),
    grpcAddr: text(env, 'LOADGATE_GRPC_ADDR', `${hostOf(baseUrl)}:9090`),
    flushIntervalMs: durationToMs(duration(env, 'LOADGATE_FLUSH_INTERVAL')),
    metricsUrl: url(env, 'LOADGATE_METRICS_URL', `${baseUrl}/metrics`),
    alertTimeScale: numeric(env, 'LOADGATE_ALERT_TIME_SCALE', profile.alertTimeScale),
    alertAbortSeverity: choice(env, 'LOADGATE_ALERT_ABORT_SEVERITY') as AlertAbortSeverity,
    runDir: text(env, 'LOADGATE_RUN_DIR'),
    dashboardPeriod: duration(env, 'K6_WEB_DASHBOARD_PERIOD', profile.dashboardPeriod),
  };
}
