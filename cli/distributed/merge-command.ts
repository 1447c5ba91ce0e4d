// One merged run out of several k6 instances' output: the raw sample files (and, beside each, the
// folder its handleSummary wrote), merged into summary.json of a run folder and judged by the
// scenario's thresholds. Used by the local rehearsal and by `make merge` for operator runners.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { K6Summary } from '../../lib/summary/model.ts';
import { gitCommit, k6Version, machine } from '../meta.ts';
import { k6Binary, projectRoot } from '../paths.ts';
import { k6RunEnd, loadgateRunEnd, readMeta, readSummary, writeMeta, writeSummary, type InstanceRecord, type MergeRecord, type RunEnd, type RunMeta } from '../record.ts';
import { exitCodes, LoadgateError } from '../exit-codes.ts';
import { regenerateReports } from '../report.ts';
import { createRunFolder } from '../run-folder.ts';
import { say } from '../run.ts';
import { abortEnd } from './aborts.ts';
import { mergeOutputs } from './merge.ts';
import { aggregateSuffix, readAggregate } from './aggregate.ts';
import { list, text } from '../settings.ts';
import { thresholdSources, thresholdError, type ThresholdOption } from './thresholds.ts';

/**
 * One instance's output: its raw samples `<name>.json.gz` and the folder `<name>/` its summary went
 * to, or the aggregate `<name>.aggregate.json.gz` its reducer delivered, summary inside.
 */
export interface InstanceOutput {
  name: string;
  kind: 'raw' | 'aggregate';
  /** The raw file or the aggregate. */
  file: string;
  summaryDir: string;
}

export const rawFileSuffix = '.json.gz';

export function instanceOutput(file: string): InstanceOutput {
  const kind = file.endsWith(aggregateSuffix) ? 'aggregate' : 'raw';
  const name = basename(file).replace(kind === 'aggregate' ? aggregateSuffix : /\.json(\.gz)?$/, '');
  return { name, kind, file, summaryDir: join(dirname(file), name) };
}

interface K6Options {
  thresholds?: Record<string, ThresholdOption[]>;
  summaryTrendStats?: string[];
}

/**
 * The thresholds to judge by: the scenario's options when recorded (`k6 inspect`), else those the
 * instances' own summaries evaluated. Without either the merge would pass anything, so it refuses.
 */
function judgedBy(options: unknown, summaries: Array<K6Summary | null>): { thresholds: Record<string, string[]>; trendStats?: string[] } {
  const recorded = options as K6Options | null | undefined;
  if (recorded?.thresholds) return { thresholds: thresholdSources(recorded.thresholds), trendStats: recorded.summaryTrendStats };
  const thresholds: Record<string, string[]> = {};
  for (const summary of summaries) {
    for (const [key, metric] of Object.entries(summary?.metrics ?? {})) {
      for (const expression of Object.keys(metric.thresholds ?? {})) thresholds[key] = [...new Set([...(thresholds[key] ?? []), expression])];
    }
  }
  if (!Object.keys(thresholds).length) throw thresholdError('no thresholds to judge the merged run by: neither a meta.json with the scenario\'s options nor an instance summary.json was found');
  return { thresholds };
}

