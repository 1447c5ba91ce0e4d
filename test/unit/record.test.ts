import { test } from 'node:test';
import assert from 'node:assert/strict';
import { k6RunEnd } from '../../cli/record.ts';
import { exitCodeEntry, exitCodes } from '../../cli/exit-codes.ts';
import { errorLine } from '../../cli/service.ts';
import { createRunFolder, utcStamp } from '../../cli/run-folder.ts';
import { mkdtempSync, readlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

test('exit codes read as reasons, and the stopped-early ones say so', () => {
  assert.deepEqual(k6RunEnd(0, null), { exitCode: 0, reason: 'passed', stoppedEarly: false });
  assert.deepEqual(k6RunEnd(105, null), { exitCode: 105, reason: exitCodes.interrupted.meaning, stoppedEarly: true });
  assert.match(k6RunEnd(103, null).reason, /REST API/, "103 is k6's REST API stop, not an engine error");
  assert.match(k6RunEnd(98, null).reason, /cloud/);
  assert.match(k6RunEnd(106, null).reason, /REST API could not start/);
  assert.equal(k6RunEnd(107, null).stoppedEarly, true);
  assert.equal(k6RunEnd(107, null, 'Error: pre-flight failed: GET /api/v1/feed answered 404').reason, 'pre-flight failed: GET /api/v1/feed answered 404');
  assert.equal(k6RunEnd(107, null, 'ReferenceError: x is not defined').reason, `${exitCodes.scriptError.meaning}: ReferenceError: x is not defined`);
  assert.match(k6RunEnd(42, null).reason, /^k6 exited with code 42, which the pinned k6 does not define$/);
  const failed = { metrics: { 'http_req_duration{endpoint:feed,expected_response:true}': { type: 'trend' as const, values: { 'p(95)': 210 }, thresholds: { 'p(95)<100': { ok: false } } } } };
  assert.deepEqual(k6RunEnd(99, failed), { exitCode: 99, reason: 'SLO failed: feed (p95 210.0 ms (objective < 100 ms))', stoppedEarly: false });
  const aborted = { metrics: { 'loadgate_alerts_fired{alert:HighErrorRate}': { type: 'counter' as const, values: { count: 1 }, thresholds: { 'count<1': { ok: false } } } } };
  assert.deepEqual(k6RunEnd(99, aborted), { exitCode: 99, reason: 'aborted by alert HighErrorRate', stoppedEarly: true }, 'no endpoint in the summary: nothing to name');
  assert.deepEqual(k6RunEnd(99, { metrics: { ...aborted.metrics, ...failed.metrics } }), { exitCode: 99, reason: 'aborted by alert HighErrorRate; endpoints missing their objectives: feed (p95 210.0 ms (objective < 100 ms))', stoppedEarly: true });
  const wrongRoute = {
    metrics: {
      'http_req_failed{endpoint:auth_token}': { type: 'rate' as const, values: { rate: 1 }, thresholds: { 'rate<0.01': { ok: false }, 'rate<1': { ok: false } } },
      'loadgate_failed_responses{endpoint:auth_token,status:404}': { type: 'counter' as const, values: { count: 4 }, thresholds: { 'count>=0': { ok: true } } },
    },
  };
  assert.deepEqual(k6RunEnd(99, wrongRoute), { exitCode: 99, reason: 'aborted: every auth_token request failed for 10s or more (HTTP 404 ×4)', stoppedEarly: true });
});

test('every exit code is defined once', () => {
  const codes = Object.values(exitCodes).map((e) => e.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of [97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]) {
    assert.equal(exitCodeEntry(code)?.source, 'k6', `the pinned k6 defines ${code}`);
  }
});

test("the service's own error line is the one quoted", () => {
  const usage = ['flag provided but not defined: -no-such-flag', 'Usage of loadgate-service:', '  -addr string', 'loadgate-service: flag provided but not defined: -no-such-flag'];
  assert.equal(errorLine(usage), 'loadgate-service: flag provided but not defined: -no-such-flag');
  const logged = ['{"level":"INFO","msg":"seeding"}', '{"level":"ERROR","msg":"open database","err":"disk full"}', '{"level":"INFO","msg":"bye"}'];
  assert.equal(errorLine(logged), 'open database: disk full');
  assert.equal(errorLine(['panic: boom', '']), 'panic: boom');
  assert.equal(errorLine([]), '');
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
  const { k6Environment } = await import('../../cli/environment.ts');
  const env = k6Environment({ EVENTS_PER_SEC: '500', BATCH_SIZE: '10', LOADGATE_BATCH_SIZE: '20', BUFFER_FLUSH_INTERVAL: '2s' });
  assert.equal(env.LOADGATE_EVENTS_PER_SEC, '500');
  assert.equal(env.LOADGATE_BATCH_SIZE, '20');
  assert.equal(env.LOADGATE_FLUSH_INTERVAL, '2s');
  assert.equal(env.K6_NO_USAGE_REPORT, 'true');
});
