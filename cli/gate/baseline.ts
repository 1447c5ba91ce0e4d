// Baselines: results/baselines/<scenario>-<profile>.json, tracked in git. A baseline holds the
// per-run figures of one or more passing runs (cli/gate/figures.ts), with the machine, k6 version and
// git commit each was taken with. Per-run figures, not per-request samples: requests within one run
// share that run's machine state, so only runs are independent draws for the rank test, and k6's
// summary (the only per-run record) holds aggregates, not samples.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadgateError } from '../exit-codes.ts';
import { readMeta, type RunMeta } from '../record.ts';
import { describeTarget, targetRecord, type RunFigures, type TargetRecord } from '../runs/figures.ts';

export const baselineFormat = 'loadgate-baseline/1';

export interface Baseline {
  format: typeof baselineFormat;
  scenario: string;
  profile: string;
  createdAt: string;
  /** The machine of the first run; every run of a baseline was taken on the same one. */
  machine: NonNullable<RunMeta['machine']>;
  /** What was measured; older baselines lack it and are compared without the check. */
  target?: TargetRecord;
  runs: RunFigures[];
}

export { describeTarget };

export const sameTarget = (a: TargetRecord, b: TargetRecord) => a.baseUrl === b.baseUrl && a.service === b.service;

export const baselineFile = (resultsDir: string, scenario: string, profile: string) =>
  join(resultsDir, 'baselines', `${scenario}-${profile}.json`);

/** Why a gate or a baseline cannot go ahead, in one sentence that says what to do: exit 2. */
export const cannotCompare = (sentence: string) => new LoadgateError('badCommandLine', sentence);

/** Cpu count, model and memory: the figures that move latency from one machine to the next. */
export function machineIdentity(machine: RunMeta['machine'] | undefined): string {
  const gib = machine?.memoryBytes ? `${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB` : 'unknown memory';
  return `${machine?.cpus ?? '?'} × ${machine?.cpuModel ?? 'unknown CPU'}, ${gib}`;
}

/** Total memory moves by a few hundred KiB between boots of one machine (the kernel's reservations). */
const memorySlack = 0.02;

export function sameMachine(a: RunMeta['machine'] | undefined, b: RunMeta['machine'] | undefined): boolean {
  const memoryA = a?.memoryBytes ?? 0;
  const memoryB = b?.memoryBytes ?? 0;
  const sameMemory = Math.abs(memoryA - memoryB) <= memorySlack * Math.max(memoryA, memoryB);
  return a?.cpus === b?.cpus && a?.cpuModel === b?.cpuModel && sameMemory;
}

export function makeBaseline(runs: RunFigures[], now = new Date()): Baseline {
  const [first] = runs;
  for (const run of runs) {
    if (run.exitCode !== 0) throw cannotCompare(`${run.folder} did not pass (${run.reason}, exit code ${run.exitCode}); a baseline is taken from passing runs only`);
    if (run.scenario !== first.scenario || run.profile !== first.profile) {
      throw cannotCompare(`${run.folder} ran ${run.scenario} at ${run.profile}, ${first.folder} ran ${first.scenario} at ${first.profile}; one baseline holds one scenario and profile`);
    }
    if (!sameMachine(run.machine, first.machine)) {
      throw cannotCompare(`${run.folder} ran on ${machineIdentity(run.machine)}, ${first.folder} on ${machineIdentity(first.machine)}; take every run of a baseline on one machine`);
    }
  }
  const targets = runs.map((run) => run.target ?? targetRecord(undefined));
  const other = targets.findIndex((target) => !sameTarget(target, targets[0]));
  if (other > 0) {
    throw cannotCompare(`${runs[other].folder} measured ${describeTarget(targets[other])}, ${first.folder} measured ${describeTarget(targets[0])}; take every run of a baseline against one target`);
  }
  return { format: baselineFormat, scenario: first.scenario, profile: first.profile, createdAt: now.toISOString(), machine: first.machine ?? {}, target: targets[0], runs };
}

export function writeBaseline(file: string, baseline: Baseline): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** What is wrong with a parsed baseline, or null when it has everything the gate reads. */
function problemWith(data: unknown): string | null {
  if (!isObject(data)) return 'it is not a JSON object';
  if (data.format !== baselineFormat) return `its format is ${JSON.stringify(data.format ?? null)}, not "${baselineFormat}"`;
  if (typeof data.scenario !== 'string' || typeof data.profile !== 'string') return 'it names no scenario or profile';
  if (!isObject(data.machine)) return 'it records no machine';
  if (!Array.isArray(data.runs) || data.runs.length === 0) return 'it holds no runs';
  for (const [i, run] of data.runs.entries()) {
    if (!isObject(run) || !isObject(run.endpoints) || !isObject(run.checks) || !isNumber(run.droppedIterations)) return `run ${i + 1} lacks endpoints, checks or dropped iterations`;
    for (const [name, endpoint] of Object.entries(run.endpoints)) {
      if (!isObject(endpoint) || !isNumber(endpoint.requests) || !isNumber(endpoint.errorRate) || !isNumber(endpoint.throughput)) return `run ${i + 1}, endpoint ${name} lacks requests, error rate or throughput`;
      const latency = endpoint.latency;
      if (latency !== null && !(isObject(latency) && ['p50', 'p95', 'p99'].every((p) => isNumber(latency[p])))) return `run ${i + 1}, endpoint ${name} has no p50, p95 and p99`;
    }
  }
  return null;
}

export function readBaseline(file: string, retake: string): Baseline {
  if (!existsSync(file)) throw cannotCompare(`there is no baseline ${file}; take one with: ${retake}`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw cannotCompare(`the baseline ${file} is corrupt (not JSON: ${(error as Error).message}); restore it from git or take a new one with: ${retake}`);
  }
  const problem = problemWith(data);
  if (problem) throw cannotCompare(`the baseline ${file} is corrupt (${problem}); restore it from git or take a new one with: ${retake}`);
  return data as Baseline;
}

/**
 * The newest `count` passing runs of a scenario and profile against one target URL (null: the
 * reference service loadgate starts) in a results folder, oldest first. Run
 * folders sort by their UTC stamp; meta.json decides what a folder holds, not its name.
 */
export function latestPassingRuns(resultsDir: string, scenario: string, profile: string, count: number, baseUrl: string | null = null): string[] {
  if (!existsSync(resultsDir)) return [];
  const found: string[] = [];
  const folders = readdirSync(resultsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d{8}T\d{6}Z-/.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .reverse();
  for (const name of folders) {
    const meta = readMeta(join(resultsDir, name));
    const sameTargetUrl = meta && targetRecord(meta.target).baseUrl === baseUrl;
    if (meta?.scenario === scenario && meta.profile === profile && meta.exitCode === 0 && sameTargetUrl) found.push(join(resultsDir, name));
    if (found.length === count) break;
  }
  return found.reverse();
}
