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
   * Latency only: the successful responses every run on both sides needs before the percentile is
   * judged. A p95 over 100 requests is their fifth slowest, which a few scheduler hiccups decide:
   * over 16 no-change smoke runs, half of all run pairs differed by more than +50% in some
   * endpoint's p95. Such percentiles are shown, not judged.
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
  p50: { relative: 0.25, absolute: 0.3, worse: 'higher', unit: 'ms', label: 'p50 latency', minSamples: 10 },
  p95: { relative: 0.5, absolute: 1, worse: 'higher', unit: 'ms', label: 'p95 latency', minSamples: 200 },
  p99: { relative: 1, absolute: 3, worse: 'higher', unit: 'ms', label: 'p99 latency', minSamples: 1000 },
  errorRate: { relative: 0.5, absolute: 0.005, worse: 'higher', unit: 'ratio', label: 'error rate' },
  // Closed-model throughput follows latency and think time; a drop means fewer requests got through.
  throughput: { relative: 0.15, absolute: 0.2, worse: 'lower', unit: 'per-second', label: 'throughput' },
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
