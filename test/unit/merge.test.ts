// The merge of raw k6 samples across instances, on synthetic raw files: k6's percentile
// interpolation, submetrics, threshold evaluation on the merged data, and the bounded memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mergeOutputs } from '../../cli/distributed/merge.ts';
import { submetricTags } from '../../cli/distributed/accumulate.ts';
import { TrendSink } from '../../cli/distributed/sinks.ts';
import { parseThreshold, passes } from '../../cli/distributed/thresholds.ts';
import { LoadgateError } from '../../cli/exit-codes.ts';
import { segmentFlags, segmentSequence } from '../../cli/distributed/local.ts';
import { latencyKey, requestCountKey } from '../../thresholds/keys.ts';
import { writeFileSync } from 'node:fs';
import { dir, rawFile, requests } from './raw-samples.ts';
import { decodeAggregate, encodeAggregate, reduceRaw } from '../../cli/distributed/aggregate.ts';


const repeat = (value: number, times: number) => Array<number>(times).fill(value);

/** The percentile as k6's TrendSink.P defines it, written out independently over a plain array. */
function k6Percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 1) return sorted[0];
  const rank = fraction * (sorted.length - 1);
  const lower = sorted[Math.floor(rank)];
  return lower + (sorted[Math.ceil(rank)] - lower) * (rank - Math.floor(rank));
}

const feed = latencyKey('feed');
const clip = latencyKey('clip_detail');
const thresholds = {
  [feed]: ['p(95)<100', 'p(50)<50'],
  [clip]: ['p(95)<50'],
  [requestCountKey('feed')]: ['count>0'],
  [requestCountKey('search')]: ['count>0'],
  http_req_failed: ['rate<0.01'],
  http_reqs: ['rate>0.5'],
};
const summaryOf = (durationMs: number) => ({ metrics: {}, state: { testRunDurationMs: durationMs } });

test("percentiles interpolate between ranks exactly as k6's TrendSink.P", () => {
  const sink = new TrendSink();
  assert.equal(sink.stat('p(95)'), 0, 'no samples: 0, as k6 reports');
  sink.add(7);
  assert.equal(sink.stat('p(95)'), 7, 'one sample: that sample');
  for (const value of [3, 9, 1, 10, 2, 8, 4, 6, 5]) sink.add(value);
  // Ten values 1..10: rank 0.95 × 9 ≈ 8.55 → 9 + (10 − 9) × 0.55, in the same float64 steps as Go.
  assert.equal(sink.stat('p(95)'), 9 + (10 - 9) * (0.95 * 9 - 8));
  assert.equal(sink.stat('med'), 5.5);
  assert.equal(sink.stat('p(0)'), 1);
  assert.equal(sink.stat('p(100)'), 10);
  assert.equal(sink.stat('avg'), 5.5);
  assert.deepEqual([sink.stat('min'), sink.stat('max'), sink.stat('count')], [1, 10, 10]);
  assert.throws(() => sink.stat('p95'), /"p95" is not a trend statistic/);
});

test('a slowed endpoint on one instance pushes the merged p95 over its SLO, judged on all samples', async () => {
  // Instance 0 is healthy; instance 1's feed answers 12% of its requests in 300 ms.
  const healthy = rawFile('healthy.json.gz', [...requests('feed', repeat(10, 1000)), ...requests('clip_detail', repeat(5, 200))]);
  const slowed = rawFile('slowed.json.gz', [...requests('feed', [...repeat(10, 880), ...repeat(300, 120)]), ...requests('clip_detail', repeat(6, 200))]);
  const { summary, samples } = await mergeOutputs({ sources: [healthy, slowed], summaries: [summaryOf(30_000), summaryOf(29_000)], thresholds });

  const allFeed = [...repeat(10, 1000), ...repeat(10, 880), ...repeat(300, 120)];
  assert.equal(summary.metrics[feed].values['p(95)'], k6Percentile(allFeed, 0.95), 'p95 over every sample of both instances');
  assert.equal(summary.metrics[feed].values['p(95)'], 300, '6% of the merged feed requests are slow');
  assert.deepEqual(summary.metrics[feed].thresholds, { 'p(95)<100': { ok: false }, 'p(50)<50': { ok: true } });
  assert.deepEqual(summary.metrics[clip].thresholds, { 'p(95)<50': { ok: true } }, 'the other endpoint is judged on its own samples');
  assert.equal(summary.metrics[requestCountKey('feed')].values.count, 2000, 'request counts add up');
  assert.deepEqual(summary.metrics[requestCountKey('search')], { type: 'counter', contains: 'default', values: { count: 0, rate: 0 }, thresholds: { 'count>0': { ok: false } } }, 'a guard with no sample fails, as in k6');
  assert.equal(summary.metrics.http_reqs.values.rate, 2400 / 30, 'counter rates over the longest instance');
  assert.equal(summary.state?.testRunDurationMs, 30_000);
  assert.deepEqual(samples, [3600, 3600]);
});

