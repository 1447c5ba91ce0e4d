// Ctrl-C: k6 stops gracefully, the measurements so far are kept, and the target is stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDurationSeconds } from '../../lib/summary/model.ts';
import { readMeta, readSummary, spawnCollect, tempResultsDir } from './harness.ts';

test('an interrupted run keeps its summary, says why it ended and stops the target', { timeout: 120_000 }, async () => {
  const resultsDir = tempResultsDir();
  let pid = 0;
  const interrupt = setTimeout(() => process.kill(pid, 'SIGINT'), 12_000);
  const run = await spawnCollect(
    process.execPath,
    ['dist/cli.mjs', 'run', 'mixed'],
    { ...process.env, PROFILE: 'smoke', RESULTS_DIR: resultsDir, K6_NO_USAGE_REPORT: 'true' },
    (started) => (pid = started),
  );
  clearTimeout(interrupt);
  assert.equal(run.code, 105, run.stderr.slice(-2000));

  const runDir = join(resultsDir, 'latest');
  const meta = readMeta(runDir);
  assert.match(meta.reason, /^interrupted by a signal/);
  assert.equal(meta.stoppedEarly, true);
  const summary = readSummary(runDir);
  assert.ok(runDurationSeconds(summary) < 20, `stopped at ${runDurationSeconds(summary)} s`);
  assert.ok((summary.metrics.http_reqs?.values.count ?? 0) > 0, 'requests made before the interrupt are kept');
  assert.ok(existsSync(join(runDir, 'REPORT.md')));

  await assert.rejects(fetch(`${meta.target?.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) }), 'target is stopped');
  assert.match(readFileSync(join(runDir, 'service.log'), 'utf8'), /shutdown complete/);
});
