// One path for every scenario: validate → run folder → target → captures → k6 → meta and report →
// stop the target → exit with k6's code.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { contactedUrls, firstRefusal } from '../lib/allowlist.ts';
import { ConfigError, parseConfig, type Config } from '../lib/config.ts';
import type { K6Summary } from '../lib/summary/model.ts';
import { captureCpuProfile, captureEndOfRunProfiles, captureMetrics, type CaptureLog } from './capture.ts';
import { exitReason, gitCommit, k6Version, machine, recordedEnv, redactArgs } from './meta.ts';
import { k6Binary, projectRoot, scenarioBundle } from './paths.ts';
import { regenerateReports } from './report.ts';
import { createRunFolder } from './run-folder.ts';
import { Interrupts } from './signals.ts';
import { splitArgs, startService, type RunningService } from './service.ts';

export const exitCodes = { badInput: 2, invalidConfig: 104, interrupted: 105 } as const;

export function scenarioNames(): string[] {
  return readdirSync(resolve(projectRoot, 'scenarios'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3))
    .sort();
}

/** The short variable names the Makefile documents, mapped onto the prefixed ones k6 reads. */
const shortNames: Record<string, string> = {
  EVENTS_PER_SEC: 'LOADGATE_EVENTS_PER_SEC',
  BATCH_SIZE: 'LOADGATE_BATCH_SIZE',
  RPS: 'LOADGATE_RPS',
  VUS: 'LOADGATE_VUS',
  BUFFER_FLUSH_INTERVAL: 'LOADGATE_FLUSH_INTERVAL',
};

export function k6Environment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env, K6_NO_USAGE_REPORT: 'true' };
  for (const [short, long] of Object.entries(shortNames)) {
    if (env[short] && !env[long]) result[long] = env[short];
  }
  return result;
}

/** Refuses before anything starts: bad values, hosts off the allow-list. Returns the sentence or null. */
function validate(env: NodeJS.ProcessEnv): { config: Config } | { error: string } {
  try {
    const config = parseConfig(env);
    // The same list k6 checks in init, plus the profile listener only the CLI talks to.
    const urls = [...contactedUrls(config), ...(env.PPROF_URL ? [env.PPROF_URL] : [])];
    const refusal = firstRefusal(urls, config.allowHosts);
    return refusal ? { error: refusal } : { config };
  } catch (error) {
    if (error instanceof ConfigError) return { error: error.message };
    throw error;
  }
}

function say(line: string): void {
  process.stderr.write(`loadgate: ${line}\n`);
}

/** k6 logs JSON into the run folder; the terminal gets the same lines in a readable form. */
async function runK6(args: string[], env: NodeJS.ProcessEnv, logFile: string, interrupts: Interrupts): Promise<number> {
  const child = spawn(k6Binary(), args, { env, stdio: ['ignore', 'inherit', 'pipe'], detached: true });
  interrupts.forwardTo(child);
  const log = createWriteStream(logFile);
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.write(`${line}\n`);
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
      process.stderr.write(`k6 ${entry.level ?? 'log'}: ${entry.msg ?? ''}${entry.error ? ` (${entry.error})` : ''}\n`);
    } catch {
      process.stderr.write(`${line}\n`);
    }
  });
  // 'close', not 'exit': k6's last log lines may still be in the pipe when the process ends.
  const code = await new Promise<number>((done) => child.once('close', (exit, signal) => done(exit ?? (signal ? 105 : 1))));
  interrupts.forwardTo(null);
  await new Promise((done) => log.end(done));
  return code;
}

function readSummary(dir: string): K6Summary | null {
  const file = join(dir, 'summary.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as K6Summary;
  } catch {
    return null;
  }
}

function resolvedOptions(bundle: string, env: NodeJS.ProcessEnv): unknown {
  try {
    return JSON.parse(execFileSync(k6Binary(), ['inspect', '--execution-requirements', '--include-system-env-vars', bundle], { env, encoding: 'utf8', timeout: 30_000 }));
  } catch {
    return null;
  }
}