test('a slowed instance whose slow share stays under 5% of all requests leaves the merged p95 within its SLO', async () => {
  const healthy = rawFile('healthy-big.json.gz', requests('feed', repeat(10, 3000)));
  const slowed = rawFile('slowed-small.json.gz', requests('feed', [...repeat(10, 920), ...repeat(300, 80)]), false);
  const { summary } = await mergeOutputs({ sources: [healthy, slowed], summaries: [summaryOf(1000), summaryOf(1000)], thresholds: { [feed]: ['p(95)<100'] } });
  assert.equal(summary.metrics[feed].values['p(95)'], 10, '80 of 4,000 requests are slow: 2%');
  assert.equal(summary.metrics[feed].thresholds?.['p(95)<100'].ok, true, 'the slowed instance alone would fail; the run does not');
});

test('submetrics match on every tag of their key; unmatched and untagged samples stay out', async () => {
  assert.deepEqual(submetricTags(`http_req_duration{endpoint: "feed" ,expected_response:true}`), { parent: 'http_req_duration', tags: [['endpoint', 'feed'], ['expected_response', 'true']] });
  const file = rawFile('tags.json.gz', [
    { metric: 'http_req_duration', value: 1, tags: { endpoint: 'feed', expected_response: 'true' } },
    { metric: 'http_req_duration', value: 2, tags: { endpoint: 'feed', expected_response: 'false' } },
    { metric: 'http_req_duration', value: 4, tags: { endpoint: 'vote', expected_response: 'true' } },
    { metric: 'http_req_duration', value: 8 },
  ]);
  const { summary } = await mergeOutputs({ sources: [file], summaries: [summaryOf(1000)], thresholds: { [feed]: ['max<100'] }, trendStats: ['count', 'max'] });
  assert.deepEqual(summary.metrics[feed].values, { count: 1, max: 1 });
  assert.deepEqual(summary.metrics['http_req_duration{expected_response:true}'].values, { count: 2, max: 4 }, "k6's own expected_response submetric");
  assert.deepEqual(summary.metrics.http_req_duration.values, { count: 4, max: 8 });
});

test('gauges add up across instances (vus of two instances are the run’s vus)', async () => {
  const a = rawFile('vus-a.json.gz', [3, 5, 4].map((value) => ({ metric: 'vus', value })));
  const b = rawFile('vus-b.json.gz', [2, 6, 1].map((value) => ({ metric: 'vus', value })));
  const { summary } = await mergeOutputs({ sources: [a, b], summaries: [], thresholds: { vus: ['value>0'] } });
  assert.deepEqual(summary.metrics.vus.values, { value: 5, min: 4, max: 11 });
  assert.equal(summary.metrics.vus.thresholds?.['value>0'].ok, true);
});

test('a thresholded metric no instance sampled still appears, typed from a summary or the built-ins, else the merge refuses', async () => {
  const file = rawFile('empty.json.gz', requests('feed', [10]));
  const { summary } = await mergeOutputs({ sources: [file], summaries: [summaryOf(1000)], thresholds: { 'checks': ['rate>0.99'], 'iterations{scenario:searchers}': ['count>0'] } });
  assert.deepEqual(summary.metrics.checks, { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 0 }, thresholds: { 'rate>0.99': { ok: true } } }, 'an empty rate passes, as in k6');
  assert.equal(summary.metrics['iterations{scenario:searchers}'].thresholds?.['count>0'].ok, false);
  await assert.rejects(
    mergeOutputs({ sources: [file], summaries: [], thresholds: { 'loadgate_custom{a:b}': ['count<1'] } }),
    (error: Error) => error instanceof LoadgateError && error.code === 'mergeFailed' && /loadgate_custom.*type is unknown/.test(error.message),
  );
});

