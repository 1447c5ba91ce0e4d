// The side-by-side gate's calibration on this machine (docs/gate.md, "Measured"): the A/A
// false-positive rate over GATE_RATES_AA gates of `make gate BASE=HEAD`, and the detection rate of
// a head-only slowdown of feed sized to +L of its p50 and of its p95 for each level L in
// GATE_RATES_LEVELS, GATE_RATES_INJECTED gates each. Every rate comes with its exact 95% interval.
// The slowdown is CPU burned per feed request (`-fault-cpu feed=<d>` in GATE_HEAD_ARGS), with d =
// L × base's median of the percentile in the first A/A gate.
//
//   node --import tsx bench/gate-ab-rates.ts    GATE_RATES_AA (30), GATE_RATES_INJECTED (10),
//                                              GATE_RATES_LEVELS (0.1,0.25,0.5), REPEAT (3), PROFILE (smoke),
//                                              VUS (the profile's own when unset)
//
// Writes <RESULTS_DIR>/gate-ab-rates/<UTC stamp>/rates.md and rates.json and prints the Markdown.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AbReport } from '../cli/gate/ab-render.ts';
import { projectRoot } from '../cli/paths.ts';
import { orExit } from '../cli/exit-codes.ts';
import { utcStamp } from '../cli/run-folder.ts';
import { hostEnvironment, invalid, list, numeric, text } from '../cli/settings.ts';
import { describeKind, variable } from '../cli/variables.ts';
import { median } from '../cli/runs/ranks.ts';
import { clopperPearson } from '../cli/runs/stats.ts';
import { cleanEnv, spawnCollect } from '../test/integration/harness.ts';

const env = hostEnvironment();
const { aa, injected, repeat, profile, levels, vus } = orExit(() => {
  const levels = list(env, 'GATE_RATES_LEVELS').map(Number);
  if (!levels.length || levels.some((level) => !(level > 0 && level <= 5))) {
    throw invalid('GATE_RATES_LEVELS', text(env, 'GATE_RATES_LEVELS'), describeKind(variable('GATE_RATES_LEVELS').kind));
  }
  return {
    aa: numeric(env, 'GATE_RATES_AA'),
    injected: numeric(env, 'GATE_RATES_INJECTED', 10),
    repeat: numeric(env, 'REPEAT'),
    profile: text(env, 'PROFILE', 'smoke'),
    // The side-by-side gate test runs quick at VUS=400, so a short profile still has enough feed
    // requests per round for a p95; the calibration must be able to measure that configuration.
    vus: env.VUS || env.LOADGATE_VUS ? String(numeric(env, 'LOADGATE_VUS')) : '',
    levels,
  };
}, 'gate-ab-rates');
const outDir = resolve(projectRoot, text(env, 'RESULTS_DIR'), 'gate-ab-rates', utcStamp());
mkdirSync(outDir, { recursive: true });

interface Gate {
  kind: string;
  exitCode: number;
  outcome: string;
  named: string[];
  folder: string | null;
}

async function gate(kind: string, headArgs: string): Promise<{ gate: Gate; report: AbReport | null }> {
  const env = cleanEnv({ BASE: 'HEAD', PROFILE: profile, REPEAT: String(repeat), RESULTS_DIR: outDir, ...(vus ? { VUS: vus } : {}), ...(headArgs ? { GATE_HEAD_ARGS: headArgs } : {}) });
  const outcome = await spawnCollect(process.execPath, ['dist/cli.mjs', 'gate', 'mixed'], env);
  const folder = /gate report in (.+)\/gate\.md/.exec(outcome.stderr)?.[1] ?? null;
  const report = folder ? (JSON.parse(readFileSync(join(folder, 'gate.json'), 'utf8')) as AbReport) : null;
  const named = report?.decision?.regressions.map((r) => `${r.endpoint} ${r.metric}`) ?? [];
  const why = report?.outcome === 'regression' ? '' : (report?.sentences[0] ?? outcome.stderr.trim().split('\n').at(-1) ?? '');
  console.error(`gate-ab-rates: ${kind}: exit ${outcome.code}${named.length ? `, named ${named.join(', ')}` : ''}${why ? ` (${why})` : ''}`);
  return { gate: { kind, exitCode: outcome.code, outcome: report?.outcome ?? 'no report', named, folder }, report };
}

const rate = (x: number, n: number) => {
  const { low, high } = clopperPearson(x, n);
  return `${x}/${n} = ${((x / n) * 100).toFixed(0)}% (95% interval ${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%)`;
};

const gates: Gate[] = [];
let feed: { p50: number; p95: number } | null = null;
for (let i = 0; i < aa; i++) {
  const { gate: g, report } = await gate('A/A', '');
  gates.push(g);
  const comparisons = report?.decision?.comparisons ?? [];
  const of = (metric: string) => median(comparisons.find((c) => c.endpoint === 'feed' && c.metric === metric)?.base ?? [NaN]);
  if (!feed && report?.decision) feed = { p50: of('p50'), p95: of('p95') };
}
const rows: string[] = [`| A/A, no change | ${rate(gates.filter((g) => g.exitCode === 1).length, aa)} red; of which the comparison: ${rate(gates.filter((g) => g.outcome === 'regression').length, aa)} | \`GATE_RATES_AA=${aa} node --import tsx bench/gate-ab-rates.ts\` |`];
for (const metric of ['p50', 'p95'] as const) {
  for (const level of levels) {
    const burn = `${Math.max(1, Math.round((feed?.[metric] ?? 1) * level * 1000))}us`;
    const kind = `feed ${metric} +${Math.round(level * 100)}% (-fault-cpu feed=${burn})`;
    const these: Gate[] = [];
    for (let i = 0; i < injected; i++) these.push((await gate(kind, `-fault-cpu feed=${burn}`)).gate);
    gates.push(...these);
    rows.push(`| ${kind} | caught (feed ${metric} named): ${rate(these.filter((g) => g.named.includes(`feed ${metric}`)).length, injected)}; feed named at all: ${rate(these.filter((g) => g.named.some((n) => n.startsWith('feed '))).length, injected)} | \`GATE_HEAD_ARGS='-fault-cpu feed=${burn}'\` |`);
  }
}
const markdown = [
  `# Side-by-side gate rates: mixed at ${profile}${vus ? ` with VUS=${vus}` : ''}, ${repeat} rounds a gate`,
  '',
  `Base feed p50 ${feed?.p50.toFixed(2)} ms, p95 ${feed?.p95.toFixed(2)} ms (first A/A gate). Intervals: Clopper–Pearson, 95%.`,
  '',
  '| gates | rate | command |',
  '| --- | --- | --- |',
  ...rows,
  '',
].join('\n');
writeFileSync(join(outDir, 'rates.md'), markdown);
writeFileSync(join(outDir, 'rates.json'), `${JSON.stringify({ profile, repeat, vus: vus || null, feed, gates }, null, 2)}\n`);
process.stdout.write(markdown);