export async function runScenario(scenario: string, env: NodeJS.ProcessEnv): Promise<number> {
  const known = scenarioNames();
  if (!known.includes(scenario)) {
    say(`unknown scenario "${scenario}"; valid scenarios are: ${known.join(', ')}`);
    return exitCodes.badInput;
  }
  const k6Env = k6Environment(env);
  const validated = validate(k6Env);
  if ('error' in validated) {
    say(validated.error);
    return exitCodes.invalidConfig;
  }
  const bundle = scenarioBundle(scenario);
  if (!existsSync(bundle)) {
    say(`${bundle} is missing; run "make build"`);
    return exitCodes.badInput;
  }

  const dir = createRunFolder(env.RESULTS_DIR || 'results', scenario, validated.config.profileName);
  const profilesDir = join(dir, 'profiles');
  const startedAt = new Date();
  say(`run folder ${dir}`);

  let target: RunningService | null = null;
  // Last resort for a crash: the target lives in its own process group and would outlive us.
  const stopTargetOnExit = () => target?.stop();
  process.once('exit', stopTargetOnExit);
  const interrupts = new Interrupts();
  try {
    if (!env.BASE_URL && !interrupts.interrupted) {
      target = await startService(splitArgs(env.TARGET_ARGS ?? ''), join(dir, 'service.log'));
      k6Env.BASE_URL = target.baseUrl;
      if (!k6Env.LOADGATE_GRPC_ADDR) k6Env.LOADGATE_GRPC_ADDR = target.grpcAddr;
      say(`started the reference target at ${target.baseUrl}`);
    }
    k6Env.LOADGATE_RUN_DIR = resolve(dir);
    k6Env.K6_WEB_DASHBOARD = 'true';
    k6Env.K6_WEB_DASHBOARD_PORT = '-1'; // no listener: the run must end when the test does
    k6Env.K6_WEB_DASHBOARD_EXPORT = join(resolve(dir), 'report.html');
    k6Env.K6_WEB_DASHBOARD_PERIOD ??= validated.config.profile.dashboardPeriod;
    const config = parseConfig(k6Env);

    const captures: CaptureLog = { files: [], failures: [] };
    const pprofUrl = env.PPROF_URL || target?.debugUrl || '';
    const profiling = env.PROFILE_CAPTURE !== '0' && pprofUrl !== '';
    if (config.metricsUrl) await captureMetrics(config.metricsUrl, profilesDir, 'before', captures);

    const options = resolvedOptions(bundle, k6Env);
    const k6Exited = new AbortController();
    let exitCode: number = exitCodes.interrupted;
    let cpu: Promise<void> | null = null;
    if (!interrupts.interrupted) {
      cpu = profiling ? captureCpuProfile(pprofUrl, profilesDir, config.profile, captures, k6Exited.signal) : null;
      // k6 reads secrets (a bearer token, say) from a secret source and redacts them from its logs.
      const secretSource = env.LOADGATE_SECRET_SOURCE ? [`--secret-source=${env.LOADGATE_SECRET_SOURCE}`] : [];
      // Off a terminal, k6 repeats its progress bars once a second, which buries logs in CI.
      const quiet = process.stdout.isTTY ? [] : ['--quiet'];
      exitCode = await runK6(['run', '--log-format=json', ...quiet, ...secretSource, bundle], k6Env, join(dir, 'k6.log.json'), interrupts);
    }
    k6Exited.abort();
    await cpu;
    // A second Ctrl-C after k6 has ended skips the remaining captures, never the target's stop.
    if (profiling && !interrupts.interrupted) await captureEndOfRunProfiles(pprofUrl, profilesDir, captures);
    if (config.metricsUrl && !interrupts.interrupted) await captureMetrics(config.metricsUrl, profilesDir, 'after', captures);

    const summary = readSummary(dir);
    const reason = exitReason(exitCode, summary);
    const meta = {
      scenario,
      profile: config.profileName,
      reason,
      exitCode,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      gitCommit: gitCommit(projectRoot),
      k6: k6Version(k6Binary()),
      machine: machine(),
      target: {
        baseUrl: config.baseUrl,
        identity: (summary?.setup_data as { target?: unknown } | undefined)?.target ?? null,
        startedByLoadgate: target !== null,
        args: redactArgs(target?.args ?? []),
      },
      environment: recordedEnv(k6Env),
      options,
      captures,
    };
    writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    if (summary) {
      try {
        regenerateReports(dir);
      } catch (error) {
        say(`could not write the reports: ${String(error)}`);
      }
    }
    say(`${reason} (k6 exit code ${exitCode})`);
    return exitCode;
  } finally {
    await target?.stop();
    interrupts.dispose();
    process.off('exit', stopTargetOnExit);
    say(`results in ${dir}`);
  }
}
