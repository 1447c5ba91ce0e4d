// The one configuration parser. Pure (no k6 imports) so the CLI validates with the same code before
// it starts anything, and k6's init context throws the same sentence when run by hand.
import { durationToMs, profileNames, profiles, type Profile, type ProfileName } from './profiles.ts';
import { endpointNames, isEndpoint, type Endpoint } from '../thresholds/slo.ts';

export const protocols = ['http', 'grpc'] as const;
export type Protocol = (typeof protocols)[number];
export const alertAbortSeverities = ['critical', 'warning', 'none'] as const;
export type AlertAbortSeverity = (typeof alertAbortSeverities)[number];

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
}

type Env = Record<string, string | undefined>;

/** Thrown for any bad value; the message names the variable, the value and the valid choices. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name}="${value}" is not valid; valid values are: ${choices.join(', ')}`);
}

function positiveNumber(env: Env, name: string, fallback: number, integer = false): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(parsed > 0) || (integer && !Number.isInteger(parsed))) {
    const kind = integer ? 'a positive integer' : 'a positive number';
    throw new ConfigError(`${name}="${value}" is not ${kind} (for example ${fallback})`);
  }
  return parsed;
}

function duration(env: Env, name: string, fallback: string): number {
  const value = read(env, name) ?? fallback;
  try {
    return durationToMs(value);
  } catch {
    throw new ConfigError(`${name}="${value}" is not a duration; use forms like 500ms, 10s, 1m`);
  }
}

function url(env: Env, name: string, fallback: string): string {
  const value = (read(env, name) ?? fallback).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#\s]+/.test(value)) {
    throw new ConfigError(`${name}="${value}" is not an http(s) URL such as http://127.0.0.1:8080`);
  }
  return value;
}

function rateOverrides(env: Env, name: string): Partial<Record<Endpoint, number>> {
  const value = read(env, name);
  const overrides: Partial<Record<Endpoint, number>> = {};
  if (value === undefined) return overrides;
  for (const pair of value.split(',')) {
    const [endpoint, rate] = pair.split('=').map((part) => part.trim());
    if (!isEndpoint(endpoint)) {
      throw new ConfigError(`${name}: "${endpoint}" is not an endpoint; valid endpoints are: ${endpointNames.join(', ')}`);
    }
    const parsed = Number(rate);
    if (rate === undefined || rate === '' || !(parsed >= 0)) {
      throw new ConfigError(`${name}: "${pair}" needs a rate in requests per second, for example ${endpoint}=200`);
    }
    overrides[endpoint] = parsed;
  }
  return overrides;
}

export function parseConfig(env: Env): Config {
  const baseUrl = url(env, 'BASE_URL', 'http://127.0.0.1:8080');
  const profileName = oneOf(env, 'PROFILE', profileNames, 'baseline');
  const profile = profiles[profileName];
  const metricsSetting = read(env, 'LOADGATE_METRICS_URL');
  return {
    baseUrl,
    profileName,
    profile,
    protocol: oneOf(env, 'PROTOCOL', protocols, 'http'),
    allowHosts: (read(env, 'LOADGATE_ALLOW_HOSTS') ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
    requestTimeoutMs: duration(env, 'LOADGATE_REQUEST_TIMEOUT', '10s'),
    seed: positiveNumber(env, 'LOADGATE_SEED', 1, true),
    thinkTimeScale: read(env, 'LOADGATE_THINK_TIME_SCALE') === '0' ? 0 : positiveNumber(env, 'LOADGATE_THINK_TIME_SCALE', 1),
    peakVus: positiveNumber(env, 'LOADGATE_VUS', 100, true),
    totalRps: positiveNumber(env, 'LOADGATE_RPS', 1000),
    rateOverrides: rateOverrides(env, 'LOADGATE_RATES'),
    eventsPerSec: positiveNumber(env, 'LOADGATE_EVENTS_PER_SEC', 10_000),
    batchSize: positiveNumber(env, 'LOADGATE_BATCH_SIZE', 100, true),
    grpcAddr: read(env, 'LOADGATE_GRPC_ADDR') ?? `${hostOf(baseUrl)}:9090`,
    flushIntervalMs: duration(env, 'LOADGATE_FLUSH_INTERVAL', '1s'),
    metricsUrl: metricsSetting === 'off' ? '' : url(env, 'LOADGATE_METRICS_URL', `${baseUrl}/metrics`),
    alertTimeScale: positiveNumber(env, 'LOADGATE_ALERT_TIME_SCALE', profile.alertTimeScale),
    alertAbortSeverity: oneOf(env, 'LOADGATE_ALERT_ABORT_SEVERITY', alertAbortSeverities, 'critical'),
    runDir: read(env, 'LOADGATE_RUN_DIR') ?? '',
  };
}

/** The host part of an http(s) URL, without port or IPv6 brackets, lower-cased. */
export function hostOf(baseUrl: string): string {
  const authority = baseUrl.replace(/^https?:\/\//, '').split(/[/?#]/)[0].replace(/^[^@]*@/, '');
  const host = authority.startsWith('[') ? authority.slice(1, authority.indexOf(']')) : authority.split(':')[0];
  return host.toLowerCase();
}
