// Merges the raw samples of several k6 instances (each `k6 run --out json=<file>.gz`), or the
// aggregates their reducers delivered (aggregate.ts), into one
// summary with the shape of k6's own handleSummary data, so the text, JUnit and REPORT.md renderers
// and cli/record.ts read it unchanged. Percentiles are exact while the trend samples fit the budget
// of sinks.ts (k6's interpolation over all of them), and within sketch.ts's relative error past it.
// Files are streamed line by line, so memory never grows with the file, and past the budget not with
// the samples either: only with the metrics and tag sets.
import type { K6Summary, MetricSummary } from '../../lib/summary/model.ts';
import type { MergeRecord } from '../record.ts';
import { ms } from '../../lib/format.ts';
import { GaugeSink, sinkCount, summaryValues, thresholdValues, TrendBudget, TrendSink, type Sink, type TrendMerge } from './sinks.ts';
import { Accumulator, submetricKeys, submetricTags } from './accumulate.ts';
import type { Aggregate } from './aggregate.ts';
import { checkApplies, parseThreshold, passes, statKey, thresholdError, type MetricType, type Threshold } from './thresholds.ts';

/** k6's default summaryTrendStats, used when neither the options nor a summary name them. */
export const defaultTrendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

/** Types of k6's built-in metrics, for a thresholded metric no instance ever sampled. */
const builtinTypes: Record<string, [MetricType, string]> = {
  vus: ['gauge', 'default'],
  vus_max: ['gauge', 'default'],
  iterations: ['counter', 'default'],
  iteration_duration: ['trend', 'time'],
  dropped_iterations: ['counter', 'default'],
  data_received: ['counter', 'data'],
  data_sent: ['counter', 'data'],
  checks: ['rate', 'default'],
  http_reqs: ['counter', 'default'],
  http_req_failed: ['rate', 'default'],
  http_req_duration: ['trend', 'time'],
  grpc_req_duration: ['trend', 'time'],
};

export interface MergeInput {
  /**
   * One per instance, in order: a raw sample file (plain or gzipped JSON lines), or the aggregate
   * its runner delivered instead (aggregate.ts).
   */
  sources: Array<string | Aggregate>;
  /** Each instance's own summary.json where it left one (for the run duration, checks, setup data). */
  summaries: Array<K6Summary | null>;
  /** Threshold expressions by metric key, from the scenario's options. */
  thresholds: Record<string, string[]>;
  trendStats?: readonly string[];
  /** auto: exact until the budget of sinks.ts is spent, then sketched; the tests force either. */
  trendMerge?: TrendMerge;
}

/** Sums each check's passes and fails across the instances' root groups, by path. */
function mergeGroups(groups: unknown[]): unknown {
  interface Check { path: string; passes: number; fails: number }
  interface Group { path: string; checks?: Check[]; groups?: Group[] }
  const present = groups.filter((group): group is Group => typeof group === 'object' && group !== null);
  if (!present.length) return undefined;
  const merged = structuredClone(present[0]);
  const index = new Map<string, Check | Group>();
  const walk = (group: Group) => {
    index.set(`g${group.path}`, group);
    for (const check of group.checks ?? []) index.set(`c${check.path}`, check);
    for (const child of group.groups ?? []) walk(child);
  };
  walk(merged);
  const add = (group: Group, into: Group) => {
    for (const check of group.checks ?? []) {
      const known = index.get(`c${check.path}`) as Check | undefined;
      if (known) {
        known.passes += check.passes;
        known.fails += check.fails;
      } else {
        const copy = { ...check };
        (into.checks ??= []).push(copy);
        index.set(`c${check.path}`, copy);
      }
    }
    for (const child of group.groups ?? []) {
      const known = index.get(`g${child.path}`) as Group | undefined;
      if (known) add(child, known);
      else {
        const copy = structuredClone(child);
        (into.groups ??= []).push(copy);
        walk(copy);
      }
    }
  };
  for (const group of present.slice(1)) add(group, merged);
  return merged;
}

export interface MergeResult {
  summary: K6Summary;
  /** Samples read per file. */
  samples: number[];
  /** Bytes the trend sinks held at the end. */
  trendBytes: number;
  /** Which merge ran, the relative error of its percentiles, and the thresholds within that error of their limits. */
  merge: MergeRecord;
}

/** A percentile threshold whose verdict the sketch's error could flip: the true value may lie on the other side of the limit. */
function nearLimit(threshold: Threshold, stats: Record<string, number>, relativeError: number): boolean {
  if (!relativeError || (threshold.method !== 'p' && threshold.method !== 'med')) return false;
  const observed = stats[statKey(threshold)];
  return observed !== undefined && Math.abs(observed - threshold.limit) <= (relativeError / (1 - relativeError)) * Math.abs(observed);
}