test('a line that is not k6 JSON output is named by file and line', async () => {
  const file = join(dir, 'broken.json');
  writeFileSync(file, `${JSON.stringify({ type: 'Metric', data: { name: 'vus', type: 'gauge', contains: 'default' }, metric: 'vus' })}\nnot json\n`);
  await assert.rejects(mergeOutputs({ sources: [file], summaries: [], thresholds: {} }), /broken\.json:2 is not a k6 JSON output line/);
});

test("the project's threshold forms parse and judge as k6 does; unknown forms are named", () => {
  const judge = (source: string, stats: Record<string, number>) => passes(parseThreshold(source), stats);
  assert.equal(judge('p(95)<100', { 'p(95)': 99.9 }), true);
  assert.equal(judge('p(99.9)<100', { 'p(99.9)': 100 }), false);
  assert.equal(judge('rate<0.01', { rate: 0.01 }), false);
  assert.equal(judge('rate>0.99', { rate: 0.995 }), true);
  assert.equal(judge('count>0', { count: 0 }), false);
  assert.equal(judge('count>=0', { count: 0 }), true, '>= is read before >');
  assert.equal(judge('count<1', { count: 1 }), false);
  assert.equal(judge('count<=3', { count: 3 }), true);
  assert.equal(judge('avg < 20', { avg: 19 }), true);
  assert.equal(judge('max<500', { max: 500 }), false);
  assert.equal(judge('med<50', { med: 10 }), true);
  assert.equal(judge('rate<0.01', {}), true, 'an empty rate has no value, and k6 passes it');
  for (const [source, named] of [['p95<100', /"p95"/], ['mean<3', /"mean"/], ['p(95)', /no comparison/], ['p(101)<3', /percentile "101"/], ['rate<lots', /"lots"/]] as const) {
    assert.throws(() => parseThreshold(source, 'http_req_duration'), (error: Error) => error instanceof LoadgateError && error.code === 'mergeFailed' && named.test(error.message) && error.message.includes(source) && /valid forms are/.test(error.message));
  }
});

test('a statistic the metric type lacks is refused with the ones it has', async () => {
  const file = rawFile('counter.json.gz', requests('feed', [10]));
  await assert.rejects(
    mergeOutputs({ sources: [file], summaries: [], thresholds: { http_reqs: ['p(95)<1'] } }),
    /threshold "p\(95\)<1" on http_reqs uses p\(95\), which a counter does not have; a counter supports: count, rate/,
  );
});

test('trend memory is 8 bytes a sample, growing by doubling', async () => {
  const count = 100_000;
  const file = rawFile('many.json.gz', Array.from({ length: count }, (_, i) => ({ metric: 'http_req_duration', value: i % 997, tags: { endpoint: 'feed', expected_response: 'true' } })));
  const { summary, trendBytes } = await mergeOutputs({ sources: [file], summaries: [summaryOf(1000)], thresholds: { [feed]: ['p(95)<1000'] }, trendStats: ['count'] });
  assert.equal(summary.metrics[feed].values.count, count);
  // Three sinks hold every sample: the metric, expected_response:true and the endpoint's submetric.
  assert.ok(trendBytes >= 3 * 8 * count && trendBytes <= 3 * 16 * count, `${trendBytes} bytes for ${count} samples in 3 sinks`);
});

test('execution segments cut the test into equal, adjoining shares', () => {
  assert.deepEqual(segmentSequence(4), ['0', '1/4', '2/4', '3/4', '1']);
  assert.deepEqual(segmentFlags(1, 2), ['--execution-segment=1/2:1', '--execution-segment-sequence=0,1/2,1']);
  assert.deepEqual(segmentFlags(0, 1), [], 'one instance runs the whole test');
});

test('a sketched merge names the percentile thresholds within its error of the limit, and only those', async () => {
  const file = rawFile('near-limit.json.gz', requests('feed', Array.from({ length: 1000 }, (_, i) => i / 10)));
  const near = { [feed]: ['p(95)<95', 'p(95)<200', 'avg<49.96'] };
  const sketched = await mergeOutputs({ sources: [file], summaries: [null], thresholds: near, trendMerge: 'sketch' });
  // p(95) of 0.0…99.9 is 94.905: 95 lies within 1% of it, 200 does not; avg is exact, never "near".
  assert.deepEqual(sketched.merge.nearLimit.map((entry) => entry.replace(/ \(observed .*\)$/, '')), [`${feed} p(95)<95`]);
  assert.equal(sketched.merge.method, 'sketch');
  const exact = await mergeOutputs({ sources: [file], summaries: [null], thresholds: near });
  assert.deepEqual(exact.merge, { method: 'exact', relativeError: 0, nearLimit: [], delivery: 'raw' });
});

