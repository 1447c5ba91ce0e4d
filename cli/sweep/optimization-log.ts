// `make optimization-log`: one entry in the tuning guide's optimization-log form (issue, evidence,
// change, before, after, measured impact with its noise), from two sides that are run folders or
// sweep folders (a sweep stands for the runs of its recommended value). The figures are the
// sweep's, so a log entry and a trade-off table never disagree about what a run measured.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { failedThresholds } from '../../lib/summary/model.ts';
import { variables, type Variable } from '../variables.ts';
import { mannWhitneyGreater, smallestPValue } from '../runs/ranks.ts';
import { readSummary } from '../record.ts';
import { say } from '../run.ts';
import { figureSets, measuresOfRuns, readFigures, type Figure, type SweepRunFigures } from './figures.ts';
import { sweepFiles } from './files.ts';
import { existingPath, SettingError, text, type Env } from '../settings.ts';
import { formatFigure, spread, type Spread } from './table.ts';

export interface Side {
  /** The folder as given. */
  folder: string;
  /** What the side is, in words: "run …" or "sweep …, value …". */
  what: string;
  /** A sweep side's parameter and value, which is part of the change. */
  setting?: string;
  runs: SweepRunFigures[];
}

interface SweepRecord {
  parameter: string;
  recommendation: { value: string | null };
  runs: Array<{ value: string; folder: string | null }>;
}

/** A run folder, or a sweep folder's runs of its recommended value. */
function readSide(label: 'A' | 'B', env: Env): Side {
  const given = existingPath(env, label);
  if (!given) throw new SettingError(`${label} is not set; name a run folder or a sweep folder, e.g. ${label}=results/latest`);
  const sweepFile = join(given, sweepFiles.json);
  if (existsSync(sweepFile)) {
    const sweep = JSON.parse(readFileSync(sweepFile, 'utf8')) as SweepRecord;
    const value = sweep.recommendation.value;
    if (value === null) throw new SettingError(`${label}="${given}" is a sweep without a recommended value, so it stands for no runs; name one of its run folders (${join(given, sweepFiles.runs)}) instead`);
    const runs = sweep.runs.filter((run) => run.value === value && run.folder).map((run) => readFigures(join(given, run.folder!)));
    const read = runs.filter((run): run is SweepRunFigures => run !== null);
    if (!read.length) throw new SettingError(`${label}="${given}": the runs of its recommended value ${value} left no figures`);
    return { folder: given, what: `sweep ${basename(resolve(given))}, its recommended ${sweep.parameter}=${value}`, setting: `${sweep.parameter}=${value}`, runs: read };
  }
  const run = readFigures(given);
  if (!run) throw new SettingError(`${label}="${given}" is neither a sweep folder (no ${sweepFiles.json}) nor a finished run folder (no readable meta.json and summary.json)`);
  return { folder: given, what: `run ${basename(resolve(given))}`, runs: [run] };
}

export interface Impact {
  figure: Figure;
  before: Spread;
  after: Spread;
  /** After against before, as a share of before; null without both. */
  change: number | null;
  /** Two-sided exact rank-test p-value; null when the run counts cannot reach 0.05. */
  pValue: number | null;
  verdict: 'better' | 'worse' | 'within noise' | 'noise unknown' | 'no data';
}

/** Per figure: medians, ranges, and whether the difference stands out from the runs' own spread. */
export function impacts(before: SweepRunFigures[], after: SweepRunFigures[], figures: Figure[]): Impact[] {
  return figures.map((figure) => {
    const a = before.map((run) => run.values[figure.key] ?? null).filter((v): v is number => v !== null);
    const b = after.map((run) => run.values[figure.key] ?? null).filter((v): v is number => v !== null);
    const [sa, sb] = [spread(a), spread(b)];
    if (!a.length || !b.length) return { figure, before: sa, after: sb, change: null, pValue: null, verdict: 'no data' };
    const change = sa.median! === 0 ? (sb.median! === 0 ? 0 : null) : (sb.median! - sa.median!) / Math.abs(sa.median!);
    // Two-sided: twice the smaller one-sided p, which the exact test gives for either direction.
    const pValue = smallestPValue(a.length, b.length) * 2 <= 0.05 ? Math.min(1, 2 * Math.min(mannWhitneyGreater(b, a), mannWhitneyGreater(a, b))) : null;
    const overlap = sb.min! <= sa.max! && sa.min! <= sb.max!;
    // One run on a side has no spread to compare with: any difference could be the machine's.
    if (pValue === null && Math.min(a.length, b.length) < 2 && !overlap) return { figure, before: sa, after: sb, change, pValue, verdict: 'noise unknown' };
    const differs = pValue !== null ? pValue <= 0.05 : !overlap && sa.median !== sb.median;
    const lowerIsBetter = figure.better === 'lower';
    const verdict = !differs ? 'within noise' : (sb.median! < sa.median!) === lowerIsBetter ? 'better' : 'worse';
    return { figure, before: sa, after: sb, change, pValue, verdict };
  });
}

