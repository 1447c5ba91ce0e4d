// How `make pgo-verify` and `make profile-compare` say whether two sets of runs differ. Runs, not
// requests, are the samples (requests within one run share its machine state), so there are few
// of them and no distribution can be assumed: the difference is the Hodges–Lehmann shift (the
// median of all pairwise differences between the sides) with its exact distribution-free
// confidence interval (Bauer's, from the Mann–Whitney null distribution), and the p-value is the
// two-sided exact Mann–Whitney test. Both reuse the gate's exact rank-sum counting (cli/gate/stats.ts),
// so the two commands and the gate cannot disagree about what a rank test says. benchstat gives the
// same test but an interval per side, not one for the difference, and refuses below 6 runs.
import { median } from 'simple-statistics';
import { mannWhitneyGreater, rankSumWays } from '../gate/stats.ts';

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
