// The trade-off table: per value, the median of every key figure over its repetitions with the
// range as its spread, and the recommendation with its rule in words. Pure: figures in, table out.
import { max, min } from 'simple-statistics';
import { ms, percent, perSecond } from '../../lib/format.ts';
import { median } from '../runs/ranks.ts';
import type { Figure, SweepRunFigures } from './figures.ts';
import { figureSets, type Measures } from './figures.ts';
import type { Parameter } from './params.ts';

export interface Spread {
  median: number | null;
  min: number | null;
  max: number | null;
  /** Runs that recorded the figure. */
  n: number;
}

export interface RunRef {
  folder: string;
  repetition: number;
  exitCode: number;
  reason: string;
}

export interface ValueRow {
  value: string;
  runs: RunRef[];
  /** Runs whose every threshold held. */
  passed: number;
  figures: Record<string, Spread>;
  /** The scenario's e2e visibility SLO at this value (event ingestion), in ms. */
  e2eSloMs: number | null;
}

export interface Recommendation {
  value: string | null;
  /** The rule, stated so a reader can check it against the table. */
  rule: string;
  /** Why this value, or why none. */
  sentence: string;
}

export interface TradeOffTable {
  scenario: string;
  profile: string;
  parameter: string;
  figures: Figure[];
  rows: ValueRow[];
  recommendation: Recommendation;
}

export interface RuleSettings {
  /** Database write transactions per second the flush-interval rule allows. */
  maxDbWrites: number;
}

/** Relative room around the best value's median, unless its own spread is wider. */
export const withinShare = 0.1;

export function spread(values: Array<number | null>): Spread {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!present.length) return { median: null, min: null, max: null, n: 0 };
  return { median: median(present), min: min(present), max: max(present), n: present.length };
}

export function valueRow(value: string, runs: Array<{ repetition: number; figures: SweepRunFigures }>, figures: Figure[]): ValueRow {
  const row: ValueRow = {
    value,
    runs: runs.map(({ repetition, figures: f }) => ({ folder: f.folder, repetition, exitCode: f.exitCode, reason: f.reason })),
    passed: runs.filter(({ figures: f }) => f.passed).length,
    figures: {},
    e2eSloMs: runs.find(({ figures: f }) => f.e2eSloMs !== null)?.figures.e2eSloMs ?? null,
  };
  for (const f of figures) row.figures[f.key] = spread(runs.map(({ figures: r }) => r.values[f.key] ?? null));
  return row;
}

/** A figure as the table shows it. */
export function formatFigure(unit: Figure['unit'], value: number | null): string {
  if (value === null) return 'n/a';
  switch (unit) {
    case 'ms':
      return ms(value);
    case 'per-second':
      return perSecond(value);
    case 'ratio':
      return percent(value);
    case 'bytes':
      return `${(value / 2 ** 20).toFixed(1)} MiB`;
    case 'cores':
      return `${value.toFixed(2)} cores`;
    case 'count':
      return String(Math.round(value));
  }
}

/** The value the table supports, with the rule it was chosen by. */
export function recommend(measures: Measures, parameter: Parameter, rows: ValueRow[], settings: RuleSettings): Recommendation {
  const ordered = rows.filter((row) => !Number.isNaN(parameter.order(row.value)!));
  if (parameter.name === 'BUFFER_FLUSH_INTERVAL' && measures === 'events') {
    const bound = settings.maxDbWrites;
    const rule = `the smallest interval whose median database write rate, as the table shows it, is at most ${bound} flush transactions per second (SWEEP_MAX_DB_WRITES), whose median e2e visibility p95 meets the scenario's SLO (the interval plus 1 s) and whose runs had no refused batch (median 503s: 0)`;
    const why: string[] = [];
    for (const row of ordered) {
      const writes = row.figures.flushesPerSecond.median;
      const e2e = row.figures.e2eP95.median;
      const refused = row.figures.refusedBatches.median;
      const shownWrites = writes === null ? null : Number(writes.toFixed(1));
      if (shownWrites === null || shownWrites > bound) why.push(`${row.value}: ${formatFigure('per-second', writes)} database writes over ${bound}/s`);
      else if (e2e === null || row.e2eSloMs === null || e2e >= row.e2eSloMs) why.push(`${row.value}: e2e p95 ${formatFigure('ms', e2e)} misses its SLO of ${formatFigure('ms', row.e2eSloMs)}`);
      else if (refused === null || refused > 0) why.push(`${row.value}: ${formatFigure('count', refused)} refused batches`);
      else {
        return {
          value: row.value,
          rule,
          sentence: `${formatFigure('per-second', writes)} database writes, e2e p95 ${formatFigure('ms', e2e)} against its SLO of ${formatFigure('ms', row.e2eSloMs)}, no refused batch${why.length ? `; smaller intervals were ruled out (${why.join('; ')})` : ''}`,
        };
      }
    }
    return { value: null, rule, sentence: `no interval meets the rule: ${why.join('; ')}` };
  }

  const { key, figures } = figureSets[measures];
  const label = figures.find((f) => f.key === key)!.label;
  const held = rows.filter((row) => row.runs.length > 0 && row.passed === row.runs.length && row.figures[key].median !== null);
  const numeric = ordered.length === rows.length;
  const rule = numeric
    ? `the smallest ${parameter.name} whose runs all held every threshold and whose median ${label} is within ${withinShare * 100}% (or the best value's own spread, if wider) of the best value's median`
    : `the value with the lowest median ${label} among those whose runs all held every threshold`;
  if (!held.length) return { value: null, rule, sentence: `no value meets the rule: no value had all of its runs hold every threshold` };
  const best = held.reduce((a, b) => (b.figures[key].median! < a.figures[key].median! ? b : a));
  const bestSpread = best.figures[key];
  if (!numeric) return { value: best.value, rule, sentence: `median ${label} ${formatFigure('ms', bestSpread.median)}` };
  const allowed = bestSpread.median! + Math.max(bestSpread.median! * withinShare, bestSpread.max! - bestSpread.min!);
  const chosen = held.find((row) => row.figures[key].median! <= allowed)!;
  return {
    value: chosen.value,
    rule,
    sentence: `median ${label} ${formatFigure('ms', chosen.figures[key].median)}, within ${formatFigure('ms', allowed)} (best: ${best.value} at ${formatFigure('ms', bestSpread.median)})`,
  };
}

function cell(unit: Figure['unit'], s: Spread): string {
  if (s.n === 0) return 'n/a';
  if (s.n === 1 || formatFigure(unit, s.min) === formatFigure(unit, s.max)) return formatFigure(unit, s.median);
  return `${formatFigure(unit, s.median)} (${formatFigure(unit, s.min)}–${formatFigure(unit, s.max)})`;
}

/** The table in Markdown: one row per value, medians with their range over the repetitions. */
export function tableMarkdown(table: TradeOffTable): string {
  const head = [table.parameter, ...table.figures.map((f) => f.label), 'runs held SLOs'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of table.rows) {
    const name = row.value === table.recommendation.value ? `**${row.value}** (recommended)` : row.value;
    lines.push(`| ${[name, ...table.figures.map((f) => cell(f.unit, row.figures[f.key])), `${row.passed} of ${row.runs.length}`].join(' | ')} |`);
  }
  return lines.join('\n');
}
