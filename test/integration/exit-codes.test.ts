// The exit-code contract, as a table: each bad input gets its code and a sentence that names the
// bad value, sends no traffic and leaves no run folder behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profileNames } from '../../lib/profiles.ts';
import { createServer } from 'node:net';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedThresholds } from '../../lib/summary/model.ts';
import {
  contactedAddresses,
  isLoopbackAddress,
  readMeta,
  readSummary,
  runCli,
  runK6,
  runMake,
  spawnCollect,
  straceWrapper,
  tempResultsDir,
} from './harness.ts';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** `cliOnly`: a setting or rule of the CLI (what it starts or captures), which a bare `k6 run` never reads. */
const refusals: Array<{ name: string; env: Record<string, string>; message: RegExp; cliOnly?: boolean }> = [
  { name: 'a .invalid host', env: { BASE_URL: 'http://blocked.invalid' }, message: /refusing to send load to "blocked\.invalid".*LOADGATE_ALLOW_HOSTS=blocked\.invalid/ },
  { name: 'a raw public IP address', env: { BASE_URL: 'http://203.0.113.7:8080' }, message: /refusing to send load to "203\.0\.113\.7"/ },
  { name: 'a metrics URL off the allow-list', env: { BASE_URL: 'http://127.0.0.1:9', LOADGATE_METRICS_URL: 'http://203.0.113.7/metrics' }, message: /"203\.0\.113\.7"/ },
  { name: 'a gRPC address off the allow-list', env: { PROTOCOL: 'grpc', LOADGATE_GRPC_ADDR: '203.0.113.7:9090' }, message: /"203\.0\.113\.7"/ },
  { name: 'an unknown profile', env: { PROFILE: 'nope' }, message: new RegExp(`PROFILE="nope" is not valid; valid values are: ${profileNames.join(', ')}`) },
  { name: 'a malformed event rate', env: { LOADGATE_EVENTS_PER_SEC: '10k' }, message: /LOADGATE_EVENTS_PER_SEC="10k" is not valid; valid values are: a number from 1 to 1000000/ },
  { name: 'a malformed batch size', env: { LOADGATE_BATCH_SIZE: '0' }, message: /LOADGATE_BATCH_SIZE="0" is not valid; valid values are: an integer from 1 to 1000/ },
  { name: 'a word PROFILE_CAPTURE does not know', env: { PROFILE_CAPTURE: 'maybe' }, message: /PROFILE_CAPTURE="maybe" is not valid; valid values are: on, off, true, false, 1, 0/, cliOnly: true },
  { name: 'DB=postgres with BASE_URL, whose API loadgate does not start', env: { BASE_URL: 'http://127.0.0.1:9', DB: 'postgres' }, message: /DB configure the reference service, which loadgate does not start when BASE_URL is set; unset DB or BASE_URL/, cliOnly: true },
  { name: 'an unknown protocol', env: { PROTOCOL: 'udp' }, message: /PROTOCOL="udp" is not valid; valid values are: http, grpc/ },
  { name: 'a malformed timeout', env: { LOADGATE_REQUEST_TIMEOUT: '10 seconds' }, message: /LOADGATE_REQUEST_TIMEOUT="10 seconds" is not valid; valid values are: a duration from 100ms to 10m/ },
];

for (const { name, env, message, cliOnly } of refusals) {
  test(`make-level run refuses ${name}: exit 104, no folder, no packet`, { timeout: 60_000 }, async () => {
    const trace = join(tmpdir(), `loadgate-strace-${process.pid}-${Date.now()}.log`);
    const run = await runCli('mixed', env, straceWrapper(trace));
    assert.equal(run.code, 104, run.stderr);
    assert.match(run.stderr, message);
    assert.ok(run.elapsedMs < 10_000, `answered in ${run.elapsedMs} ms`);
    assert.equal(run.runDir, null, 'no run folder');
    assert.deepEqual(contactedAddresses(readFileSync(trace, 'utf8')), [], 'no socket was pointed anywhere');
    rmSync(trace, { force: true });
  });

  if (cliOnly) continue;
  test(`k6 run on the bundle refuses ${name} in init: exit 107, no packet`, { timeout: 60_000 }, async () => {
    const trace = join(tmpdir(), `loadgate-strace-k6-${process.pid}-${Date.now()}.log`);
    const run = await runK6('mixed.js', env, straceWrapper(trace));
    assert.equal(run.code, 107, run.stderr);
    const logged = run.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    assert.ok(logged.some((msg) => message.test(msg)), logged.join('\n'));
    const outside = contactedAddresses(readFileSync(trace, 'utf8')).filter((address) => !isLoopbackAddress(address));
    assert.deepEqual(outside, [], 'nothing left the machine');
    rmSync(trace, { force: true });
  });
}

test('the short EVENTS_PER_SEC name is validated like the long one', async () => {
  const run = await runCli('event-ingestion', { EVENTS_PER_SEC: 'lots' });
  assert.equal(run.code, 104);
  assert.match(run.stderr, /EVENTS_PER_SEC="lots" is not valid/);
});

/** A name other than localhost that /etc/hosts maps to loopback, so resolving it sends no packet. */
function loopbackAlias(): string | null {
  for (const line of readFileSync('/etc/hosts', 'utf8').split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    const alias = names.find((name) => name !== 'localhost' && !name.startsWith('localhost') && /^[a-z0-9.-]+$/i.test(name));
    if (address?.startsWith('127.') && alias) return alias;
  }
  return null;
}

