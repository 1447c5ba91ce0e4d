// k6's four metric sinks (metrics/sink.go of the pinned k6), rebuilt over raw samples. Trends keep
// every value while the whole merge holds at most `exactSampleLimit` of them (exact percentiles need
// them all; 8 bytes a sample in a growable Float64Array); past that every trend of the merge turns
// into a log-bucket histogram (sketch.ts), so memory stops growing with the samples.
import { LogHistogram, sketchRelativeError, type HistogramState } from './sketch.ts';
import type { MetricType } from './thresholds.ts';

/** 8 M samples (64 MiB, up to 128 MiB while an array doubles): about 1 M requests of the mixed scenario. */
export const exactSampleLimit = 8 * 2 ** 20;

export type TrendMerge = 'auto' | 'exact' | 'sketch';

/** Shared by every trend sink of one merge, so they all switch together and the merge has one method. */
export class TrendBudget {
  held = 0;
  private switched = false;
  constructor(
    readonly mode: TrendMerge = 'auto',
    readonly limit = exactSampleLimit,
  ) {}
  /** A runner delivered a histogram: exact percentiles are out of reach for the whole merge. */
  sketchFromNowOn(): void {
    this.switched = true;
  }
  /** Once over the limit the merge stays sketched, though the switch frees the values it counted. */
  get sketching(): boolean {
    if (!this.switched) this.switched = this.mode === 'sketch' || (this.mode === 'auto' && this.held > this.limit);
    return this.switched;
  }
  /** What meta.json records: which merge ran and the error its percentiles carry. */
  get method(): { method: 'exact' | 'sketch'; relativeError: number } {
    return this.sketching ? { method: 'sketch', relativeError: sketchRelativeError } : { method: 'exact', relativeError: 0 };
  }
}

export class TrendSink {
  private values: Float64Array | null = new Float64Array(1024);
  private histogram: LogHistogram | null = null;
  count = 0;
  private sum = 0;
  private min = 0;
  private max = 0;
  private sorted = true;

  constructor(private readonly budget = new TrendBudget()) {}

  add(value: number): void {
    if (this.count === 0) this.min = this.max = value;
    else if (value > this.max) this.max = value;
    else if (value < this.min) this.min = value;
    this.sum += value;
    if (this.budget.sketching) this.toHistogram().add(value);
    else this.keep(value);
    this.count++;
  }

  private keep(value: number): void {
    let values = this.values!;
    if (this.count === values.length) {
      values = new Float64Array(values.length * 2);
      values.set(this.values!);
      this.values = values;
    }
    values[this.count] = value;
    this.budget.held++;
    this.sorted = false;
  }

  /**
   * What a runner delivers: the kept values while its budget held them all (so the merge can stay
   * exact), else the histogram. Values travel as little-endian doubles in base64: exact, and about
   * a third of their decimal text.
   */
  state(): TrendState {
    const extremes = { count: this.count, sum: this.sum, min: this.min, max: this.max };
    if (this.histogram || this.budget.sketching) return { ...extremes, histogram: this.toHistogram().state() };
    const values = this.values!.subarray(0, this.count);
    return { ...extremes, values: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
  }

  /** Adds a runner's delivered trend; values go in one by one, in order, exactly as the samples would. */
  absorb(state: TrendState): void {
    if (state.values !== undefined) {
      const bytes = Buffer.from(state.values, 'base64');
      const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      for (const value of values) this.add(value);
      return;
    }
    if (!state.histogram || state.count === 0) return;
    this.budget.sketchFromNowOn();
    this.toHistogram().absorb(state.histogram);
    if (this.count === 0) {
      this.min = state.min;
      this.max = state.max;
    } else {
      this.min = Math.min(this.min, state.min);
      this.max = Math.max(this.max, state.max);
    }
    this.count += state.count;
    this.sum += state.sum;
  }

  /** Moves the kept values into a histogram (once) and frees them. */
  private toHistogram(): LogHistogram {
    if (this.histogram) return this.histogram;
    const histogram = new LogHistogram();
    for (let i = 0; i < this.count; i++) histogram.add(this.values![i]);
    this.budget.held -= this.count;
    this.values = null;
    this.histogram = histogram;
    return histogram;
  }

  /** TrendSink.P: linear interpolation between the two closest ranks of the sorted samples. */
  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    if (this.histogram || this.budget.sketching) {
      // The bucket values lie within the error of the samples; the exact extremes stay the bounds.
      return Math.min(this.max, Math.max(this.min, this.toHistogram().percentile(fraction)));
    }
    const values = this.values!;
    if (this.count === 1) return values[0];
    if (!this.sorted) {
      values.subarray(0, this.count).sort();
      this.sorted = true;
    }
    const rank = fraction * (this.count - 1);
    const below = values[Math.floor(rank)];
    const above = values[Math.ceil(rank)];
    return below + (above - below) * (rank - Math.floor(rank));
  }

