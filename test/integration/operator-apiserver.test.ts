// `make operator`'s manifests against a real Kubernetes API server (kube.ts) holding k6-operator
// v1.6.0's CRDs: accepted by server-side dry run and for real, read back as written, and a TestRun
// the CRD's schema forbids is refused. The CRDs come from the shared folder beside the clone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { manifestFiles } from '../../cli/distributed/operator.ts';
import { root, runMake } from './harness.ts';
import { startKubeApi, type KubeApi } from './kube.ts';

/** `../shared/k6-operator-v1.6.0` from the project root; a worktree nested deeper finds it further up. */
function operatorCrds(): string {
  for (let dir = dirname(root); dir !== dirname(dir); dir = dirname(dir)) {
    const crds = join(dir, 'shared', 'k6-operator-v1.6.0');
    if (existsSync(crds)) return crds;
  }
  throw new Error(`no shared/k6-operator-v1.6.0 beside ${root} or above it`);
}

let api: KubeApi;
before(async () => {
  api = await startKubeApi();
  // Server-side apply: the CRD is larger than client-side apply's last-applied annotation may be.
  const crd = await api.kubectl(['apply', '--server-side', '-f', join(operatorCrds(), 'k6.io_testruns.yaml')]);
  assert.equal(crd.code, 0, crd.stderr);
  // kubectl wait fails outright while the new CRD has no status yet, so this polls (bounded).
  for (let tries = 0; ; tries++) {
    const established = await api.kubectl(['get', 'crd', 'testruns.k6.io', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
    if (established.stdout === 'True') break;
    assert.ok(tries < 60, `the TestRun CRD was not Established within 60 s: ${established.stdout} ${established.stderr}`);
    await new Promise((done) => setTimeout(done, 1000));
  }
}, { timeout: 210_000 });
after(async () => api?.close());

test('make operator SCENARIO=mixed PARALLELISM=4 output is accepted by a real API server with the v1.6.0 CRDs and read back', { timeout: 240_000 }, async () => {
  const run = await runMake('operator', { SCENARIO: 'mixed', PARALLELISM: '4', PROFILE: 'smoke' });
  assert.equal(run.code, 0, run.stderr);
  const k8s = join(run.runDir!, 'operator');
  const written = JSON.parse(readFileSync(join(k8s, manifestFiles.testRun), 'utf8'));

  const dryRun = await api.kubectl(['apply', '--server-side', '--dry-run=server', '-f', k8s]);
  assert.equal(dryRun.code, 0, dryRun.stderr);
  assert.match(dryRun.stdout, new RegExp(`testrun\\.k6\\.io/${written.metadata.name} serverside-applied \\(server dry run\\)`));
  assert.equal((await api.kubectl(['get', 'testrun', written.metadata.name])).code, 1, 'a dry run stores nothing');

  const applied = await api.kubectl(['apply', '--server-side', '-f', k8s]);
  assert.equal(applied.code, 0, applied.stderr);
  for (const object of [`configmap/${written.metadata.name}`, `testrun.k6.io/${written.metadata.name}`, `pod/${written.metadata.name}-collector`, `service/${written.metadata.name}-collector`]) {
    assert.match(applied.stdout, new RegExp(`${object.replaceAll('.', '\\.')} serverside-applied`));
  }
  const read = await api.kubectl(['get', 'testrun', written.metadata.name, '-o', 'json']);
  assert.equal(read.code, 0, read.stderr);
  const stored = JSON.parse(read.stdout);
  assert.equal(stored.spec.parallelism, 4);
  assert.deepEqual(stored.spec.args, written.spec.args, 'spec.args kept as the list v1.6.0 defines');
  assert.deepEqual(stored.spec.script, written.spec.script);
  assert.deepEqual(stored.spec.runner.env, written.spec.runner.env);
  // A field the CRD's schema lacked would be pruned silently: the reducer must still be a sidecar.
  assert.deepEqual(stored.spec.runner.initContainers, written.spec.runner.initContainers, 'the FIFO init container and the reducer sidecar kept whole');
  assert.equal(stored.spec.runner.initContainers[1].restartPolicy, 'Always');
  assert.deepEqual(stored.spec.runner.volumes, written.spec.runner.volumes);
  const service = JSON.parse((await api.kubectl(['get', 'service', `${written.metadata.name}-collector`, '-o', 'json'])).stdout);
  assert.deepEqual(service.spec.selector, JSON.parse(readFileSync(join(k8s, manifestFiles.collectorService), 'utf8')).spec.selector);

  // DELIVERY=raw: the shared claim and the copying pod instead.
  const raw = await runMake('operator', { SCENARIO: 'mixed', PARALLELISM: '4', PROFILE: 'smoke', DELIVERY: 'raw' });
  assert.equal(raw.code, 0, raw.stderr);
  const rawDryRun = await api.kubectl(['apply', '--server-side', '--dry-run=server', '-f', join(raw.runDir!, 'operator')]);
  assert.equal(rawDryRun.code, 0, rawDryRun.stderr);
  assert.match(rawDryRun.stdout, /persistentvolumeclaim\/loadgate-results serverside-applied \(server dry run\)/);
});

test('a TestRun with parallelism "four" is refused by the CRD schema, in dry run and for real', { timeout: 60_000 }, async () => {
  const malformed = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: 'malformed' },
    spec: { parallelism: 'four', script: { configMap: { name: 'malformed', file: 'archive.tar' } } },
  };
  const file = join(dirname(api.kubeconfig), 'malformed.json');
  writeFileSync(file, JSON.stringify(malformed));
  for (const dryRun of [['--dry-run=server'], []]) {
    // --validate=false: the refusal must come from the server's CRD schema, not kubectl.
    const refused = await api.kubectl(['create', '--validate=false', ...dryRun, '-f', file]);
    assert.notEqual(refused.code, 0, refused.stdout);
    assert.match(refused.stderr, /spec\.parallelism.*must be of type integer/);
  }
  assert.equal((await api.kubectl(['get', 'testrun', 'malformed'])).code, 1, 'nothing stored');
});
