// `make bench` (and `make bench-quick`, each benchmark briefly, inside make test): what loadgate
// costs as a load generator and how far the machine goes, on loopback against the reference service.
//
//   node --import tsx bench/bench.ts [--quick]      REPEAT (3; quick 1), BENCH_RATE (300 requests/s)
//
// 1. overhead   api-load (feed only) and bench/bare-k6.js at BENCH_RATE: k6 CPU per 1,000 requests,
//               peak RSS, ratios per repeat; then one k6 CPU profile of each (--profiling-enabled).
// 2. ceiling    closed model, no think time, 16 VUs/connections: loadgate, bare k6 and wrk.
// 3. memory     peak RSS of mixed at 100 and 1,000 VUs; MB per VU from the difference.
// 4. events     highest event rate event-ingestion holds 60 s (no drops, no 503s, ingest p95 < 100 ms).
// 5. capacity   highest api-load rate at which every SLO threshold holds, in steps.
// 6. accuracy   feed with 20 ms injected: loadgate's p50/p95 against vegeta's at the same rate.
// 7. start-up   esbuild time for every bundle; k6's time to initialise mixed's VUs (from item 3).
// k6 and the target are pinned to separate cores (taskset) where a comparison of generators is
// made (1, 2, 6); items 3–5 measure the machine and leave both on both cores.
// Writes <RESULTS_DIR>/bench/<UTC stamp>/bench.json and bench.md and prints the Markdown.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { LoadgateError, orExit } from '../cli/exit-codes.ts';
import { utcStamp } from '../cli/run-folder.ts';
import { k6Binary, projectRoot, serviceBinary } from '../cli/paths.ts';
import { readSummary } from '../cli/record.ts';
import { ratioInterval } from '../cli/runs/stats.ts';
import { startService, type RunningService } from '../cli/service.ts';
import { hostEnvironment, numeric, text } from '../cli/settings.ts';
import type { K6Summary } from '../lib/summary/model.ts';
import { endpointNames } from '../thresholds/reference-endpoints.ts';
import { latencyKey } from '../thresholds/keys.ts';
import { cleanEnv, spawnCollect } from '../test/integration/harness.ts';
import { benchHeader, benchTable, fmt, guardViolations, type Spread } from './render.ts';

const env = hostEnvironment();
const quick = process.argv.includes('--quick');
/** GNU time (Debian's `time`): the child's exact rusage. */
const gnuTime = '/usr/bin/time';
// Everything that can be refused is refused here, before any process starts: exit 2 or 104.
const { repeat, rate } = orExit(() => {
  const unknownArgs = process.argv.slice(2).filter((arg) => arg !== '--quick');
  if (unknownArgs.length) throw new LoadgateError('badCommandLine', `unknown argument ${unknownArgs.join(' ')}; the only one is --quick`);
  if (!existsSync(gnuTime)) throw new LoadgateError('badCommandLine', `${gnuTime} is missing; run "make debian-packages" (it installs Debian's time)`);
  return { repeat: numeric(env, 'REPEAT', quick ? 1 : 5), rate: numeric(env, 'BENCH_RATE') };
}, 'bench');
const cores = cpus().length;
const pin = cores >= 2;
const k6 = k6Binary(env);

/** Every duration of the run, in one place: the full plan stays under 20 minutes on 2 cores. */
const plan = quick
  ? { overheadS: 5, profileS: 0, ceilingS: 3, memoryVus: [10, 50], scaleVus: 0, memoryS: 3, eventProbeS: 4, eventHoldS: 0, eventStart: 2000, capacityS: 4, capacitySteps: [200], accuracyS: 4 }
  : { overheadS: 20, profileS: 10, ceilingS: 10, memoryVus: [100, 1000], scaleVus: 5000, memoryS: 15, eventProbeS: 10, eventHoldS: 60, eventStart: 10000, capacityS: 15, capacitySteps: [500, 1000, 2000, 3000, 4000, 5000, 6000, 8000], accuracyS: 15 };
const CLOSED_VUS = 16;
const ACCURACY_RATE = 100;
const INJECTED_MS = 20;
// Issue 23's goals: the ceiling's median and its worst repeat are both judged.
const goals = { cpuRatio: 1.15, rssRatio: 1.15, ceilingRatio: 0.95, ceilingFloor: 0.85, mbPerVu: 1.0, eventsPerSec: 50_000, capacityRps: 5000, p50DiffMs: 1, buildS: 1 };

// ---------------------------------------------------------------- processes, measured

interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  cpuMs: number;
  peakRssKb: number;
  /** From spawn until k6's REST API reported its VUs initialised, when asked for. */
  initMs: number | null;
  timedOut: boolean;
}

