// `make sweep`: one scenario run per value and repetition, each an ordinary run folder made by
// runScenario, and one sweep folder that lists them with the trade-off table (Markdown and JSON),
// the chart and the recommendation. Everything that can be refused is refused before any load.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { firstRefusal } from '../../lib/allowlist.ts';
import { redactText } from '../../lib/redact.ts';
import { splitArgs, targetEnvironment } from '../environment.ts';
import { variables, type Variable } from '../variables.ts';
import { machine } from '../meta.ts';
import { serviceBinary } from '../paths.ts';
import { exitCodes } from '../exit-codes.ts';
import { utcStamp } from '../run-folder.ts';
import { check, runScenario, say } from '../run.ts';
import { list, numeric, SettingError, text, writableFolder } from '../settings.ts';
import { waitForHealth } from '../runs/health.ts';
import { errorLine, moveCredentials } from '../service.ts';
import { renderSweepChart } from './chart.ts';
import { figureSets, measuresOfRuns, readFigures, type SweepRunFigures } from './figures.ts';
import { sweepFiles } from './files.ts';
import { parameterFor, parseValues, runPlan, sortedValues, commandFor, type Parameter, type PlannedRun } from './params.ts';
import { recommend, tableMarkdown, valueRow, type TradeOffTable } from './table.ts';
import { serviceFlag } from '../../thresholds/service-contract.ts';


/** How long SWEEP_CMD may take to restart the service, and the service to answer its health check. */
const restartTimeoutMs = 120_000;
const healthTimeoutMs = 60_000;

interface Settings {
  scenario: string;
  parameter: Parameter;
  values: string[];
  repeat: number;
  profile: string;
  resultsDir: string;
  maxDbWrites: number;
  sweepCmd: string;
  healthUrl: string;
  /** The command that reproduces the sweep, for the output. */
  command: string;
}

/** The make command that reproduces this sweep: every user-facing variable that is set. */
function reproduce(scenario: string, env: NodeJS.ProcessEnv): string {
  const skip = new Set(['RESULTS_DIR', 'K6', 'SCENARIO']);
  const table: readonly Variable[] = variables;
  const parts = table
    .filter((entry) => !entry.internal && !entry.secret && !skip.has(entry.name))
    .flatMap((entry) => {
      const name = entry.alias && env[entry.alias]?.trim() ? entry.alias : entry.name;
      const value = env[name]?.trim();
      // make exports its own defaults (PROFILE, say): only what differs says how the sweep was run.
      return value && value !== entry.default ? [`${name}=${/[\s'"]/.test(value) ? `'${value}'` : value}`] : [];
    });
  return redactText(`make sweep SCENARIO=${scenario} ${parts.join(' ')}`.trim());
}

function settings(scenarioArgument: string | undefined, env: NodeJS.ProcessEnv): Settings {
  const scenario = (scenarioArgument || env.SCENARIO || '').trim();
  const sweepCmd = text(env, 'SWEEP_CMD');
  const parameter = parameterFor(env.PARAM, sweepCmd !== '');
  const values = sortedValues(parseValues(env.VALUES, parameter), parameter);
  const repeat = numeric(env, 'REPEAT');
  const maxDbWrites = numeric(env, 'SWEEP_MAX_DB_WRITES');
  const baseUrl = env.BASE_URL?.trim().replace(/\/+$/, '') ?? '';
  if (sweepCmd && !baseUrl) throw new SettingError(`SWEEP_CMD restarts a service of your own; set BASE_URL to where it listens (loadgate starts its reference service only without SWEEP_CMD)`);
  if (!sweepCmd && baseUrl) {
    throw new SettingError(`PARAM=${parameter.name} is set on the reference service, which loadgate does not start when BASE_URL is set; unset BASE_URL, or set SWEEP_CMD to the command that restarts ${baseUrl}'s service with {value}`);
  }
  const healthUrl = sweepCmd ? env.SWEEP_HEALTH_URL?.trim() || `${baseUrl}/healthz` : '';
  if (healthUrl) {
    const allowHosts = list(env, 'LOADGATE_ALLOW_HOSTS').map((host) => host.toLowerCase());
    const refusal = firstRefusal([healthUrl], allowHosts);
    if (refusal) throw new SettingError(`SWEEP_HEALTH_URL: ${refusal}`);
  }
  return {
    scenario,
    parameter,
    values,
    repeat,
    profile: text(env, 'PROFILE'),
    resultsDir: writableFolder(env, 'RESULTS_DIR'),
    maxDbWrites,
    sweepCmd,
    healthUrl,
    command: reproduce(scenario, env),
  };
}

/** The environment of one run at one value. */
function runEnvironment(s: Settings, env: NodeJS.ProcessEnv, value: string, runsDir: string): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env, ...s.parameter.runEnv(value), RESULTS_DIR: runsDir };
  // Go's flag package keeps the last value of a repeated flag, so the sweep's flag beats TARGET_ARGS.
  const flags = s.parameter.flags(value);
  if (flags.length) result.TARGET_ARGS = [env.TARGET_ARGS?.trim() ?? '', ...flags].filter(Boolean).join(' ');
  const serviceEnv = Object.entries(s.parameter.serviceEnv(value)).map(([name, v]) => `${name}=${v}`);
  if (serviceEnv.length) result.TARGET_ENV = [env.TARGET_ENV?.trim() ?? '', ...serviceEnv].filter(Boolean).join(' ');
  return result;
}

