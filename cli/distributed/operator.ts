// `make operator SCENARIO=<name> PARALLELISM=<n>`: everything the k6-operator needs for one
// distributed run, written into a run folder: the k6 archive, a ConfigMap holding it, a TestRun
// with n runners on the pinned k6 image, a volume claim the runners write their raw samples and
// summaries to, and a pod to copy them out with. Manifests are JSON, which is YAML too and which
// kubectl applies as it is; a serializer cannot get YAML's quoting wrong.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { urlCredentialIn } from '../environment.ts';
import { variables, type Variable } from '../variables.ts';
import { gitCommit, k6Version, machine } from '../meta.ts';
import { deliveryBundle, k6Binary, projectRoot, scenarioBundle } from '../paths.ts';
import { writeMeta } from '../record.ts';
import { exitCodes } from '../exit-codes.ts';
import { SettingError } from '../settings.ts';
import { createRunFolder } from '../run-folder.ts';
import { check, resolvedOptions, say } from '../run.ts';
import { rawFileSuffix } from './merge-command.ts';
import { choice, numeric } from '../settings.ts';
import { collectorArguments, reducerArguments, type Delivery } from './delivery.ts';

/** k6-operator's documented limit for a script held in a ConfigMap. */
export const configMapLimitBytes = 1024 * 1024;
/** Where the runners mount the results volume. */
const resultsMount = '/results';
const resultsClaim = 'loadgate-results';
/** The target when BASE_URL is unset: a Service of this name in the TestRun's namespace. */
export const inClusterTarget = { host: 'loadgate-service', url: 'http://loadgate-service:8080' };

/** The k6 the Makefile pins (K6_VERSION, written only there), as a runner image tag. */
export function pinnedRunnerImage(makefile = readFileSync(join(projectRoot, 'Makefile'), 'utf8')): string {
  const version = /^K6_VERSION := v(\S+)$/m.exec(makefile)?.[1];
  if (!version) throw new Error('the Makefile pins no K6_VERSION := v<version>');
  return `grafana/k6:${version}`;
}

export interface OperatorInput {
  /** DNS-1123 name shared by the TestRun, its ConfigMap and the runners' output folder. */
  runId: string;
  scenario: string;
  parallelism: number;
  image: string;
  archive: Buffer;
  /** Variables the scenario reads, as the runners' environment. */
  env: Record<string, string>;
  /** aggregate: a reducer sidecar per runner delivers to a collector pod; raw: every sample on a shared claim. */
  delivery: Delivery;
  /** The run's threshold keys, for the reducers' submetrics. */
  thresholdKeys: string[];
  /** dist/delivery.mjs, which the reducers and the collector run. */
  deliveryProgram: Buffer;
}

/**
 * The reducer and collector need node and nothing else; the major version the CLI is built and
 * tested with (package.json's engines, .github/workflows).
 */
export const nodeImage = 'node:20-alpine';
const collectorPort = 8080;
/** Inside a runner pod: the FIFO k6 writes its samples into, and handleSummary's folder. */
const samplesMount = '/samples';
const samplesFifo = `${samplesMount}/k6.json`;
const summaryDir = `${samplesMount}/summary`;
const programMount = '/loadgate';
const programFile = 'delivery.mjs';

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { fieldRef: { fieldPath: string } } };

export const manifestFiles = {
  pvc: 'pvc.json',
  configMap: 'configmap.json',
  collector: 'collector.json',
  collectorService: 'collector-service.json',
  testRun: 'testrun.json',
} as const;

