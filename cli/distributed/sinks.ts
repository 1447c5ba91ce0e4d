// k6's four metric sinks (metrics/sink.go of the pinned k6), rebuilt over raw samples. Trends keep
// every value, because exact percentiles need them all, in a growable Float64Array: 8 bytes a
// sample instead of a boxed number in a JS array.
import type { MetricType } from './thresholds.ts';

export class TrendSink {
  private values = new Float64Array(1024);
  count = 0;
  private sum = 0;
  private min = 0;
  private max = 0;
  private sorted = true;

  add(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    if (this.count === 0) this.min = this.max = value;
    else if (value > this.max) this.max = value;
    else if (value < this.min) this.min = value;
    this.values[this.count++] = value;
    this.sum += value;
    this.sorted = false;
  }

  /** TrendSink.P: linear interpolation between the two closest ranks of the sorted samples. */
  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    if (this.count === 1) return this.values[0];
    if (!this.sorted) {
      this.values.subarray(0, this.count).sort();
      this.sorted = true;
    }
    const rank = fraction * (this.count - 1);
    const below = this.values[Math.floor(rank)];
    const above = this.values[Math.ceil(rank)];
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

  /** Bytes held for samples, for the memory figures the README states. */
  get bytes(): number {
    return this.values.byteLength;
  }
}

export class CounterSink {
  value = 0;
  count = 0;
  add(value: number): void {
    this.value += value;
    this.count++;
  }
}

export class RateSink {
  trues = 0;
  total = 0;
  add(value: number): void {
    this.total++;
    if (value !== 0) this.trues++;
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
}

export type Sink = TrendSink | CounterSink | RateSink | GaugeSink;

export function newSink(type: MetricType): Sink {
  switch (type) {
    case 'trend':
      return new TrendSink();
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
