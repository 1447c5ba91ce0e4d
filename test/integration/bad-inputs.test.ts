// Inputs a new user gets wrong, tried through make as they would: a RESULTS_DIR that cannot be
// created is refused at once (it used to spin in node's recursive mkdir under /proc), and two runs
// started together on one machine both pass without fighting over a port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, readMeta, runMake, spawnCollect, tempResultsDir } from './harness.ts';

const unusable = [
  { dir: '/proc/x', why: /RESULTS_DIR="\/proc\/x" cannot be created: \/proc does not accept a new folder x/ },
  { dir: '/etc/hostname/x', why: /RESULTS_DIR="\/etc\/hostname\/x" cannot be created: \/etc\/hostname is a file, not a folder/ },
];

for (const { dir, why } of unusable) {
  test(`RESULTS_DIR=${dir}: refused within seconds with exit 104, no folder, no k6 or service started`, { timeout: 60_000 }, async () => {
    const trace = join(tmpdir(), `loadgate-execve-${process.pid}-${Date.now()}.log`);
    const make = await spawnCollect(
      'strace',
      ['-f', '-qq', '-e', 'trace=execve', '-o', trace, 'make', 'load-mixed', 'PROFILE=smoke', `RESULTS_DIR=${dir}`],
      cleanEnv({}),
    );
    const started = readFileSync(trace, 'utf8');
    rmSync(trace, { force: true });
    assert.equal(make.code, 2, 'make exits 2 when its recipe fails');
    assert.match(make.stderr, /Error 104/, make.stderr);
    assert.match(make.stderr, why);
    assert.match(make.stderr, /valid values are: a folder that exists or can be created/);
    assert.ok(!existsSync(dir), `${dir} was not created`);
    assert.match(started, /"dist\/cli\.mjs", "run", "mixed"/, 'the trace saw the CLI start (so it would see k6)');
    assert.doesNotMatch(started, /execve\("[^"]*loadgate-service"/, 'the reference service was never started');
    assert.doesNotMatch(started, /execve\("[^"]*k6", \["[^"]*k6", "run"/, 'k6 was never started');

    // The CLI alone, timed without make's own up-to-date checks: the bound was 120 s of silence.
    const cli = await spawnCollect(process.execPath, ['dist/cli.mjs', 'run', 'mixed'], cleanEnv({ PROFILE: 'smoke', RESULTS_DIR: dir }));
    assert.equal(cli.code, 104, cli.stderr);
    assert.match(cli.stderr, why);
    // 2 s on a quiet machine; the slack is for two cores shared with other test runs.
    assert.ok(cli.elapsedMs < 5_000, `refused in ${cli.elapsedMs} ms`);
  });
}

test('two make load-mixed PROFILE=smoke started together both pass, each with its own dashboard port, and no port warning', { timeout: 240_000 }, async () => {
  const dirs = [tempResultsDir(), tempResultsDir()];
  const runs = await Promise.all(dirs.map((dir) => runMake('load-mixed', { PROFILE: 'smoke', RESULTS_DIR: dir, DASHBOARD: 'on' })));
  const dashboards: string[] = [];
  for (const run of runs) {
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    assert.ok(run.runDir, 'a run folder');
    assert.equal(readMeta(run.runDir).exitCode, 0);
    const output = run.stderr + run.stdout + readFileSync(join(run.runDir, 'k6.log.json'), 'utf8');
    assert.equal(output.split('\n').find((line) => /address already in use|bind:/i.test(line)), undefined, 'no port collision');
    dashboards.push(/live dashboard at (http:\/\/\S+)/.exec(run.stderr)?.[1] ?? '');
  }
  assert.ok(dashboards.every(Boolean), `both printed a dashboard URL: ${dashboards.join(', ')}`);
  assert.notEqual(dashboards[0], dashboards[1], 'the two dashboards listen on different ports');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
