// `make baseline` and `make gate`: store the figures of passing runs as a baseline, and compare new
// runs with it. Runs go through cli/run.ts's runScenario like every other run, and are read back
// through the run record, so the gate sees exactly what a run folder says.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunConfig } from '../run-config.ts';
import { k6Environment } from '../environment.ts';
import { describeKind, variable } from '../variables.ts';
import { exitCodeOf, exitCodes, LoadgateError } from '../exit-codes.ts';
import { machine } from '../meta.ts';
import { readMeta, type RunMeta } from '../record.ts';
import { runScenario, scenarioNames } from '../run.ts';
import { resolveScenario } from '../scenario.ts';
import {
  baselineFile,
  cannotCompare,
  latestPassingRuns,
  machineIdentity,
  makeBaseline,
  readBaseline,
  sameMachine,
  sameTarget,
  writeBaseline,
  type Baseline,
} from './baseline.ts';
import { abGate, abSettings, type AbSettings } from './ab.ts';
import { decide } from './compare.ts';
import { describeTarget, readRunFigures, type RunFigures, type TargetRecord } from '../runs/figures.ts';
import { appendStepSummary, flag, numeric, SettingError } from '../settings.ts';
import { renderChart, renderJunit, renderMarkdown, renderTerminal, runRef, type GateReport } from './render.ts';

/** The files the gate adds to the run folder it reports in. */
export const gateFiles = { markdown: 'gate.md', json: 'gate.json', junit: 'gate-junit.xml', chart: 'gate.svg' } as const;

function say(line: string): void {
  process.stderr.write(`loadgate: ${line}\n`);
}

interface Settings {
  /** The scenario's name (a built-in one, or a team's file's base name), as run folders record it. */
  scenario: string;
  /** What the command line said: a name or a path to a .ts file, handed to runScenario as given. */
  scenarioArgument: string;
  /** BASE_URL, or null when loadgate starts the reference service. */
  baseUrl: string | null;
  profile: string;
  resultsDir: string;
  repeat: number;
  runs: string[];
  allowOtherMachine: boolean;
}

function settings(scenarioArgument: string | undefined, env: NodeJS.ProcessEnv, needsScenario: boolean): Settings {
  const config = parseRunConfig(k6Environment(env));
  const argument = (scenarioArgument || env.SCENARIO || '').trim();
  const runs = (env.RUN ?? '').split(',').map((folder) => folder.trim()).filter(Boolean);
  let scenario = '';
  if (needsScenario || argument) {
    // The same resolution as make load: a built-in name or a team's scenario file.
    const named = argument ? resolveScenario(argument) : { sentence: 'no scenario given' };
    if ('sentence' in named) throw new SettingError(`SCENARIO="${argument}" is not valid (${named.sentence}); valid scenarios are: ${scenarioNames().join(', ')}, or a path to a scenario file (.ts)`);
    scenario = named.scenario;
  }
  const repeat = numeric(env, 'REPEAT');
  const allowOtherMachine = flag(env, 'GATE_ALLOW_OTHER_MACHINE');
  for (const folder of runs) {
    if (!existsSync(join(folder, 'meta.json'))) throw new SettingError(`RUN="${folder}" is not a loadgate run folder (no meta.json); valid values are: ${describeKind(variable('RUN').kind)}, e.g. ${config.resultsDir}/latest`);
  }
  return { scenario, scenarioArgument: argument, baseUrl: env.BASE_URL?.trim() ? config.baseUrl : null, profile: config.profileName, resultsDir: config.resultsDir, repeat, runs, allowOtherMachine };
}

const retakeCommand = (scenario: string, profile: string, repeat: number, baseUrl: string | null = null) =>
  `make baseline SCENARIO=${scenario} PROFILE=${profile}${repeat === 3 ? '' : ` REPEAT=${repeat}`}${baseUrl ? ` BASE_URL=${baseUrl}` : ''}`;

/** Runs the scenario once and returns its folder, or the exit code when no folder was made. */
async function runOnce(s: Settings, env: NodeJS.ProcessEnv): Promise<{ folder: string; code: number } | { folder: null; code: number }> {
  const before = new Set(existsSync(s.resultsDir) ? readdirSync(s.resultsDir) : []);
  const code = await runScenario(s.scenarioArgument || s.scenario, { ...env, PROFILE: s.profile });
  // The folder this run made: new since the start, and of this scenario and profile.
  const made = (existsSync(s.resultsDir) ? readdirSync(s.resultsDir) : [])
    .filter((name) => !before.has(name) && /^\d{8}T\d{6}Z-/.test(name))
    .sort()
    .map((name) => join(s.resultsDir, name))
    .filter((folder) => {
      const meta = readMeta(folder);
      return meta?.scenario === s.scenario && meta.profile === s.profile;
    });
  return made.length ? { folder: made.at(-1)!, code } : { folder: null, code };
}

