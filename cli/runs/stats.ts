// Estimates with intervals for the side-by-side gate (make gate BASE=…), and the family-wise error
// control over everything it judges. Distribution functions come from stdlib-js and
// simple-statistics; what is written here is only which test fits which kind of figure:
// - a latency percentile or a throughput: the per-round ratio head/base of paired rounds (ABBA), on
//   a log scale, with a Student t interval over the rounds: round-to-round variation is measured,
//   so a noisy percentile gets a wide interval instead of a false alarm;
// - a share (failed requests, failed checks): the Agresti–Caffo interval for a difference of two
//   proportions (one success and one failure added to each side, so zero failures still work);
// - a count over time (dropped iterations): the exact conditional binomial test of two Poisson rates.
// Each test asks whether head is worse than base by more than a minimum effect; Holm's step-down
// adjustment then keeps the chance of any false alarm over all of them at the family level.
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { mean, sampleStandardDeviation } from 'simple-statistics';

export type Worse = 'higher' | 'lower';

export interface Estimate {
  /** Head against base: a relative change (+0.12 = 12% higher) or, for shares, a difference. */
  estimate: number;
  /** The two-sided interval at `level` (Infinity when a side cannot be bounded). */
  low: number;
  high: number;
  level: number;
  /** One-sided p of "head is worse than base by no more than the minimum effect". */
  pValue: number;
}

/** Level of every interval a gate reports. */
export const intervalLevel = 0.95;

/**
 * Paired rounds: base[i] and head[i] were measured back to back. The change is head/base − 1,
 * its interval from the mean and spread of ln(head/base) over rounds. `minEffect` is relative.
 */
export function ratioChange(base: number[], head: number[], minEffect: number, worse: Worse, level = intervalLevel): Estimate {
  if (base.length !== head.length || base.length < 2) throw new Error('paired rounds need two or more pairs');
  const logs = base.map((b, i) => Math.log(Math.max(head[i], Number.MIN_VALUE) / Math.max(b, Number.MIN_VALUE)));
  const { centre, spread, t } = logScale(logs, level);
  const n = logs.length;
  // Oriented so that positive is worse; the null hypothesis is "worse by at most minEffect".
  const sign = worse === 'higher' ? 1 : -1;
  const margin = sign * centre - Math.log(1 + minEffect);
  const pValue = spread > 0 ? 1 - tCdf(margin / spread, n - 1) : margin > 0 ? 0 : 1;
  return { estimate: Math.exp(centre) - 1, low: Math.exp(centre - t * spread) - 1, high: Math.exp(centre + t * spread) - 1, level, pValue };
}

/** Mean of log ratios, its standard error and the two-sided Student t quantile at `level`. */
function logScale(logs: number[], level: number): { centre: number; spread: number; t: number } {
  const n = logs.length;
  return { centre: mean(logs), spread: sampleStandardDeviation(logs) / Math.sqrt(n), t: tQuantile(1 - (1 - level) / 2, n - 1) };
}

/**
 * Ratios measured once per repeat (loadgate / bare k6, say): their geometric mean and its
 * interval at `level`, from a Student t interval over the log ratios. Ratios vary on a
 * multiplicative scale, so a 0.8 and a 1.25 cancel as they should. Null for fewer than two.
 */
export function ratioInterval(ratios: number[], level = intervalLevel): { mean: number; low: number; high: number; level: number } | null {
  const logs = ratios.filter((r) => r > 0 && Number.isFinite(r)).map(Math.log);
  if (logs.length < 2 || logs.length !== ratios.length) return null;
  const { centre, spread, t } = logScale(logs, level);
  return { mean: Math.exp(centre), low: Math.exp(centre - t * spread), high: Math.exp(centre + t * spread), level };
}

/** Failures out of trials on each side; the change is the difference of the shares. */
export function shareChange(base: { x: number; n: number }, head: { x: number; n: number }, minEffect: number, level = intervalLevel): Estimate {
  const p = (side: { x: number; n: number }) => (side.x + 1) / (side.n + 2);
  const [pb, ph] = [p(base), p(head)];
  const spread = Math.sqrt((pb * (1 - pb)) / (base.n + 2) + (ph * (1 - ph)) / (head.n + 2));
  const z = normalQuantile(1 - (1 - level) / 2, 0, 1);
  const raw = (head.n ? head.x / head.n : 0) - (base.n ? base.x / base.n : 0);
  const adjusted = ph - pb;
  const pValue = 1 - normalCdf((adjusted - minEffect) / spread, 0, 1);
  return { estimate: raw, low: adjusted - z * spread, high: adjusted + z * spread, level, pValue };
}

/**
 * Events counted over equal exposure on each side (rounds of one profile). Given the total, head's
 * count is binomial; under "head's rate is at most (1 + minEffect) × base's" its share is at most
 * (1 + minEffect) / (2 + minEffect). The change is the rate ratio − 1, bounded by Clopper–Pearson.
 */
export function countChange(base: number, head: number, minEffect: number, level = intervalLevel): Estimate {
  const total = base + head;
  if (total === 0) return { estimate: 0, low: -1, high: Infinity, level, pValue: 1 };
  const share = (1 + minEffect) / (2 + minEffect);
  const pValue = head === 0 ? 1 : 1 - binomialCdf(head - 1, total, share);
  const { low, high } = clopperPearson(head, total, level);
  const ratio = (s: number) => (s >= 1 ? Infinity : s / (1 - s));
  return { estimate: base === 0 ? Infinity : head / base - 1, low: ratio(low) - 1, high: ratio(high) - 1, level, pValue };
}

/** Holm's step-down adjusted p-values, in the order given: reject where adjusted ≤ the level. */
export function holm(pValues: number[]): number[] {
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** The exact (Clopper–Pearson) interval of a binomial share x/n. */
export function clopperPearson(x: number, n: number, level = intervalLevel): { low: number; high: number } {
  const tail = (1 - level) / 2;
  return {
    low: x === 0 ? 0 : betaQuantile(tail, x, n - x + 1),
    high: x === n ? 1 : betaQuantile(1 - tail, x + 1, n - x),
  };
}
