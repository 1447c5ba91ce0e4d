// The gate's outputs from one GateReport: the terminal table, gate.md (also GitHub's step summary),
// gate.json, JUnit with one test case per endpoint and metric, and gate.svg.
import type { TopLevelSpec } from 'vega-lite';
import { escapeXml } from '../../lib/summary/junit.ts';
import { alpha, describeTolerance, tolerances } from '../../thresholds/regression.ts';
import { palette, renderSvg } from '../charts.ts';
import { formatValue, type Comparison, type GateDecision } from './compare.ts';

export type Outcome = 'no regression' | 'regression' | 'run failed' | 'cannot compare';

export interface RunRef {
  folder: string;
  startedAt?: string;
  gitCommit?: string;
  k6?: string;
  exitCode: number;
  reason: string;
}

export interface GateReport {
  scenario: string;
  profile: string;
  outcome: Outcome;
  exitCode: number;
  /** What the outcome means in sentences: the regressions, the failed run or why nothing was compared. */
  sentences: string[];
  baseline: { file: string; createdAt?: string; machine?: string; runs: RunRef[] } | null;
  current: { machine?: string; runs: RunRef[] };
  /** Set when GATE_ALLOW_OTHER_MACHINE let a baseline from another machine through. */
  otherMachine: boolean;
  decision: GateDecision | null;
}

export const runRef = (run: RunRef): RunRef => ({
  folder: run.folder,
  startedAt: run.startedAt,
  gitCommit: run.gitCommit,
  k6: run.k6,
  exitCode: run.exitCode,
  reason: run.reason,
});

const headline = (report: GateReport) =>
  `loadgate gate: ${report.scenario} at ${report.profile}: ${report.outcome} (exit code ${report.exitCode})`;

function pText(comparison: Comparison): string {
  return comparison.pValue === null ? '–' : comparison.pValue.toFixed(3);
}

function rows(decision: GateDecision): string[][] {
  return decision.comparisons.map((c) => [
    c.endpoint,
    tolerances[c.metric].label,
    formatValue(c.metric, c.baselineMedian),
    formatValue(c.metric, c.currentMedian),
    c.bound === null ? '–' : formatValue(c.metric, c.bound),
    pText(c),
    c.status,
  ]);
}

const header = ['endpoint', 'metric', 'baseline', 'current', 'allowed', 'p', 'status'];

function decidedBy(decision: GateDecision): string {
  return decision.rankTest
    ? `medians of ${decision.currentRuns} current and ${decision.baselineRuns} baseline runs against the tolerance, and a one-sided Mann–Whitney U test at p <= ${alpha}`
    : `the tolerance alone: ${decision.currentRuns} current and ${decision.baselineRuns} baseline run(s) are too few for the rank test to reach p <= ${alpha} (REPEAT=3 on both sides is the least that can)`;
}

export function renderTerminal(report: GateReport): string {
  const lines = [headline(report), ...report.sentences.map((s) => `  ${s}`)];
  if (report.decision) {
    const table = [header, ...rows(report.decision)];
    const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
    lines.push('', ...table.map((row) => row.map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()));
    lines.push('', `decided by ${decidedBy(report.decision)}`);
  }
  return `${lines.join('\n')}\n`;
}

function runList(runs: RunRef[]): string[] {
  return runs.map((run) => `  - \`${run.folder}\`${run.startedAt ? `, ${run.startedAt}` : ''}${run.gitCommit ? `, commit ${run.gitCommit}` : ''}${run.k6 ? `, ${run.k6}` : ''}`);
}