test('a host named in LOADGATE_ALLOW_HOSTS passes the allow-list and reaches the pre-flight', { timeout: 60_000 }, async (t) => {
  const alias = loopbackAlias();
  if (!alias) return t.skip('/etc/hosts maps no name besides localhost to loopback');
  const port = await closedPort();
  const baseUrl = `http://${alias}:${port}`;
  const refused = await runCli('mixed', { BASE_URL: baseUrl });
  assert.equal(refused.code, 104);
  assert.match(refused.stderr, new RegExp(`LOADGATE_ALLOW_HOSTS=${alias}`));

  const trace = join(tmpdir(), `loadgate-strace-allowed-${process.pid}.log`);
  const allowed = await runCli('mixed', { BASE_URL: baseUrl, LOADGATE_ALLOW_HOSTS: alias, PROFILE_CAPTURE: '0' }, straceWrapper(trace));
  assert.equal(allowed.code, 107, allowed.stderr);
  assert.match(allowed.stderr, new RegExp(`pre-flight failed: ${baseUrl}/healthz did not answer`));
  const outside = contactedAddresses(readFileSync(trace, 'utf8')).filter((address) => !isLoopbackAddress(address));
  assert.deepEqual(outside, [], 'the allowed host resolved to loopback and nothing else was contacted');
  rmSync(trace, { force: true });
});

test('an unknown scenario is exit 2 naming the valid ones', async () => {
  const resultsDir = tempResultsDir();
  const run = await spawnCollect(process.execPath, ['dist/cli.mjs', 'run', 'nope'], { ...process.env, RESULTS_DIR: resultsDir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown scenario "nope"; valid scenarios are: api-load, event-ingestion, mixed/);
  assert.deepEqual(readdirSync(resultsDir), []);
});

test('a target that is down fails the pre-flight within 5 s', { timeout: 60_000 }, async () => {
  const port = await closedPort();
  const run = await runCli('mixed', { BASE_URL: `http://127.0.0.1:${port}`, PROFILE_CAPTURE: '0' });
  assert.equal(run.code, 107, run.stderr);
  assert.match(run.stderr, new RegExp(`pre-flight failed: http://127\\.0\\.0\\.1:${port}/healthz did not answer`));
  assert.ok(run.elapsedMs < 5_000 + 3_000, `took ${run.elapsedMs} ms (k6 start-up included)`);
  assert.match(readMeta(run.runDir!).reason, /^pre-flight failed: .*healthz did not answer/);
});

test('a service that cannot start: exit 3 through make, its own error quoted, meta.json says why', { timeout: 120_000 }, async () => {
  const run = await runMake('load-mixed', { PROFILE: 'smoke', TARGET_ARGS: '-no-such-flag' });
  assert.equal(run.code, 2, 'GNU make exits 2 whenever a recipe fails');
  assert.match(run.stderr, /Error 3$/m, 'make reports the CLI\'s own code');
  assert.match(run.stderr, /loadgate-service: flag provided but not defined: -no-such-flag/);
  assert.ok(run.runDir, 'a run folder holds the record');
  const meta = readMeta(run.runDir);
  assert.equal(meta.exitCode, 3);
  assert.match(meta.reason, /^the reference service could not start: it exited with code 2 before listening: "loadgate-service: flag provided but not defined: -no-such-flag"/);
  assert.ok(existsSync(join(run.runDir, 'REPORT.md')), 'REPORT.md says why nothing was measured');
  assert.match(readFileSync(join(run.runDir, 'REPORT.md'), 'utf8'), /\*\*Status: FAILED\*\*: the reference service could not start/);
});

test('a K6 that is not an executable is exit 4 naming it, before any folder or service', async () => {
  const run = await runCli('mixed', { K6: '/nonexistent/k6' });
  assert.equal(run.code, 4, run.stderr);
  assert.match(run.stderr, /k6 is not an executable at \/nonexistent\/k6; run "make k6" or set K6 to a k6 binary/);
  assert.equal(run.runDir, null);
});

test('BATCH_SIZE above what the service accepts is refused at once with the range, no folder', async () => {
  const run = await runCli('event-ingestion', { BATCH_SIZE: '1000000000' });
  assert.equal(run.code, 104, run.stderr);
  assert.match(run.stderr, /BATCH_SIZE="1000000000" is not valid; valid values are: an integer from 1 to 1000$/m);
  assert.equal(run.runDir, null);
});

test('injected 5xx on vote fails the run with exit 99 on the error rate; PROFILE_CAPTURE=off captures nothing', { timeout: 180_000 }, async () => {
  const run = await runCli('mixed', { TARGET_ARGS: '-fault-error-rate vote=1', PROFILE_CAPTURE: 'off' });
  assert.equal(run.code, 99, run.stderr.slice(-2000));
  assert.deepEqual(readdirSync(join(run.runDir!, 'profiles')).filter((file) => file.endsWith('.pb.gz')), [], 'no profile with capture off');
  assert.match(readFileSync(join(run.runDir!, 'REPORT.md'), 'utf8'), /^CPU: not captured, profiles\/cpu\.pb\.gz was not captured: capture was off \(PROFILE_CAPTURE=off\)/m);
  const failed = failedThresholds(readSummary(run.runDir!)).map((t) => `${t.metric} ${t.expression}`);
  assert.ok(failed.includes('http_req_failed rate<0.01'), failed.join('\n'));
  assert.ok(failed.includes('checks rate>0.99'), failed.join('\n'));
  assert.ok(existsSync(join(run.runDir!, 'summary.txt')));
});
