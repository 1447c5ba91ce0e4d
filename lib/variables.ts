// Every environment variable loadgate reads, as data: lib/config.ts parses from it, the README table
// and the Makefile's export line are checked against it, meta.json records from it and the test
// harness clears it. A variable added anywhere else is a variable someone forgets to document.
// Bundled into every k6 VU, so it stays plain data plus a few small functions.
import { profileNames } from './profiles.ts';
import { serviceFlag } from '../thresholds/service-contract.ts';
import { redacted, redactText, rememberSecret, secretLooking } from './redact.ts';

export { secretLooking };

export const protocols = ['http', 'grpc'] as const;
export type Protocol = (typeof protocols)[number];
export const alertAbortSeverities = ['critical', 'warning', 'none'] as const;
export const databases = ['sqlite', 'postgres'] as const;
export const caches = ['none', 'redis'] as const;
export const resultsModes = ['private', 'shared'] as const;
/** The reference service's settings `make sweep` can vary (cli/sweep/params.ts says how). */
export const sweepParameters = ['BUFFER_FLUSH_INTERVAL', 'BUFFER_SIZE_LIMIT', 'DB_MAX_OPEN_CONNS', 'GOGC', 'GOMEMLIMIT'] as const;
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
  /** 'k6': the scenario acts on it (the CLI validates it beforehand all the same). */
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

