// `make pgo-verify`: the same fixed-rate scenario against the reference service built without and
// with its profile, interleaved (off, on, off, on…) so both sides share the machine's drift, then
// the difference per measure with its interval and p-value (cli/runs/ranks.ts), as a table and a chart.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { parseRunConfig } from '../run-config.ts';
import { k6Environment } from '../environment.ts';
import { palette, renderSvg } from '../charts.ts';
import { exitCodes, LoadgateError } from '../exit-codes.ts';
import { createRunFolder } from '../run-folder.ts';
import { runK6, runScenario, scenarioNames, say } from '../run.ts';
import { describeBuild, pgoBuild, servicePgoFile, verifyBinaries } from './build.ts';
import { serviceCost, type ServiceCost } from '../runs/cost.ts';
import { runsSetting } from './settings.ts';
import { SettingError } from '../settings.ts';
import { runsForLevel, shift, type Shift } from '../runs/ranks.ts';

export const verifyFiles = { markdown: 'pgo-verify.md', json: 'pgo-verify.json', chart: 'pgo-verify.svg' } as const;

/** Below saturation on the project's shared 2-core machine with k6 alongside: 50 requests/s at smoke. */
export const verifyRps = '1000';
export const defaultScenario = 'api-load';

export const measures = [
  { key: 'cpuPerRequest', label: 'server CPU per request', unit: 'µs', scale: 1e6 },
  { key: 'p50Ms', label: 'client p50', unit: 'ms', scale: 1 },
  { key: 'p95Ms', label: 'client p95', unit: 'ms', scale: 1 },
] as const;

export interface VerifyReport {
  scenario: string;
  profile: string;
  rate: string;
  builds: { off: string; on: string };
  runs: Array<{ side: 'off' | 'on' } & ServiceCost>;
  results: Array<{ measure: string; unit: string } & Shift>;
  sentences: string[];
}

const fixed = (value: number, unit: string) => (unit === 'µs' ? value.toFixed(0) : value.toFixed(2));
const signed = (value: number, unit: string) => `${value >= 0 ? '+' : '−'}${fixed(Math.abs(value), unit)}`;
const percentOf = (value: number, base: number) => `${value >= 0 ? '+' : '−'}${Math.abs((value / base) * 100).toFixed(1)}%`;

export function interval(result: Shift, unit: string): string {
  if (result.low === null || result.high === null) return 'none (one run a side)';
  const level = `${Math.floor(result.confidence * 1000) / 10}%`;
  return `${signed(result.low, unit)} to ${signed(result.high, unit)} ${unit} (${level})`;
}

/** One sentence per measure: what changed, by how much, and whether it stands out from noise. */
export function verdict(label: string, unit: string, result: Shift): string {
  const base = result.before.median;
  const size = `${signed(result.estimate, unit)} ${unit} (${percentOf(result.estimate, base)})`;
  const range = result.low !== null && result.high !== null ? `${percentOf(result.low, base)} to ${percentOf(result.high, base)}` : 'no interval';
  const clear = result.low !== null && result.high !== null && (result.low > 0 || result.high < 0) && result.confidence >= 0.95;
  return clear
    ? `${label}: PGO ${result.estimate < 0 ? 'lowered' : 'raised'} it by ${size}; ${Math.floor(result.confidence * 1000) / 10}% interval ${range}, p = ${result.pValue.toPrecision(2)}.`
    : `${label}: ${size} with PGO, not told apart from run-to-run noise (interval ${range}, p = ${result.pValue.toPrecision(2)}${result.confidence < 0.95 ? `; a 95% interval needs ${runsForLevel()} runs a side` : ''}).`;
}

