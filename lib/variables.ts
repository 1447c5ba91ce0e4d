// The environment variables k6 scenarios read, as data: lib/config.ts parses them in every VU, and
// cli/variables.ts places them in the whole table beside the ones only the CLI reads. Bundled into
// every k6 VU, so it holds the scenarios' entries only, plain data plus a few small functions.
import { profileNames } from './profiles.ts';
import { serviceFlag } from '../thresholds/service-contract.ts';

export const protocols = ['http', 'grpc'] as const;
export type Protocol = (typeof protocols)[number];
export const alertAbortSeverities = ['critical', 'warning', 'none'] as const;
export type AlertAbortSeverity = (typeof alertAbortSeverities)[number];

export type Env = Record<string, string | undefined>;

export type Kind =
  | { type: 'string'; format: string }
  | { type: 'enum'; choices: readonly string[] }
  | { type: 'boolean' }
  | { type: 'integer' | 'number'; min: number; max: number }
  | { type: 'duration'; min: string; max: string }
  | { type: 'url'; off?: boolean; schemes?: readonly string[] }
  | { type: 'list'; items: string };

export interface Variable {
  name: string;
  /** The short name the Makefile and README use; the CLI copies it to `name` for k6. */
  alias?: string;
  /** Used when unset; '' when there is none or it is computed (then `defaultText` says how). */
  default: string;
  defaultText?: string;
  kind: Kind;
  meaning: string;
  /** Never written to meta.json. */
  secret: boolean;
  /** 'k6': the scenario acts on it (the CLI validates it beforehand all the same); 'cli' entries live in cli/variables.ts. */
  readBy: 'cli' | 'k6' | 'both';
  /** Set by the CLI or by CI, never by hand: not in the README table or the Makefile. */
  internal?: boolean;
}

/** In pairs, true word first. */
const booleanWords = ['on', 'off', 'true', 'false', '1', '0'];

/** True or false for any of the boolean words in any case, undefined for anything else. */
export function parseBoolean(text: string): boolean | undefined {
  const index = booleanWords.indexOf(text.toLowerCase());
  return index < 0 ? undefined : index % 2 === 0;
}

/** What a scenario reads: the entries of this file, never one with readBy 'cli'. */
type ScenarioVariable = Variable & { readBy: 'k6' | 'both' };