/** Every process whose parent is `pid`, from /proc (the k6 under /usr/bin/time, say). */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** k6's execution status from its REST API (3 = VUs and executors initialised). */
async function k6Status(apiPort: number): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${apiPort}/v1/status`, { signal: AbortSignal.timeout(500) });
    return ((await response.json()) as { data?: { attributes?: { status?: number } } }).data?.attributes?.status ?? 0;
  } catch {
    return 0;
  }
}

/**
 * Runs a command to its end (killed at timeoutMs); `core` pins it. CPU time and peak RSS are the
 * child's own rusage as wait4 returns it (GNU time's %U %S %M), so the last moments before exit
 * count too, which sampling /proc would miss.
 */
async function measure(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, opts: { core?: number; apiPort?: number } = {}): Promise<Measured> {
  let initMs: number | null = null;
  let timedOut = false;
  let killer: NodeJS.Timeout | undefined;
  const started = Date.now();
  const usageFile = join(mkdtempSync(join(tmpdir(), 'loadgate-usage-')), 'usage');
  const timed = [gnuTime, '-q', '-o', usageFile, '-f', '%U %S %M', command, ...args];
  const [cmd, ...rest] = opts.core !== undefined && pin ? ['taskset', '-c', String(opts.core), ...timed] : timed;
  const outcome = await spawnCollect(cmd, rest, env, (pid) => {
    killer = setTimeout(() => {
      timedOut = true;
      for (const child of childPids(pid)) process.kill(child, 'SIGKILL');
    }, timeoutMs);
    if (opts.apiPort) {
      const poll = async () => {
        while (initMs === null && !timedOut && Date.now() - started < timeoutMs) {
          if ((await k6Status(opts.apiPort!)) >= 3) initMs = Date.now() - started;
          else await new Promise((r) => setTimeout(r, 50));
        }
      };
      void poll();
    }
  });
  clearTimeout(killer);
  // A killed child leaves "Command terminated by signal 9" on the line before the figures.
  const figures = existsSync(usageFile) ? readFileSync(usageFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) : [];
  rmSync(dirname(usageFile), { recursive: true, force: true });
  const [user, system, maxRssKb] = figures.length === 3 && figures.every(Number.isFinite) ? figures : [NaN, NaN, NaN];
  return { ...outcome, cpuMs: (user + system) * 1000, peakRssKb: maxRssKb, initMs, timedOut };
}

let logDir = '';
function failIfBad(label: string, run: Measured, acceptable: number[]): void {
  if (!run.timedOut && acceptable.includes(run.code)) return;
  const log = join(logDir, `${label.replace(/\W+/g, '-')}-failed.log`);
  writeFileSync(log, `exit ${run.code}${run.timedOut ? ' (killed at the time limit)' : ''}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n`);
  throw new LoadgateError('k6Failed', `${label} exited with ${run.code}${run.timedOut ? ' after the time limit' : ''}; see ${log}`);
}

// ---------------------------------------------------------------- k6 runs

type Values = Record<string, number>;
const metric = (summary: K6Summary | null, name: string): Values => (summary?.metrics[name]?.values ?? {}) as Values;
/**
 * The scenario's own requests: the sum of its endpoints' http_reqs, without setup's probes or the
 * alert monitor's scrapes (bare k6 sends feed requests only). A summary without endpoint
 * submetrics (bare k6's) counts every request.
 */
function scenarioRequests(summary: K6Summary | null): number {
  const own = Object.keys(summary?.metrics ?? {}).filter((name) => /^http_reqs\{endpoint:[^,}]+\}$/.test(name));
  return own.length ? own.reduce((total, name) => total + (metric(summary, name).count ?? 0), 0) : (metric(summary, 'http_reqs').count ?? 0);
}
const feedOnly = endpointNames.map((name) => `${name}=${name === 'feed' ? 1 : 0}`).join(',');

/**
 * Go heap allocations per request in the middle of a run, from k6's own runtime counters
 * (/debug/pprof/allocs?debug=1, with --profiling-enabled) and its REST API's request count. Unlike
 * CPU time they do not depend on how busy the machine is: the same script allocates the same
 * within a fraction of a percent run to run, so a cut too small for CPU's noise still shows here.
 */
interface HeapWindow {
  mallocsPerRequest: number;
  bytesPerRequest: number;
  /** Requests over the window's wall time: a rate with neither start-up nor summary in it. */
  requestsPerSec: number;
  /**
   * k6's CPU ms per request over the window, from the kernel's own accounting of the process
   * (/proc/<pid>/stat utime + stime, the figures getrusage sums): per request without start-up,
   * setup's probes or the summary. In clock ticks of 10 ms, so 1% coarse over about 1 s of CPU.
   * Null when the process could not be found.
   */
  cpuMsPerRequest: number | null;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every architecture k6 ships for. */
const clockTicksPerSecond = 100;

/** Every process on the machine whose /proc entries pass `test`; one that exits meanwhile fails it. */
function processesWhere(test: (pid: number) => boolean): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return test(pid);
      } catch {
        return false;
      }
    });
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): [0] is the state, [1] the parent. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The k6 process serving its REST API on `port` (its --address names the port, once per run). */
function k6Pid(port: number): number | null {
  const wanted = `--address\u0000127.0.0.1:${port}\u0000`;
  return processesWhere((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'k6' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(wanted))[0] ?? null;
}

/** User plus system CPU of a process so far, in ms (utime and stime of /proc/<pid>/stat). */
function cpuMsOf(pid: number | null): number {
  if (pid === null) return NaN;
  try {
    const fields = statFields(pid);
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
  } catch {
    return NaN;
  }
}

async function heapCounters(port: number, pid: number | null): Promise<{ mallocs: number; bytes: number; requests: number; cpuMs: number }> {
  const signal = () => AbortSignal.timeout(5000);
  const cpuMs = cpuMsOf(pid);
  const stats = await (await fetch(`http://127.0.0.1:${port}/debug/pprof/allocs?debug=1`, { signal: signal() })).text();
  const field = (name: string) => Number(stats.match(new RegExp(`^# ${name} = (\\d+)$`, 'm'))?.[1] ?? NaN);
  const reqs = (await (await fetch(`http://127.0.0.1:${port}/v1/metrics/http_reqs`, { signal: signal() })).json()) as { data?: { attributes?: { sample?: { count?: number } } } };
  return { mallocs: field('Mallocs'), bytes: field('TotalAlloc'), requests: reqs.data?.attributes?.sample?.count ?? NaN, cpuMs };
}

/** From the first request on, the counters a quarter and three quarters into the hold. */
async function heapWindow(port: number, seconds: number): Promise<HeapWindow | null> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const first = await heapCounters(port, null).catch(() => null);
      if (first && first.requests > 0) break;
      if (Date.now() > deadline) return null;
      await sleep(200);
    }
    const pid = k6Pid(port);
    await sleep(seconds * 250);
    const a = await heapCounters(port, pid);
    const from = performance.now();
    await sleep(seconds * 500);
    const b = await heapCounters(port, pid);
    const requests = b.requests - a.requests;
    const windowS = (performance.now() - from) / 1000;
    const cpuMsPerRequest = Number.isFinite(b.cpuMs - a.cpuMs) ? (b.cpuMs - a.cpuMs) / requests : null;
    return requests > 0 ? { mallocsPerRequest: (b.mallocs - a.mallocs) / requests, bytesPerRequest: (b.bytes - a.bytes) / requests, requestsPerSec: requests / windowS, cpuMsPerRequest } : null;
  } catch {
    return null;
  }
}

interface K6Run extends Measured {
  requests: number;
  perSec: number;
  /** Iterations of the load itself: setup's pre-flight requests are not iterations. */
  iterations: number;
  dropped: number;
  summary: K6Summary | null;
  /** With `heap`: allocations per request in the middle of the hold. */
  heap: HeapWindow | null;
}

