// "Your own API", end to end: a second API of another shape (examples/quotes/server.mjs: its own
// health path, client header, `Token` auth scheme, a router that answers 404 to OPTIONS) with its
// own endpoint table, SLO subsets and renamed alert rules runs through `make load SCENARIO=<file>`;
// loadgate's own mixed scenario pointed at it is refused in seconds with the route and status named;
// failing endpoints get one verdict everywhere and a route that breaks mid-run stops the run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readMeta, readSummary, root, runCli, runMake, wiringProfile } from './harness.ts';

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

test('a team scenario in its own files runs: health path, headers, Token scheme, a 404-to-OPTIONS write route, SLO subsets, report, JUnit and renamed alert rules', { timeout: 120_000 }, async () => {
  const run = await runMake('load', { SCENARIO: 'examples/quotes/quotes.ts', BASE_URL: baseUrl, PROFILE: wiringProfile });
  assert.equal(run.code, 0, run.stderr.slice(-3000));
  const dir = run.runDir!;
  const summary = readSummary(dir);
  for (const endpoint of ['quote_list', 'quote_detail', 'quote_like', 'login']) {
    assert.ok(summary.metrics[`http_req_duration{endpoint:${endpoint},expected_response:true}`]?.thresholds?.[`p(95)<${{ login: 1000 }[endpoint] ?? 250}`], `${endpoint} has its own p95 SLO`);
    assert.ok((summary.metrics[`http_reqs{endpoint:${endpoint}}`]?.values.count ?? 0) > 0, `${endpoint} was driven`);
  }
  assert.equal(summary.metrics['http_reqs{endpoint:feed}'], undefined, "the reference service's endpoints do not leak in");
  // The server answers 404 to OPTIONS on the likes route, yet the pre-flight let the run go, and
  // likes succeeded only because the token went as `Authorization: Token …` with the table's header.
  assert.deepEqual(Object.keys(summary.metrics['http_req_duration{endpoint:quote_list,expected_response:true}']?.thresholds ?? {}), ['p(95)<250'], 'a p95-only SLO');
  assert.deepEqual(Object.keys(summary.metrics['http_req_duration{endpoint:login,expected_response:true}']?.thresholds ?? {}).sort(), ['max<2000', 'p(95)<1000']);
  assert.ok(summary.metrics['http_req_failed{endpoint:quote_like}']?.thresholds?.['rate<0.02'], 'the endpoint’s own error objective');
  assert.equal(summary.metrics['http_req_failed{endpoint:quote_like}']?.values.rate, 0, 'every like was accepted');
  assert.deepEqual(readMeta(dir).target?.identity, { service: 'quotes', version: '2' }, 'identity from the table’s health path');
  const setup = summary.setup_data as { monitor: boolean; rules: { evaluated: string[]; withoutData: string[] } };
  assert.equal(setup.monitor, true);
  assert.deepEqual(setup.rules.evaluated, ['HighAPILatency', 'HighErrorRate'], 'the renamed rules find the service’s own metric names');
  const report = readFileSync(join(dir, 'REPORT.md'), 'utf8');
  assert.match(report, /^\| Like a quote \(`quote_like`\) \| \d+ \| \d+\.\d+ ms \| \d+\.\d+ ms \| \d+\.\d+ ms \| 0\.00% \| p50 < 100 ms, p95 < 250 ms, p99 < 500 ms, errors < 2\.00% \| ✅ \| none \|$/m);
  assert.match(report, /^\| List quotes \(`quote_list`\) \| .* \| p95 < 250 ms, errors < 1\.00% \| ✅ \| none \|$/m);
  assert.match(report, /^\| Target \| quotes, version 2 at http:\/\/127\.0\.0\.1:\d+, started outside loadgate \|$/m);
  assert.match(report, /^- Endpoints: 4 of 4 met every objective declared for them\.$/m);
  // Sections about the reference service's own database and cache have no data here: left out, not "none".
  assert.doesNotMatch(report, /^## (Database|Cache)$/m);
  assert.doesNotMatch(report, /DatabaseConnectionPoolHigh|unknown/);
  assert.match(report, /^\| `HighErrorRate` \| evaluated \|$/m);
  assert.match(report, /PPROF_URL is unset and http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/ answered 404/, 'says what it looked for and found');
  assert.match(readFileSync(join(dir, 'junit.xml'), 'utf8'), /name="http_req_duration\{endpoint:quote_like,expected_response:true\} p\(95\)&lt;250"/);
  assert.equal(readMeta(dir).reason, 'passed');
});

test('mixed pointed at an API without its health path is refused within 5 s, naming the URL and its status; its REPORT.md shows no figures', { timeout: 60_000 }, async () => {
  const run = await runCli('mixed', { BASE_URL: baseUrl });
  assert.equal(run.code, 107, run.stderr.slice(-2000));
  assert.ok(run.elapsedMs < 5_000, `refused after ${run.elapsedMs} ms`);
  const dir = run.runDir!;
  // The quotes API answers its health check at /v2/health (its table says so); mixed's table keeps the default.
  const sentence = /^pre-flight failed: http:\/\/127\.0\.0\.1:\d+\/healthz did not answer 200 \(HTTP 404\); is the target running\? \(the endpoint table's health setting names the path and status\)$/;
  assert.match(readMeta(dir).reason, sentence);
  const text = readFileSync(join(dir, 'summary.txt'), 'utf8');
  assert.match(text.split('\n')[0], new RegExp(`^loadgate mixed \\(${wiringProfile}\\): NO LOAD RAN`));
  assert.match(text.split('\n')[0], /NO LOAD RAN: pre-flight failed: http:\/\/127\.0\.0\.1:\d+\/healthz did not answer 200/);
  assert.doesNotMatch(text, /Thresholds/, 'no thresholds table when no load ran');
  const report = readFileSync(join(dir, 'REPORT.md'), 'utf8');
  assert.match(report, /\*\*Status: FAILED\*\*: pre-flight failed: http:\/\/127\.0\.0\.1:\d+\/healthz did not answer 200/);
  assert.match(report, /^No load ran: k6 started, but not one iteration did/m);
  // The pre-flight's probes are no measurement: no throughput, error rate, CPU share or bottleneck list.
  assert.doesNotMatch(report.slice(0, report.indexOf('## Files')), /Throughput|Error rate|of one core|HTTP requests \||Threshold `|^- |figure below/m);
  assert.match(report, /^## Bottlenecks\n\nNone to look for: no load ran/m);
  assert.equal(readSummary(dir).metrics.iterations?.values.count ?? 0, 0, 'no iteration ran');
  assert.ok(!existsSync(join(dir, 'profiles', 'cpu.pb.gz')));
});

test('an endpoint that answers nothing but failures stops the run early, naming it and the status', { timeout: 90_000 }, async () => {
  const failing = await startQuotes({ QUOTES_LIKES_STATUS: '403' });
  const run = await runCli('examples/quotes/quotes.ts', { BASE_URL: failing, PROFILE: 'smoke' });
  assert.equal(run.code, 99, run.stderr.slice(-2000));
  const meta = readMeta(run.runDir!);
  assert.match(meta.reason, /^aborted: every quote_like request failed for 10s or more \(HTTP 403 ×\d+\)$/);
  assert.equal(meta.stoppedEarly, true);
  const summary = readSummary(run.runDir!);
  assert.ok((summary.state?.testRunDurationMs ?? Infinity) < 25_000, `stopped after ${summary.state?.testRunDurationMs} ms of a 30 s profile`);
  assert.match(readFileSync(join(run.runDir!, 'summary.txt'), 'utf8'), /^quote_like .* FAIL: no successful response, errors 100\.00% \(objective < 2\.00%\) +HTTP 403 ×\d+$/m);
});

test('a write route that is missing is still refused where the router tells "no such route" from "method not served"', { timeout: 60_000 }, async () => {
  const withoutLikes = await startQuotes({ QUOTES_ROUTER: '405', QUOTES_WITHOUT_LIKES: '1' });
  const run = await runCli('examples/quotes/quotes.ts', { BASE_URL: withoutLikes });
  assert.equal(run.code, 107, run.stderr.slice(-2000));
  assert.match(readMeta(run.runDir!).reason, /^pre-flight failed: OPTIONS for POST \/v2\/quotes\/\{id\}\/likes answered 404: this API does not serve the routes of scenario quotes/);
  // The same router with the route in place passes: OPTIONS there answers 405.
  const complete = await startQuotes({ QUOTES_ROUTER: '405' });
  const passing = await runCli('examples/quotes/quotes.ts', { BASE_URL: complete, LOADGATE_METRICS_URL: 'off' });
  assert.equal(passing.code, 0, passing.stderr.slice(-2000));
});

/** The headline of summary.txt and the one k6 printed to the terminal, which lacks only the exit code. */
function headlines(run: { stdout: string; stderr: string; runDir: string | null }): { file: string; terminal: string | undefined } {
  const file = readFileSync(join(run.runDir!, 'summary.txt'), 'utf8').split('\n')[0];
  const terminal = `${run.stdout}\n${run.stderr}`.split('\n').find((line) => line.startsWith('loadgate quotes (smoke): '));
  return { file, terminal };
}

test('half of one endpoint’s responses failing: that endpoint fails in summary.txt, REPORT.md, the terminal and meta.json alike', { timeout: 120_000 }, async () => {
  const halfFailing = await startQuotes({ QUOTES_FAIL_ROUTE: '/v2/quotes/{id}/likes', QUOTES_FAIL_RATIO: '0.5' });
  const run = await runCli('examples/quotes/quotes.ts', { BASE_URL: halfFailing, PROFILE: 'smoke' });
  assert.equal(run.code, 99, run.stderr.slice(-2000));
  const meta = readMeta(run.runDir!);
  assert.match(meta.reason, /quote_like \(errors \d+\.\d+% \(objective < 2\.00%\)\)/, meta.reason);
  assert.doesNotMatch(meta.reason, /quote_(list|detail) \(/, 'only the failing endpoint is named');
  const { file, terminal } = headlines(run);
  assert.equal(file, `${terminal} (exit code 99)`, 'the terminal and summary.txt give one verdict and reason');
  assert.ok(file.includes(meta.reason), 'and it is meta.json’s');
  assert.match(readFileSync(join(run.runDir!, 'summary.txt'), 'utf8'), /^quote_like .* FAIL: errors \d+\.\d+% \(objective < 2\.00%\) +HTTP 503 ×\d+$/m);
  const report = readFileSync(join(run.runDir!, 'REPORT.md'), 'utf8');
  assert.match(report, /^\| Like a quote \(`quote_like`\) \| .* \| ❌ errors \d+\.\d+% \(objective < 2\.00%\) \| HTTP 503 ×\d+ \|$/m);
  assert.match(report, /^- Endpoints: 3 of 4 met every objective declared for them; failing: `quote_like` \(errors /m);
  assert.ok(report.includes(`**Status: FAILED**: ${meta.reason} (exit code 99)`));
});

test('a route that starts failing every request mid-run stops the run about 10 s later, naming it', { timeout: 120_000 }, async () => {
  const breakAfterS = 10;
  const breaking = await startQuotes({ QUOTES_FAIL_ROUTE: '/v2/quotes', QUOTES_FAIL_AFTER_S: String(breakAfterS) });
  // The alert monitor off: HighErrorRate would stop it too (naming the route), but this is the window's test.
  const run = await runCli('examples/quotes/quotes.ts', { BASE_URL: breaking, LOADGATE_METRICS_URL: 'off', PROFILE: 'smoke' });
  assert.equal(run.code, 99, run.stderr.slice(-2000));
  const meta = readMeta(run.runDir!);
  assert.match(meta.reason, /^aborted: every quote_list request failed for 10s or more \(HTTP 503 ×\d+\)$/);
  assert.equal(meta.stoppedEarly, true);
  // It succeeded for its first 10 s, so only the window can have stopped it: about 10 s after the
  // break, plus k6's 2 s threshold evaluation and slack for 2 cores shared with other runs.
  const ranMs = readSummary(run.runDir!).state?.testRunDurationMs ?? Infinity;
  assert.ok(ranMs > breakAfterS * 1000 + 9_000 && ranMs < breakAfterS * 1000 + 15_000, `stopped after ${ranMs} ms, the route broke at ${breakAfterS} s`);
  const { file, terminal } = headlines(run);
  assert.equal(file, `${terminal} (exit code 99)`);
});
