// Gate history across nights: each side-by-side gate appends one JSON line to
// <RESULTS_DIR>/history/gate-history.jsonl, and `make history` draws head's latency per endpoint
// over the gates (history.svg) and looks for a step in each series, so a slow drift that passes
// every nightly A/B is still named with the commit where it began.
//
// Change points: no maintained npm package fits (the ones there are unmaintained ports), so the
// method is the simplest documented one: the single split of a series that most reduces its sum
// of squared deviations (one step of binary segmentation), kept when a permutation test says a
// split that good arises by chance in at most 1% of 999 shuffles and the step is at least 10%.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { palette, renderSvg } from '../charts.ts';
import { median } from '../runs/ranks.ts';
import type { AbDecision } from './ab-compare.ts';

export interface HistoryEntry {
  date: string;
  scenario: string;
  profile: string;
  base: string;
  head: string;
  machine: string;
  outcome: string;
  metrics: Array<{ endpoint: string; metric: string; base: number; head: number; change: number | null; low: number | null; high: number | null }>;
}

export const historyFile = (resultsDir: string) => join(resultsDir, 'history', 'gate-history.jsonl');
export const historyFiles = { markdown: 'history.md', chart: 'history.svg' } as const;

export function appendHistory(resultsDir: string, entry: Omit<HistoryEntry, 'metrics'>, decision: AbDecision): void {
  const metrics = decision.comparisons
    .filter((c) => c.base.length && c.head.length)
    .map((c) => ({ endpoint: c.endpoint, metric: c.metric, base: median(c.base), head: median(c.head), change: c.estimate?.estimate ?? null, low: c.estimate?.low ?? null, high: c.estimate?.high ?? null }));
  mkdirSync(join(resultsDir, 'history'), { recursive: true });
  appendFileSync(historyFile(resultsDir), `${JSON.stringify({ ...entry, metrics })}\n`);
}

export function readHistory(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as HistoryEntry);
}

const sse = (values: number[]) => {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((s, v) => s + (v - m) ** 2, 0);
};

/** The best single split: index of the first value after the step, and the SSE it leaves. */
function bestSplit(values: number[], minSide: number): { at: number; cost: number } | null {
  let best: { at: number; cost: number } | null = null;
  for (let at = minSide; at <= values.length - minSide; at++) {
    const cost = sse(values.slice(0, at)) + sse(values.slice(at));
    if (!best || cost < best.cost) best = { at, cost };
  }
  return best;
}

/** A seeded generator, so the same history always gives the same answer. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface ChangePoint {
  at: number;
  before: number;
  after: number;
  pValue: number;
}

export function changePoint(values: number[], minSide = 3, minStep = 0.1, shuffles = 999): ChangePoint | null {
  if (values.length < 2 * minSide) return null;
  const found = bestSplit(values, minSide)!;
  const before = median(values.slice(0, found.at));
  const after = median(values.slice(found.at));
  if (Math.abs(after - before) < minStep * Math.abs(before)) return null;
  const random = generator(values.length);
  let asGood = 0;
  const copy = [...values];
  for (let i = 0; i < shuffles; i++) {
    for (let j = copy.length - 1; j > 0; j--) {
      const k = Math.floor(random() * (j + 1));
      [copy[j], copy[k]] = [copy[k], copy[j]];
    }
    if (bestSplit(copy, minSide)!.cost <= found.cost) asGood++;
  }
  const pValue = (asGood + 1) / (shuffles + 1);
  return pValue <= 0.01 ? { at: found.at, before, after, pValue } : null;
}

const latency = ['p50', 'p95'];

export interface Step {
  endpoint: string;
  metric: string;
  commit: string;
  date: string;
  before: number;
  after: number;
  pValue: number;
}

export function findSteps(history: HistoryEntry[]): Step[] {
  const series = new Map<string, Array<{ entry: HistoryEntry; value: number }>>();
  for (const entry of history) {
    for (const m of entry.metrics) {
      if (!latency.includes(m.metric)) continue;
      const key = `${m.endpoint} ${m.metric}`;
      series.set(key, [...(series.get(key) ?? []), { entry, value: m.head }]);
    }
  }
  const steps: Step[] = [];
  for (const [key, points] of series) {
    const found = changePoint(points.map((p) => p.value));
    if (!found) continue;
    const [endpoint, metric] = key.split(' ');
    const first = points[found.at].entry;
    steps.push({ endpoint, metric, commit: first.head, date: first.date, before: found.before, after: found.after, pValue: found.pValue });
  }
  return steps.sort((a, b) => a.endpoint.localeCompare(b.endpoint) || a.metric.localeCompare(b.metric));
}

export function historySpec(history: HistoryEntry[], steps: Step[]): TopLevelSpec {
  const values = history.flatMap((entry, gate) =>
    entry.metrics.filter((m) => latency.includes(m.metric)).map((m) => ({ gate: gate + 1, commit: entry.head.slice(0, 8), endpoint: m.endpoint, metric: m.metric, head: m.head })),
  );
  const marks = steps.map((s) => ({ endpoint: s.endpoint, metric: s.metric, gate: history.findIndex((e) => e.head === s.commit && e.date === s.date) + 1 }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Gate history: head latency per endpoint over ${history.length} gates`, subtitle: 'red rule: a step found by change-point detection, at the first gate after it' },
    facet: { row: { field: 'endpoint', type: 'nominal', title: null } },
    data: { values: [...values, ...marks.map((m) => ({ ...m, step: true }))] },
    spec: {
      width: 520,
      height: 90,
      layer: [
        {
          transform: [{ filter: '!datum.step' }],
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'gate', type: 'quantitative', title: 'gate', axis: { tickMinStep: 1 } },
            y: { field: 'head', type: 'quantitative', title: 'ms', scale: { zero: false } },
            color: { field: 'metric', type: 'nominal', scale: { domain: latency, range: [palette.after, palette.before] } },
            tooltip: [{ field: 'commit' }, { field: 'head' }],
          },
        },
        { transform: [{ filter: 'datum.step' }], mark: { type: 'rule', color: palette.bound, strokeWidth: 2 }, encoding: { x: { field: 'gate', type: 'quantitative' } } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif' },
  };
}

export async function historyCommand(resultsDir: string): Promise<number> {
  const file = historyFile(resultsDir);
  const history = readHistory(file);
  if (history.length < 6) {
    process.stderr.write(`loadgate: ${file} holds ${history.length} gate result(s); change-point detection needs at least 6 (3 a side of a step); run make gate BASE=… to add some\n`);
    return 2;
  }
  const steps = findSteps(history);
  const dir = join(resultsDir, 'history');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, historyFiles.chart), await renderSvg(historySpec(history, steps)));
  const lines = [`# Gate history: ${history.length} gates, ${history[0].date} to ${history.at(-1)!.date}`, ''];
  lines.push(...(steps.length ? steps.map((s) => `- ${s.endpoint} ${s.metric}: a step from ${s.before.toFixed(2)} to ${s.after.toFixed(2)} ms began at commit ${s.commit} (${s.date}; permutation p = ${s.pValue.toFixed(3)})`) : ['- no step in any endpoint\'s p50 or p95']));
  lines.push('', `Chart: ${join(dir, historyFiles.chart)}. Method: docs/gate.md, "History".`, '');
  writeFileSync(join(dir, historyFiles.markdown), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
  return 0;
}