// ------------------------------------------------------------------------------------- baseline

export async function baselineCommand(scenarioArgument: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  let s: Settings;
  try {
    s = settings(scenarioArgument, env, env.RUN === undefined || env.RUN.trim() === '');
  } catch (error) {
    return refused(error, env);
  }
  try {
    let folders = s.runs;
    if (!folders.length) {
      folders = latestPassingRuns(s.resultsDir, s.scenario, s.profile, s.repeat, s.baseUrl);
      if (folders.length) say(`using the latest ${folders.length} passing run(s) of ${s.scenario} at ${s.profile}: ${folders.join(', ')}`);
      // Missing runs are taken now, so a fresh clone (or CI) gets a baseline with one command.
      while (folders.length < s.repeat) {
        say(`${s.repeat - folders.length} more passing run(s) of ${s.scenario} at ${s.profile} needed in ${s.resultsDir}: running it now`);
        const run = await runOnce(s, env);
        if (!run.folder) return run.code;
        if (run.code !== 0) throw cannotCompare(`the run in ${run.folder} did not pass (exit code ${run.code}, see its REPORT.md); a baseline is taken from passing runs only`);
        folders = [...folders, run.folder];
      }
    }
    const runs = folders.map(readRunFigures);
    if (s.scenario && runs.some((run) => run.scenario !== s.scenario)) {
      throw cannotCompare(`RUN names runs of ${[...new Set(runs.map((run) => run.scenario))].join(', ')}, not of SCENARIO=${s.scenario}`);
    }
    const baseline = makeBaseline(runs);
    const file = baselineFile(s.resultsDir, baseline.scenario, baseline.profile);
    writeBaseline(file, baseline);
    say(`wrote ${file} from ${runs.length} run(s) on ${machineIdentity(baseline.machine)}; commit it to share it`);
    return 0;
  } catch (error) {
    return refused(error, env);
  }
}

/** CI shows why the gate did not compare on the run's page, even when no run folder exists; main.ts exits. */
function refused(error: unknown, env: NodeJS.ProcessEnv): never {
  const code = exitCodeOf(error);
  if (code !== undefined) {
    const outcome = error instanceof SettingError ? 'bad setting' : 'cannot compare';
    appendStepSummary(env, `## Regression gate\n\n**${outcome}** (exit code ${code}): ${(error as Error).message}\n`);
  }
  throw error;
}

// ----------------------------------------------------------------------------------------- gate

async function writeReport(report: GateReport, folder: string | null, env: NodeJS.ProcessEnv): Promise<void> {
  process.stdout.write(renderTerminal(report));
  const markdown = renderMarkdown(report);
  appendStepSummary(env, `${markdown}\n`);
  if (!folder) return;
  writeFileSync(join(folder, gateFiles.markdown), markdown);
  writeFileSync(join(folder, gateFiles.json), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(folder, gateFiles.junit), renderJunit(report));
  if (report.decision) writeFileSync(join(folder, gateFiles.chart), await renderChart(report));
  say(`gate report in ${join(folder, gateFiles.markdown)}`);
}

function baselineSide(file: string, baseline: Baseline): NonNullable<GateReport['baseline']> {
  return { file, createdAt: baseline.createdAt, machine: machineIdentity(baseline.machine), runs: baseline.runs.map(runRef) };
}

const otherTargetSentence = (file: string, target: TargetRecord, current: string, retake: string) =>
  `the baseline ${file} measured ${describeTarget(target)}, this gate measures ${current}: a different target's figures say nothing about this one; take a baseline of this target with: ${retake}`;

function checkMachine(baseline: Baseline, current: RunMeta['machine'], s: Settings, file: string): boolean {
  if (sameMachine(baseline.machine, current)) return false;
  if (s.allowOtherMachine) {
    say(`the baseline was taken on ${machineIdentity(baseline.machine)}, this run is on ${machineIdentity(current)}; comparing anyway (GATE_ALLOW_OTHER_MACHINE=1)`);
    return true;
  }
  throw cannotCompare(
    `the baseline ${file} was taken on a different machine (${machineIdentity(baseline.machine)}; this is ${machineIdentity(current)}), where latencies differ for reasons other than the code; take a baseline on this machine with: ${retakeCommand(s.scenarioArgument || baseline.scenario, baseline.profile, baseline.runs.length, s.baseUrl)}, or set GATE_ALLOW_OTHER_MACHINE=1 to compare anyway`,
  );
}

