// One local rehearsal of a distributed run (mixed, the wiring profile, two instances), read by every assertion:
// the merged folder's numbers against the raw samples, each instance's own summary reproduced by
// merging its raw file alone, the alert monitor on one instance only, and no comment or vote made
// by two instances (read back from the reference service's SQLite file).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { mergeOutputs } from '../../cli/distributed/merge.ts';
import { thresholdSources, type ThresholdOption } from '../../cli/distributed/thresholds.ts';
import type { K6Summary } from '../../lib/summary/model.ts';
import { latencyKey, requestCountKey } from '../../thresholds/keys.ts';
import { collectorArguments, reducerArguments } from '../../cli/distributed/delivery.ts';
import { deliveryBundle } from '../../cli/paths.ts';
import { readMeta, readSummary, runMake, spawnCollect, tempResultsDir, wiringProfile, type Outcome } from './harness.ts';

interface Point {
  metric: string;
  value: number;
  tags: Record<string, string>;
}

function points(file: string): Point[] {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; metric: string; data: { value: number; tags: Record<string, string> | null } })
    .filter((line) => line.type === 'Point')
    .map((line) => ({ metric: line.metric, value: line.data.value, tags: line.data.tags ?? {} }));
}

/** TrendSink.P, written out again over a plain sorted array. */
function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  if (sorted.length === 1) return sorted[0];
  const rank = fraction * (sorted.length - 1);
  return sorted[Math.floor(rank)] + (sorted[Math.ceil(rank)] - sorted[Math.floor(rank)]) * (rank - Math.floor(rank));
}

const close = (actual: number, expected: number) => Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));

