// The bench table and guard read a bench.json: the published table (docs/benchmarks.md) and
// make bench-quick's verdict come from these functions, so they are tested on made-up results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardViolations, quickGuards } from '../../bench/render.ts';

const spread = (median: number) => ({ median, min: median, max: median, values: [median] });
const result = (cpuRatio: number, mbPerVu: number) => ({ overhead: { cpuRatio: spread(cpuRatio) }, memory: { mbPerVu: spread(mbPerVu) } }) as unknown as Parameters<typeof guardViolations>[0];

test('a quick bench inside the guards passes, and each guard broken is named with its figure', () => {
  assert.deepEqual(guardViolations(result(1.3, 1.5)), []);
  const broken = guardViolations(result(quickGuards.cpuRatio + 0.5, quickGuards.mbPerVu * 2));
  assert.equal(broken.length, 2);
  assert.match(broken[0], /loadgate \/ bare k6, is 3\.00: over the guard of 2\.5/);
  assert.match(broken[1], /8\.00 MB per VU: over the guard of 4/);
});

test('a figure that could not be measured breaks its guard instead of passing silently', () => {
  assert.equal(guardViolations(result(Number.NaN, 1)).length, 1);
});