/** One k6 run of a bench/held entry (or bare-k6.js), its summary read from the run folder or --summary-export. */
async function k6Run(label: string, script: string, env: Record<string, string>, seconds: number, opts: { core?: number; initTime?: boolean; heap?: boolean; profile?: (port: number) => Promise<void>; accept?: number[] } = {}): Promise<K6Run> {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-bench-'));
  try {
    const apiPort = await freePort();
    const bare = script.endsWith('bare-k6.js');
    const args = ['run', '--quiet', '--log-format=json', '--address', `127.0.0.1:${apiPort}`];
    if (opts.profile || opts.heap) args.push('--profiling-enabled');
    if (bare) args.push('--summary-export', join(dir, 'summary.json'));
    const running = measure(k6, [...args, script], cleanEnv({ LOADGATE_RUN_DIR: dir, LOADGATE_METRICS_URL: 'off', ...env }), seconds * 1000 + 120_000, {
      core: opts.core,
      apiPort: opts.initTime ? apiPort : undefined,
    });
    const heap = opts.heap ? heapWindow(apiPort, seconds) : Promise.resolve(null);
    if (opts.profile) await opts.profile(apiPort);
    const run = await running;
    // 99: an SLO verdict on a shared machine, recorded (capacity and events judge it themselves).
    failIfBad(label, run, opts.accept ?? [0, 99]);
    const raw = existsSync(join(dir, 'summary.json')) ? JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) : null;
    // --summary-export puts the values at the top of each metric, handleSummary under `values`.
    const summary: K6Summary | null = bare && raw ? { ...raw, metrics: Object.fromEntries(Object.entries(raw.metrics).map(([k, v]) => [k, { values: v }])) } : readSummary(dir);
    const reqs = metric(summary, 'http_reqs');
    return { ...run, requests: scenarioRequests(summary), perSec: reqs.rate ?? 0, iterations: metric(summary, 'iterations').count ?? 0, dropped: metric(summary, 'dropped_iterations').count ?? 0, summary, heap: await heap };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bundle = (name: string) => resolve(projectRoot, 'dist', `${name}.js`);
const bareScript = resolve(projectRoot, 'bench', 'bare-k6.js');
const heldEntries = ['held-api-load', 'held-mixed', 'held-event-ingestion'];

// ---------------------------------------------------------------- statistics


function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  // [min, max] of n runs holds the median of the runs' distribution with probability 1 − 2·0.5^n,
  // whatever that distribution is: 93.75% at 5 runs, 96.9% at 6.
  const coverage = values.length > 1 ? 1 - 2 * 0.5 ** values.length : 0;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], coverage, values };
}

/** A ratio's spread with the 95% interval of its geometric mean over the repeats (cli/runs/stats.ts). */
function ratioSpread(ratios: number[]): Spread {
  return { ...spread(ratios), interval: ratioInterval(ratios) };
}

const per1000 = (run: { cpuMs: number; requests: number }) => (run.cpuMs * 1000) / run.requests;
const mib = (run: { peakRssKb: number }) => run.peakRssKb / 1024;

// ---------------------------------------------------------------- the service

let services: RunningService[] = [];

/** Children of this process running the service binary (startService does not expose the pid). */
function servicePids(): number[] {
  return processesWhere((pid) => Number(statFields(pid)[1]) === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(serviceBinary));
}

function pinServices(core: number | null): void {
  if (!pin) return;
  for (const pid of servicePids()) spawnSync('taskset', ['-a', '-cp', core === null ? `0-${cores - 1}` : String(core), String(pid)], { stdio: 'ignore' });
}

async function service(args: string[], log: string): Promise<RunningService> {
  const started = await startService(args, join(logDir, log));
  services.push(started);
  return started;
}

// ---------------------------------------------------------------- 1. overhead and profiles

const PROFILE_ROWS = 14;

function pprofTop(file: string): string[] {
  const result = spawnSync('go', ['tool', 'pprof', '-top', `-nodecount=${PROFILE_ROWS}`, k6, file], { encoding: 'utf8', timeout: 60_000 });
  const lines = (result.stdout ?? '').split('\n');
  const header = lines.findIndex((line) => line.trim().startsWith('flat'));
  return header < 0 ? [`(go tool pprof failed: ${(result.stderr ?? '').trim().split('\n')[0]})`] : lines.slice(header, header + PROFILE_ROWS + 1);
}

/** Cumulative share of the k6 frames that tell where loadgate's extra time goes. */
function pprofFocus(file: string): string[] {
  const result = spawnSync('go', ['tool', 'pprof', '-top', '-cum', '-nodecount=400', k6, file], { encoding: 'utf8', timeout: 60_000 });
  const wanted = /(http\.\(\*Client\)\.Request|K6\)\.Check|builtinJSON_parse|Response\)\.JSON|XCounter|newScenarioInfo|stringproto_replace|asyncRunner\)\.start|gcBgMarkWorker|VU\)\.runFn)$/;
  return (result.stdout ?? '').split('\n').filter((line) => wanted.test(line.trim()));
}

/** Allocations and bytes per request of each side, and their ratio; null when a window was missed. */
function heapSpreads(pairs: Array<{ bare: K6Run; loadgate: K6Run }>) {
  const windows = pairs.map((p) => ({ bare: p.bare.heap, loadgate: p.loadgate.heap }));
  if (windows.some((w) => !w.bare || !w.loadgate)) return null;
  const sides = windows as Array<{ bare: HeapWindow; loadgate: HeapWindow }>;
  return {
    bareMallocs: spread(sides.map((w) => w.bare.mallocsPerRequest)),
    loadgateMallocs: spread(sides.map((w) => w.loadgate.mallocsPerRequest)),
    mallocRatio: ratioSpread(sides.map((w) => w.loadgate.mallocsPerRequest / w.bare.mallocsPerRequest)),
    bareBytes: spread(sides.map((w) => w.bare.bytesPerRequest)),
    loadgateBytes: spread(sides.map((w) => w.loadgate.bytesPerRequest)),
  };
}

/**
 * Both sides started together; which starts first alternates with the repeat, as in the runs one
 * after the other: an A/A pair of bare k6 made the later start the costlier by a few percent in 6
 * of 9 pairs.
 */