function describe(s: Spread, unit: Figure['unit']): string {
  if (s.n === 0) return 'n/a';
  if (s.n === 1) return formatFigure(unit, s.median);
  return `${formatFigure(unit, s.median)} (${formatFigure(unit, s.min)}–${formatFigure(unit, s.max)}, ${s.n} runs)`;
}

// Settings that differ between any two runs without being a change: where things listen and land;
// TARGET_ARGS is shown as the service's flags.
const incidental = /^(RESULTS_DIR|LOADGATE_RUN_DIR|BASE_URL|LOADGATE_GRPC_ADDR|K6_WEB_DASHBOARD.*|GITHUB_STEP_SUMMARY|K6_NO_USAGE_REPORT|TARGET_ARGS)$/;
/** Short names the CLI copied to their LOADGATE_ names: the long name tells the change once. */
const aliases = new Map<string, string>((variables as readonly Variable[]).flatMap((entry) => (entry.alias ? [[entry.alias, entry.name] as [string, string]] : [])));

/** Target flags without the listeners' addresses and the throwaway backends' URLs. */
function serviceFlags(run: SweepRunFigures): string[] {
  const args = run.meta.target?.args ?? [];
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (/^-(addr|grpc-addr|debug-addr|database-url|redis-url|block-profile-rate|mutex-profile-fraction)$/.test(args[i])) i++;
    else kept.push(args[i]);
  }
  return kept;
}

/** What differs between the sides: the sweep's setting, service flags, environment, commit. */
export function changes(before: Side, after: Side): string[] {
  const [a, b] = [before.runs[0], after.runs[0]];
  const found: string[] = [];
  // Against a single run, the flags and environment below already show the sweep's setting.
  if (before.setting && after.setting && before.setting !== after.setting) found.push(`${before.setting} → ${after.setting}`);
  const [fa, fb] = [serviceFlags(a).join(' '), serviceFlags(b).join(' ')];
  if (fa !== fb) found.push(`service flags \`${fa || '(none)'}\` → \`${fb || '(none)'}\``);
  const [ea, eb] = [a.meta.environment ?? {}, b.meta.environment ?? {}];
  for (const name of [...new Set([...Object.keys(ea), ...Object.keys(eb)])].sort()) {
    const copiedTo = aliases.get(name);
    if (incidental.test(name) || ea[name] === eb[name] || (copiedTo && (copiedTo in ea || copiedTo in eb))) continue;
    found.push(`${name} ${ea[name] ?? '(unset)'} → ${eb[name] ?? '(unset)'}`);
  }
  if (a.meta.gitCommit !== b.meta.gitCommit) found.push(`commit ${a.meta.gitCommit?.slice(0, 12) ?? 'unknown'} → ${b.meta.gitCommit?.slice(0, 12) ?? 'unknown'}`);
  return [...new Set(found)];
}

/** The thresholds the before side failed: the default statement of the issue. */
function failedOn(side: Side): string[] {
  return [...new Set(side.runs.flatMap((run) => failedThresholds(readSummary(run.folder) ?? { metrics: {} }).map((t) => `${t.metric} ${t.expression}`)))];
}

