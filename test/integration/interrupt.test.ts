// Ctrl-C: k6 stops gracefully, the measurements so far are kept, and the target is stopped.
// A service that dies mid-run: the run ends at once and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDurationSeconds } from '../../lib/summary/model.ts';
import { exitCodes } from '../../cli/exit-codes.ts';
import { cleanEnv, readMeta, readSummary, spawnCollect, tempResultsDir } from './harness.ts';

/**
 * A CLI command interrupted with SIGINT 12 s in; `group` signals its whole process group, as a
 * terminal's Ctrl-C does (setsid makes the CLI lead one). Returns the run folder after exit 105.
 */
async function interrupted(args: string[], env: NodeJS.ProcessEnv, group = false): Promise<string> {
  const resultsDir = tempResultsDir();
  let pid = 0;
  const interrupt = setTimeout(() => process.kill(group ? -pid : pid, 'SIGINT'), 12_000);
  const command = group ? ['setsid', process.execPath] : [process.execPath];
  const run = await spawnCollect(command[0], [...command.slice(1), 'dist/cli.mjs', ...args], { ...env, RESULTS_DIR: resultsDir }, (started) => (pid = started));
  clearTimeout(interrupt);
  assert.equal(run.code, 105, run.stderr.slice(-2000));
  return join(resultsDir, 'latest');
}

test('an interrupted run keeps its summary, says why it ended and stops the target', { timeout: 120_000 }, async () => {
  const runDir = await interrupted(['run', 'mixed'], { ...process.env, PROFILE: 'smoke', K6_NO_USAGE_REPORT: 'true' });
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

test('Ctrl-C at the terminal during a distributed run: the reducers outlive it and the run is merged from what they delivered', { timeout: 120_000 }, async () => {
  const runDir = await interrupted(['load-distributed', 'mixed'], cleanEnv({ PROFILE: 'smoke', INSTANCES: '2', PROFILE_CAPTURE: 'off' }), true);
  const meta = readMeta(runDir);
  assert.match(meta.reason, /^interrupted by a signal/);
  assert.equal(meta.merge?.delivery, 'aggregate');
  assert.ok(meta.instances?.every((instance) => instance.samples > 0), JSON.stringify(meta.instances));
  assert.ok((readSummary(runDir).metrics.http_reqs?.values.count ?? 0) > 0, 'requests made before the interrupt are kept');
});

test("a service that dies mid-run ends the run within 5 s with its death as the reason", { timeout: 120_000 }, async () => {
  const resultsDir = tempResultsDir();
  let cli = 0;
  let killedAt = 0;
  // The reference service is the CLI's own child; pgrep -P finds it and nothing else on the machine.
  const kill = setTimeout(() => {
    const service = execFileSync('pgrep', ['-P', String(cli), '-f', 'loadgate-service'], { encoding: 'utf8' }).trim();
    killedAt = Date.now();
    process.kill(Number(service), 'SIGKILL');
  }, 10_000);
  const run = await spawnCollect(process.execPath, ['dist/cli.mjs', 'run', 'mixed'], cleanEnv({ PROFILE: 'smoke', RESULTS_DIR: resultsDir }), (started) => (cli = started));
  clearTimeout(kill);
  const stoppedAfterMs = Date.now() - killedAt;
  assert.equal(run.code, exitCodes.serviceDied.code, run.stderr.slice(-2000));
  assert.ok(stoppedAfterMs < 5_000, `the CLI ended ${stoppedAfterMs} ms after the kill`);
  assert.match(run.stderr, /the reference service was killed by SIGKILL during the run; stopping k6/);
  const runDir = join(resultsDir, 'latest');
  const reason = 'the reference service was killed by SIGKILL during the run';
  assert.match(readMeta(runDir).reason, new RegExp(`^${reason}`));
  assert.match(readFileSync(join(runDir, 'summary.txt'), 'utf8').split('\n')[0], new RegExp(`STOPPED EARLY: ${reason}`));
  assert.match(readFileSync(join(runDir, 'REPORT.md'), 'utf8'), new RegExp(`\\*\\*Status: FAILED\\*\\*: ${reason}`));
});