export function renderMarkdown(report: VerifyReport): string {
  const rows = report.results.map((r) => {
    const m = measures.find((x) => x.label === r.measure)!;
    return `| ${r.measure} | ${fixed(r.before.median * m.scale, m.unit)} ${m.unit} | ${fixed(r.after.median * m.scale, m.unit)} ${m.unit} | ${signed(r.estimate * m.scale, m.unit)} ${m.unit} (${percentOf(r.estimate, r.before.median)}) | ${interval({ ...r, low: r.low === null ? null : r.low * m.scale, high: r.high === null ? null : r.high * m.scale }, m.unit)} | ${r.pValue.toPrecision(2)} |`;
  });
  const runRows = report.runs.map(
    (r, i) => `| ${i + 1} | ${r.side} | ${r.requests.toFixed(0)} | ${r.cpuSeconds.toFixed(2)} | ${(r.cpuPerRequest * 1e6).toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p95Ms.toFixed(2)} | ${r.droppedIterations} | ${r.folder} |`,
  );
  return [
    `# PGO verification: ${report.scenario} at ${report.profile}, RPS=${report.rate}`,
    '',
    `PGO off: ${report.builds.off}. PGO on: ${report.builds.on}. ${report.runs.length / 2} runs a side, interleaved off, on, off, on….`,
    '',
    ...report.sentences.map((s) => `- ${s}`),
    '',
    '| measure | PGO off (median) | PGO on (median) | difference, on − off (Hodges–Lehmann) | interval (exact confidence) | p-value (Mann–Whitney, two-sided) |',
    '| --- | ---: | ---: | ---: | --- | ---: |',
    ...rows,
    '',
    'Server CPU per request: the service\'s process_cpu_seconds_total over target_http_request_duration_seconds_count, between the /metrics captures before and after each run. Chart: pgo-verify.svg.',
    '',
    '| run | PGO | requests | CPU s | CPU/request µs | p50 ms | p95 ms | dropped iterations | folder |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...runRows,
    '',
  ].join('\n');
}

/** Every run's value per measure, off and on side by side, with the medians marked. */
export function chartSpec(report: VerifyReport): TopLevelSpec {
  const values = report.runs.flatMap((run) =>
    measures.map((m) => ({ measure: `${m.label}, ${m.unit}`, side: `PGO ${run.side}`, value: run[m.key] * m.scale })),
  );
  const cpu = report.results[0];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `PGO off against on: ${report.scenario} at ${report.profile}`,
      subtitle: `${report.runs.length / 2} runs a side; bar: median. CPU per request ${percentOf(cpu.estimate, cpu.before.median)}, p = ${cpu.pValue.toPrecision(2)}`,
    },
    data: { values },
    facet: { column: { field: 'measure', type: 'nominal', sort: measures.map((m) => `${m.label}, ${m.unit}`), title: null } },
    spec: {
      width: 160,
      height: 220,
      layer: [
        { mark: { type: 'point', filled: true, opacity: 0.7 }, encoding: { x: { field: 'side', type: 'nominal', title: null }, y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } }, color: { field: 'side', type: 'nominal', title: null, scale: { domain: ['PGO off', 'PGO on'], range: [palette.before, palette.after] } } } },
        { mark: { type: 'tick', thickness: 2, size: 30 }, encoding: { x: { field: 'side', type: 'nominal' }, y: { aggregate: 'median', field: 'value', type: 'quantitative' }, color: { field: 'side', type: 'nominal' } } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif' },
  };
}

export function summarise(scenario: string, profile: string, rate: string, builds: VerifyReport['builds'], runs: VerifyReport['runs']): VerifyReport {
  const side = (s: 'off' | 'on') => runs.filter((r) => r.side === s);
  const results = measures.map((m) => ({ measure: m.label, unit: m.unit, ...shift(side('off').map((r) => r[m.key]), side('on').map((r) => r[m.key])) }));
  const sentences = results.map((r) => {
    const m = measures.find((x) => x.label === r.measure)!;
    return verdict(r.measure, m.unit, { ...r, estimate: r.estimate * m.scale, low: r.low === null ? null : r.low * m.scale, high: r.high === null ? null : r.high * m.scale, before: { ...r.before, median: r.before.median * m.scale } });
  });
  const failed = runs.filter((r) => r.exitCode !== 0);
  if (failed.length) sentences.push(`${failed.length} run(s) failed their SLOs (${failed[0].reason.slice(0, 120)}…): the machine was busy or the rate too high; the figures are still each run's own.`);
  const dropped = runs.filter((r) => r.droppedIterations > 0);
  if (dropped.length) sentences.push(`${dropped.length} run(s) dropped iterations: the rate was at saturation for this machine, so latency includes queueing; lower RPS for a cleaner comparison.`);
  return { scenario, profile, rate, builds, runs, results, sentences };
}