/** A Kubernetes object as written; its spec is whatever its kind defines, so it stays open. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; binaryData?: Record<string, string> };
export type Manifests = { configMap: Manifest; testRun: Manifest; collector: Manifest; pvc?: Manifest; collectorService?: Manifest };

export function operatorManifests(input: OperatorInput): Manifests {
  // The operator labels runner pods app=k6 itself; ours say which run they belong to.
  const labels = { 'loadgate/run': input.runId, 'loadgate/scenario': input.scenario };
  // Every runner pod carries its job's name (<runId>-<index>), which tells the runners apart;
  // Kubernetes expands $(LOADGATE_RUNNER) in the later variables and in the container command.
  const runnerName: EnvVar = { name: 'LOADGATE_RUNNER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['job-name']" } } };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: input.runId, labels },
    binaryData: {
      'archive.tar': input.archive.toString('base64'),
      ...(input.delivery === 'aggregate' ? { [programFile]: input.deliveryProgram.toString('base64') } : {}),
    },
  };
  const testRun = (args: string[], runDir: string, runner: { initContainers: object[]; volumeMounts: object[]; volumes: object[] }): Manifest => ({
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: input.runId, labels },
    spec: {
      parallelism: input.parallelism,
      script: { configMap: { name: input.runId, file: 'archive.tar' } },
      // The operator adds --execution-segment, --tag instance_id=<index> and --tag testrun_name.
      // spec.args (k6-operator v1.6.0) is a list, so no argument depends on how a string is split.
      args: [...args, '--tag', `loadgate_run=${input.runId}`, '--log-format=json'],
      runner: {
        image: input.image,
        metadata: { labels },
        env: [
          runnerName,
          { name: 'LOADGATE_RUN_DIR', value: runDir },
          { name: 'K6_NO_USAGE_REPORT', value: 'true' },
          ...Object.entries(input.env).map(([name, value]) => ({ name, value })),
        ],
        ...runner,
      },
    },
  });
  if (input.delivery === 'raw') return rawDelivery(input, labels, runnerName, configMap, testRun);
  const samples = { name: 'loadgate-samples', mountPath: samplesMount };
  const program = { name: 'loadgate-delivery', mountPath: programMount, readOnly: true };
  const programVolume = { name: program.name, configMap: { name: input.runId, items: [{ key: programFile, path: programFile }] } };
  const collectorName = `${input.runId}-collector`;
  const collectorLabels = { ...labels, 'loadgate/role': 'collector' };
  const reducer = reducerArguments({
    input: samplesFifo,
    runner: '$(LOADGATE_RUNNER)',
    thresholdKeys: input.thresholdKeys,
    destination: { url: `http://${collectorName}:${collectorPort}` },
    summaryDir,
  });
  return {
    configMap,
    collector: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: collectorName, labels: collectorLabels },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'collect',
            image: nodeImage,
            command: ['node', `${programMount}/${programFile}`, ...collectorArguments({ dir: '/aggregates', listen: `0.0.0.0:${collectorPort}` })],
            ports: [{ containerPort: collectorPort }],
            volumeMounts: [{ name: 'aggregates', mountPath: '/aggregates' }, program],
          },
        ],
        volumes: [{ name: 'aggregates', emptyDir: {} }, programVolume],
      },
    },
    collectorService: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: collectorName, labels },
      spec: { selector: collectorLabels, ports: [{ port: collectorPort, targetPort: collectorPort }] },
    },
    testRun: testRun(['--out', `json=${samplesFifo}`], summaryDir, {
      initContainers: [
        // A plain init container, so the FIFO exists before the reducer opens it and before k6
        // would otherwise create a regular file of that name.
        { name: 'loadgate-fifo', image: input.image, command: ['sh', '-c', `mkfifo -m 644 ${samplesFifo} && mkdir -p ${summaryDir}`], volumeMounts: [samples] },
        // A native sidecar (restartPolicy Always, Kubernetes 1.29+): it runs beside k6 and gets
        // SIGTERM once k6 has exited.
        { name: 'loadgate-reducer', image: nodeImage, restartPolicy: 'Always', command: ['node', `${programMount}/${programFile}`, ...reducer], env: [runnerName], volumeMounts: [samples, program] },
      ],
      volumeMounts: [samples],
      volumes: [{ name: samples.name, emptyDir: {} }, programVolume],
    }),
  } satisfies Manifests;
}

/** Today's other path: every runner writes its raw samples and summary to one ReadWriteMany claim. */
function rawDelivery(
  input: OperatorInput,
  labels: Record<string, string>,
  runnerName: EnvVar,
  configMap: Manifest,
  testRun: (args: string[], runDir: string, runner: { initContainers: object[]; volumeMounts: object[]; volumes: object[] }) => Manifest,
): Manifests {
  const runnerDir = `${resultsMount}/${input.runId}/$(LOADGATE_RUNNER)`;
  const volumeMounts = [{ name: resultsClaim, mountPath: resultsMount }];
  const volumes = [{ name: resultsClaim, persistentVolumeClaim: { claimName: resultsClaim } }];
  return {
    pvc: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: resultsClaim, labels: { app: 'loadgate' } },
      // Runners land on several nodes and all write to it at once.
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '10Gi' } } },
    },
    configMap,
    testRun: testRun(['--out', `json=${runnerDir}${rawFileSuffix}`], runnerDir, {
      // k6 creates neither the summary's folder nor the raw file's.
      initContainers: [{ name: 'loadgate-output-folder', image: input.image, command: ['mkdir', '-p', runnerDir], env: [runnerName], volumeMounts }],
      volumeMounts,
      volumes,
    }),
    collector: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${input.runId}-collect`, labels },
      spec: { restartPolicy: 'Never', containers: [{ name: 'collect', image: input.image, command: ['sleep', '3600'], volumeMounts }], volumes },
    },
  };
}

/** What the runners need to read the same options the archive froze: the set, non-secret variables k6 reads. */
export function runnerEnvironment(k6Env: NodeJS.ProcessEnv): Record<string, string> {
  const table: readonly Variable[] = variables;
  const env: Record<string, string> = {};
  for (const entry of table) {
    if (entry.readBy === 'cli' || entry.secret || entry.internal || entry.name.startsWith('K6_CLOUD')) continue;
    const value = k6Env[entry.name]?.trim();
    if (value) env[entry.name] = value;
  }
  return env;
}

/**
 * lg-<stamp>-<scenario>-<profile> from the run folder's name. The operator derives <id>-<index> jobs
 * and <id>-service-<index> services from it; both must stay DNS labels (63 characters).
 */
export function runIdOf(dir: string): string {
  const name = basename(dir).toLowerCase().replace('-operator', '');
  return `lg-${name}`.replace(/[^a-z0-9-]/g, '-').slice(0, 48).replace(/-+$/, '');
}

export async function operatorCommand(argument: string, env: NodeJS.ProcessEnv, limitBytes = configMapLimitBytes): Promise<number> {
  const parallelism = numeric(env, 'PARALLELISM');
  const delivery = choice(env, 'DELIVERY') as Delivery;
  // The archive and testrun.json carry the runners' variables: a URL's credential would ride along.
  const withCredential = urlCredentialIn(env);
  if (withCredential) {
    throw new SettingError(
      `${withCredential} carries a credential (user:password@ or a password parameter), which the k6 archive and the manifests would carry; give the runners their credentials through their own environment (a Kubernetes Secret in the TestRun's runner.env) instead`,
    );
  }
  // Loopback inside a pod is the pod itself: without BASE_URL the runners load the in-cluster Service.
  const targetEnv = { ...env };
  if (!env.BASE_URL?.trim()) {
    targetEnv.BASE_URL = inClusterTarget.url;
    targetEnv.LOADGATE_ALLOW_HOSTS = [env.LOADGATE_ALLOW_HOSTS, inClusterTarget.host].filter(Boolean).join(',');
    say(`BASE_URL is unset: the runners will load ${inClusterTarget.url}, a Service named ${inClusterTarget.host} in the TestRun's namespace; set BASE_URL (and LOADGATE_ALLOW_HOSTS) for your own API`);
  }
  const checked = check(argument, targetEnv);
  if ('sentence' in checked) {
    say(checked.sentence);
    return checked.exitCode;
  }
  const { scenario, config, k6Env } = checked;
  const runnerEnv = { ...runnerEnvironment(k6Env), PROFILE: config.profileName };
  const dir = createRunFolder(config.resultsDir, scenario, `${config.profileName}-operator`);
  const runId = runIdOf(dir);
  const archive = join(resolve(dir), 'archive.tar');
  // Options freeze when the archive is built, so it is built with exactly the runners' variables.
  const vars = Object.entries(runnerEnv).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  try {
    execFileSync(k6Binary(env), ['archive', '--quiet', '--log-format=json', '-O', archive, ...vars, scenarioBundle(scenario)], {
      env: { PATH: env.PATH, K6_NO_USAGE_REPORT: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n').pop();
    say(`k6 archive failed: ${stderr}`);
    return exitCodes.scriptError.code;
  }
  const options = resolvedOptions(archive, { PATH: env.PATH, K6_NO_USAGE_REPORT: 'true' });
  const manifests = operatorManifests({
    runId,
    scenario,
    parallelism,
    image: pinnedRunnerImage(),
    archive: readFileSync(archive),
    env: runnerEnv,
    delivery,
    thresholdKeys: Object.keys((options as { thresholds?: Record<string, unknown> } | null)?.thresholds ?? {}),
    deliveryProgram: readFileSync(deliveryBundle),
  });
  const configMapText = JSON.stringify(manifests.configMap);
  if (Buffer.byteLength(configMapText) > limitBytes) {
    say(
      `the k6 archive is ${readFileSync(archive).length} bytes, ${Buffer.byteLength(configMapText)} as a ConfigMap, over the ${limitBytes} bytes a ConfigMap can hold; ` +
        `put ${archive} on a volume and point the TestRun's script.volumeClaim at it instead`,
    );
    return exitCodes.invalidConfig.code;
  }
  const k8sDir = join(dir, 'operator');
  mkdirSync(k8sDir, { recursive: true });
  const written = (Object.keys(manifestFiles) as Array<keyof typeof manifestFiles>).filter((key) => manifests[key]);
  for (const key of written) writeFileSync(join(k8sDir, manifestFiles[key]), `${JSON.stringify(manifests[key], null, 2)}\n`);
  writeMeta(dir, {
    scenario,
    profile: config.profileName,
    exitCode: 0,
    reason: `manifests written for ${parallelism} k6-operator runners delivering ${delivery === 'aggregate' ? 'aggregates to a collector' : 'raw samples to a claim'}; nothing ran yet`,
    stoppedEarly: false,
    startedAt: new Date().toISOString(),
    gitCommit: gitCommit(projectRoot),
    k6: k6Version(k6Binary(env)),
    machine: machine(),
    target: { baseUrl: config.baseUrl, startedByLoadgate: false },
    environment: runnerEnv,
    options,
  });
  const collectPod = manifests.collector.metadata.name;
  const file = (key: keyof typeof manifestFiles) => `-f ${join(k8sDir, manifestFiles[key])}`;
  say(`wrote ${k8sDir}: ${written.map((key) => manifestFiles[key]).join(', ')}`);
  // Server-side apply: client-side apply copies the object into an annotation capped at 256 KiB,
  // less than the ConfigMap may hold.
  if (delivery === 'aggregate') {
    say(`run it:     kubectl apply --server-side ${file('configMap')} ${file('collector')} ${file('collectorService')} ${file('testRun')}`);
    say(`collect it: kubectl get testrun ${runId} -w   (until stage "finished"), then kubectl cp ${collectPod}:/aggregates ${join(dir, 'runners')}`);
  } else {
    say(`run it:     kubectl apply --server-side ${file('pvc')} ${file('configMap')} ${file('testRun')}`);
    say(`collect it: kubectl apply ${file('collector')} && kubectl wait --for=condition=Ready pod/${collectPod} && kubectl cp ${collectPod}:${resultsMount}/${runId} ${join(dir, 'runners')}`);
  }
  say(`merge it:   make merge RUNS=${join(dir, 'runners')}`);
  return exitCodes.passed.code;
}
