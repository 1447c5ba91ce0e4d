// The side-by-side gate's decision, pure: paired rounds of base and head runs, one estimate with
// its interval per endpoint and metric (cli/runs/stats.ts), Holm over all judged metrics, and a
// regression wherever head is worse than base by more than the metric's minimum effect.
import { ms, percent, perSecond } from '../../lib/format.ts';
import { endpointMetrics, familyAlpha, minimumEffect, roundMinSamples, runMetrics, tolerances, type GateMetric } from '../../thresholds/regression.ts';
import { median } from '../runs/ranks.ts';
import { countChange, holm, ratioChange, shareChange, type Estimate } from '../runs/stats.ts';
import { wholeRun } from './compare.ts';
import type { RunFigures } from '../runs/figures.ts';

export interface Round {
  base: RunFigures;
  head: RunFigures;
}

export type AbStatus = 'ok' | 'regression' | 'improved' | 'no data' | 'too few samples';

export interface AbComparison {
  endpoint: string;
  metric: GateMetric;
  /** Per round, in round order. */
  base: number[];
  head: number[];
  estimate: Estimate | null;
  /** Holm-adjusted p of "worse by more than the minimum effect". */
  adjustedP: number | null;
  status: AbStatus;
  sentence: string;
}

export interface AbDecision {
  rounds: number;
  comparisons: AbComparison[];
  regressions: AbComparison[];
}

const isShare = (metric: GateMetric) => metric === 'errorRate' || metric === 'checks';

/** "+12.3%" for ratios, "+0.40 points" for shares, "×∞" when a count starts from zero. */
export function formatChange(metric: GateMetric, value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+∞' : '−∞';
  const sign = value >= 0 ? '+' : '−';
  return isShare(metric) ? `${sign}${Math.abs(value * 100).toFixed(2)} points` : `${sign}${Math.abs(value * 100).toFixed(1)}%`;
}

/** Side by side, checks are judged as the share that failed (a count test), so they are named so. */
export const abLabel = (metric: GateMetric) => (metric === 'checks' ? 'failed checks' : tolerances[metric].label);

export function formatFigure(metric: GateMetric, value: number | null): string {
  if (value === null) return 'no data';
  const unit = tolerances[metric].unit;
  return unit === 'ms' ? ms(value) : unit === 'ratio' ? percent(value) : unit === 'per-second' ? perSecond(value) : String(Math.round(value));
}

function perRound(run: RunFigures, endpoint: string, metric: GateMetric): number | null {
  if (metric === 'checks') return run.checks.passes + run.checks.fails ? run.checks.fails / (run.checks.passes + run.checks.fails) : null;
  if (metric === 'droppedIterations') return run.droppedIterations;
  const figures = run.endpoints[endpoint];
  if (!figures) return null;
  if (metric === 'p50' || metric === 'p95' || metric === 'p99') return figures.latency?.[metric] ?? null;
  return figures[metric as 'errorRate' | 'throughput'];
}

/** Failures and trials summed over rounds: requests for an endpoint's error rate, checks for the run's. */
function shareCounts(runs: RunFigures[], endpoint: string, metric: GateMetric): { x: number; n: number } {
  let x = 0;
  let n = 0;
  for (const run of runs) {
    if (metric === 'checks') {
      x += run.checks.fails;
      n += run.checks.fails + run.checks.passes;
    } else {
      x += run.endpoints[endpoint]?.failures ?? 0;
      n += run.endpoints[endpoint]?.requests ?? 0;
    }
  }
  return { x, n };
}

function estimateFor(rounds: Round[], endpoint: string, metric: GateMetric, base: number[], head: number[]): Estimate | 'too few samples' {
  const needed = roundMinSamples[metric];
  if (needed !== undefined) {
    const fewest = Math.min(...rounds.flatMap((r) => [r.base, r.head].map((run) => run.endpoints[endpoint]?.latency?.count ?? 0)));
    if (fewest < needed) return 'too few samples';
  }
  if (isShare(metric)) return shareChange(shareCounts(rounds.map((r) => r.base), endpoint, metric), shareCounts(rounds.map((r) => r.head), endpoint, metric), minimumEffect[metric]);
  if (metric === 'droppedIterations') return countChange(base.reduce((a, b) => a + b, 0), head.reduce((a, b) => a + b, 0), minimumEffect[metric]);
  return ratioChange(base, head, minimumEffect[metric], tolerances[metric].worse);
}

function sentenceFor(c: AbComparison): string {
  const e = c.estimate!;
  const where = c.endpoint === wholeRun ? 'the run' : c.endpoint;
  const figures = `${formatFigure(c.metric, median(c.head))} against ${formatFigure(c.metric, median(c.base))}`;
  return `${where}: ${abLabel(c.metric)} ${formatChange(c.metric, e.estimate)} on head (${figures}; ${Math.round(e.level * 100)}% interval ${formatChange(c.metric, e.low)} to ${formatChange(c.metric, e.high)}; Holm-adjusted p = ${c.adjustedP!.toPrecision(2)} that it is worse by more than ${formatChange(c.metric, minimumEffect[c.metric]).slice(1)})`;
}

export function decideRounds(rounds: Round[]): AbDecision {
  const endpoints = [...new Set(rounds.flatMap((r) => [...Object.keys(r.base.endpoints), ...Object.keys(r.head.endpoints)]))].sort();
  const pairs: Array<[string, GateMetric]> = [...endpoints.flatMap((e) => endpointMetrics.map((m): [string, GateMetric] => [e, m])), ...runMetrics.map((m): [string, GateMetric] => [wholeRun, m])];
  const comparisons: AbComparison[] = pairs.map(([endpoint, metric]) => {
    const values = rounds.map((r) => [perRound(r.base, endpoint, metric), perRound(r.head, endpoint, metric)]);
    const complete = values.filter((v): v is [number, number] => v[0] !== null && v[1] !== null);
    const base = complete.map((v) => v[0]);
    const head = complete.map((v) => v[1]);
    const unjudged = { endpoint, metric, base, head, estimate: null, adjustedP: null, sentence: '' };
    if (complete.length < Math.max(2, rounds.length)) return { ...unjudged, status: 'no data' };
    const estimate = estimateFor(rounds, endpoint, metric, base, head);
    if (estimate === 'too few samples') return { ...unjudged, status: 'too few samples' };
    return { ...unjudged, estimate, status: 'ok' };
  });
  const judged = comparisons.filter((c) => c.estimate);
  const adjusted = holm(judged.map((c) => c.estimate!.pValue));
  judged.forEach((c, i) => {
    c.adjustedP = adjusted[i];
    // Improved: the whole interval better than base by more than the minimum effect.
    const better = tolerances[c.metric].worse === 'higher' || isShare(c.metric) ? c.estimate!.high < -minimumEffect[c.metric] : c.estimate!.low > minimumEffect[c.metric];
    if (adjusted[i] <= familyAlpha) {
      c.status = 'regression';
      c.sentence = sentenceFor(c);
    } else if (better) c.status = 'improved';
  });
  return { rounds: rounds.length, comparisons, regressions: comparisons.filter((c) => c.status === 'regression') };
}