async function atOnce<T>(repeatIndex: number, bare: () => Promise<T>, loadgate: () => Promise<T>): Promise<{ bare: T; loadgate: T }> {
  if (repeatIndex % 2) {
    const [b, l] = await Promise.all([bare(), loadgate()]);
    return { bare: b, loadgate: l };
  }
  const [l, b] = await Promise.all([loadgate(), bare()]);
  return { bare: b, loadgate: l };
}

/**
 * The pair twice, bare k6 started first and then loadgate, and a ratio of the two as their geometric
 * mean: a start-order effect that multiplies one side cancels. The later start was the costlier in
 * most single pairs (docs/benchmarks.md).
 */
async function bothOrders<T>(i: number, bare: (order: number) => Promise<T>, loadgate: (order: number) => Promise<T>) {
  const pairs: Array<{ bare: T; loadgate: T }> = [];
  for (const order of [2 * i - 1, 2 * i]) pairs.push(await atOnce(order, () => bare(order), () => loadgate(order)));
  return { pairs, ratio: (of: (side: T) => number) => Math.sqrt((of(pairs[0].loadgate) / of(pairs[0].bare)) * (of(pairs[1].loadgate) / of(pairs[1].bare))) };
}

async function overhead(target: RunningService) {
  // The alert monitor on, scraping the service, as a user's run has it: its scrapes are loadgate's
  // own cost. Only the feed's requests count (http_reqs of the endpoint), not the monitor's or setup's.
  const rateEnv = { BASE_URL: target.baseUrl, PROFILE: 'baseline', LOADGATE_RATES: feedOnly.replace('feed=1', `feed=${rate}`), BENCH_HOLD: `${plan.overheadS}s`, LOADGATE_METRICS_URL: `${target.baseUrl}/metrics` };
  const bareEnv = { BASE_URL: target.baseUrl, BENCH_EXECUTOR: 'constant-arrival-rate', BENCH_RATE: String(rate), BENCH_DURATION: `${plan.overheadS}s` };
  const pairs: Array<{ bare: K6Run; loadgate: K6Run }> = [];
  const cpuRatios: number[] = [];
  const rssRatios: number[] = [];
  const aaRatios: number[] = [];
  // The same ratios over the middle half of each hold (heapWindow): per request without start-up,
  // setup or summary, which a 20 s hold weighs far more than a run of minutes does.
  const windowRatios: number[] = [];
  const windowAaRatios: number[] = [];
  const windowCpu = (run: K6Run) => run.heap?.cpuMsPerRequest ?? NaN;
  for (let i = 1; i <= repeat; i++) {
    // Both sides at once, on the same core: this machine's speed swings from one 20 s run to the
    // next by more than the overhead measured (bare k6 alone: 268–464 ms per 1,000 requests over six
    // runs), so runs one after the other compared two machines. Run together, the two share every
    // slow spell, each k6 keeps its own rusage, and at this rate the core stays far from busy.
    const run = await bothOrders(
      i,
      (order) => k6Run(`overhead bare ${i}.${order}`, bareScript, bareEnv, plan.overheadS, { core: 1, heap: true }),
      (order) => k6Run(`overhead loadgate ${i}.${order}`, bundle('held-api-load'), rateEnv, plan.overheadS, { core: 1, heap: true }),
    );
    const both = run.pairs;
    pairs.push(...both);
    const cpu = run.ratio(per1000);
    const rss = run.ratio(mib);
    cpuRatios.push(cpu);
    rssRatios.push(rss);
    windowRatios.push(run.ratio(windowCpu));
    // The method's own noise: the same two pairs with bare k6 in loadgate's place, whose true ratio is 1.
    const aa = await bothOrders(
      i,
      (order) => k6Run(`overhead A/A ${i}.${order} bare`, bareScript, bareEnv, plan.overheadS, { core: 1, heap: true }),
      (order) => k6Run(`overhead A/A ${i}.${order} bare as loadgate`, bareScript, bareEnv, plan.overheadS, { core: 1, heap: true }),
    );
    aaRatios.push(aa.ratio(per1000));
    windowAaRatios.push(aa.ratio(windowCpu));
    note(`overhead ${i}/${repeat}: CPU ratio ${fmt(cpu, 3)} (pairs ${both.map((p) => `${fmt(per1000(p.loadgate), 1)} / ${fmt(per1000(p.bare), 1)}`).join(', ')} ms per 1,000 requests), A/A ${fmt(aaRatios[i - 1], 3)}; middle of the hold ${fmt(windowRatios[i - 1], 3)}, A/A ${fmt(windowAaRatios[i - 1], 3)}; RSS ratio ${fmt(rss, 3)}; allocations per request ${both.map((p) => `${fmt(p.loadgate.heap?.mallocsPerRequest ?? NaN, 1)} / ${fmt(p.bare.heap?.mallocsPerRequest ?? NaN, 1)}`).join(', ')}`);
  }
  const profiles: Record<string, { top: string[]; focus: string[] }> = {};
  if (plan.profileS) {
    for (const [side, script, env] of [['bare', bareScript, bareEnv], ['loadgate', bundle('held-api-load'), rateEnv]] as const) {
      const file = join(logDir, `k6-cpu-${side}.pb.gz`);
      await k6Run(`profile ${side}`, script, { ...env }, plan.overheadS, {
        core: 1,
        profile: async (port) => {
          await new Promise((r) => setTimeout(r, 5000));
          const response = await fetch(`http://127.0.0.1:${port}/debug/pprof/profile?seconds=${plan.profileS}`, { signal: AbortSignal.timeout((plan.profileS + 30) * 1000) });
          writeFileSync(file, Buffer.from(await response.arrayBuffer()));
        },
      });
      profiles[side] = { top: pprofTop(file), focus: pprofFocus(file) };
    }
  }
  return {
    ratePerSec: rate,
    seconds: plan.overheadS,
    bareCpuPer1000: spread(pairs.map((p) => per1000(p.bare))),
    loadgateCpuPer1000: spread(pairs.map((p) => per1000(p.loadgate))),
    cpuRatio: ratioSpread(cpuRatios),
    cpuAaRatio: ratioSpread(aaRatios),
    windowCpuRatio: ratioSpread(windowRatios),
    windowCpuAaRatio: ratioSpread(windowAaRatios),
    bareWindowCpuPer1000: spread(pairs.map((p) => windowCpu(p.bare) * 1000)),
    loadgateWindowCpuPer1000: spread(pairs.map((p) => windowCpu(p.loadgate) * 1000)),
    bareRssMiB: spread(pairs.map((p) => mib(p.bare))),
    loadgateRssMiB: spread(pairs.map((p) => mib(p.loadgate))),
    rssRatio: ratioSpread(rssRatios),
    dropped: spread(pairs.map((p) => p.loadgate.dropped + p.bare.dropped)),
    heap: heapSpreads(pairs),
    profiles,
  };
}

