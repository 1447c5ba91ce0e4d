// One path for every scenario, as named stages: check → open the run folder → start the service →
// capture "before" → run k6 (CPU profile over the steady state) → capture "after" → record → stop
// the service. Every stage after the folder exists ends in `record`, so every outcome has a meta.json.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { contactedUrls, firstRefusal, refusalFor } from '../lib/allowlist.ts';
import { SettingError } from '../lib/config.ts';
import { runFiles } from '../lib/run-files.ts';
import { redactText } from '../lib/redact.ts';
import { k6Environment, recordedEnvironment, redactArgs, targetEnvironment } from './environment.ts';
import { captureCpuProfile, captureEndOfRunProfiles, captureMetrics, endOfRunProfiles, notCaptured } from './capture.ts';
import { gitCommit, k6Version, machine } from './meta.ts';
import { k6Binary, projectRoot, scenarioBundle, serviceBinary } from './paths.ts';
import { pgoBuild } from './pgo/build.ts';
import { k6RunEnd, loadgateRunEnd, readSummary, writeMeta, type CaptureOutcome, type RunEnd, type RunMeta } from './record.ts';
import { exitCodes, LoadgateError } from './exit-codes.ts';
import { regenerateReports } from './report.ts';
import { parseRunConfig, type RunConfig } from './run-config.ts';
import { createRunFolder, makeResultsDir } from './run-folder.ts';
import { resolveScenario } from './scenario.ts';
import { secretSourceFlag, secretSourceRefusal } from './secret-source.ts';
import { startBackends, type Backends } from './backends.ts';
import { Interrupts } from './signals.ts';
import { dashboardHost, dashboardPort, firstSnapshot, wantsDashboard } from './dashboard.ts';
import { describeDeath, startService, type RunningService, type ServiceDeath } from './service.ts';

export { scenarioNames } from './scenario.ts';

export function say(line: string): void {
  process.stderr.write(`loadgate: ${redactText(line)}\n`);
}

interface Refusal {
  exitCode: number;
  sentence: string;
}

/** Everything that can be refused before a folder exists or a packet is sent. */
export function check(argument: string, env: NodeJS.ProcessEnv): { scenario: string; config: RunConfig; k6Env: NodeJS.ProcessEnv } | Refusal {
  const named = resolveScenario(argument);
  if ('sentence' in named) return { exitCode: exitCodes.badCommandLine.code, sentence: named.sentence };
  const { scenario } = named;
  const k6Env = k6Environment(env);
  let config: RunConfig;
  try {
    config = parseRunConfig(k6Env);
  } catch (error) {
    if (error instanceof SettingError) return { exitCode: exitCodes.invalidConfig.code, sentence: error.message };
    throw error;
  }
  // The same list k6 checks in init, plus the profile listener only the CLI talks to.
  const refusal = firstRefusal([...contactedUrls(config), ...(config.pprofUrl ? [config.pprofUrl] : [])], config.allowHosts);
  if (refusal) return { exitCode: exitCodes.invalidConfig.code, sentence: refusal };
  const secretSource = secretSourceRefusal(config.secretSource);
  if (secretSource) return { exitCode: exitCodes.invalidConfig.code, sentence: secretSource };
  const forReferenceService = ['TARGET_ARGS', 'DB', 'CACHE', 'DATABASE_URL'].filter((name) => env[name]);
  if (env.BASE_URL && forReferenceService.length) {
    const names = forReferenceService.join(', ');
    return { exitCode: exitCodes.invalidConfig.code, sentence: `${names} configure the reference service, which loadgate does not start when BASE_URL is set; unset ${names} or BASE_URL` };
  }
  if (!existsSync(scenarioBundle(scenario))) {
    return { exitCode: exitCodes.badCommandLine.code, sentence: `${scenarioBundle(scenario)} is missing; run "make build"` };
  }
  try {
    accessSync(k6Binary(env), constants.X_OK);
  } catch {
    return { exitCode: exitCodes.k6Failed.code, sentence: `k6 is not an executable at ${k6Binary(env)}; run "make k6" or set K6 to a k6 binary` };
  }
  // Last: it creates RESULTS_DIR itself (never a run folder) when every other check passed.
  const unwritable = makeResultsDir(config.resultsDir);
  if (unwritable) return { exitCode: exitCodes.invalidConfig.code, sentence: unwritable };
  return { scenario, config, k6Env };
}

