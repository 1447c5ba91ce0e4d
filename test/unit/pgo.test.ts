// The PGO commands' pure parts: the difference with its interval and p-value on recorded numbers,
// the build record read from `go version -m`, the capture plan, the refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBuildInfo } from '../../cli/pgo/build.ts';
import { chunkPlan } from '../../cli/pgo/capture.ts';
import { noiseLabel as noise } from '../../cli/runs/ranks.ts';
import { runFolders, runsSetting } from '../../cli/pgo/settings.ts';
import { SettingError } from '../../cli/settings.ts';
import { runsForLevel, shift, uCumulative } from '../../cli/runs/ranks.ts';
import { chartSpec, renderMarkdown, summarise, verdict } from '../../cli/pgo/verify.ts';
import type { ServiceCost } from '../../cli/runs/cost.ts';
import { renderSvg } from '../../cli/charts.ts';

test('the Mann–Whitney null distribution: 3 against 3 has 20 equally likely splits', () => {
  assert.deepEqual(uCumulative(3, 3).map((p) => Math.round(p * 20)), [1, 2, 4, 7, 10, 13, 16, 18, 19, 20]);
  assert.equal(runsForLevel(0.95), 4, 'the least runs a side for an exact 95% interval');
});

test('10 runs a side: Hodges–Lehmann shift, its 95% interval from the 24th pairwise differences, exact p', () => {
  // Recorded server CPU per request (µs) of 10 PGO-off and 10 PGO-on runs in the shape pgo-verify takes.
  const off = [1410, 1432, 1398, 1455, 1421, 1440, 1403, 1417, 1436, 1425];
  const on = [1371, 1385, 1362, 1398, 1377, 1391, 1369, 1380, 1388, 1374];
  const result = shift(off, on);
  const differences = on.flatMap((a) => off.map((b) => a - b)).sort((x, y) => x - y);
  const median = (differences[49] + differences[50]) / 2;
  assert.equal(result.estimate, median);
  // n = m = 10: the 95% interval is bounded by the 24th smallest and largest of the 100 differences.
  assert.equal(result.low, differences[23]);
  assert.equal(result.high, differences[76]);
  assert.ok(result.confidence >= 0.95 && result.confidence < 0.96, String(result.confidence));
  assert.ok(result.high! < 0, 'PGO on is lower throughout');
  assert.ok(result.pValue < 0.001, String(result.pValue));
  assert.match(verdict('server CPU per request', 'µs', result), /PGO lowered it by −\d+ µs \(−\d\.\d%\); 95\.\d% interval −\d\.\d% to −\d\.\d%, p = /);
});

test('the same numbers on both sides are noise, and few runs say what they cannot give', () => {
  const same = shift([5, 6, 7, 8], [5.5, 6.5, 7.5, 8.5]);
  assert.ok(same.low! < 0 && same.high! > 0);
  assert.ok(same.pValue > 0.5);
  assert.match(verdict('client p95', 'ms', same), /not told apart from run-to-run noise/);
  const three = shift([10, 11, 12], [7, 8, 9]);
  assert.equal(three.confidence, 0.9, '3 runs a side: at most a 90% interval');
  assert.deepEqual([three.low, three.high], [-5, -1]);
  assert.match(verdict('server CPU per request', 'µs', three), /a 95% interval needs 4 runs a side/);
  const one = shift([10], [9]);
  assert.equal(one.low, null);
  assert.equal(one.pValue, 1);
  assert.equal(noise([1], [2]), 'one run a side: noise unknown');
  assert.match(noise([1, 2, 3], [4, 5, 6]), /^larger than noise \(p = 0\.10\)$/);
  assert.match(noise([1, 5, 3], [4, 2, 6]), /^within noise/);
});

test('the build record: -pgo=<path> is on, no -pgo or -pgo=off is off', () => {
  assert.deepEqual(parseBuildInfo('path\tloadgate/service/cmd/loadgate-service\n\tbuild\t-compiler=gc\n\tbuild\t-pgo=/w/service/cmd/loadgate-service/default.pgo\n'), {
    pgo: 'on',
    profile: '/w/service/cmd/loadgate-service/default.pgo',
  });
  assert.deepEqual(parseBuildInfo('\tbuild\t-compiler=gc\n\tbuild\tCGO_ENABLED=1\n'), { pgo: 'off' });
  assert.deepEqual(parseBuildInfo('\tbuild\t-pgo=off\n'), { pgo: 'off' });
});

test('long steady states are captured in chunks the debug listener allows', () => {
  assert.deepEqual(chunkPlan(23), [23]);
  assert.deepEqual(chunkPlan(178), [60, 60, 58]);
  assert.deepEqual(chunkPlan(0), []);
});

test('bad RUNS, A or B are refused with the value and the valid values', () => {
  assert.equal(runsSetting({}), 10);
  assert.equal(runsSetting({ RUNS: '3' }), 3);
  for (const bad of ['0', '31', 'x', '2.5']) assert.throws(() => runsSetting({ RUNS: bad }), (e: Error) => e instanceof SettingError && e.message === `RUNS="${bad}" is not valid for make pgo-verify; valid values are: an integer from 1 to 30 (runs a side)`);
  assert.throws(() => runFolders({}, 'A'), /A is not set; valid values are: loadgate run folders/);
  assert.throws(() => runFolders({ B: '/nonexistent/run' }, 'B'), /B="\/nonexistent\/run" is not a loadgate run folder \(no meta\.json\)/);
});

const cost = (cpuPerRequest: number, p95Ms: number): ServiceCost => ({
  folder: 'results/x', exitCode: 0, reason: 'passed', requests: 3000, cpuSeconds: cpuPerRequest * 3000, allocatedBytes: 0,
  cpuPerRequest, bytesPerRequest: 0, p50Ms: 1, p95Ms, throughput: 100, droppedIterations: 0,
});

test('the verification report: a table with the interval, one row per run, a chart that renders', async () => {
  const runs = [0.00141, 0.00137, 0.00143, 0.00136, 0.00142, 0.00138, 0.00144, 0.00135].map((cpu, i) => ({ side: i % 2 ? ('on' as const) : ('off' as const), ...cost(cpu, 5 + i / 10) }));
  const report = summarise('api-load', 'smoke', '2000', { off: 'PGO off', on: 'PGO on (default.pgo)' }, runs);
  const markdown = renderMarkdown(report);
  // 4 runs a side: the exact interval is the smallest to the largest of the 16 differences (97.1%).
  assert.match(markdown, /\| server CPU per request \| 1425 µs \| 1365 µs \| −60 µs \(−4\.2%\) \| −90 to −30 µs \(97\.1%\) \| 0\.029 \|/);
  assert.equal(markdown.split('\n').filter((line) => /^\| \d+ \| (off|on) \|/.test(line)).length, 8);
  const svg = await renderSvg(chartSpec(report));
  assert.match(svg, /^<svg/);
  assert.match(svg, /PGO off against on/);
});
