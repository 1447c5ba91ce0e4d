// The two engines, offline: `make operator` writes manifests kubectl accepts and an archive k6
// reads; `make cloud` refuses without a token before any socket exists, and the archive it would
// upload carries options.cloud and no secret. Nothing here talks to a cluster or to the cloud.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCloudArchive } from '../../cli/distributed/cloud.ts';
import { manifestFiles, operatorCommand } from '../../cli/distributed/operator.ts';
import { cleanEnv, contactedAddresses, k6, readMeta, runMake, spawnCollect, straceWrapper, tempResultsDir } from './harness.ts';

const secret = 'tok-never-written-4711';
const cloudSecret = 'cloud-never-written-0815';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

const inspect = (archive: string) =>
  JSON.parse(execFileSync(k6, ['inspect', '--execution-requirements', archive], { env: cleanEnv({}), encoding: 'utf8', timeout: 30_000 })) as {
    scenarios: Record<string, unknown>;
    thresholds: Record<string, unknown>;
    totalDuration: string;
    cloud?: unknown;
  };

/**
 * Just enough of a Kubernetes API server on loopback for kubectl to map the manifests' kinds (the
 * operator's TestRun CRD among them) and answer "not found", so `apply --dry-run=client` runs.
 */
async function fakeApiServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const list = (groupVersion: string, resources: Array<[string, string]>) => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.map(([name, kind]) => ({ name, singularName: kind.toLowerCase(), namespaced: true, kind, verbs: ['create', 'get', 'patch'] })),
  });
  const k6Group = { groupVersion: 'k6.io/v1alpha1', version: 'v1alpha1' };
  const routes: Record<string, unknown> = {
    '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
    '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'k6.io', versions: [k6Group], preferredVersion: k6Group }] },
    '/api/v1': list('v1', [['configmaps', 'ConfigMap'], ['persistentvolumeclaims', 'PersistentVolumeClaim'], ['pods', 'Pod'], ['services', 'Service']]),
    '/apis/k6.io/v1alpha1': list('k6.io/v1alpha1', [['testruns', 'TestRun']]),
  };
  const server = createServer((request, response) => {
    const body = routes[(request.url ?? '').split('?')[0]];
    response.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) };
}

test('make operator SCENARIO=mixed PARALLELISM=4 writes an archive k6 reads and manifests kubectl accepts', { timeout: 120_000 }, async (t) => {
  const run = await runMake('operator', { SCENARIO: 'mixed', PARALLELISM: '4', PROFILE: 'smoke', LOADGATE_TOKEN: secret });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /BASE_URL is unset: the runners will load http:\/\/loadgate-service:8080/);
  const dir = run.runDir!;
  const k8s = join(dir, 'operator');
  const read = (file: string) => JSON.parse(readFileSync(join(k8s, file), 'utf8'));
  const testRun = read(manifestFiles.testRun);
  const configMap = read(manifestFiles.configMap);
  assert.equal(testRun.spec.parallelism, 4);
  assert.deepEqual(Buffer.from(configMap.binaryData['archive.tar'], 'base64'), readFileSync(join(dir, 'archive.tar')), 'the ConfigMap holds the archive');
  assert.match(testRun.spec.runner.image, /^grafana\/k6:\d+\.\d+\.\d+$/);

  // Options froze in the archive: the smoke profile's shape and every threshold of the scenario.
  const options = inspect(join(dir, 'archive.tar'));
  assert.equal(options.totalDuration, '35s');
  assert.deepEqual(Object.keys(options.scenarios).sort(), ['active_viewers', 'alert_monitor', 'casual_browsers', 'engaged_users', 'searchers']);
  assert.deepEqual(Object.keys(options.thresholds).sort(), Object.keys((readMeta(dir).options as { thresholds: object }).thresholds).sort(), 'meta.json records what make merge will judge by');
  for (const file of filesUnder(dir)) assert.ok(!readFileSync(file).includes(secret), `${file} holds no secret`);

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (kubectl.error) {
    // Debian 12 packages no kubectl; the structural checks above and in test/unit/operator.test.ts stand alone.
    t.diagnostic('kubectl is not installed: apply --dry-run=client skipped');
    return;
  }
  const api = await fakeApiServer();
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server: api.url } }],
    users: [{ name: 'fake', user: {} }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
    'current-context': 'fake',
  }));
  try {
    const applied = await spawnCollect('kubectl', ['apply', '--dry-run=client', '--validate=false', '-f', k8s], { ...cleanEnv({}), KUBECONFIG: kubeconfig });
    assert.equal(applied.code, 0, applied.stderr);
    for (const object of [`configmap/${configMap.metadata.name}`, `testrun.k6.io/${testRun.metadata.name}`, `pod/${testRun.metadata.name}-collector`, `service/${testRun.metadata.name}-collector`]) {
      assert.match(applied.stdout, new RegExp(`${object.replace('.', '\\.')} created \\(dry run\\)`));
    }
  } finally {
    rmSync(kubeconfig);
    await api.close();
  }
});