/** Sets k6's dashboard listener (or none); report.html is exported either way. Returns its URL or ''. */
async function liveDashboard(k6Env: NodeJS.ProcessEnv, config: RunConfig, env: NodeJS.ProcessEnv): Promise<string> {
  const port = wantsDashboard(config, env, Boolean(process.stdout.isTTY)) ? await dashboardPort() : null;
  k6Env.K6_WEB_DASHBOARD_HOST = dashboardHost;
  // -1: k6 exports report.html without listening anywhere.
  k6Env.K6_WEB_DASHBOARD_PORT = String(port ?? -1);
  if (!port && config.dashboard === 'on') say('live dashboard: off, no free port between 5665 and 5764');
  return port ? `http://${dashboardHost}:${port}` : '';
}

/** What the stages share. */
export interface Run {
  scenario: string;
  dir: string;
  startedAt: Date;
  config: RunConfig;
  k6Env: NodeJS.ProcessEnv;
  interrupts: Interrupts;
  /** The environment the command was given: the service's and the reports' (GITHUB_STEP_SUMMARY). */
  env: NodeJS.ProcessEnv;
  /** loadgate starts the reference service only when the user named no API of their own. */
  ownsService: boolean;
  service: RunningService | null;
  /** The throwaway PostgreSQL and Redis of DB=postgres and CACHE=redis. */
  backends?: Backends;
  pprofUrl: string;
  /** Why no profile will be captured, when none will. */
  pprofNote?: string;
  /** The live dashboard's URL, '' when it is off. */
  dashboardUrl?: string;
  captures: CaptureOutcome[];
  /** `k6 inspect` of the bundle: the thresholds a merged distributed run is judged by. */
  options?: unknown;
  /** The k6 processes of a distributed run (cli/distributed), recorded in meta.json. */
  instances?: RunMeta['instances'];
  merge?: RunMeta['merge'];
  /** What a command running the scenario changes about the run (make pgo, make pgo-verify). */
  hooks: RunHooks;
}

export interface RunHooks {
  /** Replaces the steady-state CPU capture (make pgo takes it in chunks and merges them). */
  captureCpu?: typeof captureCpuProfile;
  /** Another build of the reference service (make pgo-verify's PGO off and on builds). */
  serviceBinary?: string;
}

/** Starts k6 with these arguments and waits for it; a distributed run starts several instead. */
export type K6Launcher = (args: string[], run: Run) => Promise<RunEnd>;

async function startServiceStage(run: Run): Promise<RunEnd | null> {
  if (!run.ownsService || run.interrupts.interrupted) return null;
  try {
    run.backends = await startBackends(run.config, run.dir, say);
    // TARGET_ENV (GOGC, GOMEMLIMIT) reaches the service only: k6 is a Go program too.
    const serviceEnv = { ...run.env, ...targetEnvironment(run.k6Env), ...run.backends.serviceEnv };
    run.service = await startService(run.config.targetArgs, join(run.dir, runFiles.serviceLog), undefined, serviceEnv, run.hooks.serviceBinary);
  } catch (error) {
    // The run folder exists: meta.json and REPORT.md record why the service is missing.
    if (!(error instanceof LoadgateError)) throw error;
    return loadgateRunEnd(error.code, error.message);
  }
  run.k6Env.BASE_URL = run.service.baseUrl;
  run.k6Env.LOADGATE_GRPC_ADDR ||= run.service.grpcAddr;
  run.config = parseRunConfig(run.k6Env);
  run.pprofUrl ||= run.service.debugUrl;
  say(`started the reference service at ${run.service.baseUrl}`);
  return null;
}

function profiling(run: Run): boolean {
  return run.config.profileCapture && run.pprofUrl !== '';
}

/**
 * Many Go services mount net/http/pprof on their API port; without PPROF_URL, a loopback target
 * is asked once. Returns why nothing will be captured, or '' when a listener was found.
 */
async function findPprof(run: Run): Promise<string> {
  if (run.pprofUrl || !run.config.profileCapture) return '';
  const candidate = `${run.config.baseUrl}/debug/pprof/`;
  if (refusalFor(candidate, []) !== null) return 'PPROF_URL is unset and the target is not on loopback, where loadgate would look for /debug/pprof/';
  try {
    const response = await fetch(candidate, { redirect: 'error', signal: AbortSignal.timeout(2_000) });
    if (response.ok) {
      run.pprofUrl = run.config.baseUrl;
      say(`profiles: found ${candidate}; capturing from it (set PPROF_URL to use another listener)`);
      return '';
    }
    return `PPROF_URL is unset and ${candidate} answered ${response.status}`;
  } catch (error) {
    return `PPROF_URL is unset and ${candidate} did not answer (${String(error)})`;
  }
}