export function renderMarkdown(report: GateReport): string {
  const lines = [`## Regression gate: ${report.scenario} at ${report.profile}`, '', `**${report.outcome}** (exit code ${report.exitCode})`, ''];
  lines.push('Mode: **committed baseline**: current runs against figures stored in the baseline file (`make gate BASE=<git ref>` measures both sides here instead; docs/gate.md).', '');
  if (report.sentences.length) lines.push(...report.sentences.map((s) => `- ${s}`), '');
  if (report.decision) {
    lines.push(`| ${header.join(' | ')} |`, `|---|---|${'---:|'.repeat(4)}---|`);
    for (const row of rows(report.decision)) lines.push(`| ${row.map((cell, i) => (i === 6 && cell === 'regression' ? '**regression**' : cell)).join(' | ')} |`);
    lines.push('', `Decided by ${decidedBy(report.decision)}. Values are medians of the runs; "allowed" is the worst the current median may be.`);
    const metrics = [...new Set(report.decision.comparisons.map((c) => c.metric))];
    lines.push('', `Tolerances (thresholds/regression.ts): ${metrics.map((m) => `${tolerances[m].label} ${describeTolerance(m)}`).join('; ')}. Chart: gate.svg.`);
    const sampled = metrics.filter((m) => tolerances[m].minSamples);
    if (report.decision.comparisons.some((c) => c.status === 'too few samples')) {
      lines.push('', `"too few samples": a metric is judged only when every run on both sides has at least ${sampled.map((m) => `${tolerances[m].minSamples} ${m === 'throughput' ? 'requests' : 'successful responses'} for ${tolerances[m].label}`).join(', ')}; a longer profile gives them.`);
    }
  }
  lines.push('', `Current run(s) on ${report.current.machine ?? 'an unknown machine'}:`, ...runList(report.current.runs));
  if (report.baseline) {
    lines.push('', `Baseline \`${report.baseline.file}\`${report.baseline.createdAt ? ` of ${report.baseline.createdAt}` : ''} on ${report.baseline.machine ?? 'an unknown machine'}:`, ...runList(report.baseline.runs));
  }
  if (report.otherMachine) lines.push('', '**The baseline was taken on a different machine** (allowed by GATE_ALLOW_OTHER_MACHINE=1): differences may come from the machines, not the code.');
  return `${lines.join('\n')}\n`;
}

export function renderJunit(report: GateReport): string {
  const suite = `loadgate.gate.${report.scenario}.${report.profile}`;
  const comparisons = report.decision?.comparisons ?? [];
  const cases = comparisons.map((c) => {
    const head = `    <testcase classname="${escapeXml(suite)}" name="${escapeXml(`${c.endpoint} ${c.metric}`)}">`;
    if (c.status !== 'regression') return `${head}</testcase>`;
    const message = escapeXml(c.sentence);
    return `${head}\n      <failure message="${message}" type="regression">${message}</failure>\n    </testcase>`;
  });
  // Without a comparison, one case carries why, so CI still shows a red test with the sentence.
  if (!report.decision && report.exitCode !== 0) {
    const message = escapeXml(report.sentences.join(' '));
    cases.push(`    <testcase classname="${escapeXml(suite)}" name="${escapeXml(report.outcome)}">\n      <failure message="${message}" type="${escapeXml(report.outcome)}">${message}</failure>\n    </testcase>`);
  }
  const failures = cases.filter((c) => c.includes('<failure')).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${cases.length}" failures="${failures}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Baseline against current per endpoint: p50, p95 and p99 side by side, the allowed bound as a red tick. */
export function chartSpec(report: GateReport): TopLevelSpec {
  const values: Array<Record<string, string | number>> = [];
  const regressed = new Set(report.decision?.regressions.map((r) => r.endpoint));
  for (const c of report.decision?.comparisons ?? []) {
    if (tolerances[c.metric].unit !== 'ms') continue;
    const label = regressed.has(c.endpoint) ? `${c.endpoint} ✗` : c.endpoint;
    if (c.baselineMedian !== null) values.push({ endpoint: label, metric: c.metric, side: 'baseline', value: c.baselineMedian });
    if (c.currentMedian !== null) values.push({ endpoint: label, metric: c.metric, side: 'current', value: c.currentMedian });
    if (c.bound !== null) values.push({ endpoint: label, metric: c.metric, side: 'allowed', value: c.bound });
  }
  const y = { field: 'endpoint', type: 'nominal', title: null } as const;
  const endpoints = new Set(values.map((row) => row.endpoint)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${report.scenario} at ${report.profile}: ${report.outcome}`,
      subtitle: `medians of ${report.decision?.baselineRuns ?? 0} baseline and ${report.decision?.currentRuns ?? 0} current runs; red tick: the most the current median may be`,
    },
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', sort: ['p50', 'p95', 'p99'], title: null } },
    spec: {
      width: 220,
      height: Math.max(1, endpoints) * 32,
      layer: [
        {
          transform: [{ filter: "datum.side !== 'allowed'" }],
          mark: 'bar',
          encoding: {
            y,
            yOffset: { field: 'side', sort: ['baseline', 'current'] },
            x: { field: 'value', type: 'quantitative', title: 'latency, ms' },
            color: { field: 'side', type: 'nominal', title: null, scale: { domain: ['baseline', 'current'], range: [palette.before, palette.after] } },
          },
        },
        {
          transform: [{ filter: "datum.side === 'allowed'" }],
          mark: { type: 'tick', color: palette.bound, thickness: 2 },
          encoding: { y, x: { field: 'value', type: 'quantitative' } },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
    config: { font: 'sans-serif' },
  };
}

export const renderChart = (report: GateReport) => renderSvg(chartSpec(report));
