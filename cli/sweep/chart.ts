// The sweep's chart: one small panel per key figure against the parameter, the median as a line,
// the range over the repetitions as a bar, the recommended value in the strong colour. Rendered to
// SVG in node by cli/charts.ts like every other chart.
import type { TopLevelSpec } from 'vega-lite';
import { palette, renderSvg } from '../charts.ts';
import type { Unit } from './figures.ts';
import type { TradeOffTable } from './table.ts';

const unitWords: Record<Unit, string> = { ms: 'ms', 'per-second': 'per s', count: 'count', ratio: '%', bytes: 'MiB', cores: 'cores' };
const scaled = (unit: Unit, value: number | null) => (value === null ? null : unit === 'bytes' ? value / 2 ** 20 : unit === 'ratio' ? value * 100 : value);

export function chartSpec(table: TradeOffTable): TopLevelSpec {
  const values = table.figures.flatMap((f) =>
    table.rows
      .filter((row) => row.figures[f.key].n > 0)
      .map((row) => ({
        figure: `${f.label} (${unitWords[f.unit]})`,
        value: row.value,
        median: scaled(f.unit, row.figures[f.key].median),
        min: scaled(f.unit, row.figures[f.key].min),
        max: scaled(f.unit, row.figures[f.key].max),
        side: row.value === table.recommendation.value ? 'recommended' : 'other',
      })),
  );
  const x = { field: 'value', type: 'ordinal', sort: table.rows.map((row) => row.value), title: table.parameter } as const;
  const repetitions = Math.max(0, ...table.rows.map((row) => row.runs.length));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${table.scenario} at ${table.profile}: ${table.parameter} sweep`,
      subtitle: `median of up to ${repetitions} run(s) per value, bar: their range; ${table.recommendation.value ? `recommended: ${table.recommendation.value}` : 'no value meets the rule'}`,
    },
    data: { values },
    facet: { field: 'figure', type: 'nominal', title: null, sort: table.figures.map((f) => `${f.label} (${unitWords[f.unit]})`) },
    columns: 4,
    spec: {
      width: 170,
      height: 110,
      layer: [
        // '~g' keeps an all-zero panel (no refused batch) from reading 0.000000.
        { mark: { type: 'rule', color: palette.before }, encoding: { x, y: { field: 'min', type: 'quantitative', title: null, axis: { format: '~g' } }, y2: { field: 'max' } } },
        { mark: { type: 'line', color: palette.before }, encoding: { x, y: { field: 'median', type: 'quantitative' } } },
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x,
            y: { field: 'median', type: 'quantitative' },
            color: { field: 'side', type: 'nominal', title: null, scale: { domain: ['other', 'recommended'], range: [palette.before, palette.after] } },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif' },
  };
}

export const renderSweepChart = (table: TradeOffTable) => renderSvg(chartSpec(table));