/**
 * The reference service's own parser judges every value: with -version it checks its flags and
 * environment and exits before opening a database, so a value it refuses costs no load.
 */
function serviceRefusal(parameter: Parameter, value: string, runEnv: NodeJS.ProcessEnv): string | null {
  // Credential flags reach the service as variables, never on its command line.
  const moved = moveCredentials(splitArgs(runEnv.TARGET_ARGS ?? ''));
  const args = [...moved.args, serviceFlag.version.flag];
  const result = spawnSync(serviceBinary, args, { env: { ...runEnv, ...targetEnvironment(runEnv), ...moved.env }, encoding: 'utf8', timeout: 30_000 });
  if (result.status === 0) return null;
  const lines = `${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.split('\n');
  // The Go runtime refuses GOMEMLIMIT before main, with "fatal error:" and a stack after it.
  const why = lines.find((line) => line.startsWith('fatal error:')) ?? errorLine(lines);
  return `the reference service refuses ${parameter.name}=${value}: "${why.trim()}"`;
}


/** Runs SWEEP_CMD for a value and waits for the health check; returns why it failed, or null. */
async function restart(s: Settings, value: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const command = commandFor(s.sweepCmd, value);
  say(`restarting the service: ${command}`);
  try {
    execFileSync('/bin/sh', ['-c', command], { env: { ...env, [s.parameter.name]: value }, stdio: ['ignore', 'inherit', 'inherit'], timeout: restartTimeoutMs });
  } catch (error) {
    const { status, signal } = error as { status?: number | null; signal?: string | null };
    const how = signal ? `was stopped by ${signal}${signal === 'SIGTERM' ? ` after ${restartTimeoutMs / 1000} s` : ''}` : `exited with code ${status}`;
    return `SWEEP_CMD for ${s.parameter.name}=${value} (${command}) ${how}`;
  }
  const unhealthy = await waitForHealth(s.healthUrl, healthTimeoutMs);
  return unhealthy ? `after SWEEP_CMD for ${s.parameter.name}=${value}, ${unhealthy}` : null;
}

/** Every value checked the way its run would be, before any load. */
async function preflight(s: Settings, env: NodeJS.ProcessEnv): Promise<{ code: number; sentence: string } | null> {
  for (const value of s.values) {
    const runEnv = runEnvironment(s, env, value, s.resultsDir);
    const checked = check(s.scenario, runEnv);
    if ('sentence' in checked) return { code: checked.exitCode, sentence: `${s.parameter.name}=${value}: ${checked.sentence}` };
    if (!s.sweepCmd) {
      const refused = serviceRefusal(s.parameter, value, runEnv);
      if (refused) return { code: exitCodes.invalidConfig.code, sentence: refused };
    }
  }
  // Another service judges its values only by starting with them: each is tried once, still before any load.
  if (s.sweepCmd) {
    for (const value of s.values) {
      const failed = await restart(s, value, env);
      if (failed) return { code: exitCodes.serviceFailed.code, sentence: `${failed}; no load was sent` };
    }
  }
  return null;
}

interface DoneRun extends PlannedRun {
  folder: string | null;
  exitCode: number;
  figures: SweepRunFigures | null;
}

function sweepFolder(s: Settings): string {
  mkdirSync(s.resultsDir, { recursive: true });
  const base = join(s.resultsDir, `${utcStamp()}-sweep-${s.scenario}-${s.parameter.name.toLowerCase().replaceAll('_', '-')}-${s.profile}`);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  mkdirSync(join(dir, sweepFiles.runs), { recursive: true });
  return dir;
}

const runFolders = (dir: string) => new Set(readdirSync(dir).filter((name) => /^\d{8}T\d{6}Z-/.test(name)));

export function buildTable(s: Pick<Settings, 'scenario' | 'profile' | 'parameter' | 'values' | 'maxDbWrites'>, done: DoneRun[]): TradeOffTable {
  const measures = measuresOfRuns(done.flatMap((run) => (run.figures ? [run.figures] : [])));
  const { figures } = figureSets[measures];
  const rows = s.values.map((value) =>
    valueRow(
      value,
      done.filter((run) => run.value === value && run.figures).map((run) => ({ repetition: run.repetition, figures: run.figures! })),
      figures,
    ),
  );
  return {
    scenario: s.scenario,
    profile: s.profile,
    parameter: s.parameter.name,
    figures,
    rows,
    recommendation: recommend(measures, s.parameter, rows, { maxDbWrites: s.maxDbWrites }),
  };
}

function markdown(s: Settings, dir: string, table: TradeOffTable, done: DoneRun[], planned: number, stopped: string): string {
  const m = machine();
  const lines = [
    `# Sweep: ${s.parameter.name} on ${s.scenario} at ${s.profile}`,
    '',
    '```sh',
    s.command,
    '```',
    '',
    `${done.length} of ${planned} runs (${s.values.length} values × REPEAT=${s.repeat}, repetitions interleaved: every value once per round, alternate rounds in reverse order).`,
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, shared by k6, the service and anything else running on it.`,
    ...(stopped ? ['', `**The sweep stopped early:** ${stopped}`] : []),
    '',
    '## Trade-off table',
    '',
    'Medians over the repetitions, with the lowest and highest run in brackets.',
    '',
    tableMarkdown(table),
    '',
    '## Recommendation',
    '',
    `**${table.recommendation.value ?? 'none'}**: ${table.recommendation.sentence}.`,
    '',
    `Rule: ${table.recommendation.rule}.`,
    '',
    `![${s.parameter.name} sweep](${sweepFiles.chart})`,
    '',
    '## Runs',
    '',
    '| value | repetition | exit code | run folder |',
    '|---|---:|---:|---|',
    ...done.map((run) => `| ${run.value} | ${run.repetition} | ${run.exitCode} | ${run.folder ? `[${relative(dir, run.folder)}](${relative(dir, run.folder)}/REPORT.md)` : 'none'} |`),
  ];
  return `${lines.join('\n')}\n`;
}

async function writeOutputs(s: Settings, dir: string, done: DoneRun[], planned: PlannedRun[], stopped: string, chart: boolean): Promise<TradeOffTable> {
  const table = buildTable(s, done);
  writeFileSync(join(dir, sweepFiles.markdown), markdown(s, dir, table, done, planned.length, stopped));
  const record = {
    command: s.command,
    scenario: s.scenario,
    profile: s.profile,
    parameter: s.parameter.name,
    values: s.values,
    repeat: s.repeat,
    rule: { maxDbWrites: s.maxDbWrites },
    machine: machine(),
    complete: !stopped && done.length === planned.length,
    stopped: stopped || null,
    plan: planned,
    runs: done.map(({ value, repetition, folder, exitCode, figures }) => ({ value, repetition, folder: folder && relative(dir, folder), exitCode, reason: figures?.reason ?? null, figures: figures?.values ?? null })),
    table: { figures: table.figures, rows: table.rows.map((row) => ({ ...row, runs: row.runs.map((run) => ({ ...run, folder: relative(dir, run.folder) })) })) },
    recommendation: table.recommendation,
  };
  writeFileSync(join(dir, sweepFiles.json), `${JSON.stringify(record, null, 2)}\n`);
  if (chart) writeFileSync(join(dir, sweepFiles.chart), await renderSweepChart(table));
  return table;
}

export async function sweepCommand(scenarioArgument: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  const s = settings(scenarioArgument, env);
  const refused = await preflight(s, env);
  if (refused) {
    say(refused.sentence);
    return refused.code;
  }

  const dir = sweepFolder(s);
  const runsDir = join(dir, sweepFiles.runs);
  const planned = runPlan(s.values, s.repeat);
  say(`sweep folder ${dir}: ${planned.length} runs of ${s.scenario} at ${s.profile}, ${s.parameter.name} = ${s.values.join(', ')}`);
  const done: DoneRun[] = [];
  let stopped = '';
  let code = 0;
  for (const [i, run] of planned.entries()) {
    say(`sweep run ${i + 1} of ${planned.length}: ${s.parameter.name}=${run.value} (repetition ${run.repetition})`);
    if (s.sweepCmd) {
      const failed = await restart(s, run.value, env);
      if (failed) {
        [stopped, code] = [failed, exitCodes.serviceFailed.code];
        break;
      }
    }
    const before = runFolders(runsDir);
    const exitCode = await runScenario(s.scenario, runEnvironment(s, env, run.value, runsDir));
    const made = [...runFolders(runsDir)].filter((name) => !before.has(name)).sort();
    const folder = made.length ? join(runsDir, made.at(-1)!) : null;
    const figures = folder ? readFigures(folder) : null;
    done.push({ ...run, folder, exitCode, figures });
    // A failed threshold is a result; a run that produced no figures, or Ctrl-C, ends the sweep.
    if (!figures || exitCode === exitCodes.interrupted.code) {
      stopped = `run ${i + 1} (${s.parameter.name}=${run.value}) ended with exit code ${exitCode}${figures ? '' : ' and left no figures'}${folder ? `; see ${folder}/REPORT.md` : ''}`;
      code = exitCode || exitCodes.k6Failed.code;
      break;
    }
    await writeOutputs(s, dir, done, planned, '', false);
  }
  const table = await writeOutputs(s, dir, done, planned, stopped, true);
  process.stdout.write(`\n${tableMarkdown(table)}\n\nrecommended ${s.parameter.name}: ${table.recommendation.value ?? 'none'} (${table.recommendation.sentence})\nrule: ${table.recommendation.rule}\n\n`);
  say(stopped ? `the sweep stopped early: ${stopped}` : `sweep complete`);
  say(`trade-off table in ${join(dir, sweepFiles.markdown)}, chart in ${join(dir, sweepFiles.chart)}`);
  return code;
}