export function entryMarkdown(number: number, name: string, issue: string, before: Side, after: Side, logDir: string, date = new Date()): string {
  const scenario = before.runs[0].scenario;
  const list = impacts(before.runs, after.runs, figureSets[measuresOfRuns([...before.runs, ...after.runs])].figures);
  const link = (side: Side) => `[${side.what}](${relative(logDir, resolve(side.folder))})`;
  const failed = failedOn(before);
  const figuresOfSide = (side: 'before' | 'after') =>
    list.filter((i) => i[side].n > 0).map((i) => `${i.figure.label} ${describe(i[side], i.figure.unit)}`).join('; ');
  const changed = changes(before, after);
  const better = list.filter((i) => i.verdict === 'better');
  const worse = list.filter((i) => i.verdict === 'worse');
  const pct = (i: Impact) => (i.change === null ? 'n/a' : `${i.change >= 0 ? '+' : ''}${(i.change * 100).toFixed(1)}%`);
  const noise = (i: Impact) =>
    i.verdict === 'no data' ? 'n/a' : i.verdict === 'noise unknown' ? 'one run on a side: no spread to compare with' : i.pValue !== null ? `p = ${i.pValue.toFixed(3)} (rank test)` : `ranges ${i.verdict === 'within noise' ? 'overlap' : 'apart'}; too few runs for the rank test`;
  const unknown = list.filter((i) => i.verdict === 'noise unknown');
  const unjudged = unknown.length ? ` ${unknown.length} figure(s) changed with one run on a side, where the noise is unknown (${unknown.map((i) => `${i.figure.label} ${pct(i)}`).join(', ')}); repeat the runs (REPEAT=3 or more) to judge them.` : '';
  const conclusion =
    better.length || worse.length
      ? `${better.length ? `better beyond noise: ${better.map((i) => `${i.figure.label} ${pct(i)}`).join(', ')}` : 'nothing better beyond noise'}; ${worse.length ? `worse beyond noise: ${worse.map((i) => `${i.figure.label} ${pct(i)}`).join(', ')}` : 'nothing worse beyond noise'}.`
      : 'No figure moved beyond the runs\' own noise.';
  const runs = (side: Side) => `${side.runs.length} run(s) of ${scenario} at ${side.runs[0].profile}`;
  return [
    `## Optimization ${number}: ${name}`,
    '',
    `**Date:** ${date.toISOString().slice(0, 10)}`,
    `**Issue:** ${issue || (failed.length ? `the before side failed ${failed.join(', ')}` : 'not stated (ISSUE= was not given) and the before side held every threshold')}`,
    `**Evidence:** ${link(before)}, ${runs(before)}: ${figuresOfSide('before')}`,
    '',
    `**Change:** ${changed.length ? changed.join('; ') : 'no difference in settings, flags or commit was recorded'}`,
    '',
    '**Results:**',
    `- Before: ${link(before)}, ${runs(before)}`,
    `- After: ${link(after)}, ${runs(after)}`,
    '',
    '| figure | before | after | change | noise | verdict |',
    '|---|---:|---:|---:|---|---|',
    ...list.map((i) => `| ${i.figure.label} | ${describe(i.before, i.figure.unit)} | ${describe(i.after, i.figure.unit)} | ${pct(i)} | ${noise(i)} | ${i.verdict} |`),
    '',
    `**Measured impact:** ${conclusion}${unjudged} Medians over the runs, ranges in brackets; where the run counts let the exact rank test reach 0.05 two-sided (4 runs a side) it decides, otherwise only ranges that do not overlap count.`,
    '',
  ].join('\n');
}

const header = `# Optimization log

One entry per change, appended by \`make optimization-log A=<before> B=<after> NAME=…\` from the run
or sweep folders on both sides (docs/tuning.md explains how). Figures are medians over the runs
with their range; on the project's 2-core machine k6 and the service share the cores, and other
engineers' runs may share them too, so only differences beyond the runs' own spread count.
`;

export function optimizationLogCommand(env: NodeJS.ProcessEnv): number {
  const name = text(env, 'NAME');
  if (!name) throw new SettingError('NAME is not set; give the entry a title, e.g. NAME="Flush interval 1s to 2s"');
  const before = readSide('A', env);
  const after = readSide('B', env);
  const [a, b] = [before.runs[0], after.runs[0]];
  if (a.scenario !== b.scenario || a.profile !== b.profile) {
    throw new SettingError(`A holds ${a.scenario} at ${a.profile} and B ${b.scenario} at ${b.profile}; compare runs of one scenario and profile`);
  }
  const file = text(env, 'OPTIMIZATION_LOG');
  const log = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!log) writeFileSync(file, header);
  const number = (log.match(/^## Optimization \d+:/gm)?.length ?? 0) + 1;
  appendFileSync(file, `\n${entryMarkdown(number, name, text(env, 'ISSUE'), before, after, resolve(file, '..'))}`);
  say(`appended optimization ${number} ("${name}") to ${file}`);
  return 0;
}
