// The k6-operator manifests' structure against the fields k6-operator v1.6 documents for TestRun
// (api/v1alpha1: spec.parallelism, spec.script.configMap.{name,file}, spec.args,
// spec.runner.{image,env,initContainers,volumes,volumeMounts}) and Kubernetes' own objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inClusterTarget, nodeImage, operatorManifests, pinnedRunnerImage, runIdOf, runnerEnvironment, type Manifests } from '../../cli/distributed/operator.ts';
import { collectorArguments, reducerArguments } from '../../cli/distributed/delivery.ts';
import { cloudDistribution } from '../../cli/distributed/settings.ts';
import { SettingError } from '../../lib/config.ts';

const archive = Buffer.from([0x1f, 0x8b, 0, 1, 2, 3, 255]);
const deliveryProgram = Buffer.from('// delivery.mjs\n');
const thresholdKeys = ['http_req_failed', 'http_req_duration{endpoint:feed}'];
const input = { runId: 'loadgate-20261126t054012z-mixed-smoke-operator', scenario: 'mixed', parallelism: 4, image: 'grafana/k6:9.9.9', archive, env: { PROFILE: 'smoke', BASE_URL: inClusterTarget.url }, delivery: 'raw' as const, thresholdKeys, deliveryProgram };
const { pvc, configMap, testRun, collector } = operatorManifests(input) as Required<Manifests>;
const delivered = operatorManifests({ ...input, delivery: 'aggregate' });
type EnvVar = { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } };
const envOf = (list: EnvVar[]) => Object.fromEntries(list.map((entry) => [entry.name, entry.value ?? entry.valueFrom]));
const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

test('the TestRun names the documented fields with this parallelism and the archive in its ConfigMap', () => {
  assert.equal(testRun.apiVersion, 'k6.io/v1alpha1');
  assert.equal(testRun.kind, 'TestRun');
  assert.equal(testRun.spec.parallelism, 4);
  assert.deepEqual(testRun.spec.script, { configMap: { name: configMap.metadata.name, file: 'archive.tar' } });
  assert.deepEqual(Object.keys(configMap.binaryData!), ['archive.tar']);
  assert.deepEqual(Buffer.from(configMap.binaryData!['archive.tar'], 'base64'), archive, 'binaryData holds the archive byte for byte');
  assert.match(testRun.metadata.name, dns1123);
});

test('runners use the pinned image, and the init container too', () => {
  assert.equal(testRun.spec.runner.image, input.image);
  assert.deepEqual(testRun.spec.runner.initContainers.map((c: { image: string }) => c.image), [input.image]);
  assert.equal(collector.spec.containers[0].image, input.image);
});

test("the runner image is the Makefile's k6 version, never :latest", () => {
  const pinned = /^K6_VERSION := v(\S+)$/m.exec(readFileSync('Makefile', 'utf8'))![1];
  assert.equal(pinnedRunnerImage(), `grafana/k6:${pinned}`);
  assert.throws(() => pinnedRunnerImage('K6 ?= k6\n'), /pins no K6_VERSION/);
});

test('each runner writes its raw samples and its summary under its own name on the mounted volume', () => {
  const env = envOf(testRun.spec.runner.env as EnvVar[]);
  assert.deepEqual(env.LOADGATE_RUNNER, { fieldRef: { fieldPath: "metadata.labels['job-name']" } }, 'the job name, <run>-<index>, tells runners apart');
  assert.equal(configMap.binaryData?.['delivery.mjs'], undefined, 'raw delivery runs no reducer');
  const runnerDir = `/results/${input.runId}/$(LOADGATE_RUNNER)`;
  assert.equal(env.LOADGATE_RUN_DIR, runnerDir, "handleSummary's folder");
  assert.ok(testRun.spec.args.includes(`json=${runnerDir}.json.gz`), testRun.spec.args.join(' '));
  assert.match(testRun.spec.args.join(' '), new RegExp(`--tag loadgate_run=${input.runId}`));
  // Kubernetes expands $(VAR) only for variables defined earlier in the list.
  const names = (testRun.spec.runner.env as EnvVar[]).map((entry) => entry.name);
  assert.ok(names.indexOf('LOADGATE_RUNNER') < names.indexOf('LOADGATE_RUN_DIR'));
  assert.equal(env.PROFILE, 'smoke');
  assert.equal(env.K6_NO_USAGE_REPORT, 'true');
  const [init] = testRun.spec.runner.initContainers;
  assert.deepEqual(init.command, ['mkdir', '-p', runnerDir], 'k6 creates neither folder');
  assert.deepEqual(envOf(init.env as EnvVar[]).LOADGATE_RUNNER, env.LOADGATE_RUNNER);
  const claim = pvc.metadata.name;
  for (const spec of [testRun.spec.runner, collector.spec]) {
    assert.deepEqual(spec.volumes, [{ name: claim, persistentVolumeClaim: { claimName: claim } }]);
  }
  for (const mounts of [testRun.spec.runner.volumeMounts, init.volumeMounts, collector.spec.containers[0].volumeMounts]) {
    assert.deepEqual(mounts, [{ name: claim, mountPath: '/results' }]);
  }
  assert.deepEqual(pvc.spec.accessModes, ['ReadWriteMany'], 'runners on several nodes write at once');
});

