// Canaries in every place a user puts a secret (TARGET_ARGS' -token-secret, the throwaway
// database's and cache's passwords, an inline secret source and the token in it, K6_CLOUD_TOKEN,
// an unrelated variable, user:password in BASE_URL, LOADGATE_METRICS_URL and PPROF_URL), then
// every command that writes output: no canary in any file it leaves (profiles decompressed), the
// terminal, GITHUB_STEP_SUMMARY, or the `ps -eo args` listing sampled while it runs. Run folders
// are private (0700, files 0600).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startService } from '../../cli/service.ts';
import { cleanEnv, root, spawnCollect, tempResultsDir, wiringProfile } from './harness.ts';

const canary = (what: string) => `canary-${what}-${randomBytes(8).toString('hex')}`;
const signingSecret = canary('signing');
/** The target's token scheme: <user id>.<base64url HMAC-SHA256 of "user:<id>">. */
const token = `8.${createHmac('sha256', signingSecret).update('user:8').digest('base64url')}`;
const canaries: Record<string, string> = {
  signingSecret,
  token,
  cloudToken: canary('cloudtoken'),
  unrelated: canary('unrelated'),
  baseUrlPassword: canary('baseurl'),
  metricsPassword: canary('metrics'),
  pprofPassword: canary('pprof'),
};
/** A generated password in a connection URL (the throwaway PostgreSQL's and Redis's). */
const generatedPassword = /:[0-9a-f]{48}@/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function assertClean(where: string, text: string) {
  for (const [name, value] of Object.entries(canaries)) assert.ok(!text.includes(value), `${where} holds the ${name} canary`);
  assert.doesNotMatch(text, generatedPassword, `${where} holds a generated password`);
}

function assertFilesClean(dir: string, minimum = 1) {
  const files = filesUnder(dir);
  assert.ok(files.length >= minimum, `searched ${files.length} files in ${dir}`);
  for (const file of files) {
    const bytes = readFileSync(file);
    assertClean(file, (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('latin1'));
  }
}

/** Every command line on the machine, sampled every 200 ms until `stop` is called (once at least, for a quick command). */
function sampleProcessList() {
  const samples: string[] = [];
  const sample = () => samples.push(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }));
  const timer = setInterval(sample, 200);
  setImmediate(sample);
  return { stop: () => (clearInterval(timer), samples) };
}

/**
 * `make <target>` with its settings in the environment, as a careful user gives secrets: on make's
 * own command line they would be in ps before loadgate could do anything about it.
 */
async function make(target: string, vars: Record<string, string>, env: Record<string, string> = {}) {
  const ps = sampleProcessList();
  const outcome = await spawnCollect('make', [target], cleanEnv({ K6_CLOUD_TOKEN: canaries.cloudToken, MY_UNRELATED_SECRET: canaries.unrelated, ...vars, ...env }));
  const samples = ps.stop();
  assert.ok(samples.length > 0, 'ps was sampled during the run');
  samples.forEach((listing, i) => assertClean(`ps -eo args (sample ${i})`, listing));
  assertClean(`the terminal of make ${target}`, outcome.stdout + outcome.stderr);
  return outcome;
}

const runFolders = (resultsDir: string) => readdirSync(resultsDir).filter((name) => /^\d{8}T/.test(name)).map((name) => join(resultsDir, name));

test('make load-mixed with a token secret flag, throwaway PostgreSQL and Redis and an inline secret source: nothing leaks, files are private', { timeout: 300_000 }, async () => {
  const resultsDir = tempResultsDir();
  const run = await make('load-mixed', {
    PROFILE: wiringProfile,
    RESULTS_DIR: resultsDir,
    TARGET_ARGS: `-token-secret ${signingSecret} -fault-headers`,
    DB: 'postgres',
    CACHE: 'redis',
    LOADGATE_SECRET_SOURCE: `mock=api_token=${token}`,
    LOADGATE_TOKEN_SECRET: 'api_token',
  });
  // Latency SLOs may fail on two shared cores (99); the run must have run, with the token from the source.
  assert.ok([0, 99].includes(Number(/Error (\d+)/.exec(run.stderr)?.[1] ?? run.code)), run.stderr.slice(-3000));
  const [dir] = runFolders(resultsDir);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { metrics: Record<string, { values: { count: number } }> };
  assert.ok(summary.metrics['http_reqs{endpoint:vote}']?.values.count > 0, 'authenticated requests ran');
  assert.equal(summary.metrics['http_reqs{endpoint:auth_token}'], undefined, 'the token came from the secret source');
  assertFilesClean(dir, 10);
  assert.equal(statSync(dir).mode & 0o777, 0o700, 'the run folder is 0700');
  for (const file of filesUnder(dir)) assert.equal(statSync(file).mode & 0o777, 0o600, `${file} is 0600`);
});

test('make load-distributed with a token from a secret source: the reducers, the collector and the aggregates leak none', { timeout: 300_000 }, async () => {
  const resultsDir = tempResultsDir();
  const run = await make('load-distributed', {
    SCENARIO: 'mixed',
    INSTANCES: '2',
    PROFILE: wiringProfile,
    PROFILE_CAPTURE: 'off',
    RESULTS_DIR: resultsDir,
    TARGET_ARGS: `-token-secret ${signingSecret}`,
    LOADGATE_SECRET_SOURCE: `mock=api_token=${token}`,
    LOADGATE_TOKEN_SECRET: 'api_token',
  });
  assert.ok([0, 99].includes(Number(/Error (\d+)/.exec(run.stderr)?.[1] ?? run.code)), run.stderr.slice(-3000));
  const [dir] = runFolders(resultsDir);
  assert.equal(readdirSync(join(dir, 'aggregates')).length, 2, 'both reducers delivered');
  assertFilesClean(dir, 10);
  for (const file of filesUnder(dir)) assert.equal(statSync(file).mode & 0o777, 0o600, `${file} is 0600`);
  assert.equal(statSync(join(dir, 'aggregates')).mode & 0o777, 0o700, 'the aggregates folder is private');
});

