import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBaseline, readBaseline, sameMachine, type Baseline } from '../../cli/gate/baseline.ts';
import { decide, wholeRun } from '../../cli/gate/compare.ts';
import type { EndpointFigures, RunFigures } from '../../cli/runs/figures.ts';
import { chartSpec, renderChart, renderJunit, renderMarkdown, renderTerminal, type GateReport } from '../../cli/gate/render.ts';
import { mannWhitneyGreater, smallestPValue } from '../../cli/runs/ranks.ts';
import { allowedBound, tolerances } from '../../thresholds/regression.ts';
import { LoadgateError } from '../../cli/exit-codes.ts';

/** The gate's "cannot compare": exit 2. */
const cannotCompare = (error: Error) => error instanceof LoadgateError && error.code === 'badCommandLine';

const machine = { cpus: 2, cpuModel: 'AMD EPYC', memoryBytes: 25_276_063_744 };

function endpoint(p50: number, options: Partial<EndpointFigures> & { samples?: number } = {}): EndpointFigures {
  const samples = options.samples ?? 100;
  return {
    requests: samples,
    failures: 0,
    errorRate: 0,
    throughput: 3.4,
    latency: { count: samples, p50, p90: p50 * 1.6, p95: p50 * 2, p99: p50 * 3, avg: p50 * 1.2, min: p50 / 2, max: p50 * 4 },
    ...options,
  };
}

function run(feedP50: number, extra: Partial<RunFigures> = {}, endpoints: Record<string, EndpointFigures> = {}): RunFigures {
  return {
    folder: `results/run-${feedP50}`,
    scenario: 'mixed',
    profile: 'smoke',
    exitCode: 0,
    reason: 'passed',
    machine,
    durationSeconds: 31,
    endpoints: { feed: endpoint(feedP50), vote: endpoint(0.9, { samples: 52 }), ...endpoints },
    checks: { passes: 700, fails: 0, rate: 1 },
    iterations: 200,
    droppedIterations: 0,
    ...extra,
  };
}

/** Every split of the pooled values, counted by brute force: what the exact test must equal. */
function bruteForceGreater(worse: number[], better: number[]): number {
  const pooled = [...worse, ...better];
  const u = (a: number[], b: number[]) => a.reduce((sum, x) => sum + b.reduce((s, y) => s + (x > y ? 1 : x === y ? 0.5 : 0), 0), 0);
  const observed = u(worse, better);
  let atLeast = 0;
  let total = 0;
  for (let mask = 0; mask < 1 << pooled.length; mask++) {
    const group = pooled.filter((_, i) => mask & (1 << i));
    if (group.length !== worse.length) continue;
    total++;
    if (u(group, pooled.filter((_, i) => !(mask & (1 << i)))) >= observed - 1e-9) atLeast++;
  }
  return atLeast / total;
}

test('the exact Mann–Whitney p-value matches a brute-force count, ties included', () => {
  assert.equal(mannWhitneyGreater([4, 5, 6], [1, 2, 3]), 0.05, 'complete separation of 3 and 3');
  assert.equal(mannWhitneyGreater([1, 2, 3], [4, 5, 6]), 1);
  assert.ok(Math.abs(mannWhitneyGreater([3, 5, 6, 8], [1, 2, 4, 7]) - 12 / 70) < 1e-12, 'R: wilcox.test(..., alternative="greater") gives 0.1714');
  const samples: Array<[number[], number[]]> = [
    [[1, 2, 2, 3], [2, 1, 0, 0]],
    [[0, 0, 0], [0, 0, 0]],
    [[1.5, 2.5, 2.5, 7, 7], [2.5, 1, 7, 0.5]],
    [[9, 8, 7, 6, 5, 4], [3, 4, 5, 6, 7]],
  ];
  for (const [a, b] of samples) assert.ok(Math.abs(mannWhitneyGreater(a, b) - bruteForceGreater(a, b)) < 1e-12, `${a} vs ${b}`);
  assert.equal(smallestPValue(3, 3), 0.05);
  assert.equal(smallestPValue(1, 1), 0.5);
});

