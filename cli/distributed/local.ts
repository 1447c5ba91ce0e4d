// `make load-distributed SCENARIO=<name> INSTANCES=<n>`: the move to a distributed engine,
// rehearsed on this machine. The usual run (one reference service, captures, meta.json, REPORT.md)
// with n k6 processes instead of one, each taking one execution segment the way k6-operator
// runners do, each streaming its raw samples to <run>/instance-<i>.json.gz and writing its own
// summary into <run>/instance-<i>/; the run is then judged on the merged samples.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runFiles } from '../../lib/run-files.ts';
import { type RunEnd } from '../record.ts';
import { runK6, runScenario, say, type Run } from '../run.ts';
import { Interrupts } from '../signals.ts';
import { instanceOutput, mergeInto, rawFileSuffix } from './merge-command.ts';
import { numeric } from '../settings.ts';

/** 0, 1/n, 2/n, …, 1: equal segments, as k6-operator cuts them for `parallelism: n`. */
export function segmentSequence(instances: number): string[] {
  return Array.from({ length: instances + 1 }, (_, i) => (i === 0 ? '0' : i === instances ? '1' : `${i}/${instances}`));
}

/** The k6 flags that make process `index` of `instances` run its share of the test. */
export function segmentFlags(index: number, instances: number): string[] {
  if (instances === 1) return [];
  const sequence = segmentSequence(instances);
  return [`--execution-segment=${sequence[index]}:${sequence[index + 1]}`, `--execution-segment-sequence=${sequence.join(',')}`];
}

async function runInstances(args: string[], run: Run, instances: number): Promise<RunEnd> {
  const bundle = args[args.length - 1];
  const outputs = Array.from({ length: instances }, (_, i) => instanceOutput(join(resolve(run.dir), `instance-${i}${rawFileSuffix}`)));
  const ends = await Promise.all(
    outputs.map(async (output, i) => {
      mkdirSync(output.summaryDir, { recursive: true });
      const k6Env = {
        ...run.k6Env,
        LOADGATE_RUN_DIR: output.summaryDir,
        K6_WEB_DASHBOARD_EXPORT: join(output.summaryDir, runFiles.dashboard),
      };
      const flags = [
        ...segmentFlags(i, instances),
        `--out=json=${output.rawFile}`,
        // The same tags k6-operator adds, so raw files from both look alike.
        `--tag=instance_id=${i}`,
      ];
      // Each process gets Ctrl-C once from its own relay, so each still writes its summary.
      const interrupts = new Interrupts();
      try {
        return await runK6([...args.slice(0, -1), ...flags, bundle], { ...run, dir: output.summaryDir, k6Env, interrupts });
      } finally {
        interrupts.dispose();
      }
    }),
  );
  const { end, instances: records, merge } = await mergeInto(run.dir, outputs, run.options, ends);
  run.merge = merge;
  records.forEach((record, i) => (record.executionSegment = segmentFlags(i, instances)[0]?.split('=')[1] ?? '0:1'));
  run.instances = records;
  return end;
}

export async function runDistributed(scenario: string, env: NodeJS.ProcessEnv): Promise<number> {
  const instances = numeric(env, 'INSTANCES');
  say(`${instances} k6 instance(s), one execution segment each`);
  return runScenario(scenario, env, (args, run) => runInstances(args, run, instances));
}
