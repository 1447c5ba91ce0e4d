// The side-by-side gate's statistics: each test can fail on a wrong formula or a wrong direction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clopperPearson, countChange, holm, ratioChange, ratioInterval, shareChange } from '../../cli/runs/stats.ts';

test('a paired ratio: +50% in every round is caught beyond a 10% minimum; equal rounds give an interval around 0', () => {
  const slower = ratioChange([1, 1.1, 0.95], [1.6, 1.55, 1.5], 0.1, 'higher');
  assert.ok(slower.estimate > 0.45 && slower.estimate < 0.6, String(slower.estimate));
  assert.ok(slower.low > 0.1 && slower.pValue < 0.01);
  const same = ratioChange([1, 1.1, 0.95], [1.02, 1.05, 0.97], 0.1, 'higher');
  assert.ok(same.low < 0 && same.high > 0 && same.pValue > 0.5);
  // Throughput is worse when lower: a 40% drop is significant only that way round.
  assert.ok(ratioChange([10, 10.5, 9.8], [6, 6.2, 6.1], 0.1, 'lower').pValue < 0.01);
  assert.ok(ratioChange([10, 10.5, 9.8], [6, 6.2, 6.1], 0.1, 'higher').pValue > 0.99);
});

test('shares and counts: zero failures on both sides is no evidence, 3% of 1000 against 0 is', () => {
  assert.ok(shareChange({ x: 0, n: 1000 }, { x: 0, n: 1000 }, 0.005).pValue > 0.5);
  const errors = shareChange({ x: 0, n: 1000 }, { x: 30, n: 1000 }, 0.005);
  assert.equal(errors.estimate, 0.03);
  assert.ok(errors.pValue < 0.001 && errors.low > 0.005);
  assert.equal(countChange(0, 0, 0.5).pValue, 1);
  assert.ok(countChange(0, 40, 0.5).pValue < 1e-6);
  assert.ok(countChange(20, 24, 0.5).pValue > 0.5, 'a 20% higher count is within a 50% minimum');
});

test('Holm adjusts in step-down order and never lets an adjusted p fall below a smaller one\'s', () => {
  assert.deepEqual(holm([0.01, 0.04, 0.03, 0.2]), [0.04, 0.09, 0.09, 0.2]);
  assert.deepEqual(holm([0.5]), [0.5]);
});

test('Clopper–Pearson: 0 of 30 bounds the rate below 11.6%, the figure every A/A calibration quotes', () => {
  const { low, high } = clopperPearson(0, 30);
  assert.equal(low, 0);
  assert.ok(Math.abs(high - 0.1157) < 0.0005, String(high));
  const half = clopperPearson(15, 30);
  assert.ok(half.low < 0.5 && half.high > 0.5 && Math.abs(half.low - (1 - half.high)) < 1e-9);
});

test("repeated ratios: the geometric mean and its Student t interval, symmetric on the log scale", () => {
  // ln 1 and ln 2: mean ln √2, standard error ln 2 / 2, t(0.975, 1 df) = 12.706.
  const two = ratioInterval([1, 2])!;
  assert.ok(Math.abs(two.mean - Math.SQRT2) < 1e-9, String(two.mean));
  assert.ok(Math.abs(Math.log(two.high / two.mean) - 12.7062 * (Math.LN2 / 2)) < 1e-3, String(two.high));
  assert.ok(Math.abs(two.low * two.high - 2) < 1e-9, 'low and high mirror each other around the mean on the log scale');
  // 0.8 and 1.25 cancel; five ratios near 1.2 give an interval around 1.2 that excludes 1.15 and 1.25.
  assert.ok(Math.abs(ratioInterval([0.8, 1.25])!.mean - 1) < 1e-12);
  const tight = ratioInterval([1.19, 1.2, 1.21, 1.2, 1.2])!;
  assert.ok(tight.low > 1.18 && tight.high < 1.22 && tight.level === 0.95, JSON.stringify(tight));
  // Nothing to estimate from one ratio, or from a ratio that could not be measured.
  assert.equal(ratioInterval([1.2]), null);
  assert.equal(ratioInterval([1.2, Number.NaN, 1.1]), null);
});
