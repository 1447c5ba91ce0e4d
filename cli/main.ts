// loadgate's command line: the Makefile's targets call into here.
import { regenerateReports } from './report.ts';
import { exitCodes } from './record.ts';
import { runScenario, scenarioNames } from './run.ts';
import { exportAlertRules } from './alerts-export.ts';
import { cloudCommand } from './distributed/cloud.ts';
import { mergeCommand } from './distributed/collect.ts';
import { runDistributed } from './distributed/local.ts';
import { operatorCommand } from './distributed/operator.ts';
import { baselineCommand, gateCommand } from './gate/index.ts';
import { historyCommand } from './gate/history.ts';
import { parseConfig } from '../lib/config.ts';
import { k6Environment } from '../lib/variables.ts';
import { profileCompareCommand } from './pgo/compare.ts';
import { pgoCommand } from './pgo/pgo.ts';
import { pgoVerifyCommand } from './pgo/verify.ts';
import { sweepCommand } from './sweep/index.ts';
import { optimizationLogCommand } from './sweep/optimization-log.ts';

const usage = `usage: node dist/cli.mjs <command>
  run <scenario>        run a scenario (${scenarioNames().join(', ')}) and write a run folder
  load-distributed <scenario>  run it as INSTANCES k6 processes, one execution segment each, merged
  merge [files|folders] merge k6 instances' raw samples (or RUNS) into one run folder
  operator <scenario>   write a k6 archive and k6-operator manifests for PARALLELISM runners
  cloud <scenario>      run it on Grafana Cloud k6 (K6_CLOUD_TOKEN; LOCAL_EXECUTION=1 runs it here)
  report <run folder>   rebuild summary.txt, junit.xml and REPORT.md from a run folder
  alerts-export [file]  write the alert rules as a Prometheus rules file
  pgo <scenario>        profile it under load and write default.pgo (PGO_OUT) for go build -pgo=auto
  pgo-verify [scenario] PGO off against on, RUNS interleaved runs a side: CPU per request, p50, p95
  profile-compare       CPU and allocations per function and per request, run folders A against B
  baseline [scenario]   store passing runs (RUN, or the latest REPEAT) as results/baselines/<scenario>-<profile>.json
  gate [scenario]       run the scenario REPEAT times (or take RUN) and compare with its baseline; BASE=<ref>: side by side
  history               trend chart and change points over RESULTS_DIR/history/gate-history.jsonl
  sweep [scenario]      run it per VALUES of PARAM, REPEAT times: trade-off table, chart, recommendation
  optimization-log      append A (before) against B (after) as entry NAME to docs/optimization-log.md`;

async function main(argv: string[]): Promise<number> {
  const [command, argument] = argv;
  switch (command) {
    case 'run':
      return runScenario(argument ?? '', process.env);
    case 'load-distributed':
      return runDistributed(argument ?? '', process.env);
    case 'merge':
      return mergeCommand(argv.slice(1), process.env);
    case 'operator':
      return operatorCommand(argument ?? '', process.env);
    case 'cloud':
      return cloudCommand(argument ?? '', process.env);
    case 'report':
      if (!argument) break;
      regenerateReports(argument);
      process.stderr.write(`loadgate: reports rebuilt in ${argument}\n`);
      return 0;
    case 'baseline':
      return baselineCommand(argument, process.env);
    case 'gate':
      return gateCommand(argument, process.env);
    case 'history':
      return historyCommand(parseConfig(k6Environment(process.env)).resultsDir);
    case 'sweep':
      return sweepCommand(argument, process.env);
    case 'optimization-log':
      return optimizationLogCommand(process.env);
    case 'pgo':
      return pgoCommand(argument, process.env);
    case 'pgo-verify':
      return pgoVerifyCommand(argument, process.env);
    case 'profile-compare':
      return profileCompareCommand(process.env);
    case 'alerts-export':
      process.stderr.write(`loadgate: wrote ${exportAlertRules(argument ?? 'deploy/prometheus/alerts.yml')}\n`);
      return 0;
  }
  process.stderr.write(`${command ? `unknown command "${command}"\n` : ''}${usage}\n`);
  return exitCodes.badCommandLine.code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`loadgate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(exitCodes.badCommandLine.code);
  },
);
