import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitReason, recordedEnv, redactArgs } from '../../cli/meta.ts';
import { createRunFolder, utcStamp } from '../../cli/run-folder.ts';
import { mkdtempSync, readlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

test('exit codes read as reasons', () => {
  assert.equal(exitReason(0, null), 'passed');
  assert.equal(exitReason(105, null), 'interrupted');
  assert.equal(exitReason(107, null), 'script error');
  assert.equal(exitReason(104, null), 'invalid configuration');
  assert.equal(exitReason(42, null), 'k6 exited with code 42');
  const failed = { metrics: { 'http_req_duration{endpoint:feed,expected_response:true}': { type: 'trend' as const, values: { 'p(95)': 210 }, thresholds: { 'p(95)<100': { ok: false } } } } };
  assert.equal(exitReason(99, failed), 'SLO failed: http_req_duration{endpoint:feed,expected_response:true} p(95)<100');
  const aborted = { metrics: { 'loadgate_alerts_fired{alert:HighErrorRate}': { type: 'counter' as const, values: { count: 1 }, thresholds: { 'count<1': { ok: false } } } } };
  assert.equal(exitReason(99, aborted), 'aborted by alert HighErrorRate');
});

test('credentials never reach meta.json', () => {
  assert.deepEqual(redactArgs(['-token-secret', 's3cret', '-fault-delay', 'feed=1s']), ['-token-secret', '(redacted)', '-fault-delay', 'feed=1s']);
  assert.deepEqual(redactArgs(['-token-secret=s3cret', '-addr', ':0']), ['-token-secret=(redacted)', '-addr', ':0']);
  const env = recordedEnv({
    PROFILE: 'smoke',
    LOADGATE_TOKEN: 'abc',
    LOADGATE_TARGET_SECRET: 'def',
    TARGET_ARGS: "-token-secret 'ghi' -fault-delay feed=200ms",
    PATH: '/usr/bin',
  });
  assert.deepEqual(env, { PROFILE: 'smoke', TARGET_ARGS: '-token-secret (redacted) -fault-delay feed=200ms' });
});

test('run folders are never reused and latest follows the newest', () => {
  const results = mkdtempSync(join(tmpdir(), 'loadgate-folders-'));
  const at = new Date('2026-11-22T10:00:00.123Z');
  assert.equal(utcStamp(at), '20261122T100000Z');
  const first = createRunFolder(results, 'mixed', 'smoke', at);
  const second = createRunFolder(results, 'mixed', 'smoke', at);
  assert.equal(basename(first), '20261122T100000Z-mixed-smoke');
  assert.equal(basename(second), '20261122T100000Z-mixed-smoke-2');
  assert.ok(existsSync(join(first, 'profiles')));
  assert.equal(readlinkSync(join(results, 'latest')), basename(second));
});

test('the CPU profile covers the stretch held at the peak', async () => {
  const { steadyStateWindow } = await import('../../cli/capture.ts');
  const { profiles } = await import('../../lib/profiles.ts');
  assert.deepEqual(steadyStateWindow(profiles.smoke), { startMs: 5_000, lengthMs: 25_000 });
  assert.deepEqual(steadyStateWindow(profiles.baseline), { startMs: 270_000, lengthMs: 30_000 });
  assert.deepEqual(steadyStateWindow(profiles.breakpoint), { startMs: 150_000, lengthMs: 300_000 }, 'never holds: the middle half');
});

test('short variable names reach k6 under the LOADGATE_ prefix, without overriding it', async () => {
  const { k6Environment } = await import('../../cli/run.ts');
  const env = k6Environment({ EVENTS_PER_SEC: '500', BATCH_SIZE: '10', LOADGATE_BATCH_SIZE: '20', BUFFER_FLUSH_INTERVAL: '2s' });
  assert.equal(env.LOADGATE_EVENTS_PER_SEC, '500');
  assert.equal(env.LOADGATE_BATCH_SIZE, '20');
  assert.equal(env.LOADGATE_FLUSH_INTERVAL, '2s');
  assert.equal(env.K6_NO_USAGE_REPORT, 'true');
});