/** Writes the merged summary.json into `dir` and returns how the run ended by its merged thresholds. */
export async function mergeInto(dir: string, outputs: InstanceOutput[], options: unknown, ends: Array<RunEnd | null> = []): Promise<{ end: RunEnd; instances: InstanceRecord[]; merge?: MergeRecord }> {
  const records: InstanceRecord[] = outputs.map((output, i) => ({
    name: output.name,
    [output.kind === 'raw' ? 'rawFile' : 'aggregateFile']: relativeTo(dir, output.file),
    samples: 0,
    ...(ends[i] ? { exitCode: ends[i]!.exitCode, reason: ends[i]!.reason } : {}),
  }));
  // An instance that stopped for its own reason (script error, Ctrl-C, crash) ends the run with it;
  // a 99 only judged that instance's share, so the merged thresholds and aborts.ts decide instead.
  const failed = ends.find((end) => end && end.exitCode !== exitCodes.passed.code && end.exitCode !== exitCodes.thresholdsFailed.code);
  const missing = outputs.filter((output) => !existsSync(output.file));
  if (missing.length) {
    const what = missing.every((output) => output.kind === 'aggregate') ? 'no aggregate delivered by' : 'no raw samples from';
    const why = `${what} ${missing.map((output) => output.name).join(', ')} (${missing.map((output) => output.file).join(', ')})`;
    return { end: failed ?? loadgateRunEnd('mergeFailed', why), instances: records };
  }
  try {
    const sources = outputs.map((output) => (output.kind === 'raw' ? output.file : readAggregate(output.file)));
    // A runner's reducer delivers its summary inside the aggregate.
    const summaries = sources.map((source, i) => (typeof source === 'string' ? null : source.summary) ?? readSummary(outputs[i].summaryDir));
    const { summary, samples, merge } = await mergeOutputs({ sources, summaries, ...judgedBy(options, summaries) });
    samples.forEach((count, i) => (records[i].samples = count));
    writeSummary(dir, summary);
    const failedThresholds = Object.values(summary.metrics).some((metric) => Object.values(metric.thresholds ?? {}).some((t) => !t.ok));
    const judged = k6RunEnd(failedThresholds ? exitCodes.thresholdsFailed.code : exitCodes.passed.code, summary);
    // An alert's abort already names itself; otherwise an instance's or the merged abortOnFail decides.
    const aborted = judged.stoppedEarly ? judged : abortEnd((options as K6Options | null | undefined)?.thresholds, outputs.map((output, i) => ({ name: output.name, summary: summaries[i] })), summary);
    const end = failed ?? aborted ?? judged;
    if (merge.nearLimit.length) say(`within the ${merge.relativeError * 100}% error of the sketched percentiles: ${merge.nearLimit.join('; ')}`);
    return { end, instances: records, merge };
  } catch (error) {
    return { end: failed ?? loadgateRunEnd('mergeFailed', `could not merge the instances' output: ${(error as Error).message}`), instances: records };
  }
}

function relativeTo(dir: string, file: string): string {
  const path = relative(dir, file);
  return path.startsWith('..') ? resolve(file) : path;
}

/** Files named directly, or every raw `*.json.gz` and delivered `*.aggregate.json.gz` directly inside a named folder. */
export function findOutputs(paths: string[]): InstanceOutput[] {
  const outputs: InstanceOutput[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new LoadgateError('badCommandLine', `RUNS: "${path}" does not exist`);
    if (statSync(path).isDirectory()) {
      const files = readdirSync(path).filter((name) => name.endsWith(rawFileSuffix)).sort(byNumber);
      if (!files.length) throw new LoadgateError('badCommandLine', `RUNS: "${path}" holds no raw sample files (*${rawFileSuffix}, written by k6 --out json=<file>${rawFileSuffix}) and no delivered aggregates (*${aggregateSuffix})`);
      outputs.push(...files.map((name) => instanceOutput(join(path, name))));
    } else outputs.push(instanceOutput(path));
  }
  return outputs;
}

/** runner-2 before runner-10. */
function byNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The meta.json of the run the output belongs to: in a named folder or its parent (where `make operator` wrote it). */
function sourceMeta(paths: string[]): RunMeta | null {
  for (const path of paths) {
    const folder = statSync(path).isDirectory() ? path : dirname(path);
    for (const candidate of [folder, dirname(folder)]) {
      const meta = readMeta(candidate);
      if (meta) return meta;
    }
  }
  return null;
}

/** `make merge RUNS=<folders or files>`: a new run folder holding the merged summary and reports. */
export async function mergeCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const paths = args.length ? args : list(env, 'RUNS');
  // RUNS stands in for the command's arguments: without it, or without samples, the command line is bad (2).
  if (!paths.length) throw new LoadgateError('badCommandLine', "make merge needs RUNS: the runners' output folders, their raw sample files (*.json.gz) or their delivered aggregates (*.aggregate.json.gz), separated by commas");
  const outputs = findOutputs(paths);
  const source = sourceMeta(paths);
  const scenario = source?.scenario ?? 'merged';
  const profile = source?.profile ?? 'unknown';
  const dir = createRunFolder(text(env, 'RESULTS_DIR'), scenario, profile);
  say(`merging ${outputs.length} instance(s) into ${dir}`);
  const startedAt = new Date();
  const { end, instances, merge } = await mergeInto(dir, outputs, source?.options);
  writeMeta(dir, {
    scenario,
    profile,
    ...end,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    gitCommit: gitCommit(projectRoot),
    k6: source?.k6 ?? k6Version(k6Binary(env)),
    machine: source?.machine ?? machine(),
    target: source?.target,
    environment: source?.environment,
    options: source?.options ?? null,
    instances,
    merge,
  });
  regenerateReports(dir, env);
  say(`${end.reason} (exit code ${end.exitCode})`);
  say(`results in ${dir}`);
  return end.exitCode;
}
