// aborts.ts: when a merged multi-instance run counts as aborted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abortEnd } from '../../cli/distributed/aborts.ts';
import type { K6Summary } from '../../lib/summary/model.ts';

const summary = (ok: boolean): K6Summary => ({ metrics: { http_req_failed: { type: 'rate', contains: 'default', values: { rate: ok ? 0 : 0.5 }, thresholds: { 'rate<0.2': { ok } } } } });
const aborting = { http_req_failed: [{ threshold: 'rate<0.2', abortOnFail: true }] };

test('an abortOnFail threshold failing only on the merged samples aborts the run and is named', () => {
  const end = abortEnd(aborting, [{ name: 'runner-1', summary: summary(true) }, { name: 'runner-2', summary: summary(true) }], summary(false));
  assert.deepEqual(end, { exitCode: 99, stoppedEarly: true, reason: 'aborted: the abortOnFail threshold http_req_failed rate<0.2 failed on the merged samples of runner-1, runner-2' });
});

test('an instance that aborted is named even when the merged samples pass', () => {
  const end = abortEnd(aborting, [{ name: 'runner-1', summary: summary(true) }, { name: 'runner-2', summary: summary(false) }], summary(true));
  assert.equal(end?.exitCode, 99);
  assert.match(end?.reason ?? '', /^aborted: runner-2 aborted on its abortOnFail threshold http_req_failed rate<0\.2/);
});

test('a failing threshold without abortOnFail is no abort (the run fails, it was not stopped)', () => {
  assert.equal(abortEnd({ http_req_failed: ['rate<0.2'] }, [{ name: 'runner-1', summary: summary(false) }], summary(false)), null);
  assert.equal(abortEnd(aborting, [{ name: 'runner-1', summary: summary(true) }], summary(true)), null);
});
