// `make bench`: what the load generator itself costs, measured against bare k6 and against wrk, on
// loopback against the bundled reference target. The generator and the target share the machine's
// cores, so the absolute figures move with the machine; the ratios are the result.
//
//   node --import tsx bench/bench.ts        REPEAT (3), BENCH_RATE (300 requests/s)
//
// 1. Generator overhead: bare-k6.js and loadgate's dist/api-load.js (feed only, smoke shape: 5 s
//    ramp, 25 s plateau at BENCH_RATE) at the same open-model rate; CPU ms per 1,000 requests and
//    peak RSS of the k6 process, sampled from /proc every 200 ms.
// 2. Generator vs wrk: wrk -t1 -c16 -d10s and bare k6 with 16 constant VUs for 10 s; requests/s.
// Writes <RESULTS_DIR>/bench/<UTC stamp>/bench.json and bench.md and prints the Markdown.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { utcStamp } from '../cli/run-folder.ts';
import { k6Binary, projectRoot, scenarioBundle } from '../cli/paths.ts';
import { readSummary } from '../cli/record.ts';
import { startService, type RunningService } from '../cli/service.ts';
import { peakLevel, profileDurationMs, profiles } from '../lib/profiles.ts';
import { endpointNames } from '../thresholds/slo.ts';
import { cleanEnv, spawnCollect } from '../test/integration/harness.ts';

const SAMPLE_MS = 200;
const WRK_SECONDS = 10;
const WRK_CONNECTIONS = 16;
const SHAPE = profiles.smoke;
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

// ---------------------------------------------------------------- settings, bounded

function setting(name: string, fallback: number, max: number, integer: boolean): number {
  const text = process.env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!(value > 0) || value > max || (integer && !Number.isInteger(value))) {
    console.error(`bench: ${name}="${text}" must be a positive ${integer ? 'integer' : 'number'} up to ${max}`);
    process.exit(2);
  }
  return value;
}

const repeat = setting('REPEAT', 3, 20, true);
const rate = setting('BENCH_RATE', 300, 5000, false);
const cores = cpus().length;
const shared = `${cores} cores shared by the load generator and the target`;

// ---------------------------------------------------------------- one measured process

interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  /** utime + stime of the process at its last sample, in ms. */
  cpuMs: number;
  /** VmHWM at its last sample, in KiB. */
  peakRssKb: number;
  samples: number;
  timedOut: boolean;
}

function readUsage(pid: number): { cpuMs: number; hwmKb: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const hwm = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    return { cpuMs: (ticks * 1000) / CLOCK_TICKS, hwmKb: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return null; // Gone between two samples.
  }
}