export const variables = [
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
  { name: 'RESULTS_DIR', default: 'results', kind: { type: 'string', format: 'a folder' }, meaning: 'where run folders go', secret: false, readBy: 'cli' },
  {
    name: 'RESULTS_MODE',
    default: 'private',
    kind: { type: 'enum', choices: resultsModes },
    meaning: '`private`: folders loadgate writes are 0700 and files 0600 (umask 077); `shared`: your own umask decides (docs/secrets.md)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'TARGET_ARGS',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'flags, quoted as in a shell' },
    meaning: 'extra flags for the reference service, e.g. `-fault-delay feed=200ms`',
    secret: false,
    readBy: 'cli',
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
    name: 'LOADGATE_SECRET_SOURCE',
    default: '',
    defaultText: 'none',
    // A mock source carries the secrets inline.
    kind: { type: 'string', format: 'a k6 --secret-source' },
    meaning: 'a k6 secret source, e.g. `file=secrets.txt`',
    secret: true,
    readBy: 'cli',
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
    name: 'INSTANCES',
    default: '2',
    kind: { type: 'integer', min: 1, max: 16 },
    meaning: '`make load-distributed`: k6 processes on this machine, each running one execution segment',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'PARALLELISM',
    default: '4',
    kind: { type: 'integer', min: 1, max: 1000 },
    meaning: '`make operator`: k6-operator runners, each running one execution segment',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'RUNS',
    default: '',
    defaultText: 'none',
    kind: { type: 'list', items: 'folders or raw sample files (.json.gz)' },
    meaning: '`make merge`: the runners\' output to merge into one run folder; `make pgo-verify`: runs a side, an integer from 1 to 30 (default 10)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'LOCAL_EXECUTION',
    default: 'off',
    kind: { type: 'boolean' },
    meaning: '`make cloud`: run k6 on this machine and stream results to Grafana Cloud k6 (`k6 cloud run --local-execution`)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'LOADGATE_CLOUD_UPLOAD_ARCHIVE',
    default: 'off',
    kind: { type: 'boolean' },
    meaning: "`make cloud LOCAL_EXECUTION=1`: also upload the test archive (script and the table's non-secret variables) to Grafana Cloud k6; off passes k6's `--no-archive-upload`",
    secret: false,
    readBy: 'cli',
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
    name: 'K6_CLOUD_PROJECT_ID',
    default: '',
    defaultText: 'your default project',
    kind: { type: 'integer', min: 1, max: 2_147_483_647 },
    meaning: '`make cloud`: the Grafana Cloud k6 project the test run belongs to',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'LOADGATE_CLOUD_DISTRIBUTION',
    default: 'amazon:us:ashburn=100',
    kind: { type: 'list', items: 'load-zone=percent pairs adding up to 100' },
    meaning: '`make cloud`: where the cloud generates the load, e.g. `amazon:us:ashburn=60,amazon:ie:dublin=40`',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'PPROF_URL',
    default: '',
    defaultText: "target's debug listener",
    kind: { type: 'url' },
    meaning: 'where to capture profiles',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'PGO',
    default: 'on',
    kind: { type: 'enum', choices: ['on', 'off'] },
    meaning: "how make builds the reference service: `on` uses a committed `service/cmd/loadgate-service/default.pgo` (`go build -pgo=auto`), `off` builds without it; meta.json records which",
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'PGO_OUT',
    default: 'service/cmd/loadgate-service/default.pgo',
    kind: { type: 'string', format: 'a path in an existing folder' },
    meaning: "`make pgo`: where the merged CPU profile goes; another Go service's main package (with `BASE_URL` and `PPROF_URL`)",
    secret: false,
    readBy: 'cli',
  },
  { name: 'PROFILE_CAPTURE', default: 'on', kind: { type: 'boolean' }, meaning: 'capture CPU and end-of-run profiles', secret: false, readBy: 'cli' },
  {
    name: 'DASHBOARD',
    default: 'auto',
    kind: { type: 'enum', choices: ['auto', 'on', 'off'] },
    meaning: "the live k6 web dashboard on 127.0.0.1:5665 (or the next free port); auto: on at a terminal, off in CI (`CI` set) and when output is piped; report.html is exported either way",
    secret: false,
    readBy: 'cli',
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
    name: 'SCENARIO',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'a scenario name (a file in scenarios/)' },
    meaning: '`make baseline` and `make gate`: the scenario to compare; `make sweep`: the scenario to run',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'RUN',
    default: '',
    defaultText: 'none',
    kind: { type: 'list', items: 'run folders' },
    meaning: '`make report`: the run folder; `make baseline` and `make gate`: existing runs to use instead of new ones',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'REPEAT',
    default: '3',
    kind: { type: 'integer', min: 1, max: 10 },
    meaning: 'runs per side for `make baseline` and `make gate` (3 is the least the rank test can use); runs per figure for `make bench`; runs per value for `make sweep`',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'BENCH_RATE',
    default: '300',
    kind: { type: 'integer', min: 1, max: 5000 },
    meaning: '`make bench`: requests/s of the overhead comparison against bare k6',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'GATE_RATES_NOCHANGE',
    default: '10',
    kind: { type: 'integer', min: 1, max: 50 },
    meaning: '`bench/gate-rates.ts`: gates against an unchanged service, for the false-positive rate',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'GATE_RATES_INJECTED',
    default: '',
    defaultText: '5 (`gate-rates.ts`), 10 (`gate-ab-rates.ts`)',
    kind: { type: 'integer', min: 1, max: 100 },
    meaning: "`bench/gate-rates.ts`, `bench/gate-ab-rates.ts`: gates with a slower feed injected, for the detection rate",
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'GATE_RATES_DELAY',
    default: '',
    defaultText: "30% of the baseline's feed p95",
    kind: { type: 'number', min: 0.001, max: 10_000 },
    meaning: '`bench/gate-rates.ts`: milliseconds added to every feed request in the injected gates',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'GATE_RATES_AA',
    default: '30',
    kind: { type: 'integer', min: 1, max: 200 },
    meaning: '`bench/gate-ab-rates.ts`: side-by-side gates of a commit against itself (A/A), for the false-positive rate',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'GATE_RATES_LEVELS',
    default: '0.1,0.25,0.5',
    kind: { type: 'list', items: 'slow-downs as shares of feed p50 and p95, above 0 and at most 5' },
    meaning: '`bench/gate-ab-rates.ts`: the injected slow-downs whose detection rate is measured',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'GATE_ALLOW_OTHER_MACHINE',
    default: 'off',
    kind: { type: 'boolean' },
    meaning: '`make gate` compares with a baseline taken on another machine (different cores, CPU or memory)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'BASE',
    default: '',
    defaultText: 'none (compare with the committed baseline)',
    kind: { type: 'string', format: 'a git ref: HEAD, main~1, origin/main, a SHA' },
    meaning: '`make gate`: build the reference service at this commit and run base and head side by side in alternating rounds on this machine (docs/gate.md)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'GATE_HEAD_ARGS',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'service flags, e.g. -fault-cpu feed=2ms' },
    meaning: '`make gate BASE=…`: extra flags for the head side\'s reference service only (a slowdown for tests and calibration)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'GATE_CMD',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'a shell command with {ref} and {side}' },
    meaning: '`make gate BASE=…` on your own service (`BASE_URL`): starts it at commit {ref} for side {side} (base or head) before each run; the gate then waits for `BASE_URL/healthz`',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'PARAM',
    default: '',
    defaultText: 'none',
    kind: { type: 'enum', choices: sweepParameters },
    meaning: '`make sweep`: the reference service setting to vary (with `SWEEP_CMD`, any name)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'VALUES',
    default: '',
    defaultText: 'none',
    kind: { type: 'list', items: 'values of PARAM' },
    meaning: '`make sweep`: the values to run, e.g. `0.5s,1s,2s,5s`',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'SWEEP_CMD',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'a shell command with {value}' },
    meaning: '`make sweep` on your own service (`BASE_URL`): restarts it with the value (also in the environment as `PARAM`\'s name); the sweep then waits for its health check',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'SWEEP_HEALTH_URL',
    default: '',
    defaultText: '`BASE_URL/healthz`',
    kind: { type: 'url' },
    meaning: '`make sweep` with `SWEEP_CMD`: answers 200 once the restarted service is ready',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'SWEEP_MAX_DB_WRITES',
    default: '1',
    kind: { type: 'number', min: 0.01, max: 100_000 },
    meaning: "`make sweep PARAM=BUFFER_FLUSH_INTERVAL`: the database write transactions per second the recommendation allows",
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'A',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'a run or sweep folder' },
    meaning: '`make optimization-log`: the runs before the change (a sweep folder stands for its recommended value)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'B',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'a run or sweep folder' },
    meaning: '`make optimization-log`: the runs after the change',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'NAME',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'a title' },
    meaning: "`make optimization-log`: the entry's title, e.g. `Flush interval 1s to 2s`",
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'ISSUE',
    default: '',
    defaultText: "A's failed thresholds",
    kind: { type: 'string', format: 'a sentence' },
    meaning: '`make optimization-log`: the problem the change addresses',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'OPTIMIZATION_LOG',
    default: 'docs/optimization-log.md',
    kind: { type: 'string', format: 'a Markdown file' },
    meaning: '`make optimization-log`: the file the entry is appended to',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'DB',
    default: '',
    defaultText: '`sqlite`; `postgres` with `DATABASE_URL`',
    kind: { type: 'enum', choices: databases },
    meaning: "the reference service's database; `postgres` without `DATABASE_URL` starts a throwaway PostgreSQL for the run",
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'DATABASE_URL',
    default: '',
    defaultText: 'none',
    kind: { type: 'url', schemes: ['postgres', 'postgresql'] },
    meaning: 'a PostgreSQL of your own for the reference service; its tables are dropped and reseeded (the password is never recorded)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'CACHE',
    default: 'none',
    kind: { type: 'enum', choices: caches },
    meaning: "`redis` starts a throwaway Redis for the run and the reference service caches feed pages, clips and vote state in it",
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'DB_MAX_OPEN_CONNS',
    default: serviceFlag.dbMaxOpenConns.default,
    kind: { type: 'integer', min: 1, max: 10_000 },
    meaning: "the reference service's connection pool size (on SQLite its read pool)",
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'DB_MAX_IDLE_CONNS',
    default: '',
    defaultText: '`DB_MAX_OPEN_CONNS`',
    kind: { type: 'integer', min: 0, max: 10_000 },
    meaning: 'idle connections the pool keeps; the service opens this many at start (pre-warming)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'DB_CONN_MAX_LIFETIME',
    default: serviceFlag.dbConnMaxLifetime.default,
    kind: { type: 'duration', min: '0s', max: '24h' },
    meaning: 'the pool closes connections older than this (`0s`: never)',
    secret: false,
    readBy: 'cli',
  },
  {
    name: 'DB_CONN_MAX_IDLE_TIME',
    default: serviceFlag.dbConnMaxIdleTime.default,
    kind: { type: 'duration', min: '0s', max: '24h' },
    meaning: 'the pool closes connections idle longer than this (`0s`: never)',
    secret: false,
    readBy: 'cli',
  },
  { name: 'K6', default: '', defaultText: '`.bin/k6` (pinned)', kind: { type: 'string', format: 'a path' }, meaning: 'use another k6 binary', secret: false, readBy: 'cli' },
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
  {
    name: 'TARGET_ENV',
    default: '',
    defaultText: 'none',
    kind: { type: 'string', format: 'NAME=value pairs, separated by spaces' },
    meaning: 'environment variables for the reference service only, e.g. `GOGC=200` (set by `make sweep`; k6 does not get them)',
    secret: false,
    readBy: 'cli',
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
  {
    name: 'CI',
    default: '',
    defaultText: 'set by CI services',
    kind: { type: 'string', format: 'any value' },
    meaning: 'set: DASHBOARD=auto keeps the live dashboard off',
    secret: false,
    readBy: 'cli',
    internal: true,
  },
  {
    name: 'MAKELEVEL',
    default: '',
    defaultText: 'set by make',
    kind: { type: 'string', format: 'a number' },
    meaning: "make's recursion depth: when set, `make bench` names itself, not the node command, as what reproduces it",
    secret: false,
    readBy: 'cli',
    internal: true,
  },
  {
    name: 'GITHUB_STEP_SUMMARY',
    default: '',
    defaultText: 'set by GitHub Actions',
    kind: { type: 'string', format: 'a path' },
    meaning: '`report` appends REPORT.md to this file, `gate` gate.md',
    secret: false,
    readBy: 'cli',
    internal: true,
  },
] as const satisfies readonly Variable[];

