// The bench table and guard read a bench.json: the published table (docs/benchmarks.md) and
// make bench-quick's verdict come from these functions, so they are tested on made-up results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { BenchResult } from '../../bench/bench.ts';
import { cell, guardViolations, quickGuards, sizingTable } from '../../bench/render.ts';

const spread = (median: number) => ({ median, min: median, max: median, values: [median] });
const result = (cpuRatio: number, mbPerVu: number) => ({ overhead: { cpuRatio: spread(cpuRatio) }, memory: { mbPerVu: spread(mbPerVu) } }) as unknown as Parameters<typeof guardViolations>[0];

test('a quick bench inside the guards passes, and each guard broken is named with its figure', () => {
  // What the quick runs measured when the guards were set (bench/render.ts): inside both.
  assert.deepEqual(guardViolations(result(1.4, 0.83)), []);
  const broken = guardViolations(result(quickGuards.cpuRatio + 0.5, quickGuards.mbPerVu * 2));
  assert.equal(broken.length, 2);
  assert.match(broken[0], /loadgate \/ bare k6, is 3\.00: over the guard of 2\.5/);
  assert.match(broken[1], /2\.50 MB per VU: over the guard of 1\.25/);
});

test('a figure that could not be measured breaks its guard instead of passing silently', () => {
  assert.equal(guardViolations(result(Number.NaN, 1)).length, 1);
});

test("the distributed sizing follows the published run's ceiling and memory per VU", () => {
  const published = JSON.parse(readFileSync('docs/figures/bench.json', 'utf8')) as BenchResult;
  const halved = { ...published, ceiling: { ...published.ceiling, loadgatePerSec: { ...published.ceiling.loadgatePerSec, median: 1000 } } };
  const lines = sizingTable(halved);
  assert.match(lines[0], /\*\*1,000 requests\/s for loadgate's scenario code on one k6 core\*\*/);
  // 100,000/s over 1,000/s a core is 100 cores; 4-core runners at 70% hold 2.8 cores each: 36 runners.
  assert.match(lines.find((line) => line.startsWith('| k6 cores'))!, /\| 100 \| 1,000 \|$/);
  assert.match(lines.find((line) => line.startsWith('| runners'))!, /\| 36 \(`PARALLELISM=36`\) \| 358 \(`PARALLELISM=358`\) \|$/);
  // 5,000 VUs over 36 runners: 139 each.
  assert.match(lines.find((line) => line.startsWith('| memory per runner'))!, /\(139 VUs each\)/);
});

test('a ratio cell shows the median, the min–max and, when measured, the geometric mean with its interval', () => {
  const ratios = { median: 1.2, min: 1.1, max: 1.3, values: [1.1, 1.2, 1.3], interval: { mean: 1.197, low: 1.08, high: 1.33, level: 0.95 } };
  assert.equal(cell(ratios, 2), '1.20 (1.10–1.30; geometric mean 1.20, 95% interval 1.08–1.33)');
  // Older bench.json files have no interval: the cell stays as it was.
  assert.equal(cell({ ...ratios, interval: undefined }, 2), '1.20 (1.10–1.30)');
  assert.equal(cell(null), 'n/a');
});
