// A log-bucket histogram (the DDSketch idea, written here): a positive value v lands in bucket
// ceil(log_γ v) with γ = (1+α)/(1−α), and every bucket answers with the value 2γ^i/(γ+1), which is
// within a relative error α of anything in it. Memory grows with the range of the values (about
// 1,400 buckets from 1 ns to 1,000 s at α = 1%), never with their number, and two sketches merge by
// adding counts. Written here rather than taken from npm: the merge needs only add and percentile,
// and it must keep k6's interpolation between ranks so small runs and large ones read alike.

/** The relative error of every percentile the sketch reports. */
export const sketchRelativeError = 0.01;

const gamma = (1 + sketchRelativeError) / (1 - sketchRelativeError);
const logGamma = Math.log(gamma);

export interface HistogramState {
  /** [bucket index, count] pairs. */
  buckets: Array<[number, number]>;
  nonPositive: number;
}

export class LogHistogram {
  private counts = new Map<number, number>();
  /** Zero and negative values (k6 timings of 0 ms, say) are counted apart: they have no logarithm. */
  private nonPositive = 0;
  count = 0;

  add(value: number, times = 1): void {
    this.count += times;
    if (value <= 0) {
      this.nonPositive += times;
      return;
    }
    const index = Math.ceil(Math.log(value) / logGamma);
    this.counts.set(index, (this.counts.get(index) ?? 0) + times);
  }

  /** The value at a 0-based rank of the sorted samples, within sketchRelativeError. */
  private valueAt(rank: number, sorted: Array<[number, number]>): number {
    let seen = this.nonPositive;
    if (rank < seen) return 0;
    for (const [index, count] of sorted) {
      seen += count;
      if (rank < seen) return (2 * gamma ** index) / (gamma + 1);
    }
    return (2 * gamma ** sorted[sorted.length - 1][0]) / (gamma + 1);
  }

  /** k6's TrendSink.P over the sketch: linear interpolation between the two closest ranks. */
  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    const sorted = [...this.counts.entries()].sort((a, b) => a[0] - b[0]);
    const rank = fraction * (this.count - 1);
    const below = this.valueAt(Math.floor(rank), sorted);
    const above = this.valueAt(Math.ceil(rank), sorted);
    return below + (above - below) * (rank - Math.floor(rank));
  }

  /** What a runner delivers (aggregate.ts): the buckets and the count of values without a logarithm. */
  state(): HistogramState {
    return { buckets: [...this.counts.entries()], nonPositive: this.nonPositive };
  }

  /** Adds a delivered histogram: the same as adding every value it counted. */
  absorb(state: HistogramState): void {
    for (const [index, count] of state.buckets) {
      this.counts.set(index, (this.counts.get(index) ?? 0) + count);
      this.count += count;
    }
    this.nonPositive += state.nonPositive;
    this.count += state.nonPositive;
  }

  /** Bytes held, counted as two doubles per bucket. */
  get bytes(): number {
    return this.counts.size * 16;
  }
}
