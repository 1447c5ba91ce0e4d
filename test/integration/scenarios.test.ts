// Every scenario at the wiring profile (quick) against the real target: the exit code, the files a user relies
// on, requests on every endpoint, and a clean k6 log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { failedThresholds } from '../../lib/summary/model.ts';
import type { Endpoint } from '../../thresholds/reference-endpoints.ts';
import { latencyKey } from '../../thresholds/keys.ts';
import { k6LogLines, readMeta, readSummary, requestCount, runMake, wiringProfile } from './harness.ts';

const minutes = (n: number) => n * 60_000;
const runFiles = ['summary.json', 'summary.txt', 'junit.xml', 'report.html', 'meta.json', 'k6.log.json'];

const cases: Array<{ scenario: string; env: Record<string, string>; endpoints: Endpoint[] }> = [
  {
    scenario: 'mixed',
    env: {},
    endpoints: ['feed', 'clip_detail', 'related', 'search', 'comments_list', 'comment_create', 'vote', 'auth_token'],
  },
  {
    scenario: 'api-load',
    env: {},
    endpoints: ['feed', 'clip_detail', 'related', 'search', 'comments_list', 'comment_create', 'vote', 'auth_token'],
  },
  { scenario: 'event-ingestion', env: { PROTOCOL: 'http' }, endpoints: ['events_ingest', 'challenge_progress'] },
  { scenario: 'event-ingestion', env: { PROTOCOL: 'grpc' }, endpoints: ['challenge_progress'] },
];

const makeTargets: Record<string, string> = { mixed: 'load-mixed', 'api-load': 'load-api', 'event-ingestion': 'load-events' };

for (const { scenario, env, endpoints } of cases) {
  test(`make ${makeTargets[scenario]} ${JSON.stringify(env)} passes at ${wiringProfile} with requests on every endpoint`, { timeout: minutes(3) }, async () => {
    const run = await runMake(makeTargets[scenario], { PROFILE: wiringProfile, ...env });
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr.slice(-3000)}`);
    assert.ok(run.runDir, 'a run folder was written');
    for (const file of runFiles) assert.ok(existsSync(join(run.runDir, file)), `${file} exists`);
    assert.match(run.runDir, new RegExp(`/\\d{8}T\\d{6}Z-${scenario}-${wiringProfile}$`));

    const summary = readSummary(run.runDir);
    for (const endpoint of endpoints) assert.ok(requestCount(summary, endpoint) > 0, `requests on ${endpoint}`);
    assert.deepEqual(failedThresholds(summary), []);
    if (scenario === 'event-ingestion') {
      assert.ok(summary.metrics.loadgate_event_e2e_latency.values['p(95)'] > 0, 'e2e latency trend has samples');
      assert.ok(summary.metrics.loadgate_events_accepted.values.count > 0);
      if (env.PROTOCOL === 'grpc') assert.ok(summary.metrics[latencyKey('events_ingest', 'grpc')].values['p(95)'] > 0);
    }
    const errors = k6LogLines(run.runDir).filter((line) => line.level === 'error' || line.level === 'fatal');
    assert.deepEqual(errors, [], 'no error-level k6 log line');
    assert.equal(readMeta(run.runDir).reason, 'passed');
  });
}

test('a slow feed fails the run with k6 exit 99 (make: Error 99), and only the feed SLO fails', { timeout: minutes(3) }, async () => {
  const run = await runMake('load-mixed', { PROFILE: wiringProfile, TARGET_ARGS: '-fault-delay feed=200ms' });
  assert.equal(run.code, 2, 'GNU make exits 2 when a recipe fails');
  assert.match(run.stderr, /Error 99/, run.stderr.slice(-2000));
  assert.match(run.stderr, /SLO failed: feed \(.*p95 \d+\.\d+ ms \(objective < 100 ms\).*\(exit code 99\)/);
  assert.equal(readMeta(run.runDir!).exitCode, 99);
  const failed = failedThresholds(readSummary(run.runDir!));
  assert.ok(failed.length > 0);
  for (const threshold of failed) assert.match(threshold.metric, /endpoint:feed/, `${threshold.metric} ${threshold.expression}`);
  assert.match(readMeta(run.runDir!).reason, /^SLO failed: feed \([^;]*\)$/, 'the feed, and only the feed, named with what it missed');
});