/** Merges the instances' raw samples or delivered aggregates into one k6-shaped summary, judged. */
export async function mergeOutputs(input: MergeInput): Promise<MergeResult> {
  const summaries = input.summaries.filter((summary): summary is K6Summary => summary !== null);
  const trendStats = input.trendStats ?? ((summaries[0]?.options as { summaryTrendStats?: string[] } | undefined)?.summaryTrendStats ?? defaultTrendStats);
  const budget = new TrendBudget(input.trendMerge);
  const accumulator = new Accumulator(input.sources.length, submetricKeys(Object.keys(input.thresholds)), budget);
  const { metrics } = accumulator;
  const knownType = (name: string): [MetricType, string] | undefined => {
    for (const summary of summaries) {
      const metric = summary.metrics[name];
      if (metric) return [metric.type, metric.contains ?? 'default'];
    }
    return builtinTypes[name];
  };
  const samples: number[] = [];
  for (const [instance, source] of input.sources.entries()) {
    samples.push(typeof source === 'string' ? await accumulator.ingest(source, instance) : accumulator.absorb(source, instance));
  }
  const { firstMs, lastMs } = accumulator;

  // Thresholded metrics exist in k6's summary even without samples, so they exist here too.
  for (const key of Object.keys(input.thresholds)) {
    const { parent } = submetricTags(key);
    if (metrics.has(parent)) continue;
    const type = knownType(parent) ?? knownType(key);
    if (!type) throw thresholdError(`threshold on ${key}: no instance sampled ${parent} and its type is unknown; pass the instances' summary.json files too`);
    accumulator.define(parent, ...type);
  }

  // The instances ran side by side, so the run lasted as long as the longest of them.
  const durations = summaries.map((summary) => summary.state?.testRunDurationMs ?? 0);
  const durationMs = durations.length ? Math.max(...durations) : lastMs > firstMs ? lastMs - firstMs : 0;

  const out: Record<string, MetricSummary> = {};
  let trendBytes = 0;
  const near: string[] = [];
  const emit = (key: string, type: MetricType, contains: string, sink: Sink, observed: boolean) => {
    const expressions = input.thresholds[key];
    if (!observed && !expressions) return;
    const entry: MetricSummary = { type, contains, values: summaryValues(sink, trendStats, durationMs) };
    if (expressions) {
      const parsed: Threshold[] = expressions.map((source) => parseThreshold(source, key));
      for (const threshold of parsed) checkApplies(threshold, type, key);
      const percentiles = parsed.filter((t) => t.method === 'p').map(statKey);
      const stats = thresholdValues(sink, percentiles, durationMs);
      entry.thresholds = Object.fromEntries(parsed.map((threshold) => [threshold.source, { ok: passes(threshold, stats) }]));
      for (const threshold of parsed) if (nearLimit(threshold, stats, budget.method.relativeError)) near.push(`${key} ${threshold.source} (observed ${contains === 'time' ? ms(stats[statKey(threshold)]) : stats[statKey(threshold)]})`);
    }
    // Counted after the statistics, which is when a merge over the budget has turned every sink into a histogram.
    if (sink instanceof TrendSink) trendBytes += sink.bytes;
    out[key] = entry;
  };
  for (const metric of metrics.values()) {
    const sink = metric.type === 'gauge' ? addGauges(metric.sinks as GaugeSink[]) : metric.sinks[0];
    const hasThresholdedChild = metric.submetrics.some((sub) => input.thresholds[sub.key]);
    emit(metric.name, metric.type, metric.contains, sink, metric.sinks.some((s) => sinkCount(s) > 0) || hasThresholdedChild);
    for (const sub of metric.submetrics) emit(sub.key, metric.type, metric.contains, sub.sink, sinkCount(sub.sink) > 0);
  }

  const first = summaries[0];
  const summary: K6Summary = {
    root_group: mergeGroups(summaries.map((s) => s.root_group)),
    options: { summaryTrendStats: [...trendStats], summaryTimeUnit: '', noColor: false },
    state: { testRunDurationMs: durationMs },
    metrics: Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b))),
    setup_data: first?.setup_data,
  };
  const delivered = input.sources.filter((source) => typeof source !== 'string').length;
  const delivery = delivered === 0 ? 'raw' : delivered === input.sources.length ? 'aggregate' : 'both';
  return { summary, samples, trendBytes, merge: { ...budget.method, nearLimit: near, delivery } };
}

/**
 * Gauges (vus, vus_max) measure what each instance holds at a moment, so the run's figure is their
 * sum: the current values and minima add up; the maxima add up to an upper bound, since the
 * instances' peaks need not coincide. With one instance this is k6's own gauge.
 */
function addGauges(sinks: GaugeSink[]): GaugeSink {
  const total = new GaugeSink();
  for (const sink of sinks) {
    total.value += sink.value;
    total.min += sink.min;
    total.max += sink.max;
    total.count += sink.count;
  }
  return total;
}