async function loadStage(run: Run, bundle: string, launch: K6Launcher): Promise<RunEnd> {
  if (run.config.metricsUrl) run.captures.push(await captureMetrics(run.config.metricsUrl, run.dir, 'before'));
  if (run.interrupts.interrupted) return loadgateRunEnd('interrupted', 'interrupted before k6 started');
  const k6Exited = new AbortController();
  const cpu = profiling(run) ? (run.hooks.captureCpu ?? captureCpuProfile)(run.pprofUrl, run.dir, run.config.profile, k6Exited.signal) : null;
  // k6 reads secrets (a bearer token, say) from a secret source and redacts them from its logs.
  const secretSource = secretSourceFlag(run.config.secretSource);
  // Off a terminal, k6 repeats its progress bars once a second, which buries logs in CI.
  const quiet = process.stdout.isTTY ? [] : ['--quiet'];
  if (run.dashboardUrl) {
    const url = run.dashboardUrl;
    void firstSnapshot(url, k6Exited.signal).then((live) => live && say(`live dashboard at ${url} while the run lasts (DASHBOARD=off turns it off)`));
  }
  const end = await launch(['run', '--log-format=json', ...quiet, ...secretSource.flags, bundle], run).finally(secretSource.cleanUp);
  k6Exited.abort();
  if (cpu) run.captures.push(await cpu);
  return end;
}

/** k6 logs JSON into the run folder; the terminal gets the same lines in a readable form. */
export async function runK6(args: string[], run: Run, watch?: (entry: { level?: string; msg?: string }, child: ChildProcess) => void): Promise<RunEnd> {
  // No REST API listener: loadgate never drives k6 through it, and a fixed port (k6's 6565) would
  // make two runs on one machine collide. `--address=` before the script is k6's "off".
  const [command, ...rest] = args;
  const child = spawn(k6Binary(run.env), [command, '--address=', ...rest], { env: run.k6Env, stdio: ['ignore', 'inherit', 'pipe'], detached: true });
  run.interrupts.forwardTo(child);
  const log = createWriteStream(join(run.dir, runFiles.k6Log));
  let lastError = '';
  createInterface({ input: child.stderr! }).on('line', (raw) => {
    const line = redactText(raw);
    log.write(`${line}\n`);
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
      // The first line only: k6 appends a JavaScript stack to an exception's message.
      if (entry.level === 'error') lastError = (entry.msg ?? entry.error ?? '').split('\n')[0];
      watch?.(entry, child);
      process.stderr.write(`k6 ${entry.level ?? 'log'}: ${entry.msg ?? ''}${entry.error ? ` (${entry.error})` : ''}\n`);
    } catch {
      process.stderr.write(`${line}\n`);
    }
  });
  // A dead service turns the rest of the schedule into connection errors: stop k6 at once (one
  // SIGINT lets it write its summary) and say why, instead of waiting out the profile.
  let death = null as ServiceDeath | null;
  void run.service?.died.then((d) => {
    death = d;
    say(`the reference service ${describeDeath(d)} during the run; stopping k6. Its last lines:\n${d.lastLines.map((line) => `  ${line}`).join('\n')}`);
    if (child.exitCode === null) child.kill('SIGINT');
  });
  // 'close', not 'exit': k6's last log lines may still be in the pipe when the process ends.
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
    child.once('error', (error) => done({ code: null, signal: null, error }));
    child.once('close', (code, signal) => done({ code, signal }));
  });
  run.interrupts.forwardTo(null);
  await new Promise((done) => log.end(done));
  if (death) return loadgateRunEnd('serviceDied', `the reference service ${describeDeath(death)} during the run (its log: ${runFiles.serviceLog})`);
  if (ended.error) return loadgateRunEnd('k6Failed', `k6 could not be started: ${ended.error.message}`);
  if (ended.code !== null) return k6RunEnd(ended.code, readSummary(run.dir), lastError);
  if (run.interrupts.interrupted) return k6RunEnd(exitCodes.interrupted.code, readSummary(run.dir));
  return loadgateRunEnd('k6Failed', `k6 died from ${ended.signal} without an exit code`);
}

