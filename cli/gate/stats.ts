// The rank test behind the gate's decision. simple-statistics gives the median and the Wilcoxon
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