const newestFolder = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((name) => /^\d{8}T\d{6}Z-/.test(name)).sort().at(-1) : undefined);

export async function pgoVerifyCommand(scenarioArgument: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  const scenario = (scenarioArgument || env.SCENARIO || defaultScenario).trim();
  if (!scenarioNames().includes(scenario)) throw new SettingError(`SCENARIO="${scenario}" is not valid; valid scenarios are: ${scenarioNames().join(', ')}`);
  const runs = runsSetting(env);
  if (env.BASE_URL?.trim()) throw new SettingError(`BASE_URL="${env.BASE_URL}" is not used by make pgo-verify: it builds and starts the reference service twice (PGO off and on); unset BASE_URL`);
  const builds = { off: pgoBuild(verifyBinaries.off), on: pgoBuild(verifyBinaries.on) };
  if (!builds.off || !builds.on) {
    throw new LoadgateError('badCommandLine', `the PGO off and on builds are missing (${verifyBinaries.off}, ${verifyBinaries.on}); run "make pgo-verify", which builds them`);
  }
  if (builds.on.pgo !== 'on' || builds.off.pgo !== 'off') {
    throw new LoadgateError('badCommandLine', `the PGO on build used no profile: there is no ${servicePgoFile}; take one with "make pgo SCENARIO=${scenario}" first`);
  }
  const rate = env.RPS?.trim() || env.LOADGATE_RPS?.trim() || verifyRps;
  const runEnv = { ...env, RPS: rate, PROFILE_CAPTURE: 'off', DASHBOARD: 'off' };
  const config = parseRunConfig(k6Environment(runEnv));
  const dir = createRunFolder(config.resultsDir, `pgo-verify-${scenario}`, config.profileName);
  const runsDir = join(dir, 'runs');
  say(`PGO verification in ${dir}: ${scenario} at ${config.profileName}, RPS=${rate}, ${runs} run(s) a side, interleaved`);
  const measured: VerifyReport['runs'] = [];
  for (let i = 1; i <= runs; i++) {
    for (const side of ['off', 'on'] as const) {
      say(`run ${i} of ${runs}, PGO ${side}`);
      const code = await runScenario(scenario, { ...runEnv, RESULTS_DIR: runsDir }, runK6, { serviceBinary: verifyBinaries[side] });
      const folder = newestFolder(runsDir);
      // A run over its latency SLOs still measured what it cost; one that stopped early did not.
      if ((code !== 0 && code !== exitCodes.thresholdsFailed.code) || !folder) {
        say(`run ${i} (PGO ${side}) ended early (exit code ${code}${folder ? `, see ${join(runsDir, folder)}/REPORT.md` : ''}); nothing to compare`);
        return code || 1;
      }
      measured.push({ side, ...serviceCost(join(runsDir, folder)) });
    }
  }
  const report = summarise(scenario, config.profileName, rate, { off: describeBuild(builds.off), on: describeBuild(builds.on) }, measured);
  const markdown = renderMarkdown(report);
  process.stdout.write(`${markdown}\n`);
  writeFileSync(join(dir, verifyFiles.markdown), markdown);
  writeFileSync(join(dir, verifyFiles.json), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, verifyFiles.chart), await renderSvg(chartSpec(report)));
  say(`PGO verification written to ${join(dir, verifyFiles.markdown)} and ${verifyFiles.chart}`);
  return 0;
}
