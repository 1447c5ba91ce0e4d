// Every bundle is an ordinary k6 script: `k6 run dist/<scenario>.js` against a BASE_URL prints
// k6's own end-of-test summary and honours --summary-export; k6's shortcut options are refused
// with a sentence before any request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { profileNames } from '../../lib/profiles.ts';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../cli/service.ts';
import { cleanEnv, k6, spawnCollect, wiringProfile } from './harness.ts';

let service: RunningService;
before(async () => {
  service = await startService([], join(tmpdir(), `loadgate-plain-k6-${process.pid}.log`));
});
after(async () => {
  await service.stop();
});

test('k6 run dist/mixed.js with BASE_URL: k6’s own summary on stdout and --summary-export written', { timeout: 90_000 }, async () => {
  const exported = join(tmpdir(), `loadgate-export-${process.pid}.json`);
  const run = await spawnCollect(k6, ['run', '--quiet', `--summary-export=${exported}`, 'dist/mixed.js'], cleanEnv({ BASE_URL: service.baseUrl, PROFILE: wiringProfile }));
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  assert.match(run.stdout, /█ THRESHOLDS/, "k6's familiar end-of-test summary");
  assert.match(run.stdout, /http_req_duration\{endpoint:feed,expected_response:true\}/);
  assert.ok(existsSync(exported));
  assert.ok(JSON.parse(readFileSync(exported, 'utf8')).metrics['http_reqs{endpoint:feed}'], '--summary-export holds the endpoint metrics');
});

test('k6 run --vus/--duration is refused before any request, saying to use PROFILE and VUS', { timeout: 60_000 }, async () => {
  const exported = join(tmpdir(), `loadgate-refused-${process.pid}.json`);
  const args = ['run', '--quiet', '--log-format=json', `--summary-export=${exported}`, '--vus', '2', '--duration', '5s', 'dist/mixed.js'];
  const run = await spawnCollect(k6, args, cleanEnv({ BASE_URL: service.baseUrl }));
  assert.equal(run.code, 107);
  assert.match(run.stderr, /--vus, --duration, --iterations and --stages replace a script's scenarios/);
  assert.ok(run.stderr.includes(`use PROFILE=${profileNames.join('|')} and VUS=`), run.stderr);
  const requests = JSON.parse(readFileSync(exported, 'utf8')).metrics.http_reqs?.count ?? 0;
  assert.equal(requests, 0, 'no request was sent');
});