describe(`make load-distributed SCENARIO=mixed INSTANCES=2 PROFILE=${wiringProfile}`, { timeout: 240_000 }, () => {
  let run: Outcome;
  let dir: string;
  let merged: K6Summary;
  let instances: Array<{ raw: Point[]; rawFile: string; summary: K6Summary }>;
  const db = join(tempResultsDir(), 'service.sqlite');

  before(async () => {
    // 200 peak VUs put two VUs in every persona (5% of the peak), so both instances create comments and votes.
    // Raw delivery: these tests read every sample; distributed-delivery.test.ts runs the default.
    run = await runMake('load-distributed', { SCENARIO: 'mixed', INSTANCES: '2', PROFILE: wiringProfile, VUS: '200', TARGET_ARGS: `-db ${db}`, PROFILE_CAPTURE: 'off', DELIVERY: 'raw' });
    assert.ok(run.runDir, `no run folder: ${run.stderr.slice(-2000)}`);
    dir = run.runDir;
    merged = readSummary(dir);
    instances = [0, 1].map((i) => {
      const rawFile = join(dir, `instance-${i}.json.gz`);
      return { raw: points(rawFile), rawFile, summary: readSummary(join(dir, `instance-${i}`)) };
    });
  });

  test('one run folder: merged summary, reports and meta.json, exit code from the merged thresholds', () => {
    const failed = Object.values(merged.metrics).some((metric) => Object.values(metric.thresholds ?? {}).some((t) => !t.ok));
    // make exits 2 on any failing recipe and names the recipe's own code.
    if (failed) assert.match(run.stderr, /Error 99\b/);
    else assert.equal(run.code, 0, run.stderr.slice(-2000));
    const meta = readMeta(dir);
    assert.equal(meta.exitCode, failed ? 99 : 0);
    assert.equal(meta.scenario, 'mixed');
    assert.deepEqual(meta.instances?.map((i) => [i.name, i.rawFile, i.executionSegment]), [['instance-0', 'instance-0.json.gz', '0:1/2'], ['instance-1', 'instance-1.json.gz', '1/2:1']]);
    assert.deepEqual(meta.instances?.map((i) => i.samples), instances.map((i) => i.raw.length));
    for (const file of ['REPORT.md', 'summary.txt', 'junit.xml']) assert.ok(existsSync(join(dir, file)), file);
    assert.match(readFileSync(join(dir, 'summary.txt'), 'utf8'), new RegExp(`^loadgate mixed \\(${wiringProfile}\\): (PASSED|FAILED)`));
  });

  test('the merged request count is the sum of the instances’, in total and per endpoint', () => {
    const count = (summary: K6Summary, key: string) => summary.metrics[key]?.values.count ?? 0;
    for (const key of ['http_reqs', ...['feed', 'clip_detail', 'related', 'search', 'comments_list', 'comment_create', 'vote'].map((e) => requestCountKey(e as 'feed'))]) {
      assert.equal(count(merged, key), count(instances[0].summary, key) + count(instances[1].summary, key), key);
    }
    assert.ok(count(merged, 'http_reqs') > 0);
    assert.equal(count(merged, 'http_reqs'), instances.flatMap((i) => i.raw).filter((p) => p.metric === 'http_reqs').length, 'one raw sample per request');
  });

  test('the merged p95 of every endpoint is the p95 over all raw samples of both instances', () => {
    for (const endpoint of ['feed', 'clip_detail', 'search', 'vote', 'comment_create'] as const) {
      const values = instances
        .flatMap((i) => i.raw)
        .filter((p) => p.metric === 'http_req_duration' && p.tags.endpoint === endpoint && p.tags.expected_response === 'true')
        .map((p) => p.value);
      assert.ok(values.length > 0, `${endpoint} has samples`);
      const stats = merged.metrics[latencyKey(endpoint)].values;
      assert.ok(close(stats['p(95)'], percentile(values, 0.95)), `${endpoint}: merged ${stats['p(95)']}, direct ${percentile(values, 0.95)}`);
      assert.equal(stats.count, values.length);
    }
  });

  test("merging one instance's raw file alone reproduces that instance's own k6 summary", async () => {
    const options = readMeta(dir).options as { thresholds: Record<string, ThresholdOption[]>; summaryTrendStats: string[] };
    for (const [i, instance] of instances.entries()) {
      const { summary } = await mergeOutputs({ sources: [instance.rawFile], summaries: [instance.summary], thresholds: thresholdSources(options.thresholds), trendStats: options.summaryTrendStats });
      assert.deepEqual(Object.keys(summary.metrics).sort(), Object.keys(instance.summary.metrics).sort(), `instance ${i}: the same metrics`);
      for (const [key, own] of Object.entries(instance.summary.metrics)) {
        const rebuilt = summary.metrics[key];
        assert.equal(rebuilt.type, own.type, key);
        assert.deepEqual(Object.keys(rebuilt.values).sort(), Object.keys(own.values).sort(), key);
        for (const [stat, value] of Object.entries(own.values)) assert.ok(close(rebuilt.values[stat], value), `instance ${i} ${key} ${stat}: k6 ${value}, merged ${rebuilt.values[stat]}`);
        assert.deepEqual(rebuilt.thresholds, own.thresholds, `instance ${i} ${key}: thresholds judged alike`);
      }
    }
  });

  test('make merge RUNS=<the raw files> rebuilds the same merged summary in a new run folder', async () => {
    const runs = [0, 1].map((i) => join(dir, `instance-${i}.json.gz`)).join(',');
    const again = await runMake('merge', { RUNS: runs });
    assert.ok(again.runDir && again.runDir !== dir, again.stderr);
    const rebuilt = readSummary(again.runDir);
    assert.deepEqual(rebuilt.metrics, merged.metrics, 'same metrics, values and threshold results');
    const meta = readMeta(again.runDir);
    assert.equal(meta.exitCode, readMeta(dir).exitCode);
    assert.deepEqual(meta.instances?.map((i) => i.samples), instances.map((i) => i.raw.length));
    assert.ok(existsSync(join(again.runDir, 'REPORT.md')));
  });

  test("the same raw files through dist/delivery.mjs's reducer and collector merge into the same summary", async () => {
    const aggregates = join(tempResultsDir(), 'aggregates');
    const socket = join(tempResultsDir(), 'c.sock');
    const collector = spawn(process.execPath, [deliveryBundle, ...collectorArguments({ dir: aggregates, listen: `unix:${socket}` })], { stdio: 'ignore' });
    try {
      const thresholdKeys = Object.keys((readMeta(dir).options as { thresholds: object }).thresholds);
      for (const [i, instance] of instances.entries()) {
        const args = reducerArguments({ input: instance.rawFile, runner: `instance-${i}`, thresholdKeys, destination: { socket }, summaryDir: join(dir, `instance-${i}`) });
        const reduced = await spawnCollect(process.execPath, [deliveryBundle, ...args], process.env);
        assert.equal(reduced.code, 0, reduced.stderr);
        assert.match(reduced.stderr, new RegExp(`reducer instance-${i}: ${instance.raw.length} samples .*trends exact.* with its summary`));
      }
    } finally {
      collector.kill();
    }
    assert.deepEqual(readdirSync(aggregates).sort(), ['instance-0.aggregate.json.gz', 'instance-1.aggregate.json.gz']);
    const again = await runMake('merge', { RUNS: aggregates });
    assert.ok(again.runDir, again.stderr);
    assert.deepEqual(readSummary(again.runDir).metrics, merged.metrics, 'same metrics, values and threshold results as the raw merge');
    const meta = readMeta(again.runDir);
    assert.equal(meta.merge?.delivery, 'aggregate');
    assert.equal(meta.merge?.method, 'exact');
    assert.deepEqual(meta.instances?.map((i) => i.samples), instances.map((i) => i.raw.length));
    const sizes = readdirSync(aggregates).map((name) => statSync(join(aggregates, name)).size);
    const rawSizes = instances.map((instance) => statSync(instance.rawFile).size);
    assert.ok(sizes.every((size, i) => size < rawSizes[i]), `aggregates ${sizes.join(', ')} bytes against raw ${rawSizes.join(', ')}`);
  });

  test('make merge without RUNS, or with a folder holding no raw samples, says what it needs', async () => {
    const none = await runMake('merge');
    assert.match(none.stderr, /make merge needs RUNS/);
    assert.match(none.stderr, /Error 2\b/);
    const empty = await runMake('merge', { RUNS: join(dir, 'instance-0') });
    assert.match(empty.stderr, /holds no raw sample files \(\*\.json\.gz.*and no delivered aggregates/);
    assert.equal(empty.runDir, null, 'no run folder for bad input');
  });

  test('only one instance runs the alert monitor', () => {
    const scrapes = instances.map((i) => i.raw.filter((p) => p.metric === 'http_reqs' && p.tags.scenario === 'alert_monitor').length);
    assert.ok(scrapes[0] > 0 && scrapes[1] === 0, `monitor scrapes per instance: ${scrapes.join(', ')}`);
  });

  test('no comment or vote comes from two instances: marks and users are unique across them', () => {
    const query = (sql: string) => JSON.parse(execFileSync('sqlite3', ['-json', db, sql], { encoding: 'utf8' }) || '[]') as Array<Record<string, string | number>>;
    let comments: Array<Record<string, string | number>>;
    try {
      comments = query("SELECT user_id, body FROM comments WHERE body LIKE 'loadgate comment %'");
    } catch (error) {
      assert.fail(`reading the service's database needs Debian's sqlite3 (apt-get install -y sqlite3): ${String(error)}`);
    }
    for (const [i, instance] of instances.entries()) {
      assert.ok((instance.summary.metrics[requestCountKey('comment_create')]?.values.count ?? 0) > 0, `instance ${i} created comments`);
      assert.ok((instance.summary.metrics[requestCountKey('vote')]?.values.count ?? 0) > 0, `instance ${i} voted`);
    }
    assert.equal(comments.length, merged.metrics[requestCountKey('comment_create')].values.count, 'every comment request made one comment');
    const marks = comments.map((c) => String(c.body).slice('loadgate comment '.length));
    assert.equal(new Set(marks).size, marks.length, 'no comment mark appears twice');
    // A mark ends in the test-wide VU id; a VU acts as one user and no user serves two VUs.
    const vuOfUser = new Map<number, Set<string>>();
    for (const [i, comment] of comments.entries()) {
      const vu = marks[i].split('-').pop()!;
      vuOfUser.set(Number(comment.user_id), (vuOfUser.get(Number(comment.user_id)) ?? new Set()).add(vu));
    }
    assert.ok([...vuOfUser.values()].every((vus) => vus.size === 1), 'each commenting user is one VU');
    const vus = new Set(marks.map((mark) => mark.split('-').pop()));
    assert.equal(vus.size, vuOfUser.size, 'each commenting VU is one user');
    assert.ok(vus.size >= 2, 'comments came from VUs of both instances');
    const votes = query('SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM votes')[0];
    assert.ok(Number(votes.n) > 0 && Number(votes.users) >= 2, `votes: ${JSON.stringify(votes)}`);
  });
});