test('tolerance: a relative bound or an absolute floor, whichever is larger, never below zero', () => {
  assert.equal(allowedBound('p95', 10), 10 + 10 * tolerances.p95.relative);
  assert.equal(allowedBound('p95', 0.1), 0.1 + tolerances.p95.absolute, 'the floor keeps a fast endpoint from failing on jitter');
  assert.equal(allowedBound('throughput', 0.1), 0, 'throughput falls to zero at worst');
});

test('no change over three runs a side passes', () => {
  const decision = decide([run(1.2), run(1.25), run(1.15)], [run(1.22), run(1.18), run(1.3)], 'make baseline');
  assert.equal(decision.rankTest, true);
  assert.deepEqual(decision.regressions, []);
  assert.ok(decision.comparisons.some((c) => c.endpoint === wholeRun && c.metric === 'checks'));
});

test('a slower feed in every run fails, naming endpoint, metric, baseline, current value and bound', () => {
  const decision = decide([run(1.2), run(1.25), run(1.15)], [run(2.1), run(2.3), run(2.2)], 'make baseline');
  const named = decision.regressions.map((r) => `${r.endpoint} ${r.metric}`);
  assert.ok(named.includes('feed p50'), named.join(', '));
  assert.ok(named.every((name) => name.startsWith('feed ')), 'only feed changed');
  const p50 = decision.regressions.find((r) => r.metric === 'p50')!;
  assert.equal(p50.pValue, 0.05);
  assert.match(p50.sentence, /^feed: p50 latency regressed to 2\.20 ms from a baseline of 1\.20 ms; allowed up to 1\.50 ms \(\+25% or \+0\.3 ms, whichever is larger; Mann–Whitney p = 0\.050 over 3 and 3 runs\)$/);
});

test('noise does not fail: a median beyond the bound without a significant rank difference passes', () => {
  // The current median is past the bound, but one current run is faster than two baseline runs.
  const decision = decide([run(1.2), run(2.4), run(2.5)], [run(1.0), run(3.6), run(3.9)], 'make baseline');
  const feed = decision.comparisons.find((c) => c.endpoint === 'feed' && c.metric === 'p50')!;
  assert.ok(feed.currentMedian! > feed.bound!, 'beyond the tolerance');
  assert.ok(feed.pValue! > 0.05);
  assert.equal(feed.status, 'ok');
});

test('with one run a side the tolerance alone decides', () => {
  const slow = decide([run(1.2)], [run(2.2)], 'make baseline');
  assert.equal(slow.rankTest, false);
  assert.equal(slow.regressions[0].pValue, null);
  assert.match(slow.regressions[0].sentence, /1 run\(s\) against 1: tolerance only/);
  assert.deepEqual(decide([run(1.2)], [run(1.3)], 'make baseline').regressions, []);
});

test('percentiles over too few requests are shown, not judged', () => {
  const few = { search: endpoint(5, { samples: 25 }) };
  const decision = decide([run(1.2, {}, few), run(1.2, {}, few), run(1.2, {}, few)], [1, 2, 3].map(() => run(1.2, {}, { search: endpoint(50, { samples: 25 }) })), 'x');
  const search = decision.comparisons.filter((c) => c.endpoint === 'search');
  assert.equal(search.find((c) => c.metric === 'p95')!.status, 'too few samples');
  assert.equal(search.find((c) => c.metric === 'p50')!.status, 'regression', `p50 needs only ${tolerances.p50.minSamples}`);
});

