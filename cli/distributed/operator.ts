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
import { k6Binary, projectRoot, scenarioBundle } from '../paths.ts';
import { writeMeta } from '../record.ts';
import { exitCodes } from '../exit-codes.ts';
import { SettingError } from '../settings.ts';
import { createRunFolder } from '../run-folder.ts';
import { check, resolvedOptions, say } from '../run.ts';
import { rawFileSuffix } from './merge-command.ts';
import { numeric } from '../settings.ts';

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
}

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { fieldRef: { fieldPath: string } } };

export function operatorManifests(input: OperatorInput) {
  // The operator labels runner pods app=k6 itself; ours say which run they belong to.
  const labels = { 'loadgate/run': input.runId, 'loadgate/scenario': input.scenario };
  const runDir = `${resultsMount}/${input.runId}`;
  // Every runner pod carries its job's name (<runId>-<index>), which tells the runners apart;
  // Kubernetes expands $(LOADGATE_RUNNER) in the later variables and in the container command.
  const runnerName: EnvVar = { name: 'LOADGATE_RUNNER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['job-name']" } } };
  const runnerDir = `${runDir}/$(LOADGATE_RUNNER)`;
  const volumeMounts = [{ name: resultsClaim, mountPath: resultsMount }];
  const pvc = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: resultsClaim, labels: { app: 'loadgate' } },
    // Runners land on several nodes and all write to it at once.
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '10Gi' } } },
  };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: input.runId, labels },
    binaryData: { 'archive.tar': input.archive.toString('base64') },
  };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: input.runId, labels },
    spec: {
      parallelism: input.parallelism,
      script: { configMap: { name: input.runId, file: 'archive.tar' } },
      // The operator adds --execution-segment, --tag instance_id=<index> and --tag testrun_name.
      // spec.args (k6-operator v1.6.0) is a list, so no argument depends on how a string is split.
      args: ['--out', `json=${runnerDir}${rawFileSuffix}`, '--tag', `loadgate_run=${input.runId}`, '--log-format=json'],
      runner: {
        image: input.image,
        metadata: { labels },
        env: [
          runnerName,
          { name: 'LOADGATE_RUN_DIR', value: runnerDir },
          { name: 'K6_NO_USAGE_REPORT', value: 'true' },
          ...Object.entries(input.env).map(([name, value]) => ({ name, value })),
        ],
        // k6 creates neither the summary's folder nor the raw file's.
        initContainers: [{ name: 'loadgate-output-folder', image: input.image, command: ['mkdir', '-p', runnerDir], env: [runnerName], volumeMounts }],
        volumeMounts,
        volumes: [{ name: resultsClaim, persistentVolumeClaim: { claimName: resultsClaim } }],
      },
    },
  };
  const collector = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${input.runId}-collect`, labels },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'collect', image: input.image, command: ['sleep', '3600'], volumeMounts }],
      volumes: [{ name: resultsClaim, persistentVolumeClaim: { claimName: resultsClaim } }],
    },
  };
  return { pvc, configMap, testRun, collector };
}

export const manifestFiles = { pvc: 'pvc.json', configMap: 'configmap.json', testRun: 'testrun.json', collector: 'collector.json' } as const;

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
  const manifests = operatorManifests({ runId, scenario, parallelism, image: pinnedRunnerImage(), archive: readFileSync(archive), env: runnerEnv });
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
  for (const [key, file] of Object.entries(manifestFiles)) {
    writeFileSync(join(k8sDir, file), `${JSON.stringify(manifests[key as keyof typeof manifestFiles], null, 2)}\n`);
  }
  writeMeta(dir, {
    scenario,
    profile: config.profileName,
    exitCode: 0,
    reason: `manifests written for ${parallelism} k6-operator runners; nothing ran yet`,
    stoppedEarly: false,
    startedAt: new Date().toISOString(),
    gitCommit: gitCommit(projectRoot),
    k6: k6Version(k6Binary(env)),
    machine: machine(),
    target: { baseUrl: config.baseUrl, startedByLoadgate: false },
    environment: runnerEnv,
    options: resolvedOptions(archive, { PATH: env.PATH, K6_NO_USAGE_REPORT: 'true' }),
  });
  const collectPod = manifests.collector.metadata.name;
  say(`wrote ${k8sDir}: ${Object.values(manifestFiles).join(', ')}`);
  // Server-side apply: client-side apply copies the object into an annotation capped at 256 KiB,
  // less than the ConfigMap may hold.
  say(`run it:     kubectl apply --server-side -f ${join(k8sDir, manifestFiles.pvc)} -f ${join(k8sDir, manifestFiles.configMap)} -f ${join(k8sDir, manifestFiles.testRun)}`);
  say(`collect it: kubectl apply -f ${join(k8sDir, manifestFiles.collector)} && kubectl wait --for=condition=Ready pod/${collectPod} && kubectl cp ${collectPod}:${resultsMount}/${runId} ${join(dir, 'runners')}`);
  say(`merge it:   make merge RUNS=${join(dir, 'runners')}`);
  return exitCodes.passed.code;
}