async function captureAfterStage(run: Run): Promise<void> {
  if (!profiling(run)) {
    const why = !run.config.profileCapture ? 'capture was off (PROFILE_CAPTURE=off)' : run.pprofNote || 'no pprof listener';
    run.captures.push(...notCaptured(['cpu', ...endOfRunProfiles], 'off', why));
  } else if (run.interrupts.interrupted) {
    // A second Ctrl-C after k6 has ended skips the remaining captures, never the service's stop.
    run.captures.push(...notCaptured(endOfRunProfiles, 'skipped', 'the run was interrupted'));
  } else {
    run.captures.push(...(await captureEndOfRunProfiles(run.pprofUrl, run.dir)));
  }
  if (run.config.metricsUrl && !run.interrupts.interrupted) run.captures.push(await captureMetrics(run.config.metricsUrl, run.dir, 'after'));
}

/** The resolved options, read on this machine: k6 inspect uploads nothing, so it may see the environment. */
export function resolvedOptions(bundle: string, env: NodeJS.ProcessEnv): unknown {
  try {
    return JSON.parse(execFileSync(k6Binary(env), ['inspect', '--execution-requirements', '--include-system-env-vars', bundle], { env, encoding: 'utf8', timeout: 30_000 }));
  } catch {
    return null;
  }
}

/** Writes meta.json and the reports (REPORT.md says why when k6 left no summary); returns the exit code. */
function recordStage(run: Run, ended: RunEnd, options: unknown): number {
  const summary = readSummary(run.dir);
  const end = run.backends?.amend(ended) ?? ended;
  writeMeta(run.dir, {
    scenario: run.scenario,
    profile: run.config.profileName,
    ...end,
    startedAt: run.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    gitCommit: gitCommit(projectRoot),
    k6: k6Version(k6Binary(run.env)),
    machine: machine(),
    target: {
      baseUrl: run.ownsService ? run.service?.baseUrl : run.config.baseUrl,
      identity: (summary?.setup_data as { target?: unknown } | undefined)?.target ?? null,
      startedByLoadgate: run.ownsService,
      args: redactArgs(run.service?.args ?? run.config.targetArgs),
      // Read from the binary's own build settings: a committed default.pgo is used unless PGO=off.
      pgo: run.ownsService ? (pgoBuild(run.hooks.serviceBinary ?? serviceBinary) ?? undefined) : undefined,
    },
    environment: recordedEnvironment(run.k6Env),
    options,
    captures: run.captures,
    instances: run.instances,
    merge: run.merge,
    backends: run.backends?.record(),
  });
  try {
    regenerateReports(run.dir, run.env);
  } catch (error) {
    say(`could not write the reports: ${String(error)}`);
  }
  say(`${end.reason} (exit code ${end.exitCode})`);
  return end.exitCode;
}

export async function runScenario(argument: string, env: NodeJS.ProcessEnv, launch: K6Launcher = runK6, hooks: RunHooks = {}): Promise<number> {
  const checked = check(argument, env);
  if ('sentence' in checked) {
    say(checked.sentence);
    return checked.exitCode;
  }
  const { scenario, config, k6Env } = checked;
  const dir = createRunFolder(config.resultsDir, scenario, config.profileName);
  say(`run folder ${dir}`);
  const run: Run = {
    scenario,
    dir,
    startedAt: new Date(),
    config,
    k6Env,
    env,
    interrupts: new Interrupts(),
    ownsService: !k6Env.BASE_URL,
    service: null,
    pprofUrl: config.pprofUrl,
    captures: [],
    hooks,
  };
  // Last resort for a crash: the service lives in its own process group and would outlive us.
  const stopServiceOnExit = () => {
    run.service?.stop();
    run.backends?.killNow();
  };
  process.once('exit', stopServiceOnExit);
  try {
    const bundle = scenarioBundle(scenario);
    k6Env.LOADGATE_RUN_DIR = resolve(dir);
    k6Env.K6_WEB_DASHBOARD = 'true';
    run.dashboardUrl = await liveDashboard(k6Env, config, env);
    k6Env.K6_WEB_DASHBOARD_EXPORT = join(resolve(dir), runFiles.dashboard);
    k6Env.K6_WEB_DASHBOARD_PERIOD = config.dashboardPeriod;
    // The load shape does not depend on where the service listens, so it is known even if it fails.
    const options = resolvedOptions(bundle, k6Env);
    run.options = options;
    const failedStart = await startServiceStage(run);
    if (failedStart) return recordStage(run, failedStart, options);
    run.pprofNote = await findPprof(run);
    if (run.pprofNote) say(`profiles: not captured: ${run.pprofNote}`);
    const end = await loadStage(run, bundle, launch);
    await captureAfterStage(run);
    return recordStage(run, end, options);
  } finally {
    await run.service?.stop();
    await run.backends?.stop();
    run.interrupts.dispose();
    process.off('exit', stopServiceOnExit);
    say(`results in ${dir}`);
  }
}
