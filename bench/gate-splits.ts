// The committed-baseline gate's false-alarm rate, from recorded no-change runs: every way to pick a
// baseline of 3 and a disjoint current of 3 from N runs of one scenario and profile, judged by
// decide() exactly as `make gate REPEAT=3` judges them. Also judged without the sample floors
// (thresholds/regression.ts minSamples), to show what the floors buy.
//
//   node --import tsx bench/gate-splits.ts RUNS.json [OUT.json]
//
// RUNS.json is a baseline file (`make baseline`) or several merged into one `runs` list; REPEAT
// is at most 10 a baseline. The runs of docs/figures/gate-splits.json are in
// docs/figures/gate-splits-runs.json; docs/gate.md renders from the former (`make docs`).
import { readFileSync, writeFileSync } from 'node:fs';
import { decide } from '../cli/gate/compare.ts';
import type { RunFigures } from '../cli/runs/figures.ts';
import { gateMetrics, tolerances } from '../thresholds/regression.ts';

interface SplitRule {
  rule: string;
  gates: number;
  failed: number;
  /** "<endpoint> <metric>" → gates it failed. */
  failedBy: Record<string, number>;
}

export interface GateSplits {
  scenario: string;
  profile: string;
  runs: number;
  /** The runs' machine, as the baseline recorded it, and when the first and last run started. */
  machine: string;
  from: string;
  to: string;
  /** Per endpoint, the fewest and most requests of any run. */
  requests: Record<string, [number, number]>;
  floors: Record<string, number>;
  rules: SplitRule[];
}

function* triples(from: number[]): Generator<number[]> {
  for (let a = 0; a < from.length; a++) for (let b = a + 1; b < from.length; b++) for (let c = b + 1; c < from.length; c++) yield [from[a], from[b], from[c]];
}

function judgeSplits(runs: RunFigures[], rule: string): SplitRule {
  const result: SplitRule = { rule, gates: 0, failed: 0, failedBy: {} };
  const all = runs.map((_, i) => i);
  for (const baseline of triples(all)) {
    const rest = all.filter((i) => !baseline.includes(i));
    for (const current of triples(rest)) {
      const { regressions } = decide(baseline.map((i) => runs[i]), current.map((i) => runs[i]), 'make baseline');
      result.gates++;
      if (regressions.length === 0) continue;
      result.failed++;
      for (const { endpoint, metric } of regressions) {
        const key = `${endpoint} ${metric}`;
        result.failedBy[key] = (result.failedBy[key] ?? 0) + 1;
      }
    }
  }
  return result;
}

function gateSplits(runs: RunFigures[]): GateSplits {
  if (runs.length < 6) throw new Error(`gate-splits: ${runs.length} runs; a baseline of 3 and a current of 3 need at least 6`);
  const [first] = runs;
  const odd = runs.find((run) => run.scenario !== first.scenario || run.profile !== first.profile);
  if (odd) throw new Error(`gate-splits: ${odd.folder} is ${odd.scenario} at ${odd.profile}, the first run ${first.scenario} at ${first.profile}`);
  const requests: Record<string, [number, number]> = {};
  for (const endpoint of Object.keys(first.endpoints)) {
    const counts = runs.map((run) => run.endpoints[endpoint]?.requests ?? 0);
    requests[endpoint] = [Math.min(...counts), Math.max(...counts)];
  }
  const floors = Object.fromEntries(gateMetrics.filter((m) => tolerances[m].minSamples).map((m) => [m, tolerances[m].minSamples!]));
  const committed = judgeSplits(runs, 'as committed');
  // The counterfactual: the same decisions with no metric held back for its sample count.
  for (const metric of gateMetrics) delete tolerances[metric].minSamples;
  const unfloored = judgeSplits(runs, 'without the sample floors');
  const started = runs.map((run) => run.startedAt ?? '').sort();
  const { cpus, cpuModel, memoryBytes } = first.machine ?? {};
  const machine = `${cpus} cores (${cpuModel}), ${((memoryBytes ?? 0) / 2 ** 30).toFixed(1)} GiB, shared by k6 and the reference service`;
  return { scenario: first.scenario, profile: first.profile, runs: runs.length, machine, from: started[0], to: started.at(-1)!, requests, floors, rules: [committed, unfloored] };
}

const [input, output] = process.argv.slice(2);
if (!input) {
  console.error('usage: node --import tsx bench/gate-splits.ts RUNS.json [OUT.json]');
  process.exit(2);
}
const result = gateSplits((JSON.parse(readFileSync(input, 'utf8')) as { runs: RunFigures[] }).runs);
const text = `${JSON.stringify(result, null, 2)}\n`;
if (output) writeFileSync(output, text);
process.stdout.write(text);