  /** One statistic by its summaryTrendStats name: avg, min, med, max, count or p(N). */
  stat(name: string): number {
    switch (name) {
      case 'avg':
        return this.count ? this.sum / this.count : 0;
      case 'min':
        return this.min;
      case 'max':
        return this.max;
      case 'med':
        return this.percentile(0.5);
      case 'count':
        return this.count;
    }
    const percentile = /^p\((.+)\)$/.exec(name);
    if (!percentile) throw new Error(`"${name}" is not a trend statistic k6 knows (avg, min, med, max, count, p(N))`);
    return this.percentile(Number(percentile[1]) / 100);
  }

  /** Bytes held for samples or buckets, for the memory figures docs/distributed.md states. */
  get bytes(): number {
    return this.histogram ? this.histogram.bytes : (this.values?.byteLength ?? 0);
  }
}

export class CounterSink {
  value = 0;
  count = 0;
  add(value: number): void {
    this.value += value;
    this.count++;
  }
  state(): CounterState {
    return { value: this.value, count: this.count };
  }
  absorb(state: CounterState): void {
    this.value += state.value;
    this.count += state.count;
  }
}

export class RateSink {
  trues = 0;
  total = 0;
  add(value: number): void {
    this.total++;
    if (value !== 0) this.trues++;
  }
  state(): RateState {
    return { trues: this.trues, total: this.total };
  }
  absorb(state: RateState): void {
    this.trues += state.trues;
    this.total += state.total;
  }
}

export class GaugeSink {
  value = 0;
  // k6 starts max at 0 and min at the first sample.
  max = 0;
  min = 0;
  count = 0;
  add(value: number): void {
    this.value = value;
    if (value > this.max) this.max = value;
    if (value < this.min || this.count === 0) this.min = value;
    this.count++;
  }
  state(): GaugeState {
    return { value: this.value, min: this.min, max: this.max, count: this.count };
  }
  /** One runner's gauge: gauges are kept per instance and added up at the end (merge.ts). */
  absorb(state: GaugeState): void {
    Object.assign(this, state);
  }
}

export interface TrendState {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** base64 of the values as little-endian doubles, in the order they were sampled. */
  values?: string;
  histogram?: HistogramState;
}
export interface CounterState { value: number; count: number }
export interface RateState { trues: number; total: number }
export interface GaugeState { value: number; min: number; max: number; count: number }
export type SinkState = TrendState | CounterState | RateState | GaugeState;

/** A sink's delivered state, read back into a sink of the same type. */
export function absorbState(sink: Sink, state: SinkState): void {
  (sink.absorb as (state: SinkState) => void)(state);
}

export type Sink = TrendSink | CounterSink | RateSink | GaugeSink;

export function newSink(type: MetricType, budget?: TrendBudget): Sink {
  switch (type) {
    case 'trend':
      return new TrendSink(budget);
    case 'counter':
      return new CounterSink();
    case 'rate':
      return new RateSink();
    case 'gauge':
      return new GaugeSink();
  }
}

export const sinkCount = (sink: Sink): number => (sink instanceof RateSink ? sink.total : sink.count);

/** The values handleSummary receives (internal/js/summary.go, metricValueGetter). */
export function summaryValues(sink: Sink, trendStats: readonly string[], durationMs: number): Record<string, number> {
  if (sink instanceof TrendSink) return Object.fromEntries(trendStats.map((stat) => [stat, sink.stat(stat)]));
  if (sink instanceof CounterSink) return { count: sink.value, rate: durationMs > 0 ? sink.value / (durationMs / 1000) : 0 };
  if (sink instanceof RateSink) return { rate: sink.total ? sink.trues / sink.total : 0, passes: sink.trues, fails: sink.total - sink.trues };
  return { value: sink.value, min: sink.min, max: sink.max };
}

/** The values thresholds compare (Thresholds.Run): an empty rate has none, so its thresholds pass. */
export function thresholdValues(sink: Sink, percentileStats: readonly string[], durationMs: number): Record<string, number> {
  if (sink instanceof TrendSink) {
    const stats: Record<string, number> = { min: sink.stat('min'), max: sink.stat('max'), avg: sink.stat('avg'), med: sink.stat('med') };
    for (const stat of percentileStats) stats[stat] = sink.stat(stat);
    return stats;
  }
  if (sink instanceof CounterSink) return { count: sink.value, rate: sink.value / (durationMs / 1000) };
  if (sink instanceof RateSink) return sink.total ? { rate: sink.trues / sink.total } : {};
  return { value: sink.value };
}
