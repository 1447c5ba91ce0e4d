// A two-instance run where instance 0 aborts on its own abortOnFail threshold while instance 1 runs
// to the end: before issue 22 the merge called this "passed" (the merged failure rate stayed under
// the limit). The fixture scenario sends only instance 0 to a missing route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readMeta, readSummary, runMake } from './harness.ts';

test('an instance that aborts on abortOnFail makes the merged run exit 99, stopped early, naming it and the threshold', { timeout: 180_000 }, async () => {
  const run = await runMake('load-distributed', { SCENARIO: 'test/fixtures/scenarios/abort-one-instance.ts', INSTANCES: '2', PROFILE_CAPTURE: 'off' });
  assert.ok(run.runDir, `no run folder: ${run.stderr.slice(-2000)}`);
  // make exits 2 on any failing recipe and names the recipe's own code.
  assert.equal(run.code, 2, run.stderr.slice(-2000));
  assert.match(run.stderr, /Error 99\b/);
  const meta = readMeta(run.runDir);
  assert.equal(meta.exitCode, 99);
  assert.equal(meta.stoppedEarly, true);
  assert.match(meta.reason, /instance-0 aborted on its abortOnFail threshold http_req_failed rate<0\.2/);
  assert.deepEqual(meta.instances?.map((i) => [i.name, i.exitCode]), [['instance-0', 99], ['instance-1', 0]]);
  // The premise: the merged samples alone pass, so only the abort can have failed the run.
  assert.equal(readSummary(run.runDir).metrics.http_req_failed.thresholds?.['rate<0.2'].ok, true);
  assert.equal(readSummary(join(run.runDir, 'instance-0')).metrics.http_req_failed.thresholds?.['rate<0.2'].ok, false);
});