// ---------------------------------------------------------------- 2. ceiling

/** make bench installs Debian's wrk (scripts/ensure-debian-packages.sh); run directly, it may be missing. */
function wrkAvailable(): boolean {
  const has = spawnSync('wrk', ['-v'], { stdio: 'ignore' }).error === undefined;
  if (!has) note('wrk is not installed ("make debian-packages" installs it); the ceiling has no wrk reference');
  return has;
}

async function wrkRun(url: string, seconds: number): Promise<number> {
  const run = await measure('wrk', ['-t1', `-c${CLOSED_VUS}`, `-d${seconds}s`, url], cleanEnv({}), seconds * 1000 + 30_000, { core: 1 });
  failIfBad('wrk', run, [0]);
  const perSec = Number(run.stdout.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  if (!(perSec > 0)) throw new LoadgateError('k6Failed', `wrk: could not read requests/s from its output:\n${run.stdout}`);
  return perSec;
}

async function ceiling(target: RunningService, withWrk: boolean) {
  const rows: Array<{ bare: number; loadgate: number; pairBare: number; pairLoadgate: number; wrk: number | null }> = [];
  const baseEnv = { BASE_URL: target.baseUrl, BENCH_EXECUTOR: 'constant-vus', BENCH_VUS: String(CLOSED_VUS), BENCH_DURATION: `${plan.ceilingS}s` };
  const loadgateEnv = { BASE_URL: target.baseUrl, PROFILE: 'baseline', LOADGATE_RATES: feedOnly, BENCH_HOLD: `${plan.ceilingS}s`, BENCH_CLOSED_VUS: String(CLOSED_VUS) };
  const held = (label: string, run: K6Run) => {
    if (!run.heap) throw new LoadgateError('k6Failed', `${label}: no mid-run request count from k6's REST API`);
    return run.heap.requestsPerSec;
  };
  for (let i = 1; i <= repeat; i++) {
    // The ratio from both at once, on one core, as the overhead pairs (the machine's slow spells
    // hit both), against one service: the two compete for the generator's core and the service's,
    // and the ratio is the share of the requests loadgate wins. Each alone too: what one core
    // generates, for sizing runners, and bare k6 against wrk. Rates are from the middle half of each
    // run (heapWindow): http_reqs.rate divides by the whole run, which for loadgate also holds
    // setup's probes and handleSummary.
    const { bare: pairBare, loadgate: pairLoadgate } = await atOnce(
      i,
      () => k6Run(`ceiling pair bare ${i}`, bareScript, baseEnv, plan.ceilingS, { core: 1, heap: true }),
      () => k6Run(`ceiling pair loadgate ${i}`, bundle('held-api-load'), loadgateEnv, plan.ceilingS, { core: 1, heap: true }),
    );
    const bare = await k6Run(`ceiling bare ${i}`, bareScript, baseEnv, plan.ceilingS, { core: 1, heap: true });
    const loadgate = await k6Run(`ceiling loadgate ${i}`, bundle('held-api-load'), loadgateEnv, plan.ceilingS, { core: 1, heap: true });
    const wrk = withWrk ? await wrkRun(`${target.baseUrl}/api/v1/feed`, plan.ceilingS) : null;
    const row = { bare: held('ceiling bare', bare), loadgate: held('ceiling loadgate', loadgate), pairBare: held('ceiling pair', pairBare), pairLoadgate: held('ceiling pair', pairLoadgate), wrk };
    rows.push(row);
    note(`ceiling ${i}/${repeat}: at once loadgate ${fmt(row.pairLoadgate)}/s, bare k6 ${fmt(row.pairBare)}/s; alone loadgate ${fmt(row.loadgate)}/s, bare k6 ${fmt(row.bare)}/s, wrk ${wrk === null ? 'skipped' : `${fmt(wrk)}/s`}`);
  }
  const withW = rows.filter((row) => row.wrk !== null) as Array<{ bare: number; loadgate: number; wrk: number }>;
  return {
    vus: CLOSED_VUS,
    seconds: plan.ceilingS,
    loadgatePerSec: spread(rows.map((r) => r.loadgate)),
    barePerSec: spread(rows.map((r) => r.bare)),
    wrkPerSec: withW.length ? spread(withW.map((r) => r.wrk)) : null,
    pairLoadgatePerSec: spread(rows.map((r) => r.pairLoadgate)),
    pairBarePerSec: spread(rows.map((r) => r.pairBare)),
    loadgateOverBare: ratioSpread(rows.map((r) => r.pairLoadgate / r.pairBare)),
    bareOverWrk: withW.length ? ratioSpread(withW.map((r) => r.bare / r.wrk)) : null,
  };
}

// ---------------------------------------------------------------- 3. memory per VU and 7b. init time

async function memory(target: RunningService) {
  const byVus: Record<number, { rssMiB: number[]; initS: number[] }> = {};
  const heldMixed = async (vus: number, label: string) => {
    const run = await k6Run(`memory ${vus} VUs ${label}`, bundle('held-mixed'), { BASE_URL: target.baseUrl, PROFILE: 'baseline', LOADGATE_VUS: String(vus), LOADGATE_THINK_TIME_SCALE: '4', BENCH_HOLD: `${plan.memoryS}s` }, plan.memoryS + 60 + vus / 50, { initTime: true });
    note(`memory ${label}: mixed at ${vus} VUs, peak RSS ${fmt(mib(run), 1)} MiB, VUs initialised after ${run.initMs === null ? '?' : fmt(run.initMs / 1000, 2)} s`);
    return { rssMiB: mib(run), initS: run.initMs === null ? null : run.initMs / 1000 };
  };
  for (let i = 1; i <= repeat; i++) {
    for (const vus of plan.memoryVus) {
      const { rssMiB, initS } = await heldMixed(vus, `${i}/${repeat}`);
      (byVus[vus] ??= { rssMiB: [], initS: [] }).rssMiB.push(rssMiB);
      if (initS !== null) byVus[vus].initS.push(initS);
    }
  }
  const [low, high] = plan.memoryVus;
  const perVu = byVus[high].rssMiB.map((rss, i) => ((rss - byVus[low].rssMiB[i]) * 1.048576) / (high - low));
  // One run at the scale point: how far the per-VU cost holds when a runner is packed with VUs.
  const scale = plan.scaleVus ? { vus: plan.scaleVus, ...(await heldMixed(plan.scaleVus, 'scale point')) } : null;
  return {
    scale: scale && { ...scale, mbPerVuFromLow: ((scale.rssMiB - spread(byVus[low].rssMiB).median) * 1.048576) / (scale.vus - low) },
    vus: plan.memoryVus,
    seconds: plan.memoryS,
    rssMiB: Object.fromEntries(plan.memoryVus.map((v) => [v, spread(byVus[v].rssMiB)])),
    mbPerVu: spread(perVu),
    initSeconds: Object.fromEntries(plan.memoryVus.filter((v) => byVus[v].initS.length).map((v) => [v, spread(byVus[v].initS)])),
  };
}

// ---------------------------------------------------------------- 4. event ingestion

interface EventProbe {
  protocol: string;
  eventsPerSec: number;
  seconds: number;
  ok: boolean;
  dropped: number;
  rejectedRate: number;
  p95Ms: number | null;
  why: string;
}

async function eventProbe(target: RunningService, protocol: 'http' | 'grpc', eventsPerSec: number, seconds: number): Promise<EventProbe> {
  const run = await k6Run(`events ${protocol} ${eventsPerSec}/s`, bundle('held-event-ingestion'), {
    BASE_URL: target.baseUrl,
    LOADGATE_GRPC_ADDR: target.grpcAddr,
    PROFILE: 'baseline',
    PROTOCOL: protocol,
    LOADGATE_EVENTS_PER_SEC: String(eventsPerSec),
    BENCH_HOLD: `${seconds}s`,
  }, seconds);
  const dropped = metric(run.summary, 'dropped_iterations').count ?? 0;
  const rejectedRate = metric(run.summary, 'loadgate_ingest_rejected').rate ?? 0;
  const p95 = metric(run.summary, latencyKey('events_ingest', protocol))['p(95)'] ?? null;
  const failures = [dropped > 0 && `${dropped} dropped iterations`, rejectedRate > 0 && `${fmt(rejectedRate * 100, 2)}% of batches refused (503)`, (p95 === null || p95 >= 100) && `ingest p95 ${p95 === null ? 'missing' : `${fmt(p95, 1)} ms`}`].filter(Boolean);
  const probe = { protocol, eventsPerSec, seconds, ok: failures.length === 0, dropped, rejectedRate, p95Ms: p95, why: failures.join(', ') };
  note(`events ${protocol} ${fmt(eventsPerSec)}/s for ${seconds} s: ${probe.ok ? 'held' : `not held (${probe.why})`}`);
  return probe;
}

/** Doubles from plan.eventStart until a short probe fails, bisects once, then holds the best for 60 s. */
async function events(target: RunningService) {
  const results: Record<string, { sustained: number | null; probes: EventProbe[] }> = {};
  for (const protocol of ['http', 'grpc'] as const) {
    const probes: EventProbe[] = [];
    let best = 0;
    let failed = 0;
    for (let r = plan.eventStart; r <= 200_000; r *= 2) {
      const probe = await eventProbe(target, protocol, r, plan.eventProbeS);
      probes.push(probe);
      if (!probe.ok) {
        failed = r;
        break;
      }
      best = r;
      if (quick) break;
    }
    if (failed && best && !quick) {
      const middle = Math.round((best + failed) / 2 / 1000) * 1000;
      const probe = await eventProbe(target, protocol, middle, plan.eventProbeS);
      probes.push(probe);
      if (probe.ok) best = middle;
    }
    let sustained: number | null = quick ? (best || null) : null;
    // The 60-second hold confirms the short probes' best; one step down if it does not hold.
    for (const candidate of plan.eventHoldS && best ? [best, Math.round((best * 0.75) / 1000) * 1000] : []) {
      const hold = await eventProbe(target, protocol, candidate, plan.eventHoldS);
      probes.push(hold);
      if (hold.ok) {
        sustained = candidate;
        break;
      }
    }
    results[protocol] = { sustained, probes };
  }
  return results;
}

// ---------------------------------------------------------------- 5. service capacity

async function capacity(target: RunningService) {
  const steps: Array<{ rps: number; exitCode: number; perSec: number; dropped: number; failed: string }> = [];
  let held: number | null = null;
  for (const rps of plan.capacitySteps) {
    const run = await k6Run(`capacity ${rps}/s`, bundle('held-api-load'), { BASE_URL: target.baseUrl, PROFILE: 'baseline', LOADGATE_RPS: String(rps), BENCH_HOLD: `${plan.capacityS}s` }, plan.capacityS);
    const failedThresholds = Object.entries(run.summary?.metrics ?? {}).flatMap(([name, m]) =>
      Object.entries((m as { thresholds?: Record<string, { ok: boolean }> }).thresholds ?? {}).filter(([, t]) => !t.ok).map(([t]) => `${name} ${t}`),
    );
    // Every SLO threshold holds (exit 0) and under 1% of the iterations were dropped.
    const ok = run.code === 0 && run.dropped <= 0.01 * (run.requests + run.dropped);
    steps.push({ rps, exitCode: run.code, perSec: run.perSec, dropped: run.dropped, failed: failedThresholds.join('; ') });
    note(`capacity ${fmt(rps)}/s: ${ok ? 'every SLO held' : `failed (${failedThresholds[0] ?? `exit ${run.code}, ${run.dropped} dropped`})`}, ${fmt(run.perSec)} requests/s sent`);
    if (!ok) break;
    held = rps;
  }
  return { seconds: plan.capacityS, held, steps };
}

// ---------------------------------------------------------------- 6. accuracy

function vegetaBinary(): string | null {
  const dir = resolve(projectRoot, '.bin');
  const found = existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith('vegeta-')).sort().at(-1) : undefined;
  return found && existsSync(join(dir, found, 'vegeta')) ? join(dir, found, 'vegeta') : null;
}

