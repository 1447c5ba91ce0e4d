// `make gate BASE=<git ref>`: base and head measured side by side on this machine, so its speed
// cancels out. The reference service is built at the base commit in a throwaway git worktree; head
// is the work tree's own build. After one warm-up run of each (discarded: first-run page cache,
// JIT of the bundle, Go's first GC cycles), REPEAT rounds alternate base, head / head, base (ABBA),
// so a drift in machine load lands on both sides alike. GATE_HEAD_ARGS gives head's service extra
// flags (fault injection for tests and calibration); GATE_CMD restarts a team's own service.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseRunConfig } from '../run-config.ts';
import { k6Environment, splitArgs } from '../environment.ts';
import { projectRoot, serviceBinary } from '../paths.ts';
import { readMeta } from '../record.ts';
import { exitCodes, refusalError } from '../exit-codes.ts';
import { createRunFolder } from '../run-folder.ts';
import { check, runK6, runScenario, say, type K6Launcher } from '../run.ts';
import { resolveScenario } from '../scenario.ts';
import { waitForHealth } from '../runs/health.ts';
import { SettingError, text } from '../settings.ts';
import { decideRounds, type Round } from './ab-compare.ts';
import { writeAbReport, type AbReport } from './ab-render.ts';
import { machine } from '../meta.ts';
import { machineIdentity } from './baseline.ts';
import { findCause } from './cause.ts';
import { appendHistory } from './history.ts';
import { readRunFigures } from '../runs/figures.ts';

export type Side = 'base' | 'head';

export interface AbSettings {
  scenarioArgument: string;
  scenario: string;
  profile: string;
  resultsDir: string;
  rounds: number;
  base: { ref: string; commit: string };
  head: { commit: string; dirty: boolean };
  headArgs: string[];
  /** A team's service: the command that (re)starts it at a side's commit, and its health URL. */
  command: string;
  healthUrl: string;
}

const git = (args: string[]) => execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The ABBA order after the warm-up pair: base, head, head, base, base, head… */
export function schedule(rounds: number): Array<{ round: number; side: Side }> {
  const runs: Array<{ round: number; side: Side }> = [{ round: 0, side: 'base' }, { round: 0, side: 'head' }];
  for (let round = 1; round <= rounds; round++) {
    const order: Side[] = round % 2 === 1 ? ['base', 'head'] : ['head', 'base'];
    for (const side of order) runs.push({ round, side });
  }
  return runs;
}

export function abSettings(scenarioArgument: string | undefined, env: NodeJS.ProcessEnv): AbSettings {
  const argument = (scenarioArgument || env.SCENARIO || '').trim();
  const named = resolveScenario(argument);
  if ('sentence' in named) throw new SettingError(`SCENARIO="${argument}" is not valid: ${named.sentence}`);
  const config = parseRunConfig(k6Environment(env));
  const ref = env.BASE!.trim();
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new SettingError(`BASE="${ref}" is not valid: it names no commit of this repository; valid values are a branch, tag or commit (HEAD, main~1, origin/main, a SHA)`);
  }
  const roundsText = text(env, 'REPEAT');
  const rounds = Number(roundsText);
  if (!/^\d+$/.test(roundsText) || rounds < 2 || rounds > 10) throw new SettingError(`REPEAT="${roundsText}" is not valid for a side-by-side gate; valid values are 2 to 10 rounds (each a base and a head run)`);
  const command = text(env, 'GATE_CMD');
  const baseUrl = env.BASE_URL?.trim() ?? '';
  if (baseUrl && !command) throw new SettingError(`BASE_URL="${baseUrl}" would serve base and head alike; unset it (loadgate builds and starts the reference service at each side), or set GATE_CMD to the command that starts your service at {ref}`);
  if (command && !baseUrl) throw new SettingError(`GATE_CMD starts a service of your own; set BASE_URL to where it listens`);
  const headArgs = splitArgs(text(env, 'GATE_HEAD_ARGS'));
  // Both sides' runs checked before anything is built or sent.
  for (const side of ['base', 'head'] as const) {
    const checked = check(argument, sideEnvironment(env, side, headArgs, command !== ''));
    if ('sentence' in checked) throw refusalError(checked.exitCode, `${side}: ${checked.sentence}`);
  }
  if (headArgs.length && !command) {
    // The service's own flag parser judges them, before anything is built or sent.
    const result = spawnSync(serviceBinary, [...headArgs, '-version'], { encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) {
      const why = `${result.stderr ?? ''}${result.error ?? ''}`.split('\n').map((line) => line.trim()).filter(Boolean)[0] ?? `exit code ${result.status}`;
      throw new SettingError(`GATE_HEAD_ARGS="${text(env, 'GATE_HEAD_ARGS')}" is not valid: the reference service refuses it ("${why}"); valid values are its flags (service/bin/loadgate-service -h), e.g. -fault-cpu feed=3ms`);
    }
  }
  const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', 'service']) !== '';
  return {
    scenarioArgument: argument,
    scenario: named.scenario,
    profile: config.profileName,
    resultsDir: config.resultsDir,
    rounds,
    base: { ref, commit },
    head: { commit: git(['rev-parse', 'HEAD']), dirty },
    headArgs,
    command,
    healthUrl: baseUrl ? `${baseUrl.replace(/\/$/, '')}/healthz` : '',
  };
}

