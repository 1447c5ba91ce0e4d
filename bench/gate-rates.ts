// The regression gate's false-positive and detection rates on this machine, with the reference
// service: a baseline of REPEAT runs of mixed at smoke, then GATE_RATES_NOCHANGE gates against an
// unchanged service and GATE_RATES_INJECTED gates with feed slowed by a fixed delay chosen to raise
// feed's p95 by about 30% (0.3 × the baseline's median feed p95, unless GATE_RATES_DELAY names one).
// Every gate is the real command, `node dist/cli.mjs gate mixed`, with its own runs.
//
//   node --import tsx bench/gate-rates.ts     REPEAT (3), GATE_RATES_NOCHANGE (10), GATE_RATES_INJECTED (5),
//                                            GATE_RATES_DELAY (ms; Go sleeps at least about 1 ms)
//
// The same runs, one at a time, also give the rates at REPEAT=1 (each run against the baseline's
// first run, the tolerance alone deciding), with no extra load.
// Writes <RESULTS_DIR>/gate-rates/<UTC stamp>/rates.json and rates.md and prints the Markdown.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { readBaseline, baselineFile } from '../cli/gate/baseline.ts';
import { decide } from '../cli/gate/compare.ts';
import { readRunFigures } from '../cli/runs/figures.ts';
import type { GateReport } from '../cli/gate/render.ts';
import { projectRoot } from '../cli/paths.ts';
import { orExit } from '../cli/exit-codes.ts';
import { utcStamp } from '../cli/run-folder.ts';
import { hostEnvironment, numeric, text } from '../cli/settings.ts';
import { cleanEnv, spawnCollect } from '../test/integration/harness.ts';

const injectedEndpoint = 'feed';

const env = hostEnvironment();
const { repeat, noChange, injected, givenDelayMs } = orExit(
  () => ({
    repeat: numeric(env, 'REPEAT'),
    noChange: numeric(env, 'GATE_RATES_NOCHANGE'),
    injected: numeric(env, 'GATE_RATES_INJECTED', 5),
    givenDelayMs: text(env, 'GATE_RATES_DELAY') ? numeric(env, 'GATE_RATES_DELAY') : null,
  }),
  'gate-rates',
);
const stamp = utcStamp();
const outDir = resolve(projectRoot, text(env, 'RESULTS_DIR'), 'gate-rates', stamp);
const runsDir = join(outDir, 'runs');
mkdirSync(runsDir, { recursive: true });

async function cli(command: string, extra: Record<string, string>) {
  const outcome = await spawnCollect(process.execPath, ['dist/cli.mjs', command, 'mixed'], cleanEnv({ PROFILE: 'smoke', RESULTS_DIR: runsDir, REPEAT: String(repeat), ...extra }));
  if (outcome.code !== 0 && command === 'baseline') throw new Error(`baseline failed (exit ${outcome.code}):\n${outcome.stderr}`);
  return outcome;
}

/** gate.json of the gate that just ran: it sits in the newest run folder. */
function lastGateReport(stderr: string): GateReport | null {
  const match = /gate report in (.+)\/gate\.md/.exec(stderr);
  return match ? (JSON.parse(readFileSync(join(match[1], 'gate.json'), 'utf8')) as GateReport) : null;
}

