// make bench-quick: every benchmark of make bench runs briefly, so the scripts keep working. One run
// is shared by every assertion (about 1.5 minutes); figures are checked for being measured, never
// for being fast, since the machine is shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, runMake, spawnCollect, tempResultsDir } from './harness.ts';

const minutes = (n: number) => n * 60_000;

interface SpreadJson {
  median: number;
  values: number[];
}

test('make bench-quick writes bench.json and bench.md with every figure of make bench', { timeout: minutes(6) }, async () => {
  const resultsDir = tempResultsDir();
  const run = await runMake('bench-quick', { RESULTS_DIR: resultsDir });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const folders = readdirSync(join(resultsDir, 'bench'));
  assert.equal(folders.length, 1, 'one bench folder');
  const dir = join(resultsDir, 'bench', folders[0]);
  const result = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8'));
  const positive = (value: SpreadJson | null, what: string) => {
    assert.ok(value && Number.isFinite(value.median) && value.median > 0, `${what}: ${JSON.stringify(value)}`);
  };
  assert.equal(result.quick, true);
  positive(result.overhead.cpuRatio, 'CPU ratio loadgate / bare');
  positive(result.overhead.rssRatio, 'RSS ratio loadgate / bare');
  // From k6's own runtime counters: a plain GET in k6 allocates on the order of a hundred objects.
  positive(result.overhead.heap?.mallocRatio, 'allocation ratio loadgate / bare');
  for (const side of ['bareMallocs', 'loadgateMallocs'] as const) {
    const perRequest = result.overhead.heap[side].median;
    assert.ok(perRequest > 20 && perRequest < 5000, `${side}: ${perRequest} allocations per request`);
  }
  assert.ok(result.overhead.heap.bareBytes.median > 1000, `bare k6 allocates kilobytes per request: ${result.overhead.heap.bareBytes.median}`);
  positive(result.ceiling.loadgatePerSec, 'loadgate ceiling');
  positive(result.ceiling.barePerSec, 'bare ceiling');
  positive(result.ceiling.wrkPerSec, 'wrk ceiling');
  // The ratios come from both sides run at once, and the CPU method's noise from a bare-bare pair.
  positive(result.ceiling.pairLoadgatePerSec, 'loadgate ceiling beside bare k6');
  positive(result.ceiling.pairBarePerSec, 'bare ceiling beside loadgate');
  assert.ok(result.ceiling.pairBarePerSec.median < result.ceiling.barePerSec.median * 1.5, `two k6 at once on one core share it: ${JSON.stringify(result.ceiling)}`);
  positive(result.overhead.cpuAaRatio, 'A/A CPU ratio bare / bare');
  assert.match(readFileSync(join(dir, 'bench.md'), 'utf8'), /bare k6 against bare k6/, 'bench.md shows the A/A row');
  for (const vus of result.memory.vus) positive(result.memory.rssMiB[vus], `RSS at ${vus} VUs`);
  positive(result.memory.initSeconds[result.memory.vus[1]], 'init time');
  for (const protocol of ['http', 'grpc']) {
    const probes = result.events[protocol].probes;
    assert.ok(probes.length >= 1 && probes.every((p: { protocol: string }) => p.protocol === protocol), `${protocol} probes`);
    // A p95 means the batches went over that protocol and were measured.
    assert.ok(probes[0].p95Ms > 0, `${protocol} ingest p95: ${JSON.stringify(probes[0])}`);
  }
  assert.ok(result.capacity.steps.length >= 1 && result.capacity.steps[0].perSec > 0, 'a capacity step sent requests');
  // The injected 20 ms delay is in every measured latency, so the excess over it is not negative.
  assert.ok(result.accuracy.loadgateP50Excess.median >= 0, `loadgate p50 excess ${result.accuracy.loadgateP50Excess.median}`);
  assert.ok(result.accuracy.vegetaP50Excess?.median >= 0, `vegeta p50 excess ${JSON.stringify(result.accuracy.vegetaP50Excess)}`);
  positive(result.buildSeconds, 'build time');
  const md = readFileSync(join(dir, 'bench.md'), 'utf8');
  for (const row of ['1. overhead', '2. ceiling', '3. memory', '4. events', '5. capacity', '6. accuracy', '7. build', '7. start-up']) {
    assert.ok(md.includes(`| ${row}`), `bench.md has a row "${row}"`);
  }
  assert.match(md, /taskset/, 'bench.md says what was pinned');
  assert.ok(run.stdout.includes('written:'), 'the Markdown and its place are printed');
});

test('a bad REPEAT or argument is refused with the valid range before anything starts', { timeout: minutes(1) }, async () => {
  const resultsDir = tempResultsDir();
  for (const [env, args, code, expected] of [
    [{ REPEAT: '0' }, [], 104, /REPEAT="0" is not valid; valid values are: an integer from 1 to 10/],
    [{ BENCH_RATE: 'fast' }, [], 104, /BENCH_RATE="fast" is not valid; valid values are: an integer from 1 to 5000/],
    [{}, ['--fast'], 2, /unknown argument --fast; the only one is --quick/],
  ] as const) {
    const run = await spawnCollect(process.execPath, ['--import', 'tsx', 'bench/bench.ts', ...args], cleanEnv({ RESULTS_DIR: resultsDir, ...env }));
    assert.equal(run.code, code, run.stderr);
    assert.match(run.stderr, expected);
    assert.ok(!existsSync(join(resultsDir, 'bench')), 'no bench folder');
  }
});
