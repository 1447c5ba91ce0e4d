// k6 threshold expressions, parsed and judged the way the pinned k6 does (metrics/thresholds.go and
// thresholds_parser.go of go.k6.io/k6), so a merged run passes or fails exactly where one k6 would.
import { LoadgateError } from '../exit-codes.ts';

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface Threshold {
  source: string;
  /** value, count, rate, avg, min, med, max, or p for a percentile. */
  method: string;
  /** For p(N): N. */
  percentile?: number;
  operator: string;
  limit: number;
}

/** k6 tries the operators in this order, so `count>=0` is read as >= and not as >. */
const operators = ['<=', '<', '>=', '>', '===', '==', '!='] as const;

/** What each metric type can be judged by (metric_type.go, supportedAggregationMethods). */
const methodsOf: Record<MetricType, string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

/** A threshold the merge cannot judge by: the run ends as a failed merge (exit 5). */
export const thresholdError = (sentence: string) => new LoadgateError('mergeFailed', sentence);

const validForms = 'p(N), avg, min, med, max for trends; count or rate for counters; rate for rates; value for gauges; compared with <, <=, >, >=, ==, ===, !=';

export function parseThreshold(source: string, metric = 'a metric'): Threshold {
  const refuse = (why: string): never => {
    throw thresholdError(`threshold "${source}" on ${metric} ${why}; valid forms are: ${validForms}`);
  };
  for (const operator of operators) {
    const at = source.indexOf(operator);
    if (at < 0 || at + operator.length === source.length) continue;
    const left = source.slice(0, at).trim();
    const right = source.slice(at + operator.length).trim();
    const limit = Number(right);
    if (right === '' || !Number.isFinite(limit)) refuse(`has no number on its right-hand side ("${right}")`);
    const percentile = /^p\((.+)\)$/.exec(left);
    if (percentile) {
      const value = Number(percentile[1]);
      if (!Number.isFinite(value) || value < 0 || value > 100) refuse(`asks for percentile "${percentile[1]}"`);
      return { source, method: 'p', percentile: value, operator, limit };
    }
    if (!['value', 'count', 'rate', 'avg', 'min', 'med', 'max'].includes(left)) refuse(`aggregates by "${left}", which k6 does not know`);
    return { source, method: left, operator, limit };
  }
  return refuse('has no comparison');
}

/** The key k6 stores the aggregated value under: p(95) prints its number like Go's %g. */
export function statKey(threshold: Threshold): string {
  return threshold.method === 'p' ? `p(${threshold.percentile})` : threshold.method;
}

export function checkApplies(threshold: Threshold, type: MetricType, metric: string): void {
  const method = threshold.method === 'p' ? 'p(N)' : threshold.method;
  if (!methodsOf[type].includes(method)) {
    throw thresholdError(
      `threshold "${threshold.source}" on ${metric} uses ${statKey(threshold)}, which a ${type} does not have; a ${type} supports: ${methodsOf[type].join(', ')}`,
    );
  }
}

/** k6 passes a threshold whose statistic is absent (an empty rate), so this does too. */
export function passes(threshold: Threshold, stats: Record<string, number>): boolean {
  const observed = stats[statKey(threshold)];
  if (observed === undefined) return true;
  switch (threshold.operator) {
    case '<':
      return observed < threshold.limit;
    case '<=':
      return observed <= threshold.limit;
    case '>':
      return observed > threshold.limit;
    case '>=':
      return observed >= threshold.limit;
    case '!=':
      return observed !== threshold.limit;
    default:
      return observed === threshold.limit;
  }
}

/** `k6 inspect` lists a threshold as its text or as {threshold, abortOnFail, delayAbortEval}. */
export type ThresholdOption = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };

/** The thresholds that stop a run when they fail, as `metric key` → expressions. */
export function abortingThresholds(options: Record<string, ThresholdOption[]>): Map<string, Set<string>> {
  const aborting = new Map<string, Set<string>>();
  for (const [metric, rules] of Object.entries(options)) {
    const sources = rules.filter((rule) => typeof rule !== 'string' && rule.abortOnFail).map((rule) => (rule as { threshold: string }).threshold);
    if (sources.length) aborting.set(metric, new Set(sources));
  }
  return aborting;
}

export function thresholdSources(options: Record<string, ThresholdOption[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(options).map(([metric, rules]) => [metric, rules.map((rule) => (typeof rule === 'string' ? rule : rule.threshold))]));
}