function sideEnvironment(env: NodeJS.ProcessEnv, side: Side, headArgs: string[], ownService: boolean): NodeJS.ProcessEnv {
  const targetArgs = [...splitArgs(env.TARGET_ARGS ?? ''), ...(side === 'head' ? headArgs : [])].join(' ');
  return { ...env, DASHBOARD: 'off', ...(ownService ? {} : { TARGET_ARGS: targetArgs }) };
}

/** The reference service built at the base commit, once per commit (go's build cache does the rest). */
function buildBase(commit: string): string {
  const binary = resolve(projectRoot, 'service', 'bin', `gate-base-${commit.slice(0, 12)}`, 'loadgate-service');
  if (existsSync(binary)) return binary;
  const tree = mkdtempSync(join(tmpdir(), 'loadgate-gate-base-'));
  say(`building the reference service at ${commit.slice(0, 12)} in a git worktree (${tree})`);
  try {
    git(['worktree', 'add', '--detach', tree, commit]);
    mkdirSync(resolve(binary, '..'), { recursive: true });
    execFileSync('go', ['build', '-pgo=auto', '-o', binary, './cmd/loadgate-service'], { cwd: join(tree, 'service'), stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  } finally {
    try {
      git(['worktree', 'remove', '--force', tree]);
    } catch {
      rmSync(tree, { recursive: true, force: true });
    }
  }
  return binary;
}

/** Each round's per-request samples, kept gzipped beside its summary for anyone re-analysing it. */
export const samplesFile = 'samples.csv.gz';
const withSamples: K6Launcher = (args, run) => runK6([args[0], '--out', `csv=${join(run.dir, samplesFile)}`, ...args.slice(1)], run);

const newestFolder = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((name) => /^\d{8}T\d{6}Z-/.test(name)).sort().at(-1) : undefined);

/** Runs the side-by-side gate; the exit code is the gate's (0, 1 or 2). */
export async function abGate(s: AbSettings, env: NodeJS.ProcessEnv): Promise<number> {
  const binaries: Record<Side, string> = { base: s.command ? serviceBinary : buildBase(s.base.commit), head: serviceBinary };
  const dir = createRunFolder(s.resultsDir, `gate-${s.scenario}`, s.profile);
  const runsDir = join(dir, 'runs');
  say(`side-by-side gate in ${dir}: base ${s.base.ref} (${s.base.commit.slice(0, 12)}) against head (${s.head.commit.slice(0, 12)}${s.head.dirty ? ' with uncommitted service changes' : ''}), ${s.rounds} round(s) after a warm-up pair`);
  const folders: Array<{ round: number; side: Side; folder: string }> = [];
  const report: AbReport = { scenario: s.scenario, profile: s.profile, outcome: 'no regression', exitCode: 0, sentences: [], settings: s, runs: [], decision: null, cause: null };
  for (const { round, side } of schedule(s.rounds)) {
    say(`${round === 0 ? 'warm-up' : `round ${round} of ${s.rounds}`}: ${side}`);
    if (s.command) {
      const commit = side === 'base' ? s.base.commit : s.head.commit;
      const failed = await restartOwnService(s, side, commit, env);
      if (failed) return finish(report, dir, env, 'cannot compare', exitCodes.badCommandLine.code, [failed]);
    }
    const code = await runScenario(s.scenarioArgument, { ...sideEnvironment(env, side, s.headArgs, s.command !== ''), RESULTS_DIR: runsDir, PROFILE: s.profile }, withSamples, s.command ? {} : { serviceBinary: binaries[side] });
    const folder = newestFolder(runsDir);
    // A run over its SLOs still measured its side; one that stopped or failed otherwise did not.
    const stoppedEarly = folder ? readMeta(join(runsDir, folder))?.stoppedEarly === true : true;
    if (!folder || (code !== 0 && code !== exitCodes.thresholdsFailed.code) || stoppedEarly) {
      const where = folder ? `; see ${join(runsDir, folder)}/REPORT.md` : '';
      const sentence = `the ${side} run of ${round === 0 ? 'the warm-up' : `round ${round}`} did not finish (exit code ${code}${where})`;
      return side === 'head'
        ? finish(report, dir, env, 'run failed', exitCodes.regression.code, [`${sentence}: head cannot serve this scenario as base does`])
        : finish(report, dir, env, 'cannot compare', exitCodes.badCommandLine.code, [`${sentence}: base cannot be measured, so head cannot be compared`]);
    }
    folders.push({ round, side, folder: join(runsDir, folder) });
  }
  report.runs = folders;
  const judged = folders.filter((f) => f.round > 0);
  const rounds: Round[] = [];
  for (let round = 1; round <= s.rounds; round++) {
    const of = (side: Side) => readRunFigures(judged.find((f) => f.round === round && f.side === side)!.folder);
    rounds.push({ base: of('base'), head: of('head') });
  }
  report.decision = decideRounds(rounds);
  const outcome = report.decision.regressions.length ? 'regression' : 'no regression';
  appendHistory(s.resultsDir, { date: new Date().toISOString(), scenario: s.scenario, profile: s.profile, base: s.base.commit, head: s.head.commit, machine: machineIdentity(machine()), outcome }, report.decision);
  if (!report.decision.regressions.length) return finish(report, dir, env, 'no regression', 0, []);
  const sideFolders = (side: Side) => judged.filter((f) => f.side === side).map((f) => f.folder);
  report.cause = findCause(sideFolders('base'), sideFolders('head'));
  return finish(report, dir, env, 'regression', exitCodes.regression.code, report.decision.regressions.map((r) => r.sentence));
}

async function finish(report: AbReport, dir: string, env: NodeJS.ProcessEnv, outcome: AbReport['outcome'], exitCode: number, sentences: string[]): Promise<number> {
  Object.assign(report, { outcome, exitCode, sentences });
  await writeAbReport(report, dir, env);
  return exitCode;
}

async function restartOwnService(s: AbSettings, side: Side, commit: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const command = s.command.replaceAll('{ref}', commit).replaceAll('{side}', side);
  say(`starting your service for ${side}: ${command}`);
  try {
    execFileSync('/bin/sh', ['-c', command], { env: { ...env, GATE_SIDE: side, GATE_REF: commit }, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  } catch (error) {
    const { status, signal } = error as { status?: number | null; signal?: string | null };
    return `GATE_CMD for ${side} (${command}) ${signal ? `was stopped by ${signal}` : `exited with code ${status}`}; no comparison`;
  }
  const unhealthy = await waitForHealth(s.healthUrl, 60_000);
  return unhealthy ? `after GATE_CMD for ${side}, ${unhealthy}` : null;
}