test('aggregate delivery: a reducer sidecar per runner reads k6 from a FIFO and puts to a collector Service; no claim', () => {
  assert.equal(delivered.pvc, undefined, 'no shared volume');
  assert.deepEqual(Object.keys(delivered.configMap.binaryData!), ['archive.tar', 'delivery.mjs']);
  assert.deepEqual(Buffer.from(delivered.configMap.binaryData!['delivery.mjs'], 'base64'), deliveryProgram);
  const spec = delivered.testRun.spec;
  assert.ok(spec.args.join(' ').includes('--out json=/samples/k6.json'), spec.args.join(' '));
  assert.equal(envOf(spec.runner.env).LOADGATE_RUN_DIR, '/samples/summary');
  const [fifo, reducer] = spec.runner.initContainers;
  assert.equal(fifo.image, input.image);
  assert.equal(fifo.restartPolicy, undefined, 'runs to completion before the reducer and k6 start');
  assert.match(fifo.command.join(' '), /mkfifo -m 644 \/samples\/k6\.json/);
  assert.equal(reducer.image, nodeImage);
  assert.equal(reducer.restartPolicy, 'Always', 'a native sidecar: beside k6, told by SIGTERM when k6 is gone');
  const collectorUrl = `http://${input.runId}-collector:8080`;
  assert.deepEqual(
    reducer.command,
    ['node', '/loadgate/delivery.mjs', ...reducerArguments({ input: '/samples/k6.json', runner: '$(LOADGATE_RUNNER)', thresholdKeys, destination: { url: collectorUrl }, summaryDir: '/samples/summary' })],
  );
  assert.deepEqual(envOf(reducer.env).LOADGATE_RUNNER, envOf(spec.runner.env).LOADGATE_RUNNER, 'the reducer names its runner as the runner does');
  assert.deepEqual(spec.runner.volumes.map((v: { name: string }) => v.name), ['loadgate-samples', 'loadgate-delivery']);
  assert.deepEqual(spec.runner.volumes[0].emptyDir, {}, 'the samples stay in the pod');
  const { collector: pod, collectorService: service } = delivered as Required<Manifests>;
  assert.deepEqual(pod.spec.containers[0].command, ['node', '/loadgate/delivery.mjs', ...collectorArguments({ dir: '/aggregates', listen: '0.0.0.0:8080' })]);
  assert.equal(service.metadata.name, `${input.runId}-collector`);
  assert.ok(`${service.metadata.name}`.length <= 63 && dns1123.test(service.metadata.name));
  const selects = (labels: Record<string, string>) => Object.entries(service.spec.selector as Record<string, string>).every(([k, v]) => labels[k] === v);
  assert.ok(selects(pod.metadata.labels!), 'the Service reaches the collector pod');
  assert.ok(!selects(spec.runner.metadata.labels), 'and never a runner');
});

test('the runners get the variables the scenario reads, never a secret or a CLI-only setting', () => {
  const env = runnerEnvironment({
    PROFILE: 'smoke',
    LOADGATE_VUS: '200',
    LOADGATE_TOKEN: 'abc',
    LOADGATE_TOKEN_SECRET: 'api_token',
    K6_CLOUD_TOKEN: 'def',
    K6_CLOUD_PROJECT_ID: '12',
    RESULTS_DIR: 'results',
    TARGET_ARGS: '-x',
    PARALLELISM: '4',
    LOADGATE_RUN_DIR: '/tmp/x',
    BASE_URL: 'http://api.example.test',
  });
  assert.deepEqual(env, { PROFILE: 'smoke', BASE_URL: 'http://api.example.test', LOADGATE_VUS: '200' });
});

test("run ids are DNS names that leave room for the operator's job and service names", () => {
  const id = runIdOf('results/20261126T054012Z-event-ingestion-baseline-operator-2');
  assert.equal(id, 'lg-20261126t054012z-event-ingestion-baseline-2');
  assert.match(id, dns1123);
  assert.ok(`${id}-service-1000`.length <= 63, id);
});

test('the cloud distribution takes load zones with percents adding up to 100', () => {
  assert.deepEqual(cloudDistribution({}), { 'amazon:us:ashburn': { loadZone: 'amazon:us:ashburn', percent: 100 } });
  assert.deepEqual(Object.keys(cloudDistribution({ LOADGATE_CLOUD_DISTRIBUTION: 'amazon:us:ashburn=60, amazon:ie:dublin=40' })), ['amazon:us:ashburn', 'amazon:ie:dublin']);
  for (const bad of ['amazon:us:ashburn=60', 'ashburn=100', 'amazon:us:ashburn=abc', 'amazon:us:ashburn=50,amazon:us:ashburn=50']) {
    assert.throws(
      () => cloudDistribution({ LOADGATE_CLOUD_DISTRIBUTION: bad }),
      (error: Error) => error instanceof SettingError && error.message === `LOADGATE_CLOUD_DISTRIBUTION="${bad}" is not valid; valid values are: load-zone=percent pairs adding up to 100, separated by commas`,
    );
  }
});
