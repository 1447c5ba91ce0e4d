// "Your own API", end to end: a second API of another shape (examples/quotes/server.mjs) with its
// own endpoint table, SLOs and renamed alert rules runs through `make load SCENARIO=<file>`, and
// loadgate's own mixed scenario pointed at it is refused in seconds with the route and status named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readMeta, readSummary, root, runCli, runMake } from './harness.ts';

const servers: ChildProcess[] = [];

async function startQuotes(env: Record<string, string> = {}): Promise<string> {
  const server = spawn(process.execPath, [join(root, 'examples', 'quotes', 'server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  servers.push(server);
  const line = await new Promise<string>((done) => createInterface({ input: server.stdout! }).once('line', done));
  return `http://${(JSON.parse(line) as { listening: string }).listening}`;
}

let baseUrl = '';
before(async () => {
  baseUrl = await startQuotes();
});

after(() => {
  for (const server of servers) server.kill();
});

test('a team scenario in its own files runs at smoke: thresholds, guards, report, JUnit and renamed alert rules', { timeout: 120_000 }, async () => {
  const run = await runMake('load', { SCENARIO: 'examples/quotes/quotes.ts', BASE_URL: baseUrl, PROFILE: 'smoke' });
  assert.equal(run.code, 0, run.stderr.slice(-3000));
  const dir = run.runDir!;
  const summary = readSummary(dir);
  for (const endpoint of ['quote_list', 'quote_detail', 'quote_like', 'login']) {
    assert.ok(summary.metrics[`http_req_duration{endpoint:${endpoint},expected_response:true}`]?.thresholds?.['p(95)<' + (endpoint === 'quote_like' || endpoint === 'login' ? 80 : 50)], `${endpoint} has its own p95 SLO`);
    assert.ok((summary.metrics[`http_reqs{endpoint:${endpoint}}`]?.values.count ?? 0) > 0, `${endpoint} was driven`);
  }
  assert.equal(summary.metrics['http_reqs{endpoint:feed}'], undefined, "the reference service's endpoints do not leak in");
  const setup = summary.setup_data as { monitor: boolean; rules: { evaluated: string[]; withoutData: string[] } };
  assert.equal(setup.monitor, true);
  assert.deepEqual(setup.rules.evaluated, ['HighAPILatency', 'HighErrorRate'], 'the renamed rules find the service’s own metric names');
  const report = readFileSync(join(dir, 'REPORT.md'), 'utf8');
  assert.match(report, /^\| Like a quote \(`quote_like`\) \| \d+ \| \d+\.\d+ ms \| \d+\.\d+ ms \| \d+\.\d+ ms \| < 80 ms \| ✅ \| none \|$/m);
  assert.match(report, /^\| `HighErrorRate` \| evaluated \|$/m);
  assert.match(report, /PPROF_URL is unset and http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/ answered 404/, 'says what it looked for and found');
  assert.match(readFileSync(join(dir, 'junit.xml'), 'utf8'), /name="http_req_duration\{endpoint:quote_like,expected_response:true\} p\(95\)&lt;80"/);
  assert.equal(readMeta(dir).reason, 'passed');
});

test('mixed pointed at an API without its routes is refused within 5 s, naming the first route and its status', { timeout: 60_000 }, async () => {
  const run = await runCli('mixed', { BASE_URL: baseUrl });
  assert.equal(run.code, 107, run.stderr.slice(-2000));
  assert.ok(run.elapsedMs < 5_000, `refused after ${run.elapsedMs} ms`);
  const dir = run.runDir!;
  const sentence = /^pre-flight failed: GET \/api\/v1\/feed answered 404; .*this API does not serve the routes of scenario mixed; see "Your own API" in the README$/;
  assert.match(readMeta(dir).reason, sentence);
  const text = readFileSync(join(dir, 'summary.txt'), 'utf8');
  assert.match(text.split('\n')[0], /^loadgate mixed \(smoke\): NO LOAD RAN: pre-flight failed: GET \/api\/v1\/feed answered 404/);
  assert.doesNotMatch(text, /Thresholds/, 'no thresholds table when no load ran');
  assert.match(readFileSync(join(dir, 'REPORT.md'), 'utf8'), /\*\*Status: FAILED\*\*: pre-flight failed: GET \/api\/v1\/feed answered 404/);
  assert.equal(readSummary(dir).metrics.iterations?.values.count ?? 0, 0, 'no iteration ran');
  assert.ok(!existsSync(join(dir, 'profiles', 'cpu.pb.gz')));
});

test('an endpoint that answers nothing but failures stops the run early, naming it and the status', { timeout: 90_000 }, async () => {
  const failing = await startQuotes({ QUOTES_LIKES_STATUS: '403' });
  const run = await runCli('examples/quotes/quotes.ts', { BASE_URL: failing });
  assert.equal(run.code, 99, run.stderr.slice(-2000));
  const meta = readMeta(run.runDir!);
  assert.match(meta.reason, /^aborted: every quote_like request failed \(HTTP 403 ×\d+\)$/);
  assert.equal(meta.stoppedEarly, true);
  const summary = readSummary(run.runDir!);
  assert.ok((summary.state?.testRunDurationMs ?? Infinity) < 25_000, `stopped after ${summary.state?.testRunDurationMs} ms of a 30 s profile`);
  assert.match(readFileSync(join(run.runDir!, 'summary.txt'), 'utf8'), /^quote_like .* FAIL +HTTP 403 ×\d+$/m);
});
