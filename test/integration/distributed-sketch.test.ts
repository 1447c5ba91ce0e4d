// make load-distributed SCENARIO=mixed INSTANCES=4 at the wiring profile: a small run merges exactly (and
// meta.json says so); the same raw files merged through the log-bucket histograms give every
// endpoint's p95 within the stated relative error of the exact merge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mergeOutputs } from '../../cli/distributed/merge.ts';
import { sketchRelativeError } from '../../cli/distributed/sketch.ts';
import { thresholdSources, type ThresholdOption } from '../../cli/distributed/thresholds.ts';
import { endpointNames } from '../../thresholds/reference-endpoints.ts';
import { latencyKey } from '../../thresholds/keys.ts';
import { readMeta, readSummary, runMake, wiringProfile } from './harness.ts';

test('four instances: exact merge recorded, and the sketched p95 per endpoint agrees within the bound', { timeout: 300_000 }, async () => {
  // Raw delivery, so the sketch can be set against every sample.
  const run = await runMake('load-distributed', { SCENARIO: 'mixed', INSTANCES: '4', PROFILE: wiringProfile, PROFILE_CAPTURE: 'off', DELIVERY: 'raw' });
  assert.ok(run.runDir, `no run folder: ${run.stderr.slice(-2000)}`);
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  const meta = readMeta(run.runDir);
  assert.equal(meta.exitCode, 0);
  assert.deepEqual(meta.merge, { method: 'exact', relativeError: 0, nearLimit: [], delivery: 'raw' });
  assert.equal(meta.instances?.length, 4);

  const exact = readSummary(run.runDir);
  const options = meta.options as { thresholds: Record<string, ThresholdOption[]>; summaryTrendStats: string[] };
  const rawFiles = [0, 1, 2, 3].map((i) => join(run.runDir!, `instance-${i}.json.gz`));
  const summaries = [0, 1, 2, 3].map((i) => readSummary(join(run.runDir!, `instance-${i}`)));
  const sketched = await mergeOutputs({ sources: rawFiles, summaries, thresholds: thresholdSources(options.thresholds), trendStats: options.summaryTrendStats, trendMerge: 'sketch' });
  assert.equal(sketched.merge.method, 'sketch');
  const compared = endpointNames.map((endpoint) => latencyKey(endpoint)).filter((key) => exact.metrics[key]?.values['p(95)'] > 0);
  assert.ok(compared.length >= 5, `mixed drives at least five endpoints; compared ${compared.join(', ')}`);
  for (const key of compared) {
    const [want, got] = [exact.metrics[key].values['p(95)'], sketched.summary.metrics[key].values['p(95)']];
    assert.ok(Math.abs(got - want) <= sketchRelativeError * want, `${key} p(95): sketch ${got} ms, exact ${want} ms`);
  }
});
