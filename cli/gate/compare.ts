// The gate's decision, pure: baseline runs against current runs, per endpoint and metric. A metric
// regresses when the median of the current runs lies beyond the tolerance around the median of the
// baseline runs (thresholds/regression.ts) and, where the run counts allow the rank test to reach
// its significance level, the current runs rank worse than the baseline's with p <= alpha.
import { ms, percent, perSecond } from '../../lib/format.ts';
import {
  allowedBound,
  alpha,
  beyond,
  describeTolerance,
  endpointMetrics,
  runMetrics,
  tolerances,
  type GateMetric,
} from '../../thresholds/regression.ts';
import { cannotCompare } from './baseline.ts';
import type { RunFigures } from '../runs/figures.ts';
import { mannWhitneyGreater, median, smallestPValue } from '../runs/ranks.ts';

/** The pseudo-endpoint of the run-wide rows (checks, dropped iterations). */
export const wholeRun = 'all';

export type Status = 'ok' | 'regression' | 'improved' | 'no data' | 'too few samples';

export interface Comparison {
  endpoint: string;
  metric: GateMetric;
  /** Per-run values, in run order. */
  baseline: number[];
  current: number[];
  baselineMedian: number | null;
  currentMedian: number | null;
  /** The worst the current median may be. */
  bound: number | null;
  /** One-sided p of "current is worse"; null when the run counts cannot reach alpha. */
  pValue: number | null;
  status: Status;
  /** For a regression: what, by how much, against which bound. */
  sentence: string;
}

export interface GateDecision {
  comparisons: Comparison[];
  regressions: Comparison[];
  baselineRuns: number;
  currentRuns: number;
  /** False with too few runs a side: the tolerance alone decides. */
  rankTest: boolean;
}

export function formatValue(metric: GateMetric, value: number | null): string {
  if (value === null) return 'no data';
  switch (tolerances[metric].unit) {
    case 'ms':
      return ms(value);
    case 'ratio':
      return percent(value);
    case 'per-second':
      return perSecond(value);
    case 'count':
      return String(Math.round(value));
  }
}

/** The fewest an endpoint had in any of the runs: requests for its throughput, successful responses for the rest. */
function fewestSamples(runs: RunFigures[], endpoint: string, metric: GateMetric): number {
  return Math.min(...runs.map((run) => (metric === 'throughput' ? run.endpoints[endpoint]?.requests : run.endpoints[endpoint]?.latency?.count) ?? 0));
}

function endpointValues(runs: RunFigures[], endpoint: string, metric: GateMetric): number[] {
  const values: number[] = [];
  for (const run of runs) {
    if (metric === 'checks') values.push(run.checks.rate);
    else if (metric === 'droppedIterations') values.push(run.droppedIterations);
    else {
      const figures = run.endpoints[endpoint];
      if (!figures) continue;
      const value = metric === 'p50' || metric === 'p95' || metric === 'p99' ? figures.latency?.[metric] : figures[metric];
      if (value !== undefined) values.push(value);
    }
  }
  return values;
}

const endpointsOf = (runs: RunFigures[]) => new Set(runs.flatMap((run) => Object.keys(run.endpoints)));

/** Refuses when the two sides did not drive the same endpoints: their figures would not line up. */
function checkSameEndpoints(baseline: RunFigures[], current: RunFigures[], retake: string): string[] {
  const before = endpointsOf(baseline);
  const now = endpointsOf(current);
  const onlyBefore = [...before].filter((name) => !now.has(name));
  const onlyNow = [...now].filter((name) => !before.has(name));
  const parts = [];
  if (onlyBefore.length) parts.push(`${onlyBefore.join(', ')} ${onlyBefore.length > 1 ? 'are' : 'is'} in the baseline but not in the current run`);
  if (onlyNow.length) parts.push(`${onlyNow.join(', ')} ${onlyNow.length > 1 ? 'are' : 'is'} in the current run but not in the baseline`);
  if (parts.length) throw cannotCompare(`endpoint missing on one side: ${parts.join('; ')}; if the scenario changed on purpose, take a new baseline with: ${retake}`);
  return [...before].sort();
}

function compareMetric(endpoint: string, metric: GateMetric, baseline: number[], current: number[], rankTest: boolean, samples: number): Comparison {
  const baselineMedian = baseline.length ? median(baseline) : null;
  const currentMedian = current.length ? median(current) : null;
  const unjudged = { endpoint, metric, baseline, current, baselineMedian, currentMedian, bound: null, pValue: null, sentence: '' };
  if (baselineMedian === null || currentMedian === null) return { ...unjudged, status: 'no data' };
  if (samples < (tolerances[metric].minSamples ?? 0)) return { ...unjudged, status: 'too few samples' };
  const bound = allowedBound(metric, baselineMedian);
  // The test reads "higher is worse"; a metric that is worse when lower is turned round.
  const sign = tolerances[metric].worse === 'higher' ? 1 : -1;
  const orient = (values: number[]) => values.map((value) => sign * value);
  const pValue = rankTest ? mannWhitneyGreater(orient(current), orient(baseline)) : null;
  const significant = pValue === null || pValue <= alpha;
  let status: Status = 'ok';
  if (beyond(metric, currentMedian, bound) && significant) status = 'regression';
  else if (rankTest && mannWhitneyGreater(orient(baseline), orient(current)) <= alpha && beyond(metric, baselineMedian, allowedBound(metric, currentMedian))) status = 'improved';
  const where = endpoint === wholeRun ? 'the run' : endpoint;
  const evidence = pValue === null ? `${current.length} run(s) against ${baseline.length}: tolerance only` : `Mann–Whitney p = ${pValue.toFixed(3)} over ${current.length} and ${baseline.length} runs`;
  const sentence =
    status === 'regression'
      ? `${where}: ${tolerances[metric].label} regressed to ${formatValue(metric, currentMedian)} from a baseline of ${formatValue(metric, baselineMedian)}; allowed ${tolerances[metric].worse === 'higher' ? 'up to' : 'down to'} ${formatValue(metric, bound)} (${describeTolerance(metric)}; ${evidence})`
      : '';
  return { endpoint, metric, baseline, current, baselineMedian, currentMedian, bound, pValue, status, sentence };
}

export function decide(baseline: RunFigures[], current: RunFigures[], retake: string): GateDecision {
  const endpoints = checkSameEndpoints(baseline, current, retake);
  const rankTest = smallestPValue(current.length, baseline.length) <= alpha;
  const comparisons: Comparison[] = [];
  for (const endpoint of endpoints) {
    for (const metric of endpointMetrics) {
      const samples = Math.min(fewestSamples(baseline, endpoint, metric), fewestSamples(current, endpoint, metric));
      comparisons.push(compareMetric(endpoint, metric, endpointValues(baseline, endpoint, metric), endpointValues(current, endpoint, metric), rankTest, samples));
    }
  }
  for (const metric of runMetrics) {
    comparisons.push(compareMetric(wholeRun, metric, endpointValues(baseline, wholeRun, metric), endpointValues(current, wholeRun, metric), rankTest, Infinity));
  }
  return { comparisons, regressions: comparisons.filter((c) => c.status === 'regression'), baselineRuns: baseline.length, currentRuns: current.length, rankTest };
}