test('make operator refuses an archive over the ConfigMap limit with a sentence', { timeout: 60_000 }, async () => {
  const resultsDir = tempResultsDir();
  const code = await operatorCommand('mixed', cleanEnv({ RESULTS_DIR: resultsDir, PROFILE: 'smoke', PARALLELISM: '2' }), 50_000);
  assert.equal(code, 104);
  const [folder] = readdirSync(resultsDir).filter((name) => name !== 'latest');
  assert.deepEqual(readdirSync(join(resultsDir, folder)).sort(), ['archive.tar', 'profiles'], 'the archive stays for a volume claim; no manifest was written');
});

test('make operator refuses a bad PARALLELISM naming the value and the valid ones', async () => {
  const run = await runMake('operator', { SCENARIO: 'mixed', PARALLELISM: 'many' });
  assert.match(run.stderr, /PARALLELISM="many" is not valid; valid values are: an integer from 1 to 1000/);
  assert.match(run.stderr, /Error 104/);
  assert.equal(run.runDir, null);
});

test('make cloud without K6_CLOUD_TOKEN stops with a sentence before any socket, process or folder exists', { timeout: 60_000 }, async () => {
  const resultsDir = tempResultsDir();
  const trace = join(tmpdir(), `loadgate-strace-cloud-${process.pid}.log`);
  const run = await spawnCollect(straceWrapper(trace)[0], [...straceWrapper(trace).slice(1), process.execPath, 'dist/cli.mjs', 'cloud', 'mixed'], cleanEnv({ RESULTS_DIR: resultsDir, BASE_URL: 'https://api.example.test' }));
  assert.equal(run.code, 104, run.stderr);
  assert.match(run.stderr, /make cloud needs K6_CLOUD_TOKEN, a Grafana Cloud k6 API token .*; nothing was started or sent/);
  assert.deepEqual(contactedAddresses(readFileSync(trace, 'utf8')), [], 'no socket was pointed anywhere');
  assert.deepEqual(readdirSync(resultsDir), [], 'no run folder');
  rmSync(trace, { force: true });
  const viaMake = await runMake('cloud', { SCENARIO: 'mixed' });
  assert.match(viaMake.stderr, /make cloud needs K6_CLOUD_TOKEN/);
  assert.match(viaMake.stderr, /Error 104/);
});

test('the archive make cloud uploads carries options.cloud from the environment and no secret', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-cloud-'));
  const env = cleanEnv({ PROFILE: 'smoke', BASE_URL: 'https://api.example.test', LOADGATE_ALLOW_HOSTS: 'api.example.test', LOADGATE_TOKEN: secret, K6_CLOUD_TOKEN: cloudSecret });
  const distribution = { 'amazon:us:ashburn': { loadZone: 'amazon:us:ashburn', percent: 60 }, 'amazon:ie:dublin': { loadZone: 'amazon:ie:dublin', percent: 40 } };
  const archive = buildCloudArchive(dir, 'mixed', env, { name: 'loadgate mixed smoke', projectID: 4242, distribution });
  const options = inspect(archive);
  assert.deepEqual(options.cloud, { name: 'loadgate mixed smoke', projectID: 4242, distribution });
  assert.equal(options.totalDuration, '35s', 'the smoke profile froze in the archive');
  assert.ok(Object.keys(options.thresholds).length > 10, 'the scenario keeps its thresholds');
  const metadata = JSON.parse(execFileSync('tar', ['-xOf', archive, 'metadata.json'], { encoding: 'utf8' })) as { env: Record<string, string> };
  assert.equal(metadata.env.BASE_URL, 'https://api.example.test');
  for (const file of filesUnder(dir)) {
    const bytes = readFileSync(file);
    assert.ok(!bytes.includes(secret) && !bytes.includes(cloudSecret), `${file} holds no secret`);
  }
});