test('BASE_URL, LOADGATE_METRICS_URL and PPROF_URL with passwords: run, gate, operator and optimization-log leak none', { timeout: 300_000 }, async () => {
  const target = await startService([], join(tmpdir(), `loadgate-canary-target-${process.pid}.log`));
  const withPassword = (url: string, password: string) => url.replace('://', `://loadgate:${password}@`);
  const own = {
    BASE_URL: withPassword(target.baseUrl, canaries.baseUrlPassword),
    LOADGATE_METRICS_URL: `${withPassword(target.debugUrl, canaries.metricsPassword)}/metrics`,
    PPROF_URL: withPassword(target.debugUrl, canaries.pprofPassword),
  };
  try {
    const resultsDir = tempResultsDir();
    const run = await make('load-mixed', { PROFILE: wiringProfile, RESULTS_DIR: resultsDir, ...own });
    assert.ok([0, 99].includes(Number(/Error (\d+)/.exec(run.stderr)?.[1] ?? run.code)), run.stderr.slice(-3000));
    const [dir] = runFolders(resultsDir);
    assertFilesClean(dir, 10);

    // The gate, with a target that is down: its pre-flight reason quotes the URL into every gate file.
    const gateResults = tempResultsDir();
    mkdirSync(join(gateResults, 'baselines'));
    copyFileSync(join(root, 'results', 'baselines', 'mixed-smoke.json'), join(gateResults, 'baselines', 'mixed-smoke.json'));
    const stepSummary = join(gateResults, 'step-summary.md');
    writeFileSync(stepSummary, '');
    const down = { ...own, BASE_URL: withPassword('http://127.0.0.1:9', canaries.baseUrlPassword) };
    const gate = await make('gate', { SCENARIO: 'mixed', PROFILE: 'smoke', REPEAT: '1', RESULTS_DIR: gateResults, GATE_ALLOW_OTHER_MACHINE: 'on', ...down }, { GITHUB_STEP_SUMMARY: stepSummary });
    assert.match(gate.stderr, /127\.0\.0\.1:9/, 'the gate did run against the target that is down');
    assert.ok(readFileSync(stepSummary, 'utf8').length > 0, 'the gate wrote GITHUB_STEP_SUMMARY');
    assertFilesClean(gateResults, 4);

    // The operator refuses to put a password into an archive and manifests.
    const operatorResults = tempResultsDir();
    const operator = await make('operator', { SCENARIO: 'mixed', PROFILE: 'smoke', RESULTS_DIR: operatorResults, LOADGATE_ALLOW_HOSTS: '127.0.0.1', ...own });
    assert.match(operator.stderr, /BASE_URL carries a credential/);
    assert.match(operator.stderr, /Error 104/);
    assert.deepEqual(runFolders(operatorResults), [], 'no run folder');

    // An optimization-log entry quotes both runs' records.
    const log = join(tempResultsDir(), 'optimization-log.md');
    await make('optimization-log', { A: dir, B: dir, NAME: 'canary', OPTIMIZATION_LOG: log });
    assertClean(log, readFileSync(log, 'utf8'));
  } finally {
    await target.stop();
  }
});

test('make sweep with a token secret flag: SWEEP.md, sweep.json and the runs leak none', { timeout: 300_000 }, async () => {
  const resultsDir = tempResultsDir();
  const sweep = await make('sweep', {
    SCENARIO: 'mixed',
    PROFILE: wiringProfile,
    PARAM: 'DB_MAX_OPEN_CONNS',
    VALUES: '4',
    REPEAT: '1',
    RESULTS_DIR: resultsDir,
    TARGET_ARGS: `-token-secret ${signingSecret}`,
  });
  assert.match(sweep.stderr + sweep.stdout, /sweep/i);
  assert.ok(filesUnder(resultsDir).some((file) => file.endsWith('SWEEP.md')), sweep.stderr.slice(-2000));
  assertFilesClean(resultsDir, 10);
});

test('a secret-source file that does not exist is refused within 2 s: 104, the variable named, no folder, no process', { timeout: 60_000 }, async () => {
  const resultsDir = join(tempResultsDir(), 'results');
  const refused = await spawnCollect('make', ['load-mixed'], cleanEnv({ PROFILE: 'smoke', RESULTS_DIR: resultsDir, LOADGATE_SECRET_SOURCE: 'file=/nonexistent/x' }));
  assert.match(refused.stderr, /LOADGATE_SECRET_SOURCE names the file \/nonexistent\/x, which does not exist/);
  assert.match(refused.stderr, /Error 104/);
  assert.ok(refused.elapsedMs < 2_000, `refused after ${refused.elapsedMs} ms`);
  assert.throws(() => readdirSync(resultsDir), 'no results folder was created');
  // Anything the refused run started would carry its unique RESULTS_DIR in its environment.
  const survivors = readdirSync('/proc').filter((pid) => {
    try {
      return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/environ`, 'latin1').includes(resultsDir);
    } catch {
      return false;
    }
  });
  assert.deepEqual(survivors, [], 'no process of the refused run is left');
});
