// Every command of the CLI as data: its name, arguments, one line of usage, the make targets that
// call it and the variables it reads. cli/main.ts dispatches and prints --help from this list, and
// test/unit/commands.test.ts checks it against the Makefile, so the three cannot drift apart.
import { exportAlertRules } from './alerts-export.ts';
import { cloudCommand } from './distributed/cloud.ts';
import { mergeCommand } from './distributed/merge-command.ts';
import { runDistributed } from './distributed/local.ts';
import { operatorCommand } from './distributed/operator.ts';
import { baselineCommand, gateCommand } from './gate/index.ts';
import { historyCommand } from './gate/history.ts';
import { parseRunConfig } from './run-config.ts';
import { k6Environment } from './environment.ts';
import { profileCompareCommand } from './pgo/compare.ts';
import { pgoCommand } from './pgo/pgo.ts';
import { pgoVerifyCommand } from './pgo/verify.ts';
import { regenerateReports } from './report.ts';
import { runScenario, scenarioNames } from './run.ts';
import { sweepCommand } from './sweep/index.ts';
import { optimizationLogCommand } from './sweep/optimization-log.ts';

export interface Command {
  name: string;
  /** What follows the name, as usage shows it. */
  args: string;
  usage: string;
  /** The make targets whose recipe calls this command. */
  makeTargets: readonly string[];
  /** The settings it reads beyond its arguments (cli/variables.ts names, checked by test). */
  variables: readonly string[];
  /** The exit code; undefined when the arguments are missing (usage, exit 2). */
  run(args: string[], env: NodeJS.ProcessEnv): Promise<number | undefined> | number | undefined;
}

const runVariables = ['PROFILE', 'BASE_URL', 'RESULTS_DIR', 'TARGET_ARGS', 'DB', 'CACHE', 'DASHBOARD', 'PROFILE_CAPTURE', 'PPROF_URL', 'K6'];

