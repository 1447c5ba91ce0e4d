// Exact rank statistics over runs, shared by the committed-baseline gate, make pgo-verify,
// make profile-compare and the optimization log. simple-statistics gives the median and the Wilcoxon
// rank sum (ties ranked by their average); no maintained npm package gives an exact Mann–Whitney
// p-value, and the normal approximation the others use is wrong at three runs a side. The exact
// p-value is the share of all ways to split the pooled runs into groups of the same sizes whose
// rank sum is at least the observed one, counted by dynamic programming over rank sums (doubled, so
// the half ranks of ties stay integers): exact with ties, and instant at any REPEAT.
import { median, wilcoxonRankSum } from 'simple-statistics';

export { median };

/** Average ranks (1-based) of every value in `pooled`. */
function averageRanks(pooled: number[]): number[] {
  const order = pooled.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(pooled.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].value === order[start].value) end++;
    for (let i = start; i <= end; i++) ranks[order[i].index] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}

/**
 * One-sided exact Mann–Whitney U test: the probability, with no difference between the groups, of
 * `worse` ranking at least as high as it does. Pass values oriented so that higher is worse.
 */
export function mannWhitneyGreater(worse: number[], better: number[]): number {
  const doubled = averageRanks([...worse, ...better]).map((rank) => Math.round(rank * 2));
  const observed = Math.round(wilcoxonRankSum(worse, better) * 2);
  const ways = rankSumWays(doubled, worse.length);
  const all = ways.reduce((a, b) => a + b, 0);
  const atLeast = ways.slice(observed).reduce((a, b) => a + b, 0);
  return atLeast / all;
}

/**
 * The null distribution of a rank sum: element s counts the subsets of `size` of these (doubled)
 * ranks whose sum is s. The PGO verification's confidence interval reads its quantiles too.
 */
export function rankSumWays(doubled: number[], size: number): number[] {
  const maxSum = doubled.reduce((a, b) => a + b, 0);
  // ways[k][s]: subsets of k of the ranks seen so far whose doubled sum is s.
  const ways = Array.from({ length: size + 1 }, () => new Array<number>(maxSum + 1).fill(0));
  ways[0][0] = 1;
  for (const rank of doubled) {
    for (let k = size; k >= 1; k--) {
      for (let s = maxSum; s >= rank; s--) ways[k][s] += ways[k - 1][s - rank];
    }
  }
  return ways[size];
}

/** The smallest p-value the exact test can give with these group sizes. */
export function smallestPValue(n: number, m: number): number {
  let splits = 1;
  for (let i = 1; i <= n; i++) splits = (splits * (m + i)) / i;
  return 1 / splits;
}

// ---- How `make pgo-verify` and `make profile-compare` say whether two sets of runs differ. Runs, not
// requests, are the samples (requests within one run share its machine state), so there are few
// of them and no distribution can be assumed: the difference is the Hodges–Lehmann shift (the
// median of all pairwise differences between the sides) with its exact distribution-free
// confidence interval (Bauer's, from the Mann–Whitney null distribution), and the p-value is the
// two-sided exact Mann–Whitney test. Both use the rank-sum counting above,
// so the two commands and the gate cannot disagree about what a rank test says. benchstat gives the
// same test but an interval per side, not one for the difference, and refuses below 6 runs.
export interface Shift {
  /** Median of `after − before` over every pair of runs. */
  estimate: number;
  /** The interval, or null when the runs are too few for any (one run a side). */
  low: number | null;
  high: number | null;
  /** The interval's exact confidence: 0.95 or more when the runs allow it, less (said) when not. */
  confidence: number;
  /** Two-sided exact Mann–Whitney p-value. */
  pValue: number;
  before: { n: number; median: number };
  after: { n: number; median: number };
}

/** P(U ≤ u) for u = 0…n·m under no difference, for groups of n and m without ties. */
export function uCumulative(n: number, m: number): number[] {
  const ranks = Array.from({ length: n + m }, (_, i) => 2 * (i + 1));
  const ways = rankSumWays(ranks, n);
  const all = ways.reduce((a, b) => a + b, 0);
  const minimum = n * (n + 1); // doubled smallest rank sum, where U = 0
  const cumulative: number[] = [];
  let running = 0;
  for (let u = 0; u <= n * m; u++) {
    running += ways[minimum + 2 * u] ?? 0;
    cumulative.push(running / all);
  }
  return cumulative;
}

export function shift(before: number[], after: number[], level = 0.95): Shift {
  if (!before.length || !after.length) throw new Error('each side needs at least one run');
  const differences = after.flatMap((a) => before.map((b) => a - b)).sort((x, y) => x - y);
  const cumulative = uCumulative(before.length, after.length);
  const tail = (1 - level) / 2;
  // The k-th smallest and largest differences bound the interval; its confidence is 1 − 2·P(U ≤ k−1).
  let k = 0;
  while (k < cumulative.length && cumulative[k] <= tail) k++;
  let confidence = k > 0 ? 1 - 2 * cumulative[k - 1] : 0;
  if (k === 0) {
    // Too few runs for the asked level: the widest interval (all differences), at what it is worth.
    k = 1;
    confidence = Math.max(0, 1 - 2 * cumulative[0]);
  }
  const hasInterval = confidence > 0;
  const pValue = Math.min(1, 2 * Math.min(mannWhitneyGreater(after, before), mannWhitneyGreater(before, after)));
  return {
    estimate: median(differences),
    low: hasInterval ? differences[k - 1] : null,
    high: hasInterval ? differences[differences.length - k] : null,
    confidence,
    pValue,
    before: { n: before.length, median: median(before) },
    after: { n: after.length, median: median(after) },
  };
}

/** The least runs a side for an exact interval at `level` (4 for 95%). */
export function runsForLevel(level = 0.95): number {
  for (let n = 1; n < 50; n++) if (uCumulative(n, n)[0] <= (1 - level) / 2) return n;
  return 50;
}

/** Larger than noise: every run of one side beyond every run of the other, with its p-value. */
export function noiseLabel(a: number[], b: number[]): string {
  if (a.length < 2 || b.length < 2) return 'one run a side: noise unknown';
  const result = shift(a, b);
  const apart = Math.min(...b) > Math.max(...a) || Math.max(...b) < Math.min(...a);
  return `${apart ? 'larger than noise' : 'within noise'} (p = ${result.pValue.toPrecision(2)})`;
}
