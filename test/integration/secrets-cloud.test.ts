// `make cloud` against a fake Grafana Cloud k6 API on loopback: every request k6 makes (options,
// archive, test run, metrics, status) is captured and searched for canaries placed in the
// environment, the service's secret and TARGET_ARGS. The token k6 authenticates with may appear
// in the Authorization header and in k6's own options.cloud.token, nowhere else. Also: the test-run name, project and thresholds
// arrive, and k6's exit codes for a failed cloud run (97) and for lost progress (98) come through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cleanEnv, spawnCollect, tempResultsDir, wiringProfile } from './harness.ts';
import { startFakeCloud, testRunId, type CapturedRequest, type ProgressAnswer } from './fake-cloud.ts';

const canary = (what: string) => `canary-${what}-${randomBytes(8).toString('hex')}`;
const canaries = { unrelated: canary('unrelated'), targetSecret: canary('target'), tokenFlag: canary('flag'), cloudToken: canary('cloudtoken') };
const projectId = '4242';

async function makeCloud(progress: ProgressAnswer, vars: Record<string, string>) {
  const cloud = await startFakeCloud(progress);
  try {
    const env = cleanEnv({
      K6_CLOUD_HOST: cloud.url,
      K6_CLOUD_TOKEN: canaries.cloudToken,
      // Logs are streamed over a websocket the fake does not serve.
      K6_SHOW_CLOUD_LOGS: 'false',
      MY_UNRELATED_SECRET: canaries.unrelated,
      LOADGATE_TARGET_SECRET: canaries.targetSecret,
    });
    const args = ['cloud', 'SCENARIO=mixed', `PROFILE=${wiringProfile}`, `RESULTS_DIR=${tempResultsDir()}`, `K6_CLOUD_PROJECT_ID=${projectId}`, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
    const outcome = await spawnCollect('make', args, env);
    return { ...outcome, requests: [...cloud.requests] };
  } finally {
    await cloud.close();
  }
}

/** No canary in any request's URL, headers or body; the cloud token only as the Authorization header. */
function assertNoCanary(requests: CapturedRequest[], terminal: string) {
  assert.ok(requests.length > 0, 'k6 reached the fake cloud');
  for (const request of requests) {
    const { authorization, ...headers } = request.headers;
    assert.equal(authorization, `Token ${canaries.cloudToken}`, `${request.method} ${request.url} authenticates with the token`);
    // k6 itself copies the token into options.cloud.token of what it sends to the cloud the token
    // belongs to; that one field is the cloud's own credential going home, anywhere else is a leak.
    const seen = `${request.url}\n${JSON.stringify(headers)}\n${request.body.toString('latin1')}`.replace(new RegExp(`"token":\\s*"${canaries.cloudToken}"`, 'g'), '');
    for (const [where, value] of Object.entries(canaries)) assert.ok(!seen.includes(value), `${request.method} ${request.url} carries the ${where} canary`);
  }
  for (const [where, value] of Object.entries(canaries)) assert.ok(!terminal.includes(value), `the terminal shows the ${where} canary`);
}

const find = (requests: CapturedRequest[], method: string, url: RegExp) => requests.filter((r) => r.method === method && url.test(r.url));
const exitCodeOf = (outcome: { code: number; stderr: string }) => Number(/Error (\d+)/.exec(outcome.stderr)?.[1] ?? outcome.code);

// The cloud runs the load elsewhere: a public-looking host that nothing here contacts (metrics and profiles off).
const inTheCloud = { BASE_URL: 'http://api.example.test', LOADGATE_ALLOW_HOSTS: 'api.example.test', LOADGATE_METRICS_URL: 'off', PROFILE_CAPTURE: 'off' };

test('make cloud: options, archive and progress carry no canary; name, project and thresholds arrive', { timeout: 180_000 }, async () => {
  const run = await makeCloud('passed', inTheCloud);
  assert.equal(run.code, 0, run.stderr.slice(-3000));
  assertNoCanary(run.requests, run.stdout + run.stderr);
  const [validate] = find(run.requests, 'POST', /^\/v1\/validate-options$/);
  const options = (JSON.parse(validate.body.toString()) as { options: { thresholds: Record<string, unknown>; cloud: { name: string; projectID: number } } }).options;
  assert.equal(options.cloud.name, `loadgate mixed ${wiringProfile}`);
  assert.equal(options.cloud.projectID, Number(projectId));
  assert.ok(Object.keys(options.thresholds).some((key) => key.startsWith('http_req_duration{endpoint:')), 'the SLO thresholds travel with the options');
  const [upload] = find(run.requests, 'POST', /^\/v1\/archive-upload$/);
  const archive = upload.body.toString('latin1');
  assert.match(archive, /metadata\.json/);
  // The runners' variables are in the archive (so the search above would have seen a secret there).
  assert.match(archive, /"LOADGATE_ALLOW_HOSTS":\s*"api\.example\.test"/);
  assert.ok(find(run.requests, 'GET', new RegExp(`^/v1/test-progress/${testRunId}$`)).length > 0);
});

test('make cloud: a failed cloud run exits 97, lost progress exits 98', { timeout: 240_000 }, async () => {
  const failed = await makeCloud('failed', inTheCloud);
  assert.equal(exitCodeOf(failed), 97, failed.stderr.slice(-2000));
  assertNoCanary(failed.requests, failed.stdout + failed.stderr);
  const lost = await makeCloud('unavailable', inTheCloud);
  assert.equal(exitCodeOf(lost), 98, lost.stderr.slice(-2000));
  assert.match(lost.stderr, /could not get the cloud test run's progress/);
});

test('make cloud LOCAL_EXECUTION=1: test run, uploaded archive, metrics and status carry no canary', { timeout: 300_000 }, async () => {
  const run = await makeCloud('passed', { LOCAL_EXECUTION: '1', LOADGATE_CLOUD_UPLOAD_ARCHIVE: 'on', TARGET_ARGS: `-token-secret ${canaries.tokenFlag}` });
  // The load ran here, on cores shared with the target: a latency SLO may fail (99); that is not what this test is about.
  assert.ok([0, 99].includes(exitCodeOf(run)), run.stderr.slice(-3000));
  assertNoCanary(run.requests, run.stdout + run.stderr);
  const [created] = find(run.requests, 'POST', /^\/v1\/tests$/);
  const form = created.body.toString('latin1');
  assert.ok(form.includes(`name="name"\r\n\r\nloadgate mixed ${wiringProfile}\r\n`), 'the test run is named after scenario and profile');
  assert.match(form, new RegExp(`name="project_id"\\r\\n\\r\\n${projectId}\\r\\n`));
  // The uploaded archive holds the script, its options (thresholds too) and the variables given as -e, nothing else of the environment.
  assert.match(form, /metadata\.json/);
  assert.match(form, /"thresholds": \{[\s\S]*"http_req_duration\{endpoint:feed,expected_response:true\}"/);
  assert.match(form, /"LOADGATE_RUN_DIR"/);
  assert.ok(find(run.requests, 'POST', new RegExp(`^/v2/metrics/${testRunId}$`)).length > 0, 'metrics were streamed');
  const [finished] = find(run.requests, 'POST', new RegExp(`^/v1/tests/${testRunId}$`));
  const status = JSON.parse(finished.body.toString()) as { thresholds: Record<string, unknown> };
  assert.ok(Object.keys(status.thresholds).some((key) => key.startsWith('http_req_duration{endpoint:')), 'the final status judges the SLO thresholds');
});