export const commands: readonly Command[] = [
  {
    name: 'run',
    args: '<scenario>',
    usage: `run a scenario (${scenarioNames().join(', ')}, or a .ts file) and write a run folder`,
    makeTargets: ['load', 'load-mixed', 'load-api', 'load-events'],
    variables: runVariables,
    run: ([scenario], env) => runScenario(scenario ?? '', env),
  },
  {
    name: 'load-distributed',
    args: '<scenario>',
    usage: 'run it as INSTANCES k6 processes, one execution segment each, merged exactly',
    makeTargets: ['load-distributed'],
    variables: ['INSTANCES', ...runVariables],
    run: ([scenario], env) => runDistributed(scenario ?? '', env),
  },
  {
    name: 'merge',
    args: '[files|folders]',
    usage: "merge k6 instances' raw samples (or RUNS) into one run folder",
    makeTargets: ['merge'],
    variables: ['RUNS', 'RESULTS_DIR'],
    run: (args, env) => mergeCommand(args, env),
  },
  {
    name: 'operator',
    args: '<scenario>',
    usage: 'write a k6 archive and k6-operator manifests for PARALLELISM runners',
    makeTargets: ['operator'],
    variables: ['PARALLELISM', 'PROFILE', 'RESULTS_DIR'],
    run: ([scenario], env) => operatorCommand(scenario ?? '', env),
  },
  {
    name: 'cloud',
    args: '<scenario>',
    usage: 'run it on Grafana Cloud k6 (K6_CLOUD_TOKEN; LOCAL_EXECUTION=1 runs it here)',
    makeTargets: ['cloud'],
    variables: ['K6_CLOUD_TOKEN', 'K6_CLOUD_PROJECT_ID', 'LOCAL_EXECUTION', 'LOADGATE_CLOUD_DISTRIBUTION', 'PROFILE'],
    run: ([scenario], env) => cloudCommand(scenario ?? '', env),
  },
  {
    name: 'report',
    args: '<run folder>',
    usage: 'rebuild summary.txt, junit.xml and REPORT.md from a run folder',
    makeTargets: ['report'],
    variables: [],
    run: ([folder], env) => {
      if (!folder) return undefined;
      regenerateReports(folder, env);
      process.stderr.write(`loadgate: reports rebuilt in ${folder}\n`);
      return 0;
    },
  },
  {
    name: 'alerts-export',
    args: '[file]',
    usage: 'write the alert rules as a Prometheus rules file',
    makeTargets: ['alerts-export'],
    variables: [],
    run: ([file]) => {
      process.stderr.write(`loadgate: wrote ${exportAlertRules(file ?? 'deploy/prometheus/alerts.yml')}\n`);
      return 0;
    },
  },
  {
    name: 'pgo',
    args: '<scenario>',
    usage: 'profile it under load and write default.pgo (PGO_OUT) for go build -pgo=auto',
    makeTargets: ['pgo'],
    variables: ['PGO_OUT', ...runVariables],
    run: ([scenario], env) => pgoCommand(scenario, env),
  },
  {
    name: 'pgo-verify',
    args: '[scenario]',
    usage: 'PGO off against on, RUNS interleaved runs a side: CPU per request, p50, p95',
    makeTargets: ['pgo-verify'],
    variables: ['RUNS', 'PROFILE', 'RESULTS_DIR'],
    run: ([scenario], env) => pgoVerifyCommand(scenario, env),
  },
  {
    name: 'profile-compare',
    args: '',
    usage: 'CPU and allocations per function and per request, run folders A against B',
    makeTargets: ['profile-compare'],
    variables: ['A', 'B', 'RESULTS_DIR'],
    run: (_args, env) => profileCompareCommand(env),
  },
  {
    name: 'baseline',
    args: '[scenario]',
    usage: 'store passing runs (RUN, or the latest REPEAT) as results/baselines/<scenario>-<profile>.json',
    makeTargets: ['baseline'],
    variables: ['RUN', 'REPEAT', ...runVariables],
    run: ([scenario], env) => baselineCommand(scenario, env),
  },
  {
    name: 'gate',
    args: '[scenario]',
    usage: 'run the scenario REPEAT times (or take RUN) and compare with its baseline; BASE=<ref>: base and head side by side',
    makeTargets: ['gate'],
    variables: ['RUN', 'REPEAT', 'GATE_ALLOW_OTHER_MACHINE', 'BASE', 'GATE_HEAD_ARGS', 'GATE_CMD', ...runVariables],
    run: ([scenario], env) => gateCommand(scenario, env),
  },
  {
    name: 'history',
    args: '',
    usage: 'trend chart and change points over RESULTS_DIR/history/gate-history.jsonl',
    makeTargets: ['history'],
    variables: ['RESULTS_DIR'],
    run: (_, env) => historyCommand(parseRunConfig(k6Environment(env)).resultsDir),
  },
  {
    name: 'sweep',
    args: '[scenario]',
    usage: 'run it per VALUES of PARAM, REPEAT times: trade-off table, chart, recommendation',
    makeTargets: ['sweep'],
    variables: ['PARAM', 'VALUES', 'REPEAT', 'SWEEP_CMD', 'SWEEP_HEALTH_URL', 'SWEEP_MAX_DB_WRITES', ...runVariables],
    run: ([scenario], env) => sweepCommand(scenario, env),
  },
  {
    name: 'optimization-log',
    args: '',
    usage: 'append A (before) against B (after) as entry NAME to docs/optimization-log.md',
    makeTargets: ['optimization-log'],
    variables: ['A', 'B', 'NAME', 'ISSUE', 'OPTIMIZATION_LOG'],
    run: (_args, env) => optimizationLogCommand(env),
  },
];

/** `node dist/cli.mjs --help`, generated from the list. */
export function usageText(): string {
  const lines = ['usage: node dist/cli.mjs <command> [arguments]   (settings are environment variables)', ''];
  for (const command of commands) {
    lines.push(`  ${`${command.name} ${command.args}`.trimEnd()}`);
    lines.push(`      ${command.usage}`);
    lines.push(`      make ${command.makeTargets.join(', make ')}${command.variables.length ? `; reads ${command.variables.join(', ')}` : ''}`);
  }
  return lines.join('\n');
}