export const scenarioVariables = [
  { name: 'PROFILE', default: 'baseline', kind: { type: 'enum', choices: profileNames }, meaning: 'load profile', secret: false, readBy: 'both' },
  {
    name: 'BASE_URL',
    default: 'http://127.0.0.1:8080',
    defaultText: 'reference service',
    kind: { type: 'url' },
    meaning: 'the API under test; unset, the CLI starts the reference service on free loopback ports',
    secret: false,
    readBy: 'both',
  },
  { name: 'PROTOCOL', default: 'http', kind: { type: 'enum', choices: protocols }, meaning: 'event ingestion transport', secret: false, readBy: 'k6' },
  {
    name: 'LOADGATE_EVENTS_PER_SEC',
    alias: 'EVENTS_PER_SEC',
    default: '10000',
    kind: { type: 'number', min: 1, max: 1_000_000 },
    meaning: 'event ingestion load, events per second',
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_BATCH_SIZE',
    alias: 'BATCH_SIZE',
    default: '100',
    // The reference service refuses bigger batches (MaxBatch in service/internal/ingest).
    kind: { type: 'integer', min: 1, max: 1000 },
    meaning: 'events per ingestion request',
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_RPS',
    alias: 'RPS',
    default: '1000',
    kind: { type: 'number', min: 1, max: 100_000 },
    meaning: 'api-load total rate, requests per second',
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_RATES',
    default: '',
    defaultText: 'shares of `RPS`',
    kind: { type: 'list', items: 'endpoint=rate pairs' },
    meaning: 'api-load per-endpoint overrides, e.g. `feed=300,vote=50`',
    secret: false,
    readBy: 'k6',
  },
  { name: 'LOADGATE_VUS', alias: 'VUS', default: '100', kind: { type: 'integer', min: 1, max: 10_000 }, meaning: 'mixed peak VUs', secret: false, readBy: 'k6' },
  {
    name: 'LOADGATE_FLUSH_INTERVAL',
    alias: 'BUFFER_FLUSH_INTERVAL',
    default: serviceFlag.bufferFlushInterval.default,
    kind: { type: 'duration', min: '10ms', max: '10m' },
    meaning: "the target's flush interval; also sets the e2e latency threshold (interval + 1 s)",
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_THINK_TIME_SCALE',
    default: '1',
    kind: { type: 'number', min: 0, max: 10 },
    meaning: "multiplies mixed's 0.25–0.75 s think time (`0` removes it)",
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_SEED',
    default: '1',
    kind: { type: 'integer', min: 1, max: 2_147_483_647 },
    meaning: 'seed for the request mix; the same seed sends the same requests',
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_TOKEN',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'a bearer token' },
    meaning: 'a bearer token to use instead of `POST /auth/token`',
    secret: true,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_TOKEN_SECRET',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'a secret name' },
    meaning: 'the secret in `LOADGATE_SECRET_SOURCE` that holds the bearer token; k6 redacts it from logs',
    secret: true,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_ALLOW_HOSTS',
    default: '',
    defaultText: 'none',
    kind: { type: 'list', items: 'host names' },
    meaning: 'extra host names allowed besides loopback',
    secret: false,
    readBy: 'both',
  },
  {
    name: 'LOADGATE_REQUEST_TIMEOUT',
    default: '10s',
    kind: { type: 'duration', min: '100ms', max: '10m' },
    meaning: 'per-request timeout',
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_ALERT_ABORT_SEVERITY',
    default: 'critical',
    kind: { type: 'enum', choices: alertAbortSeverities },
    meaning: 'alerts at or above this severity abort the run',
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_ALERT_TIME_SCALE',
    default: '',
    defaultText: 'per profile',
    kind: { type: 'number', min: 0.01, max: 10 },
    meaning: 'multiplies alert `for` windows (smoke uses 1/12)',
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'LOADGATE_METRICS_URL',
    default: '',
    defaultText: '`BASE_URL/metrics`',
    kind: { type: 'url', off: true },
    meaning: 'Prometheus metrics the alert monitor reads; `off` switches the monitor off',
    secret: false,
    readBy: 'both',
  },
  {
    name: 'LOADGATE_GRPC_ADDR',
    default: '',
    defaultText: "`BASE_URL`'s host, port 9090",
    kind: { type: 'string', format: 'host:port' },
    meaning: 'the gRPC listener for `PROTOCOL=grpc`',
    secret: false,
    readBy: 'k6',
  },
  {
    name: 'K6_CLOUD_TOKEN',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'a Grafana Cloud k6 API token' },
    meaning: '`make cloud`: authenticates k6 with Grafana Cloud k6',
    secret: true,
    readBy: 'k6',
  },
  {
    name: 'K6_WEB_DASHBOARD_PERIOD',
    default: '',
    defaultText: 'per profile',
    kind: { type: 'duration', min: '1s', max: '10m' },
    meaning: 'how often report.html samples the run',
    secret: false,
    readBy: 'both',
  },
  {
    name: 'LOADGATE_RUN_DIR',
    default: '',
    defaultText: 'the run folder',
    kind: { type: 'string', format: 'a folder' },
    meaning: 'where handleSummary writes; empty writes only to stdout',
    secret: false,
    readBy: 'k6',
    internal: true,
  },
  { name: 'K6_WEB_DASHBOARD', default: 'true', kind: { type: 'boolean' }, meaning: 'k6 writes report.html', secret: false, readBy: 'k6', internal: true },
  {
    name: 'K6_WEB_DASHBOARD_PORT',
    default: '-1',
    kind: { type: 'integer', min: -1, max: 65_535 },
    meaning: 'no dashboard listener, so the run ends when the test does',
    secret: false,
    readBy: 'k6',
    internal: true,
  },
  {
    name: 'K6_WEB_DASHBOARD_EXPORT',
    default: '',
    defaultText: 'report.html in the run folder',
    kind: { type: 'string', format: 'a path' },
    meaning: 'where k6 writes report.html',
    secret: false,
    readBy: 'k6',
    internal: true,
  },
  { name: 'K6_NO_USAGE_REPORT', default: 'true', kind: { type: 'boolean' }, meaning: 'k6 sends no usage report', secret: false, readBy: 'k6', internal: true },
  {
    name: 'BENCH_HOLD',
    default: '',
    defaultText: 'set by make bench',
    kind: { type: 'duration', min: '1s', max: '1h' },
    meaning: "bench/held bundles: how long each scenario holds its peak (bench/hold.ts)",
    secret: false,
    readBy: 'k6',
    internal: true,
  },
  {
    name: 'BENCH_CLOSED_VUS',
    default: '',
    defaultText: 'unset: open model',
    kind: { type: 'integer', min: 1, max: 10_000 },
    meaning: 'bench/held bundles: arrival-rate scenarios become this many constant VUs (the ceiling benchmark)',
    secret: false,
    readBy: 'k6',
    internal: true,
  },
] as const satisfies readonly ScenarioVariable[];

export type ScenarioVariableName = (typeof scenarioVariables)[number]['name'];

export function scenarioVariable(name: ScenarioVariableName): Variable {
  return (scenarioVariables as readonly Variable[]).find((entry) => entry.name === name)!;
}

/** The valid values of a kind, in the words error messages and the README use. */
export function describeKind(kind: Kind): string {
  switch (kind.type) {
    case 'string':
      return kind.format;
    case 'enum':
      return kind.choices.join(', ');
    case 'boolean':
      return booleanWords.join(', ');
    case 'integer':
    case 'number':
      return `${kind.type === 'integer' ? 'an integer' : 'a number'} from ${kind.min} to ${kind.max}`;
    case 'duration':
      return `a duration from ${kind.min} to ${kind.max}, such as 500ms, 10s, 1m30s`;
    case 'url':
      if (kind.schemes) return `a ${kind.schemes.map((scheme) => `${scheme}://`).join(' or ')} URL such as ${kind.schemes[0]}://user:password@127.0.0.1:5432/db`;
      return `an http(s) URL such as http://127.0.0.1:8080${kind.off ? ', or off' : ''}`;
    case 'list':
      return `${kind.items}, separated by commas`;
  }
}