test('a median or a throughput over fewer than its floor of requests is not judged; at the floor it is', () => {
  const floor = tolerances.throughput.minSamples!;
  assert.equal(floor, tolerances.p50.minSamples, 'one floor for both, as the comment in regression.ts measured');
  // A rare endpoint whose three current runs each are slower and slower to come: the rank test's
  // smallest p, 0.05, with the medians past their bounds.
  const rare = (requests: number, p50: number, perSecond: number) => ({ vote: endpoint(p50, { samples: requests, throughput: perSecond }) });
  const judge = (requests: number) => {
    const decision = decide([1, 2, 3].map(() => run(1.2, {}, rare(requests, 1, 2))), [1, 2, 3].map(() => run(1.2, {}, rare(requests - 2, 2, 1))), 'x');
    return decision.comparisons.filter((c) => c.endpoint === 'vote').map((c) => `${c.metric} ${c.status}`);
  };
  // The current side's runs have two fewer requests: below the floor when the baseline's sit at floor + 1.
  assert.deepEqual(judge(floor + 1).filter((s) => /^(p50|throughput) /.test(s)), ['p50 too few samples', 'throughput too few samples']);
  assert.deepEqual(judge(floor + 2).filter((s) => /^(p50|throughput) /.test(s)), ['p50 regression', 'throughput regression']);
});

test('fewer requests per second and more errors are regressions too', () => {
  const worse = { feed: endpoint(1.2, { throughput: 2.0, failures: 10, errorRate: 0.1 }) };
  const decision = decide([run(1.2), run(1.2), run(1.2)], [1, 2, 3].map(() => run(1.2, {}, worse)), 'x');
  const named = decision.regressions.map((r) => `${r.endpoint} ${r.metric}`).sort();
  assert.deepEqual(named, ['feed errorRate', 'feed throughput']);
});

test('an endpoint on one side only cannot be compared, and the sentence says which and what to do', () => {
  const extra = { search: endpoint(5) };
  assert.throws(
    () => decide([run(1.2)], [run(1.2, {}, extra)], 'make baseline SCENARIO=mixed PROFILE=smoke'),
    (error: Error) =>
      cannotCompare(error) &&
      error.message === 'endpoint missing on one side: search is in the current run but not in the baseline; if the scenario changed on purpose, take a new baseline with: make baseline SCENARIO=mixed PROFILE=smoke',
  );
});

test('a baseline takes passing runs of one scenario, profile and machine', () => {
  assert.equal(makeBaseline([run(1.2), run(1.3)]).runs.length, 2);
  assert.throws(() => makeBaseline([run(1.2, { exitCode: 99, reason: 'SLO failed: x' })]), /did not pass \(SLO failed: x, exit code 99\)/);
  assert.throws(() => makeBaseline([run(1.2), run(1.2, { machine: { ...machine, cpus: 4 } })]), /take every run of a baseline on one machine/);
  assert.ok(sameMachine(machine, { ...machine }));
  assert.ok(!sameMachine(machine, { ...machine, cpuModel: 'Intel' }));
});

test('one machine after a reboot is the same machine: total memory moves by a few hundred KiB', () => {
  const before = { cpus: 2, cpuModel: 'AMD EPYC', memoryBytes: 25_276_063_744 };
  assert.ok(sameMachine(before, { ...before, memoryBytes: 25_275_953_152 }), 'the two figures of issue 21');
  assert.ok(!sameMachine(before, { ...before, memoryBytes: 16 * 2 ** 30 }), 'another memory size is another machine');
});

test('a baseline records its target and refuses runs against two targets', () => {
  const at = (baseUrl: string | null, service = 'quotes') => run(1.2, { target: { baseUrl, service } });
  assert.deepEqual(makeBaseline([at('http://127.0.0.1:1'), at('http://127.0.0.1:1')]).target, { baseUrl: 'http://127.0.0.1:1', service: 'quotes' });
  assert.throws(
    () => makeBaseline([at('http://127.0.0.1:1'), at('http://127.0.0.1:2')]),
    /measured http:\/\/127\.0\.0\.1:2 \(service "quotes"\), .* measured http:\/\/127\.0\.0\.1:1 \(service "quotes"\); take every run of a baseline against one target/,
  );
  assert.throws(() => makeBaseline([at(null, 'loadgate'), at(null, 'other')]), /the reference service started by loadgate \(other\)/);
});