interface GateOutcome {
  kind: 'no change' | 'injected';
  /** gate.json's outcome: a run that failed its own SLOs is not a false positive of the comparison. */
  outcome: string;
  exitCode: number;
  named: string[];
  folders: string[];
  feedP95: number | null;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

async function gate(kind: GateOutcome['kind'], targetArgs: string): Promise<GateOutcome> {
  const outcome = await cli('gate', targetArgs ? { TARGET_ARGS: targetArgs } : {});
  const report = lastGateReport(outcome.stderr);
  const named = [...new Set(report?.decision?.regressions.map((r) => `${r.endpoint} ${r.metric}`) ?? [])];
  const folders = report?.current.runs.map((run) => run.folder) ?? [];
  const feed = report?.decision?.comparisons.find((c) => c.endpoint === injectedEndpoint && c.metric === 'p95');
  console.error(`gate-rates: ${kind}: exit ${outcome.code}${named.length ? `, named ${named.join(', ')}` : ''}${report?.outcome === 'run failed' ? ' (a run failed)' : ''}`);
  return { kind, outcome: report?.outcome ?? 'no report', exitCode: outcome.code, named, folders, feedP95: feed?.currentMedian ?? null };
}

console.error(`gate-rates: baseline of ${repeat} run(s), then ${noChange} no-change and ${injected} injected gates of ${repeat} run(s) each, in ${outDir}`);
await cli('baseline', {});
const baseline = readBaseline(baselineFile(runsDir, 'mixed', 'smoke'), 'make baseline');
const baselineFeedP95 = median(baseline.runs.map((run) => run.endpoints[injectedEndpoint].latency!.p95));
const delayMs = givenDelayMs ?? Math.round(baselineFeedP95 * 0.3 * 1000) / 1000;
const delay = `${Math.round(delayMs * 1000)}us`;
console.error(`gate-rates: baseline feed p95 ${baselineFeedP95.toFixed(2)} ms; injected delay ${delay}`);

const outcomes: GateOutcome[] = [];
for (let i = 0; i < noChange; i++) outcomes.push(await gate('no change', ''));
for (let i = 0; i < injected; i++) outcomes.push(await gate('injected', `-fault-delay ${injectedEndpoint}=${delay}`));

const byKind = (kind: GateOutcome['kind']) => outcomes.filter((o) => o.kind === kind);
const falsePositives = byKind('no change').filter((o) => o.exitCode !== 0).length;
const failedRuns = byKind('no change').filter((o) => o.outcome === 'run failed').length;
const detected = byKind('injected').filter((o) => o.exitCode === 1 && o.named.some((name) => name.startsWith(`${injectedEndpoint} `))).length;
const injectedFeedP95 = median(byKind('injected').flatMap((o) => (o.feedP95 === null ? [] : [o.feedP95])));

// REPEAT=1: every single run against a one-run baseline, decided as the gate decides.
const firstBaseline = [baseline.runs[0]];
// A run that failed its own SLOs fails a one-run gate before any comparison, as in the real command.
const single = (kind: GateOutcome['kind']) =>
  byKind(kind).flatMap((o) =>
    o.folders.map((folder) => {
      const run = readRunFigures(folder);
      return { failed: run.exitCode !== 0, regressions: decide(firstBaseline, [run], 'make baseline').regressions };
    }),
  );
const singleNoChange = single('no change');
const singleInjected = single('injected');
const singleFalsePositives = singleNoChange.filter((d) => d.failed || d.regressions.length > 0).length;
const singleDetected = singleInjected.filter((d) => !d.failed && d.regressions.some((r) => r.endpoint === injectedEndpoint)).length;

const overrides = (['REPEAT', 'GATE_RATES_NOCHANGE', 'GATE_RATES_INJECTED', 'GATE_RATES_DELAY'] as const).filter((name) => text(env, name, '')).map((name) => `${name}=${text(env, name)} `);
const command = `${overrides.join('')}node --import tsx bench/gate-rates.ts`;
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, shared by k6, the service and other work`;
const percentOf = (n: number, of: number) => `${n}/${of} (${((n / of) * 100).toFixed(0)}%)`;
const result = {
  command,
  machine,
  startedAt: stamp,
  repeat,
  baselineFeedP95Ms: baselineFeedP95,
  injectedDelay: delay,
  injectedFeedP95Ms: injectedFeedP95,
  falsePositives: { count: falsePositives, of: noChange, ofWhichARunFailedItsSlos: failedRuns },
  detected: { count: detected, of: injected },
  repeat1: { falsePositives: { count: singleFalsePositives, of: singleNoChange.length }, detected: { count: singleDetected, of: singleInjected.length } },
  outcomes,
};
const markdown = [
  `## Regression gate rates, mixed at smoke`,
  '',
  `\`${command}\` on ${machine}, ${stamp}.`,
  '',
  `Injected regression: \`TARGET_ARGS='-fault-delay ${injectedEndpoint}=${delay}'\`; feed p95 ${baselineFeedP95.toFixed(2)} ms in the baseline, ${injectedFeedP95.toFixed(2)} ms injected (median of the gates' medians, ${(((injectedFeedP95 - baselineFeedP95) / baselineFeedP95) * 100).toFixed(0)}% higher).`,
  '',
  '| runs per side | false positives (no change) | detected (injected, names feed) |',
  '|---:|---:|---:|',
  `| REPEAT=${repeat} (gates) | ${percentOf(falsePositives, noChange)}${failedRuns ? `, of which ${failedRuns} a run failed its own SLOs` : ''} | ${percentOf(detected, injected)} |`,
  `| REPEAT=1 (the same runs one by one) | ${percentOf(singleFalsePositives, singleNoChange.length)} | ${percentOf(singleDetected, singleInjected.length)} |`,
  '',
].join('\n');
writeFileSync(join(outDir, 'rates.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(outDir, 'rates.md'), markdown);
process.stdout.write(markdown);
