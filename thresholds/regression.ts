// Regression tolerances for `make gate`, as data. Each metric may move against us by a relative
// share of its baseline or by an absolute floor, whichever is larger: the relative bound scales with
// slow endpoints, the floor keeps a 1 ms endpoint from failing on 0.2 ms of scheduler jitter.
// With several runs per side a change must also be significant (Mann–Whitney U over the per-run
// figures) before it fails the gate; with one run per side the tolerance alone decides.
//
// The numbers were chosen from runs of mixed at smoke on the project's 2-core machine, where k6
// and the service share the cores with other work (README, "Regression gate": the measured
// false-positive and detection rates).

/** Which way a metric gets worse. */
export type Worse = 'higher' | 'lower';

export interface Tolerance {
  /** Share of the baseline value, e.g. 0.15 = 15 %. */
  relative: number;
  /** In the metric's own unit (ms, ratio, requests/s, count). */
  absolute: number;
  worse: Worse;
  unit: 'ms' | 'ratio' | 'per-second' | 'count';
  label: string;
  /**
   * What every run on both sides needs before the metric is judged: successful responses for a
   * percentile, requests for a throughput. Below it the figure is shown, not judged. A p95 over 100
   * requests is their fifth slowest, which a few scheduler hiccups decide: over 16 no-change smoke
   * runs, half of all run pairs differed by more than +50% in some endpoint's p95. A throughput or
   * median over a dozen requests moves by 20% when a run's end cuts two iterations: over every
   * 3-against-3 split of 16 no-change quick runs, 7.8% of gates failed with the p50 floor at 10
   * and no throughput floor, 0.6% with both at 20 (docs/gate.md).
   */
  minSamples?: number;
}

export const gateMetrics = ['p50', 'p95', 'p99', 'errorRate', 'throughput', 'checks', 'droppedIterations'] as const;
export type GateMetric = (typeof gateMetrics)[number];

/** Per endpoint: latency, error rate, throughput. Per run: checks, dropped iterations. */
export const endpointMetrics = ['p50', 'p95', 'p99', 'errorRate', 'throughput'] as const satisfies readonly GateMetric[];
export const runMetrics = ['checks', 'droppedIterations'] as const satisfies readonly GateMetric[];

export const tolerances: Record<GateMetric, Tolerance> = {
  // Run to run, a smoke run's p50 moves by about 10% on the shared 2-core machine; the bounds sit
  // well above the noise of each percentile once it has its minimum samples.
  p50: { relative: 0.25, absolute: 0.3, worse: 'higher', unit: 'ms', label: 'p50 latency', minSamples: 20 },
  p95: { relative: 0.5, absolute: 1, worse: 'higher', unit: 'ms', label: 'p95 latency', minSamples: 200 },
  p99: { relative: 1, absolute: 3, worse: 'higher', unit: 'ms', label: 'p99 latency', minSamples: 1000 },
  errorRate: { relative: 0.5, absolute: 0.005, worse: 'higher', unit: 'ratio', label: 'error rate' },
  // Closed-model throughput follows latency and think time; a drop means fewer requests got through.
  throughput: { relative: 0.15, absolute: 0.2, worse: 'lower', unit: 'per-second', label: 'throughput', minSamples: 20 },
  checks: { relative: 0, absolute: 0.005, worse: 'lower', unit: 'ratio', label: 'checks passed' },
  droppedIterations: { relative: 0.5, absolute: 5, worse: 'higher', unit: 'count', label: 'dropped iterations' },
};

/** One-sided significance level of the rank test. */
export const alpha = 0.05;

/** The value a metric may reach before it counts as a regression. */
export function allowedBound(metric: GateMetric, baseline: number): number {
  const { relative, absolute, worse } = tolerances[metric];
  const margin = Math.max(Math.abs(baseline) * relative, absolute);
  // Every gated metric is a count, share or time: none can fall below zero.
  return worse === 'higher' ? baseline + margin : Math.max(0, baseline - margin);
}

/** True when `value` lies beyond the bound in the direction that is worse. */
export function beyond(metric: GateMetric, value: number, bound: number): boolean {
  return tolerances[metric].worse === 'higher' ? value > bound : value < bound;
}

/** How a tolerance reads in a report: "+20% or +0.50 ms". */
export function describeTolerance(metric: GateMetric): string {
  const { relative, absolute, worse, unit } = tolerances[metric];
  const sign = worse === 'higher' ? '+' : '−';
  const floor = unit === 'ms' ? `${absolute} ms` : unit === 'ratio' ? `${(absolute * 100).toFixed(1)} points` : unit === 'per-second' ? `${absolute}/s` : String(absolute);
  return relative > 0 ? `${sign}${Math.round(relative * 100)}% or ${sign}${floor}, whichever is larger` : `${sign}${floor}`;
}

// ---- Side by side (make gate BASE=<ref>): base and head measured in alternating rounds.

/** Chance of any false alarm over every metric a side-by-side gate judges (Holm). */
export const familyAlpha = 0.05;

/**
 * The smallest change a side-by-side gate fails on: relative for latency, throughput and dropped
 * iterations, in points of share for error rate and failed checks. A real change smaller than this
 * is reported with its interval but does not fail the gate.
 */
export const minimumEffect: Record<GateMetric, number> = {
  p50: 0.1,
  p95: 0.15,
  p99: 0.25,
  errorRate: 0.005,
  throughput: 0.1,
  checks: 0.005,
  droppedIterations: 0.5,
};

/**
 * Successful responses every round needs before a percentile is judged side by side. Lower than
 * minSamples above: the rounds' own spread sets the interval, so a noisy p95 widens its interval
 * instead of raising a false alarm; below these counts the percentile is a single request's time.
 */
export const roundMinSamples: Partial<Record<GateMetric, number>> = { p50: 10, p95: 40, p99: 200 };

/** How a minimum effect reads: "10%" or "0.5 points". */
export function describeMinimumEffect(metric: GateMetric): string {
  const unit = tolerances[metric].unit;
  return unit === 'ratio' ? `${(minimumEffect[metric] * 100).toFixed(1)} points` : `${Math.round(minimumEffect[metric] * 100)}%`;
}