async function accuracy(target: RunningService, vegeta: string | null) {
  const rows: Array<{ loadgateP50: number; loadgateP95: number; vegetaP50: number | null; vegetaP95: number | null }> = [];
  const url = `${target.baseUrl}/api/v1/feed`;
  for (let i = 1; i <= repeat; i++) {
    const run = await k6Run(`accuracy loadgate ${i}`, bundle('held-api-load'), { BASE_URL: target.baseUrl, PROFILE: 'baseline', LOADGATE_RATES: feedOnly.replace('feed=1', `feed=${ACCURACY_RATE}`), BENCH_HOLD: `${plan.accuracyS}s` }, plan.accuracyS, { core: 1 });
    const latency = metric(run.summary, latencyKey('feed'));
    let vegetaP50: number | null = null;
    let vegetaP95: number | null = null;
    if (vegeta) {
      const dir = mkdtempSync(join(tmpdir(), 'loadgate-vegeta-'));
      try {
        writeFileSync(join(dir, 'targets'), `GET ${url}\n`);
        const attack = await measure(vegeta, ['attack', `-targets=${join(dir, 'targets')}`, `-rate=${ACCURACY_RATE}/s`, `-duration=${plan.accuracyS}s`, '-keepalive=true', `-output=${join(dir, 'out.bin')}`], cleanEnv({}), plan.accuracyS * 1000 + 30_000, { core: 1 });
        failIfBad(`vegeta attack ${i}`, attack, [0]);
        const report = spawnSync(vegeta, ['report', '-type=json', join(dir, 'out.bin')], { encoding: 'utf8', timeout: 30_000 });
        const latencies = (JSON.parse(report.stdout) as { latencies: Record<string, number> }).latencies;
        [vegetaP50, vegetaP95] = [latencies['50th'] / 1e6, latencies['95th'] / 1e6];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    rows.push({ loadgateP50: latency['p(50)'], loadgateP95: latency['p(95)'], vegetaP50, vegetaP95 });
    note(`accuracy ${i}/${repeat}: p50 loadgate ${fmt(latency['p(50)'], 2)} ms, vegeta ${vegetaP50 === null ? 'skipped' : `${fmt(vegetaP50, 2)} ms`}`);
  }
  const withV = rows.filter((r) => r.vegetaP50 !== null) as Array<{ loadgateP50: number; loadgateP95: number; vegetaP50: number; vegetaP95: number }>;
  return {
    ratePerSec: ACCURACY_RATE,
    seconds: plan.accuracyS,
    injectedMs: INJECTED_MS,
    loadgateP50Excess: spread(rows.map((r) => r.loadgateP50 - INJECTED_MS)),
    loadgateP95Excess: spread(rows.map((r) => r.loadgateP95 - INJECTED_MS)),
    vegetaP50Excess: withV.length ? spread(withV.map((r) => r.vegetaP50 - INJECTED_MS)) : null,
    vegetaP95Excess: withV.length ? spread(withV.map((r) => r.vegetaP95 - INJECTED_MS)) : null,
    p50Difference: withV.length ? spread(withV.map((r) => r.loadgateP50 - r.vegetaP50)) : null,
  };
}

// ---------------------------------------------------------------- 7a. build

function buildBundles(): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['build.mjs'], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new LoadgateError('k6Failed', `node build.mjs failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function bundleBenchEntries(): void {
  const result = spawnSync(process.execPath, ['build.mjs', ...heldEntries.map((name) => `bench/held/${name}.ts`)], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new LoadgateError('k6Failed', `bundling bench/held failed: ${result.stderr}`);
}

// ---------------------------------------------------------------- report


function note(line: string): void {
  console.error(`bench: ${line}`);
}

function firstLine(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').find((line) => line.trim())?.trim() ?? 'unknown';
}

function commandLine(): string {
  const settings = (['REPEAT', 'BENCH_RATE'] as const).filter((name) => text(env, name, '')).map((name) => `${name}=${text(env, name)}`).join(' ');
  const base = text(env, 'MAKELEVEL') ? `make ${quick ? 'bench-quick' : 'bench'}` : `node --import tsx bench/bench.ts${quick ? ' --quick' : ''}`;
  return `${base}${settings ? ` ${settings}` : ''}`;
}

export type BenchResult = Awaited<ReturnType<typeof runAll>>;
type Result = BenchResult;

function markdown(r: Result): string {
  const o = r.overhead;
  const c = r.ceiling;
  const mem = r.memory;
  const a = r.accuracy;
  const [low, high] = mem.vus;
  const lines = [
    `# loadgate benchmark ${r.stamp}${r.quick ? ' (quick: every benchmark briefly, not for publishing)' : ''}`,
    '',
    ...benchHeader(r),
    '',
    ...benchTable(r),
    '',
    '## How each was measured',
    '',
    `1. GET /api/v1/feed at ${fmt(o.ratePerSec)} requests/s for ${o.seconds} s: \`bench/bare-k6.js\` (constant-arrival-rate, nothing else) against loadgate's api-load (feed only, its own iteration, checks, tags, counters, thresholds, handleSummary and the alert monitor scraping the service, held at the rate by \`bench/hold.ts\`), the two k6 processes at once on the same core, so that the machine's slow spells fall on both. Each repeat runs the pair twice, each side started first once, and takes the geometric mean of the two ratios; the A/A row does the same with bare k6 in loadgate's place. CPU is utime+stime of each k6 process and peak RSS its ru_maxrss, both from its rusage when reaped (GNU time), per request of the feed (loadgate's probes and scrapes are its cost, not its work). The middle-of-the-hold rows take the same processes' utime+stime from /proc/<pid>/stat (the kernel's accounting that rusage sums, in 10 ms ticks) a quarter and three quarters into the hold, over the requests k6's REST API counted in between: per request without start-up, setup or summary.`,
    `2. ${c.vus} VUs (wrk: connections, -t1) for ${c.seconds} s, no think time, GET /api/v1/feed; the ratio from loadgate and bare k6 at once on the generator's core, competing for it and for the service; each side and wrk also alone; a rate is the requests in the middle half of the run over its wall time (setup and summary left out).`,
    `3. mixed's four personas held at their peak for ${mem.seconds} s (think time ×4, to keep the request rate the target's, not the point); MB per VU = (RSS at ${high} − RSS at ${low}) / ${high - low}, in MB of 10^6 bytes.`,
    `4. event-ingestion (batches of 100) at a fixed rate; short probes doubling from ${fmt(plan.eventStart)}/s, one bisection, then ${r.quick ? 'no' : 'a 60 s'} hold of the best; held = no dropped iterations, no refused batch, ingest p95 < 100 ms.`,
    `5. api-load's whole mix held ${r.capacity.seconds} s per step (${plan.capacitySteps.map((s) => fmt(s)).join(', ')} requests/s) until a step fails: held = exit 0 (every SLO threshold of the scenario) and < 1% dropped iterations. A staircase of the breakpoint profile's open model, since k6's summary has no per-second data to find the crossing in one climb.`,
    `6. a second reference service with \`-fault-delay feed=${INJECTED_MS}ms\`; feed at ${a.ratePerSec}/s for ${a.seconds} s by loadgate (http_req_duration of successful responses) and by \`vegeta attack\` (keep-alive), alternately.`,
    `7. wall time of \`node build.mjs\` (every scenario and the CLI); init time from k6's REST API status (VUs and executors initialised) counted from the process start.`,
    '',
  ];
  if (Object.keys(o.profiles).length) {
    lines.push('## k6 CPU profile at the overhead rate (`k6 run --profiling-enabled`, /debug/pprof/profile)', '');
    for (const [side, profile] of Object.entries(o.profiles)) {
      lines.push(`### ${side}`, '', '```text', ...profile.top, '', '# cumulative, selected frames', ...profile.focus, '```', '');
    }
  }
  lines.push('## Probes', '', '| item | level | outcome |', '|---|---|---|');
  for (const protocol of ['http', 'grpc'] as const) {
    for (const p of r.events[protocol].probes) lines.push(`| events ${protocol} | ${fmt(p.eventsPerSec)}/s for ${p.seconds} s | ${p.ok ? 'held' : p.why} (p95 ${p.p95Ms === null ? 'n/a' : fmt(p.p95Ms, 1)} ms) |`);
  }
  for (const s of r.capacity.steps) lines.push(`| capacity | ${fmt(s.rps)}/s for ${r.capacity.seconds} s | exit ${s.exitCode}, ${fmt(s.perSec)} sent/s, ${s.dropped} dropped${s.failed ? `; failed: ${s.failed}` : ''} |`);
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

async function runAll(stamp: string) {
  const withWrk = wrkAvailable();
  const vegeta = vegetaBinary();
  if (!vegeta) note('vegeta is not in .bin/ (make bench installs it); the accuracy comparison has loadgate only');
  const buildSeconds = spread(Array.from({ length: repeat }, buildBundles));
  bundleBenchEntries();
  const target = await service([], 'service.log');
  pinServices(0);
  const overheadResult = await overhead(target);
  const ceilingResult = await ceiling(target, withWrk);
  pinServices(null);
  const memoryResult = await memory(target);
  const eventResult = await events(target);
  const capacityResult = await capacity(target);
  const delayed = await service(['-fault-delay', `feed=${INJECTED_MS}ms`], 'service-delayed.log');
  pinServices(0);
  const accuracyResult = await accuracy(delayed, vegeta);
  return {
    stamp,
    quick,
    plan,
    command: commandLine(),
    repeat,
    goals,
    machine: {
      cores,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
      kernel: release(),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      go: firstLine('go', ['version']),
      node: process.version,
      k6: firstLine(k6, ['version']),
      wrk: withWrk ? firstLine('wrk', ['-v']).replace(/\s+Copyright.*$/, '') : 'not installed',
      vegeta: vegeta ? `${vegeta.match(/vegeta-(v[\d.]+)/)?.[1] ?? 'unknown'} (go install)` : 'not installed',
      pinning: pin
        ? 'items 1, 2 and 6: the target pinned to core 0 and the generator (k6, wrk, vegeta) to core 1 with taskset; items 3–5 and 7: both on every core, shared with whatever else runs on the machine'
        : 'one core: nothing pinned, generator and target share it',
    },
    buildSeconds,
    overhead: overheadResult,
    ceiling: ceilingResult,
    memory: memoryResult,
    events: eventResult,
    capacity: capacityResult,
    accuracy: accuracyResult,
  };
}

async function main(): Promise<number> {
  const stamp = utcStamp();
  const outDir = resolve(projectRoot, text(env, 'RESULTS_DIR'), 'bench', stamp);
  mkdirSync(outDir, { recursive: true });
  logDir = outDir;
  note(`${quick ? 'quick: each benchmark briefly' : `REPEAT=${repeat}, about ${5 * repeat} minutes`}; ${cores} cores`);
  const stopAll = () => Promise.all(services.map((s) => s.stop()));
  const onSignal = () => {
    note('interrupted; stopping the target');
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result: Result;
  try {
    result = await runAll(stamp);
  } catch (error) {
    note(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await stopAll();
    services = [];
  }
  const md = markdown(result);
  writeFileSync(join(outDir, 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, 'bench.md'), md);
  // The published figures (docs/benchmarks.md) are rendered from the latest full run's own file.
  // So are the k6 CPU profiles behind its overhead figure, for `go tool pprof` against a later run.
  if (!quick) {
    const published = resolve(projectRoot, 'docs', 'figures');
    writeFileSync(join(published, 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
    for (const side of Object.keys(result.overhead.profiles)) copyFileSync(join(outDir, `k6-cpu-${side}.pb.gz`), join(published, `k6-cpu-${side}.pb.gz`));
  }
  const shown = relative(process.cwd(), outDir);
  process.stdout.write(`${md}\nwritten: ${shown.startsWith('..') ? outDir : shown}/bench.md and bench.json\n`);
  const broken = quick ? guardViolations(result) : [];
  for (const sentence of broken) note(`guard broken: ${sentence}; a change made loadgate's own cost per request or per VU grow (docs/benchmarks.md)`);
  return broken.length ? 1 : 0;
}

process.exitCode = await main();