// Runners' aggregates (aggregate.ts): what a reducer delivers instead of the raw file.
const aggregateThresholds = { [feed]: ['p(95)<100'], [clip]: ['p(95)<50'], vus: ['value>0'], http_req_failed: ['rate<0.1'] };
const delivered = async (file: string, runner: string, exactLimit?: number) =>
  decodeAggregate(encodeAggregate(await reduceRaw({ file, runner, thresholdKeys: Object.keys(aggregateThresholds), exactLimit })), runner);

test("two runners' aggregates merge into exactly the summary their raw files give", async () => {
  const a = rawFile('agg-a.json.gz', [...requests('feed', [...repeat(10, 500), ...repeat(300, 30)]), ...requests('clip_detail', repeat(7, 40)), ...[3, 5].map((value) => ({ metric: 'vus', value }))]);
  const b = rawFile('agg-b.json', [...requests('feed', repeat(12, 400)), ...[2, 6, 1].map((value) => ({ metric: 'vus', value }))], false);
  const summaries = [summaryOf(30_000), summaryOf(29_000)];
  const fromRaw = await mergeOutputs({ sources: [a, b], summaries, thresholds: aggregateThresholds });
  const fromAggregates = await mergeOutputs({ sources: [await delivered(a, 'runner-0'), await delivered(b, 'runner-1')], summaries, thresholds: aggregateThresholds });
  assert.deepEqual(fromAggregates.summary, fromRaw.summary);
  assert.deepEqual(fromAggregates.samples, fromRaw.samples);
  assert.deepEqual(fromAggregates.merge, { ...fromRaw.merge, delivery: 'aggregate' });
  assert.equal(fromAggregates.summary.metrics.vus.values.max, 11, 'gauges stay per runner and add up');
});

test('a runner past its exact budget delivers histograms: the merge is sketched, within 1%, counts and extremes exact', async () => {
  const durations = Array.from({ length: 3000 }, (_, i) => 1 + ((i * 7919) % 1000) / 10);
  const a = rawFile('agg-big-a.json.gz', requests('feed', durations.slice(0, 1500)));
  const b = rawFile('agg-big-b.json.gz', requests('feed', durations.slice(1500)));
  const exact = await mergeOutputs({ sources: [a, b], summaries: [], thresholds: aggregateThresholds });
  const aggregates = [await delivered(a, 'runner-0', 100), await delivered(b, 'runner-1')];
  assert.ok('histogram' in aggregates[0].metrics.find((m) => m.name === 'http_req_duration')!.sink, 'over its budget of 100 values');
  assert.ok('values' in aggregates[1].metrics.find((m) => m.name === 'http_req_duration')!.sink, 'the other runner stayed exact');
  const sketched = await mergeOutputs({ sources: aggregates, summaries: [], thresholds: aggregateThresholds });
  assert.equal(sketched.merge.method, 'sketch', 'one histogram makes the whole merge a sketch');
  const [got, want] = [sketched.summary.metrics[feed].values, exact.summary.metrics[feed].values];
  for (const stat of ['p(95)', 'med']) assert.ok(Math.abs(got[stat] - want[stat]) <= 0.01 * want[stat], `${stat}: ${got[stat]} against ${want[stat]}`);
  for (const stat of ['min', 'max', 'avg']) assert.ok(Math.abs(got[stat] - want[stat]) < 1e-9 * want[stat], `${stat} stays exact`);
  assert.equal(sketched.summary.metrics.http_reqs.values.count, 3000);
});

test('an aggregate reduced without a submetric the thresholds name is refused with the key', async () => {
  const file = rawFile('agg-other.json.gz', requests('feed', [10]));
  const narrow = decodeAggregate(encodeAggregate(await reduceRaw({ file, runner: 'runner-0', thresholdKeys: [] })), 'narrow');
  await assert.rejects(mergeOutputs({ sources: [narrow], summaries: [], thresholds: { [feed]: ['p(95)<1'] } }), new RegExp(`runner-0 was reduced without the submetrics .*${feed.replace(/[{}]/g, '\\$&')}`));
  assert.throws(() => decodeAggregate(Buffer.from('plain'), 'x.aggregate.json.gz'), /x\.aggregate\.json\.gz is not a gzipped loadgate aggregate/);
});