/** Runs a command to its end (or kills it at timeoutMs), sampling its CPU time and peak RSS. */
async function measure(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Measured> {
  let cpuMs = 0;
  let peakRssKb = 0;
  let samples = 0;
  let timedOut = false;
  let sampler: NodeJS.Timeout | undefined;
  let killer: NodeJS.Timeout | undefined;
  const sample = (pid: number) => {
    const usage = readUsage(pid);
    if (!usage) return;
    samples++;
    cpuMs = Math.max(cpuMs, usage.cpuMs);
    peakRssKb = Math.max(peakRssKb, usage.hwmKb);
  };
  const outcome = await spawnCollect(command, args, env, (pid) => {
    sample(pid);
    sampler = setInterval(() => sample(pid), SAMPLE_MS);
    killer = setTimeout(() => {
      timedOut = true;
      process.kill(pid, 'SIGKILL');
    }, timeoutMs);
  });
  clearInterval(sampler);
  clearTimeout(killer);
  return { ...outcome, cpuMs, peakRssKb, samples, timedOut };
}

// ---------------------------------------------------------------- k6 summaries

type SummaryMetric = { count?: number; rate?: number; values?: { count?: number; rate?: number } };
interface AnySummary {
  metrics: Record<string, SummaryMetric | undefined>;
}

/** Both formats: --summary-export puts count at the top, handleSummary's data under values. */
function metricValue(summary: AnySummary, name: string, field: 'count' | 'rate'): number {
  const metric = summary.metrics[name];
  return metric?.values?.[field] ?? metric?.[field] ?? 0;
}

// ---------------------------------------------------------------- the runs

interface RunRecord {
  kind: 'bare-rate' | 'loadgate-rate' | 'wrk' | 'bare-vus';
  repeat: number;
  exitCode: number;
  elapsedMs: number;
  cpuMs: number;
  peakRssKb: number;
  samples: number;
  requests: number;
  requestsPerSec: number;
  failedRequests: number;
  droppedIterations: number;
  note: string;
}

class RunFailed extends Error {}

const k6 = k6Binary();
const bareScript = resolve(projectRoot, 'bench', 'bare-k6.js');
const shapeMs = profileDurationMs(SHAPE);
const k6TimeoutMs = shapeMs + 60_000;

function failIfBad(kind: string, run: Measured, logDir: string, acceptable: number[]): void {
  if (!run.timedOut && acceptable.includes(run.code)) return;
  const log = join(logDir, `${kind}-failed.log`);
  writeFileSync(log, `exit ${run.code}${run.timedOut ? ' (killed at the time limit)' : ''}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n`);
  throw new RunFailed(`${kind} exited with ${run.code}${run.timedOut ? ' after the time limit' : ''}; see ${log}`);
}

/** Bare k6 (bench/bare-k6.js) with the executor and its settings given through the environment. */
async function bareK6(kind: 'bare-rate' | 'bare-vus', index: number, logDir: string, env: Record<string, string>, timeoutMs: number): Promise<RunRecord> {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-bench-'));
  try {
    const summaryFile = join(dir, 'summary-export.json');
    const run = await measure(
      k6,
      ['run', '--quiet', '--log-format=json', '--summary-export', summaryFile, bareScript],
      cleanEnv(env),
      timeoutMs,
    );
    failIfBad(`${kind}-${index}`, run, logDir, [0]);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as AnySummary;
    return record(kind, index, run, summary, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bare k6 with the smoke profile's shape at BENCH_RATE. */
function bareRate(target: RunningService, index: number, logDir: string): Promise<RunRecord> {
  const stages = SHAPE.stages.map((stage) => `${stage.duration}:${(stage.level / peakLevel(SHAPE)) * rate}`).join(',');
  const env = { BASE_URL: target.baseUrl, BENCH_EXECUTOR: 'ramping-arrival-rate', BENCH_RATE: String(rate), BENCH_STAGES: stages };
  return bareK6('bare-rate', index, logDir, env, k6TimeoutMs);
}

/** loadgate's api-load bundle, feed only, PROFILE=smoke with the feed rate scaled so its plateau is BENCH_RATE. */
async function loadgateRate(target: RunningService, index: number, logDir: string): Promise<RunRecord> {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-bench-'));
  try {
    const feedRate = Number((rate / peakLevel(SHAPE)).toFixed(6));
    // Every endpoint at 0 but feed; api-load ignores the ones it never drives.
    const rates = endpointNames.map((name) => `${name}=${name === 'feed' ? feedRate : 0}`).join(',');
    const run = await measure(
      k6,
      ['run', '--quiet', '--log-format=json', scenarioBundle('api-load')],
      cleanEnv({
        BASE_URL: target.baseUrl,
        PROFILE: 'smoke',
        LOADGATE_RATES: rates,
        LOADGATE_METRICS_URL: 'off',
        LOADGATE_RUN_DIR: dir,
      }),
      k6TimeoutMs,
    );
    // 99 is an SLO verdict on the shared machine, not a failed measurement: recorded, not fatal.
    failIfBad(`loadgate-rate-${index}`, run, logDir, [0, 99]);
    const summary = readSummary(dir);
    if (!summary) throw new Error(`loadgate-rate-${index}: k6 left no summary.json; see ${logDir}`);
    return record('loadgate-rate', index, run, summary, run.code === 99 ? 'k6 exit 99: an SLO threshold failed' : '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bare k6 in a closed loop with as many VUs as wrk has connections. */
function bareVus(target: RunningService, index: number, logDir: string): Promise<RunRecord> {
  const env = { BASE_URL: target.baseUrl, BENCH_EXECUTOR: 'constant-vus', BENCH_VUS: String(WRK_CONNECTIONS), BENCH_DURATION: `${WRK_SECONDS}s` };
  return bareK6('bare-vus', index, logDir, env, WRK_SECONDS * 1000 + 60_000);
}

async function wrk(target: RunningService, index: number, logDir: string): Promise<RunRecord> {
  const run = await measure(
    'wrk',
    [`-t1`, `-c${WRK_CONNECTIONS}`, `-d${WRK_SECONDS}s`, `${target.baseUrl}/api/v1/feed`],
    cleanEnv({}),
    WRK_SECONDS * 1000 + 30_000,
  );
  failIfBad(`wrk-${index}`, run, logDir, [0]);
  const requests = Number(run.stdout.match(/(\d+) requests in/)?.[1] ?? NaN);
  const perSec = Number(run.stdout.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  if (!(requests > 0) || !(perSec > 0)) throw new RunFailed(`wrk-${index}: could not read requests from its output:\n${run.stdout}`);
  const failed = Number(run.stdout.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const errors = run.stdout.match(/Socket errors: (.*)/)?.[1];
  return measured('wrk', index, run, {
    requests,
    requestsPerSec: perSec,
    failedRequests: failed,
    droppedIterations: 0,
    note: errors ? `socket errors: ${errors}` : '',
  });
}

type Counts = Pick<RunRecord, 'requests' | 'requestsPerSec' | 'failedRequests' | 'droppedIterations' | 'note'>;

/** One run's record: what the process cost, next to what it sent. */
function measured(kind: RunRecord['kind'], index: number, run: Measured, counts: Counts): RunRecord {
  return {
    kind,
    repeat: index,
    exitCode: run.code,
    elapsedMs: run.elapsedMs,
    cpuMs: run.cpuMs,
    peakRssKb: run.peakRssKb,
    samples: run.samples,
    ...counts,
  };
}

/** A k6 run's record, its counts read from k6's end-of-test summary. */
function record(kind: RunRecord['kind'], index: number, run: Measured, summary: AnySummary, note: string): RunRecord {
  const requests = metricValue(summary, 'http_reqs', 'count');
  if (!(requests > 0)) throw new RunFailed(`${kind}-${index}: the summary counts no requests`);
  return measured(kind, index, run, {
    requests,
    requestsPerSec: metricValue(summary, 'http_reqs', 'rate'),
    failedRequests: Math.round(metricValue(summary, 'http_req_failed', 'rate') * requests),
    droppedIterations: metricValue(summary, 'dropped_iterations', 'count'),
    note,
  });
}

// ---------------------------------------------------------------- statistics and the machine

interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], values };
}

const cpuPer1000 = (run: RunRecord) => (run.cpuMs * 1000) / run.requests;
const rssMiB = (run: RunRecord) => run.peakRssKb / 1024;

function firstLine(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').find((line) => line.trim())?.trim() ?? 'unknown';
}

function machine(wrkAvailable: boolean) {
  return {
    cores,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    kernel: release(),
    go: firstLine('go', ['version']),
    node: process.version,
    k6: firstLine(k6, ['version']),
    wrk: wrkAvailable ? firstLine('wrk', ['-v']).replace(/\s+Copyright.*$/, '') : 'not installed',
    sharedCores: `The load generator (k6 or wrk) and the reference target run on the same ${cores} cores, so every figure includes their contention.`,
  };
}

/** wrk from Debian when it is missing; one attempt, never fatal. */
function ensureWrk(): boolean {
  const has = () => spawnSync('wrk', ['-v'], { stdio: 'ignore' }).error === undefined;
  if (has()) return true;
  console.error('bench: wrk is not installed; trying "apt-get install -y wrk" once');
  const install = spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 });
  return install.status === 0 && has();
}

// ---------------------------------------------------------------- the report

const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const cell = (s: Spread, digits = 0) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

function command(): string {
  const overrides = ['REPEAT', 'BENCH_RATE', 'K6'].filter((name) => process.env[name] && !(name === 'K6' && process.env.MAKELEVEL));
  const settings = overrides.map((name) => `${name}=${process.env[name]}`).join(' ');
  const base = process.env.MAKELEVEL ? 'make bench' : 'node --import tsx bench/bench.ts';
  return process.env.MAKELEVEL ? `${base}${settings ? ` ${settings}` : ''}` : `${settings ? `${settings} ` : ''}${base}`;
}

function markdown(result: BenchResult): string {
  const m = result.machine;
  const runsOf = (kind: RunRecord['kind']) => result.runs.filter((run) => run.kind === kind);
  const paired = (a: RunRecord[], b: RunRecord[], f: (run: RunRecord) => number) => spread(a.map((run, i) => f(run) / f(b[i])));
  const lines = [
    `# loadgate benchmark ${result.stamp}`,
    '',
    `- command: \`${result.command}\``,
    `- machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}`,
    `- versions: ${m.go}; node ${m.node}; ${m.k6}; wrk: ${m.wrk}`,
    `- **${m.sharedCores}** Absolute numbers move with the machine; read the ratios.`,
    `- each cell: median (min–max) over ${result.repeat} run${result.repeat === 1 ? '' : 's'}; ratios are per-repeat pairs; CPU is the generator process's utime+stime from /proc, sampled every ${SAMPLE_MS} ms (the last ≤${SAMPLE_MS} ms of each run is not seen, alike for every generator)`,
    '',
    `## Generator overhead against bare k6 (${shared})`,
    '',
    `Open model, GET /api/v1/feed, the smoke profile's shape on both sides: ${result.shape.map((s, i) => `${i === 0 ? 'ramp' : 'then'} ${s.duration} to ${fmt(s.ratePerSec)}/s`).join(', ')}.`,
    `Bare: \`bench/bare-k6.js\` (ramping-arrival-rate, no tags, checks or thresholds). loadgate: \`dist/api-load.js\`, PROFILE=smoke, feed only, alert monitor off.`,
    '',
  ];
  const bare = runsOf('bare-rate');
  const lg = runsOf('loadgate-rate');
  lines.push(
    `| measure (${shared}) | bare k6 | loadgate api-load | loadgate / bare |`,
    '|---|---|---|---|',
    `| CPU ms per 1,000 requests | ${cell(spread(bare.map(cpuPer1000)), 1)} | ${cell(spread(lg.map(cpuPer1000)), 1)} | ${cell(paired(lg, bare, cpuPer1000), 2)} |`,
    `| peak RSS, MiB | ${cell(spread(bare.map(rssMiB)), 1)} | ${cell(spread(lg.map(rssMiB)), 1)} | ${cell(paired(lg, bare, rssMiB), 2)} |`,
    `| requests per run | ${cell(spread(bare.map((r) => r.requests)))} | ${cell(spread(lg.map((r) => r.requests)))} | |`,
    `| CPU ms per run | ${cell(spread(bare.map((r) => r.cpuMs)))} | ${cell(spread(lg.map((r) => r.cpuMs)))} | |`,
    `| dropped iterations per run | ${cell(spread(bare.map((r) => r.droppedIterations)))} | ${cell(spread(lg.map((r) => r.droppedIterations)))} | |`,
    `| failed requests per run | ${cell(spread(bare.map((r) => r.failedRequests)))} | ${cell(spread(lg.map((r) => r.failedRequests)))} | |`,
    '',
  );
  const notes = result.runs.filter((run) => run.note).map((run) => `- ${run.kind} run ${run.repeat}: ${run.note}`);
  lines.push(`## Generator against wrk (${shared})`, '');
  if (!result.wrkAvailable) {
    lines.push('Skipped: wrk is not installed and `apt-get install -y wrk` failed.', '');
  } else {
    const w = runsOf('wrk');
    const k = runsOf('bare-vus');
    lines.push(
      `Closed loop, GET /api/v1/feed, ${WRK_CONNECTIONS} connections for ${WRK_SECONDS} s: \`wrk -t1 -c${WRK_CONNECTIONS} -d${WRK_SECONDS}s\` against \`bench/bare-k6.js\` with constant-vus ${WRK_CONNECTIONS}. Both saturate the shared cores, so a lower k6/wrk ratio means k6 itself takes more of the machine from the target.`,
      '',
      `| measure (${shared}) | wrk | bare k6 | k6 / wrk |`,
      '|---|---|---|---|',
      `| requests/s | ${cell(spread(w.map((r) => r.requestsPerSec)))} | ${cell(spread(k.map((r) => r.requestsPerSec)))} | ${cell(paired(k, w, (r) => r.requestsPerSec), 2)} |`,
      `| generator CPU ms per 1,000 requests | ${cell(spread(w.map(cpuPer1000)), 1)} | ${cell(spread(k.map(cpuPer1000)), 1)} | ${cell(paired(k, w, cpuPer1000), 2)} |`,
      `| generator peak RSS, MiB | ${cell(spread(w.map(rssMiB)), 1)} | ${cell(spread(k.map(rssMiB)), 1)} | ${cell(paired(k, w, rssMiB), 2)} |`,
      `| failed requests per run | ${cell(spread(w.map((r) => r.failedRequests)))} | ${cell(spread(k.map((r) => r.failedRequests)))} | |`,
      '',
    );
  }
  if (notes.length) lines.push('## Notes', '', ...notes, '');
  return lines.join('\n');
}

interface BenchResult {
  stamp: string;
  command: string;
  repeat: number;
  ratePerSec: number;
  shape: { duration: string; ratePerSec: number }[];
  machine: ReturnType<typeof machine>;
  wrkAvailable: boolean;
  runs: RunRecord[];
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const stamp = utcStamp();
  const outDir = resolve(projectRoot, process.env.RESULTS_DIR || 'results', 'bench', stamp);
  mkdirSync(outDir, { recursive: true });
  const wrkAvailable = ensureWrk();
  if (!wrkAvailable) console.error('bench: wrk is not available; the wrk comparison is skipped');
  const rounds = repeat * (shapeMs * 2 + (wrkAvailable ? WRK_SECONDS * 2000 : 0));
  console.error(`bench: ${repeat} repeats, about ${Math.ceil(rounds / 60_000) + 1} minutes; ${shared}`);

  let target: RunningService | undefined;
  const onSignal = () => {
    console.error('bench: interrupted; stopping the target');
    void (target?.stop() ?? Promise.resolve()).then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const runs: RunRecord[] = [];
  try {
    target = await startService([], join(outDir, 'service.log'));
    const running = target;
    const step = async (label: string, run: () => Promise<RunRecord>) => {
      console.error(`bench: ${label} …`);
      const done = await run();
      runs.push(done);
      console.error(
        `bench: ${label}: ${fmt(done.requests)} requests, ${fmt(done.requestsPerSec, 1)}/s, ${fmt(cpuPer1000(done), 1)} CPU ms per 1,000, peak RSS ${fmt(rssMiB(done), 1)} MiB (${shared})`,
      );
    };
    for (let i = 1; i <= repeat; i++) {
      // Alternate which side goes first so a drift of the machine does not favour one side.
      const pair: Array<[string, () => Promise<RunRecord>]> = [
        [`run ${i}/${repeat} bare k6 at ${fmt(rate)}/s`, () => bareRate(running, i, outDir)],
        [`run ${i}/${repeat} loadgate api-load at ${fmt(rate)}/s`, () => loadgateRate(running, i, outDir)],
      ];
      if (i % 2 === 0) pair.reverse();
      for (const [label, run] of pair) await step(label, run);
      if (wrkAvailable) {
        await step(`run ${i}/${repeat} wrk, ${WRK_CONNECTIONS} connections`, () => wrk(running, i, outDir));
        await step(`run ${i}/${repeat} bare k6, ${WRK_CONNECTIONS} VUs`, () => bareVus(running, i, outDir));
      }
    }
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    const code = await target?.stop();
    if (code !== undefined && code !== 0) console.error(`bench: the target exited with ${code}; see ${join(outDir, 'service.log')}`);
  }

  const result: BenchResult = {
    stamp,
    command: command(),
    repeat,
    ratePerSec: rate,
    shape: SHAPE.stages.map((stage) => ({ duration: stage.duration, ratePerSec: (stage.level / peakLevel(SHAPE)) * rate })),
    machine: machine(wrkAvailable),
    wrkAvailable,
    runs,
  };
  const md = markdown(result);
  writeFileSync(join(outDir, 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, 'bench.md'), md);
  const shown = relative(process.cwd(), outDir);
  process.stdout.write(`${md}\nwritten: ${shown.startsWith('..') ? outDir : shown}/bench.md and bench.json\n`);
  return 0;
}

// Keep the shape's arithmetic honest: the plateau loadgate computes must be the bare rate.
const plateauPerMinute = Math.round(peakLevel(SHAPE) * Number((rate / peakLevel(SHAPE)).toFixed(6)) * 60);
if (plateauPerMinute !== Math.round(rate * 60)) {
  console.error(`bench: BENCH_RATE=${rate} does not scale exactly onto the smoke profile (${plateauPerMinute}/min)`);
  process.exit(2);
}
if (process.env.BENCH_SECONDS) {
  console.error(`bench: BENCH_SECONDS is ignored: both sides run the smoke profile's shape (${shapeMs / 1000} s), the only short one loadgate has`);
}
process.exitCode = await main();
