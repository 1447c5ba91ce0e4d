// The sketched merge: percentiles within the stated relative error of the exact ones, the automatic
// switch past the sample budget, and memory that stops growing with the samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sketchRelativeError } from '../../cli/distributed/sketch.ts';
import { TrendBudget, TrendSink } from '../../cli/distributed/sinks.ts';

/** A long-tailed latency distribution (log-normal around 20 ms), seeded so a failure replays. */
function latencies(count: number): number[] {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
  return Array.from({ length: count }, () => Math.exp(Math.log(20) + Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random())));
}

test('sketched percentiles lie within the stated relative error of the exact ones', () => {
  const exact = new TrendSink(new TrendBudget('exact'));
  const sketch = new TrendSink(new TrendBudget('sketch'));
  for (const value of [...latencies(50_000), 0, 0]) {
    exact.add(value);
    sketch.add(value);
  }
  for (const stat of ['med', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'p(0)', 'p(100)']) {
    const [want, got] = [exact.stat(stat), sketch.stat(stat)];
    assert.ok(Math.abs(got - want) <= sketchRelativeError * want, `${stat}: sketch ${got}, exact ${want}`);
  }
  // Sum, count and the extremes are kept exactly either way.
  for (const stat of ['avg', 'min', 'max', 'count']) assert.equal(sketch.stat(stat), exact.stat(stat), stat);
});

test('auto stays exact within the budget and turns every sink of the merge into a histogram past it', () => {
  const budget = new TrendBudget('auto', 1000);
  const [a, b] = [new TrendSink(budget), new TrendSink(budget)];
  for (const value of latencies(600)) a.add(value);
  assert.equal(budget.method.method, 'exact');
  assert.equal(a.bytes, 1024 * 8);
  for (const value of latencies(600)) b.add(value);
  assert.deepEqual(budget.method, { method: 'sketch', relativeError: sketchRelativeError });
  for (const value of latencies(100_000)) b.add(value);
  // a had only its exact values; asking for a percentile moves them into buckets too.
  a.stat('p(95)');
  assert.ok(a.bytes < 1024 * 8 && b.bytes < 1024 * 8, `${a.bytes} and ${b.bytes} bytes for 100,000 samples`);
});
