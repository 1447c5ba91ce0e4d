// The settings module's readers each refuse a bad value with one sentence (variable, value, valid
// values), and cli/main.ts alone turns a SettingError into exit 104 and a LoadgateError into its code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profileNames } from '../../lib/profiles.ts';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exitCodeOf, exitCodes, LoadgateError, refusalError } from '../../cli/exit-codes.ts';
import { choice, duration, existingPath, flag, numeric, SettingError, text, url, writableFolder } from '../../cli/settings.ts';

const root = resolve(import.meta.dirname, '..', '..');

/** The refusal names the variable and the value, then the valid values. */
const refusal = (name: string, value: string, valid: string) => (error: Error) =>
  error instanceof SettingError && error.message === `${name}="${value}" is not valid; valid values are: ${valid}`;

test('each reader refuses a bad value naming the variable, the value and the valid values', () => {
  assert.throws(() => numeric({ REPEAT: '11' }, 'REPEAT'), refusal('REPEAT', '11', 'an integer from 1 to 10'));
  assert.throws(() => numeric({ REPEAT: '2.5' }, 'REPEAT'), refusal('REPEAT', '2.5', 'an integer from 1 to 10'));
  assert.throws(() => duration({ LOADGATE_REQUEST_TIMEOUT: 'soon' }, 'LOADGATE_REQUEST_TIMEOUT'), refusal('LOADGATE_REQUEST_TIMEOUT', 'soon', 'a duration from 100ms to 10m, such as 500ms, 10s, 1m30s'));
  assert.throws(() => flag({ GATE_ALLOW_OTHER_MACHINE: 'maybe' }, 'GATE_ALLOW_OTHER_MACHINE'), refusal('GATE_ALLOW_OTHER_MACHINE', 'maybe', 'on, off, true, false, 1, 0'));
  assert.throws(() => choice({ PROFILE: 'huge' }, 'PROFILE'), refusal('PROFILE', 'huge', profileNames.join(', ')));
  assert.throws(() => url({ PPROF_URL: 'localhost:6060' }, 'PPROF_URL'), refusal('PPROF_URL', 'localhost:6060', 'an http(s) URL such as http://127.0.0.1:8080'));
  assert.throws(() => existingPath({ A: '/no/such/run' }, 'A'), refusal('A', '/no/such/run', 'a run or sweep folder that exists'));
});

test('the readers return the value, the fallback or the default', () => {
  assert.equal(numeric({ REPEAT: ' 4 ' }, 'REPEAT'), 4);
  assert.equal(numeric({}, 'REPEAT', 5), 5, 'a command’s own default');
  assert.equal(numeric({}, 'REPEAT'), 3, "the table's default");
  assert.equal(flag({ GATE_ALLOW_OTHER_MACHINE: 'ON' }, 'GATE_ALLOW_OTHER_MACHINE'), true);
  assert.equal(text({ RESULTS_DIR: '' }, 'RESULTS_DIR'), 'results', 'blank counts as unset');
  assert.equal(existingPath({}, 'A'), '', 'unset without a default');
  assert.equal(existingPath({ A: root }, 'A'), root);
});

test('a writable folder is created one level at a time, and refused below a file or without write access', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-settings-'));
  try {
    assert.equal(writableFolder({ RESULTS_DIR: join(dir, 'a', 'b') }, 'RESULTS_DIR'), join(dir, 'a', 'b'));
    writeFileSync(join(dir, 'file'), '');
    assert.throws(
      () => writableFolder({ RESULTS_DIR: join(dir, 'file', 'x') }, 'RESULTS_DIR'),
      (error: Error) => error instanceof SettingError && error.message.startsWith(`RESULTS_DIR="${join(dir, 'file', 'x')}" cannot be created: `) && error.message.endsWith('valid values are: a folder that exists or can be created'),
    );
    chmodSync(join(dir, 'a'), 0o500);
    // root writes anywhere, so the refusal is only seen as another user.
    if (process.getuid?.() !== 0) assert.throws(() => writableFolder({ RESULTS_DIR: join(dir, 'a') }, 'RESULTS_DIR'), refusal('RESULTS_DIR', join(dir, 'a'), 'a folder this user can write to'));
    chmodSync(join(dir, 'a'), 0o700);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SettingError is exit 104, LoadgateError its own code, anything else none', () => {
  assert.equal(exitCodeOf(new SettingError('x')), exitCodes.invalidConfig.code);
  assert.equal(exitCodeOf(new LoadgateError('serviceFailed', 'x')), exitCodes.serviceFailed.code);
  assert.equal(exitCodeOf(new LoadgateError('badCommandLine', 'x')), exitCodes.badCommandLine.code);
  assert.equal(exitCodeOf(new Error('x')), undefined);
  // A refusal cli/run.ts's check gives as a code keeps that code on its way to main.ts.
  assert.ok(refusalError(exitCodes.invalidConfig.code, 'x') instanceof SettingError);
  assert.equal(exitCodeOf(refusalError(exitCodes.k6Failed.code, 'x')), exitCodes.k6Failed.code);
});

/** cli/main.ts as make runs it, with only the settings given (and PATH). */
function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 60_000 });
}

test('cli/main.ts exits 104 with the sentence for a bad setting, in any command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-settings-'));
  try {
    const run = cli(['run', 'mixed'], { RESULTS_DIR: dir, BATCH_SIZE: 'lots' });
    assert.equal(run.status, 104, run.stderr);
    assert.match(run.stderr, /^loadgate: BATCH_SIZE="lots" is not valid; valid values are: an integer from 1 to 1000$/m);
    const sweep = cli(['sweep', 'event-ingestion'], { RESULTS_DIR: dir, PARAM: 'GOGC', VALUES: '100', REPEAT: '0' });
    assert.equal(sweep.status, 104, sweep.stderr);
    assert.match(sweep.stderr, /^loadgate: REPEAT="0" is not valid; valid values are: an integer from 1 to 10$/m);
    const mode = cli(['history'], { RESULTS_DIR: dir, RESULTS_MODE: 'open' });
    assert.equal(mode.status, 104, mode.stderr);
    assert.match(mode.stderr, /^loadgate: RESULTS_MODE="open" is not valid; valid values are: private, shared$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli/main.ts exits with a LoadgateError's code and sentence", () => {
  const merge = cli(['merge'], { RUNS: '/no/such/folder' });
  assert.equal(merge.status, exitCodes.badCommandLine.code, merge.stderr);
  assert.match(merge.stderr, /^loadgate: RUNS: "\/no\/such\/folder" does not exist$/m);
});