export async function gateCommand(scenarioArgument: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  if (env.BASE?.trim()) {
    let ab: AbSettings;
    try {
      ab = abSettings(scenarioArgument, env);
    } catch (error) {
      return refused(error, env);
    }
    return abGate(ab, env);
  }
  let s: Settings;
  try {
    s = settings(scenarioArgument, env, env.RUN === undefined || env.RUN.trim() === '');
  } catch (error) {
    return refused(error, env);
  }
  // With RUN, the runs say which scenario and profile they are; the first one decides.
  const firstMeta = s.runs.length ? readMeta(s.runs[0]) : null;
  const scenario = firstMeta?.scenario ?? s.scenario;
  const profile = firstMeta?.profile ?? s.profile;
  const file = baselineFile(s.resultsDir, scenario, profile);
  const retake = retakeCommand(s.scenarioArgument || scenario, profile, s.repeat, s.baseUrl);
  let baseline: Baseline;
  try {
    if (s.scenario && firstMeta && s.scenario !== firstMeta.scenario) {
      throw cannotCompare(`RUN=${s.runs[0]} is a run of ${firstMeta.scenario}, not of SCENARIO=${s.scenario}`);
    }
    baseline = readBaseline(file, retake);
    if (baseline.scenario !== scenario || baseline.profile !== profile) {
      throw cannotCompare(`the baseline ${file} holds ${baseline.scenario} at ${baseline.profile}, not ${scenario} at ${profile}; take the right one with: ${retake}`);
    }
  } catch (error) {
    return refused(error, env);
  }

  // Checked before any load is sent: a comparison known to be refused should cost no run.
  let otherMachineBeforeRun: boolean;
  try {
    otherMachineBeforeRun = checkMachine(baseline, firstMeta ? firstMeta.machine : machine(), s, file);
  } catch (error) {
    return refused(error, env);
  }
  // The URL is known before any load; the service's name only once a run has asked it.
  if (baseline.target && !s.runs.length && baseline.target.baseUrl !== s.baseUrl) {
    return refused(cannotCompare(otherTargetSentence(file, baseline.target, s.baseUrl === null ? 'the reference service started by loadgate' : s.baseUrl, retake)), env);
  }

  const folders = [...s.runs];
  if (!folders.length) {
    for (let i = 1; i <= s.repeat; i++) {
      say(`gate run ${i} of ${s.repeat}: ${scenario} at ${profile}`);
      const run = await runOnce({ ...s, scenario, profile }, env);
      if (!run.folder) return run.code;
      folders.push(run.folder);
      if (run.code !== 0) break;
    }
  }

  const report: GateReport = {
    scenario,
    profile,
    outcome: 'no regression',
    exitCode: 0,
    sentences: [],
    baseline: baselineSide(file, baseline),
    current: { runs: [] },
    otherMachine: otherMachineBeforeRun,
    decision: null,
  };
  const last = folders.at(-1)!;

  // A run that failed is reported as what it is, before anything is compared.
  const metas = folders.map((folder) => ({ folder, meta: readMeta(folder)! }));
  report.current.runs = metas.map(({ folder, meta }) => runRef({ folder, ...meta }));
  report.current.machine = machineIdentity(metas[0].meta.machine);
  const failed = metas.filter(({ meta }) => meta.exitCode !== 0);
  if (failed.length) {
    report.outcome = 'run failed';
    report.exitCode = exitCodes.regression.code;
    report.sentences = failed.map(({ folder, meta }) => `the run in ${folder} failed before any comparison: ${meta.reason} (exit code ${meta.exitCode}); see its REPORT.md`);
    await writeReport(report, last, env);
    return report.exitCode;
  }

  let current: RunFigures[];
  try {
    current = folders.map(readRunFigures);
    for (const run of current) {
      if (run.scenario !== scenario || run.profile !== profile) throw cannotCompare(`${run.folder} is a run of ${run.scenario} at ${run.profile}, not ${scenario} at ${profile}; name runs of one scenario and profile in RUN`);
      if (!sameMachine(run.machine, metas[0].meta.machine)) throw cannotCompare(`the runs in RUN come from different machines; name runs from one machine`);
      if (baseline.target && run.target && !sameTarget(baseline.target, run.target)) throw cannotCompare(otherTargetSentence(file, baseline.target, describeTarget(run.target), retake));
    }
    report.decision = decide(baseline.runs, current, retake);
  } catch (error) {
    // The refusal goes into gate.json, gate.md and the JUnit file, which also print it.
    if (!(error instanceof LoadgateError)) throw error;
    report.outcome = 'cannot compare';
    report.exitCode = exitCodes[error.code].code;
    report.sentences = [error.message];
    await writeReport(report, last, env);
    return report.exitCode;
  }
  const { regressions } = report.decision;
  if (regressions.length) {
    report.outcome = 'regression';
    report.exitCode = exitCodes.regression.code;
    report.sentences = regressions.map((r) => r.sentence);
  }
  await writeReport(report, last, env);
  return report.exitCode;
}
