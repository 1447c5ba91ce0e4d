// `make load-distributed SCENARIO=<name> INSTANCES=<n>`: the move to a distributed engine,
// rehearsed on this machine. The usual run (one reference service, captures, meta.json, REPORT.md)
// with n k6 processes instead of one, each taking one execution segment the way k6-operator
// runners do and writing its own summary into <run>/instance-<i>/. Each k6 streams its samples into
// a FIFO read by its reducer, which delivers an aggregate to one collector (delivery.ts), as runner
// pods do; DELIVERY=raw keeps every sample in <run>/instance-<i>.json.gz instead. The run is then
// judged on the merge of what was delivered.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { runFiles } from '../../lib/run-files.ts';
import { type RunEnd } from '../record.ts';
import { runK6, runScenario, say, type Run } from '../run.ts';
import { Interrupts } from '../signals.ts';
import { instanceOutput, mergeInto, rawFileSuffix, type InstanceOutput } from './merge-command.ts';
import { aggregateSuffix } from './aggregate.ts';
import { drain, reducerArguments, reducerReady, startCollector, type Delivery } from './delivery.ts';
import { deliveryBundle } from '../paths.ts';
import { choice, numeric } from '../settings.ts';

/** Where the collector of a rehearsal stores what the reducers delivered, inside the run folder. */
export const aggregatesFolder = 'aggregates';

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

/** An instance's k6 and, with aggregate delivery, the reducer reading its samples beside it. */
interface Instance {
  output: InstanceOutput;
  /** Where k6 writes `--out json`: the raw file, or the FIFO its reducer reads. */
  samplesPath: string;
  reducer?: ChildProcess;
  reducerExit?: Promise<number>;
  ready?: Promise<unknown>;
}

async function runInstances(args: string[], run: Run, instances: number, delivery: Delivery): Promise<RunEnd> {
  const bundle = args[args.length - 1];
  const dir = resolve(run.dir);
  // FIFOs and the collector's socket live in a private temporary folder: a socket path must stay
  // under 108 bytes, and nothing there belongs in the results.
  const scratch = delivery === 'aggregate' ? mkdtempSync(join(tmpdir(), 'loadgate-delivery-')) : '';
  const socket = join(scratch, 'collector.sock');
  const collector = delivery === 'aggregate' ? await startCollector(join(dir, aggregatesFolder), { socket }) : null;
  const thresholdKeys = Object.keys((run.options as { thresholds?: Record<string, unknown> } | undefined)?.thresholds ?? {});
  const members: Instance[] = Array.from({ length: instances }, (_, i) => {
    const name = `instance-${i}`;
    if (delivery === 'raw') {
      const output = instanceOutput(join(dir, `${name}${rawFileSuffix}`));
      return { output, samplesPath: output.file };
    }
    const output = { ...instanceOutput(join(dir, aggregatesFolder, `${name}${aggregateSuffix}`)), summaryDir: join(dir, name) };
    const fifo = join(scratch, `${name}.samples`);
    execFileSync('mkfifo', ['-m', '600', fifo]);
    // Its own process group, as k6's: Ctrl-C at the terminal must not kill the reducer while k6,
    // stopping, still writes the samples it measured.
    const reducer = spawn(process.execPath, [deliveryBundle, ...reducerArguments({ input: fifo, runner: name, thresholdKeys, destination: { socket }, summaryDir: output.summaryDir })], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    const reducerExit = new Promise<number>((done) => reducer.once('close', (code, signal) => done(code ?? (signal ? 128 : 1))));
    // A reducer that failed would leave k6 blocked writing into a FIFO nobody reads.
    void reducerExit.then((code) => code !== 0 && drain(fifo));
    // k6 starts once the reducer holds the FIFO (or has given up), so no sample is written into a pipe nobody keeps.
    const ready = Promise.race([
      new Promise<void>((done) => createInterface({ input: reducer.stdout! }).on('line', (line) => line === reducerReady && done())),
      reducerExit,
      new Promise((done) => setTimeout(done, 30_000).unref()),
    ]);
    return { output, samplesPath: fifo, reducer, reducerExit, ready };
  });
  const ends = await Promise.all(
    members.map(async ({ output, samplesPath, reducer, reducerExit, ready }, i) => {
      mkdirSync(output.summaryDir, { recursive: true });
      await ready;
      const k6Env = {
        ...run.k6Env,
        LOADGATE_RUN_DIR: output.summaryDir,
        K6_WEB_DASHBOARD_EXPORT: join(output.summaryDir, runFiles.dashboard),
      };
      const flags = [
        ...segmentFlags(i, instances),
        `--out=json=${samplesPath}`,
        // The same tags k6-operator adds, so raw files from both look alike.
        `--tag=instance_id=${i}`,
      ];
      // Each process gets Ctrl-C once from its own relay, so each still writes its summary.
      const interrupts = new Interrupts();
      try {
        return await runK6([...args.slice(0, -1), ...flags, bundle], { ...run, dir: output.summaryDir, k6Env, interrupts });
      } finally {
        interrupts.dispose();
        // What the kubelet does to a sidecar once the runner container has exited.
        if (reducer && reducer.exitCode === null) reducer.kill('SIGTERM');
        await reducerExit;
      }
    }),
  );
  collector?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  const { end, instances: records, merge } = await mergeInto(run.dir, members.map((member) => member.output), run.options, ends);
  run.merge = merge;
  records.forEach((record, i) => (record.executionSegment = segmentFlags(i, instances)[0]?.split('=')[1] ?? '0:1'));
  run.instances = records;
  return end;
}

export async function runDistributed(scenario: string, env: NodeJS.ProcessEnv): Promise<number> {
  const instances = numeric(env, 'INSTANCES');
  const delivery = choice(env, 'DELIVERY') as Delivery;
  say(`${instances} k6 instance(s), one execution segment each, delivering ${delivery === 'aggregate' ? 'aggregates to one collector' : 'raw samples'}`);
  return runScenario(scenario, env, (args, run) => runInstances(args, run, instances, delivery));
}