test('a missing or corrupt baseline is refused with a sentence saying what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-gate-'));
  const retake = 'make baseline SCENARIO=mixed PROFILE=smoke';
  const file = join(dir, 'mixed-smoke.json');
  assert.throws(() => readBaseline(file, retake), (e: Error) => cannotCompare(e) && e.message === `there is no baseline ${file}; take one with: ${retake}`);
  writeFileSync(file, '{"format": "loadgate-baseline/1", "runs": [');
  assert.throws(() => readBaseline(file, retake), (e: Error) => cannotCompare(e) && e.message.startsWith(`the baseline ${file} is corrupt (not JSON:`) && e.message.endsWith(retake));
  const good: Baseline = makeBaseline([run(1.2)]);
  const broken = JSON.parse(JSON.stringify(good));
  delete broken.runs[0].endpoints.feed.latency.p95;
  writeFileSync(file, JSON.stringify(broken));
  assert.throws(() => readBaseline(file, retake), /is corrupt \(run 1, endpoint feed has no p50, p95 and p99\)/);
  writeFileSync(file, JSON.stringify(good));
  assert.deepEqual(readBaseline(file, retake), good);
});

function report(decision: ReturnType<typeof decide>): GateReport {
  return {
    scenario: 'mixed',
    profile: 'smoke',
    outcome: decision.regressions.length ? 'regression' : 'no regression',
    exitCode: decision.regressions.length ? 1 : 0,
    sentences: decision.regressions.map((r) => r.sentence),
    baseline: { file: 'results/baselines/mixed-smoke.json', runs: [] },
    current: { runs: [] },
    otherMachine: false,
    decision,
  };
}

test('JUnit has one test case per endpoint and metric; only the regressions fail, with the sentence', () => {
  const decision = decide([run(1.2), run(1.25), run(1.15)], [run(2.1), run(2.3), run(2.2)], 'x');
  const xml = renderJunit(report(decision));
  assert.equal(xml.match(/<testcase /g)!.length, decision.comparisons.length);
  assert.equal(xml.match(/<failure /g)!.length, decision.regressions.length);
  assert.match(xml, /name="feed p50">\n {6}<failure message="feed: p50 latency regressed to 2\.20 ms/);
  assert.match(xml, /<testsuites tests="\d+" failures="\d+">/);
  const markdown = renderMarkdown(report(decision));
  assert.match(markdown, /\*\*regression\*\* \(exit code 1\)/);
  assert.match(markdown, /\| feed \| p50 latency \| 1\.20 ms \| 2\.20 ms \| 1\.50 ms \| 0\.050 \| \*\*regression\*\* \|/);
  assert.match(renderTerminal(report(decision)), /^loadgate gate: mixed at smoke: regression \(exit code 1\)\n {2}feed: p50 latency regressed/);
});

test('the chart is an SVG with a bar per endpoint, side and percentile and a tick per bound', async () => {
  const decision = decide([run(1.2), run(1.25), run(1.15)], [run(2.1), run(2.3), run(2.2)], 'x');
  const values = (chartSpec(report(decision)).data as { values: Array<{ side: string }> }).values;
  // feed and vote, p50/p95/p99, baseline and current; vote's p99 lacks the samples for a bound.
  assert.equal(values.filter((v) => v.side !== 'allowed').length, 2 * 3 * 2);
  const svg = await renderChart(report(decision));
  assert.match(svg, /^<svg[^>]* width="\d+" height="\d+"/);
  assert.match(svg, /feed ✗/, 'the regressed endpoint is marked');
  assert.equal(new Set(values.map((v) => (v as unknown as { endpoint: string }).endpoint)).size, 2, 'one row per endpoint, marked or not');
});
