// make load-distributed with the default delivery: each k6 writes into a FIFO, a reducer beside it
// delivers an aggregate to the run's collector, and the run is merged from those alone. No raw
// sample file is left; each aggregate, merged alone, reproduces its instance's own k6 summary.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readAggregate } from '../../cli/distributed/aggregate.ts';
import { mergeOutputs } from '../../cli/distributed/merge.ts';
import { thresholdSources, type ThresholdOption } from '../../cli/distributed/thresholds.ts';
import type { K6Summary } from '../../lib/summary/model.ts';
import { requestCountKey } from '../../thresholds/keys.ts';
import { readMeta, readSummary, runMake, wiringProfile, type Outcome } from './harness.ts';

const close = (actual: number, expected: number) => Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));

describe(`make load-distributed SCENARIO=mixed INSTANCES=2 PROFILE=${wiringProfile} (aggregates delivered)`, { timeout: 240_000 }, () => {
  let run: Outcome;
  let dir: string;
  let merged: K6Summary;
  let own: K6Summary[];

  before(async () => {
    run = await runMake('load-distributed', { SCENARIO: 'mixed', INSTANCES: '2', PROFILE: wiringProfile, VUS: '200', PROFILE_CAPTURE: 'off' });
    assert.ok(run.runDir, `no run folder: ${run.stderr.slice(-2000)}`);
    dir = run.runDir;
    merged = readSummary(dir);
    own = [0, 1].map((i) => readSummary(join(dir, `instance-${i}`)));
  });

  test('the run is merged from two delivered aggregates, exactly, and leaves no raw samples', () => {
    assert.ok([0, 99].includes(readMeta(dir).exitCode), run.stderr.slice(-2000));
    const meta = readMeta(dir);
    assert.deepEqual(meta.merge, { method: 'exact', relativeError: 0, nearLimit: [], delivery: 'aggregate' });
    assert.deepEqual(meta.instances?.map((i) => i.aggregateFile), ['aggregates/instance-0.aggregate.json.gz', 'aggregates/instance-1.aggregate.json.gz']);
    assert.ok(meta.instances?.every((i) => i.samples > 0 && i.rawFile === undefined));
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.json.gz')), [], 'no raw sample file');
    for (const i of [0, 1]) assert.match(run.stderr, new RegExp(`reducer instance-${i}: \\d+ samples in .* trends exact, \\d+ bytes delivered with its summary`));
    for (const name of readdirSync(join(dir, 'aggregates'))) assert.ok(statSync(join(dir, 'aggregates', name)).size < 200_000, name);
  });

  test('merged counts are the sum of the instances’ own, in total and per endpoint', () => {
    const count = (summary: K6Summary, key: string) => summary.metrics[key]?.values.count ?? 0;
    for (const key of ['http_reqs', 'iterations', ...(['feed', 'clip_detail', 'vote'] as const).map((e) => requestCountKey(e))]) {
      assert.equal(count(merged, key), count(own[0], key) + count(own[1], key), key);
    }
    assert.ok(count(own[0], 'http_reqs') > 0 && count(own[1], 'http_reqs') > 0, 'both instances sent requests');
  });

  test("each instance's aggregate, merged alone, reproduces that instance's own k6 summary", async () => {
    const options = readMeta(dir).options as { thresholds: Record<string, ThresholdOption[]>; summaryTrendStats: string[] };
    for (const i of [0, 1]) {
      const aggregate = readAggregate(join(dir, 'aggregates', `instance-${i}.aggregate.json.gz`));
      assert.deepEqual(aggregate.summary?.metrics.http_reqs, own[i].metrics.http_reqs, 'the reducer delivered the summary k6 wrote');
      const { summary } = await mergeOutputs({ sources: [aggregate], summaries: [own[i]], thresholds: thresholdSources(options.thresholds), trendStats: options.summaryTrendStats });
      for (const [key, metric] of Object.entries(own[i].metrics)) {
        for (const [stat, value] of Object.entries(metric.values)) assert.ok(close(summary.metrics[key].values[stat], value), `instance ${i} ${key} ${stat}: k6 ${value}, merged ${summary.metrics[key].values[stat]}`);
        assert.deepEqual(summary.metrics[key].thresholds, metric.thresholds, `instance ${i} ${key}`);
      }
    }
  });

  test('make merge RUNS=<the aggregates folder> rebuilds the same merged summary', async () => {
    const again = await runMake('merge', { RUNS: join(dir, 'aggregates') });
    assert.ok(again.runDir && again.runDir !== dir, again.stderr);
    assert.deepEqual(readSummary(again.runDir).metrics, merged.metrics);
  });
});
