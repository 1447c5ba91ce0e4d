// Measures the merge's memory and time on synthetic raw files, for the figures docs/distributed.md states:
//   node --import tsx cli/distributed/measure-merge.ts write <file.json.gz> <requests>
//   node --import tsx cli/distributed/measure-merge.ts reduce <file.json.gz> <out.aggregate.json.gz>
//   node --import tsx cli/distributed/measure-merge.ts merge [auto|exact|sketch] <file.json.gz or .aggregate.json.gz>...
// Naming one file n times merges n runners that each delivered it (10 × a 1 M file is 10 M requests).
// `write` emits what k6 records per HTTP request of the mixed scenario (7 timing trends, the
// request count, failure rate, bytes, one check, the iteration), spread over the endpoints; `merge`
// merges the files and prints the merge that ran, the samples read, the trend bytes held, peak RSS
// and the time taken.
import { createWriteStream, statSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { endpointNames } from '../../thresholds/reference-endpoints.ts';
import { latencyKey } from '../../thresholds/keys.ts';
import { mergeOutputs } from './merge.ts';
import { aggregateSuffix, readAggregate, reduceRaw, writeAggregate } from './aggregate.ts';
import type { TrendMerge } from './sinks.ts';
import { exitWith, LoadgateError } from '../exit-codes.ts';

const perRequest: Array<[string, string, string]> = [
  ['http_req_duration', 'trend', 'time'],
  ['http_req_blocked', 'trend', 'time'],
  ['http_req_connecting', 'trend', 'time'],
  ['http_req_tls_handshaking', 'trend', 'time'],
  ['http_req_sending', 'trend', 'time'],
  ['http_req_waiting', 'trend', 'time'],
  ['http_req_receiving', 'trend', 'time'],
  ['http_reqs', 'counter', 'default'],
  ['http_req_failed', 'rate', 'default'],
  ['data_sent', 'counter', 'data'],
  ['data_received', 'counter', 'data'],
  ['checks', 'rate', 'default'],
  ['iteration_duration', 'trend', 'time'],
  ['iterations', 'counter', 'default'],
];

async function write(file: string, requests: number): Promise<void> {
  const gzip = createGzip();
  const out = gzip.pipe(createWriteStream(file));
  // Lines go out in batches: one write per line would spend the time in stream overhead.
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length && !gzip.write(`${batch.join('\n')}\n`)) await once(gzip, 'drain');
    batch = [];
  };
  const put = async (line: string) => {
    batch.push(line);
    if (batch.length >= 10_000) await flush();
  };
  for (const [name, type, contains] of perRequest) await put(JSON.stringify({ type: 'Metric', data: { name, type, contains, thresholds: [], submetrics: null }, metric: name }));
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < requests; i++) {
    const endpoint = endpointNames[i % 7];
    const tags = { endpoint, expected_response: 'true', group: '', method: 'GET', name: `GET /${endpoint}`, proto: 'HTTP/1.1', scenario: 'casual_browsers', status: '200', url: `http://127.0.0.1:8080/api/v1/${endpoint}` };
    const time = new Date(start + i).toISOString();
    for (const [name] of perRequest) {
      const value = name === 'http_req_failed' ? 0 : name === 'checks' || name.endsWith('s') ? 1 : (i * 7919) % 1000 / 10;
      await put(JSON.stringify({ metric: name, type: 'Point', data: { time, value, tags } }));
    }
  }
  await flush();
  gzip.end();
  await once(out, 'finish');
}

const thresholds = Object.fromEntries(endpointNames.slice(0, 7).map((endpoint) => [latencyKey(endpoint), ['p(95)<100']]));

/** What a runner's reducer does with its share: the time, memory and the aggregate's size. */
async function reduce(file: string, out: string): Promise<void> {
  const started = process.hrtime.bigint();
  const aggregate = await reduceRaw({ file, runner: 'runner-0', thresholdKeys: Object.keys(thresholds) });
  writeAggregate(out, aggregate);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const trends = aggregate.metrics.filter((metric) => metric.type === 'trend');
  process.stdout.write(`${JSON.stringify({ requests: aggregate.samples / perRequest.length, samples: aggregate.samples, trends: trends.every((m) => 'values' in m.sink) ? 'exact' : 'sketched', aggregateKiB: +(statSync(out).size / 1024).toFixed(1), peakRssMiB: +(process.resourceUsage().maxRSS / 1024).toFixed(1), seconds: +seconds.toFixed(1) })}\n`);
}

/** Raw files and aggregates (named *.aggregate.json.gz) alike, as `make merge` takes them. */
async function merge(trendMerge: TrendMerge, files: string[]): Promise<void> {
  const started = process.hrtime.bigint();
  const sources = files.map((file) => (file.endsWith(aggregateSuffix) ? readAggregate(file) : file));
  const { samples, trendBytes, merge: record } = await mergeOutputs({ sources, summaries: [{ metrics: {}, state: { testRunDurationMs: 1000 } }], thresholds, trendMerge });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const total = samples.reduce((a, b) => a + b, 0);
  process.stdout.write(`${JSON.stringify({ method: record.method, requests: total / perRequest.length, samples: total, trendMiB: +(trendBytes / 2 ** 20).toFixed(1), peakRssMiB: +(process.resourceUsage().maxRSS / 1024).toFixed(1), seconds: +seconds.toFixed(1) })}\n`);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'write' && rest.length === 2) await write(rest[0], Number(rest[1]));
else if (mode === 'reduce' && rest.length === 2) await reduce(rest[0], rest[1]);
else if (mode === 'merge' && rest.length) {
  const methods: TrendMerge[] = ['auto', 'exact', 'sketch'];
  const named = methods.find((method) => method === rest[0]);
  await merge(named ?? 'auto', named ? rest.slice(1) : rest);
}
else exitWith(new LoadgateError('badCommandLine', 'usage: measure-merge.ts write <file.json.gz> <requests> | reduce <file.json.gz> <out.aggregate.json.gz> | merge [auto|exact|sketch] <file.json.gz or .aggregate.json.gz>...'), 'measure-merge');