export type VariableName = (typeof variables)[number]['name'];

/** The table without its literal types, where entries are handled alike. */
const table: readonly Variable[] = variables;

export function variable(name: VariableName): Variable {
  return table.find((entry) => entry.name === name)!;
}

/** Every name and short alias in the table. Pure, so k6 bundles, which never use it, drop it. */
export const variableNames: readonly string[] = /* @__PURE__ */ table.flatMap((entry) => (entry.alias ? [entry.name, entry.alias] : [entry.name]));

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
    const entry = table.find((candidate) => candidate.name === name || candidate.alias === name);
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
  for (const entry of table) {
    const value = env[entry.name] ?? (entry.alias ? env[entry.alias] : undefined);
    if (entry.kind.type === 'url' && value && redactText(value) !== value) return entry.alias && env[entry.alias] ? entry.alias : entry.name;
  }
  return null;
}

/** The environment k6 runs with: short names copied to the LOADGATE_ names k6 reads, unless those are set. */
export function k6Environment(env: Env): Env {
  const result: Env = { ...env, K6_NO_USAGE_REPORT: 'true' };
  for (const entry of table) {
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
    const entry = table.find((candidate) => candidate.name === name || candidate.alias === name);
    if (entry ? entry.secret : !(name.startsWith('K6_') && !secretLooking.test(name))) continue;
    recorded[name] = name === 'TARGET_ARGS' ? redactArgs(splitArgs(value)).join(' ') : redactText(value);
  }
  return recorded;
}
