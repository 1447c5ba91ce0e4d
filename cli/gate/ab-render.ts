// The side-by-side gate's outputs: the terminal table, gate.md (also GitHub's step summary),
// gate.json and JUnit with one test case per endpoint and metric, in the gate's own folder.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeXml } from '../../lib/summary/junit.ts';
import { describeMinimumEffect, familyAlpha } from '../../thresholds/regression.ts';
import { say } from '../run.ts';
import { median } from '../runs/ranks.ts';
import { appendStepSummary, type Env } from '../settings.ts';
import { abLabel, formatChange, formatFigure, type AbComparison, type AbDecision } from './ab-compare.ts';
import type { AbSettings, Side } from './ab.ts';
import { causeMarkdown, type Cause } from './cause.ts';

export interface AbReport {
  scenario: string;
  profile: string;
  outcome: 'no regression' | 'regression' | 'run failed' | 'cannot compare';
  exitCode: number;
  sentences: string[];
  settings: AbSettings;
  runs: Array<{ round: number; side: Side; folder: string }>;
  decision: AbDecision | null;
  cause: Cause | null;
}

export const abFiles = { markdown: 'gate.md', json: 'gate.json', junit: 'gate-junit.xml' } as const;

const header = ['endpoint', 'metric', 'base', 'head', 'change', '95% interval', 'p (Holm)', 'status'];

function rows(decision: AbDecision): string[][] {
  return decision.comparisons.map((c: AbComparison) => [
    c.endpoint,
    abLabel(c.metric),
    c.base.length ? formatFigure(c.metric, median(c.base)) : 'no data',
    c.head.length ? formatFigure(c.metric, median(c.head)) : 'no data',
    c.estimate ? formatChange(c.metric, c.estimate.estimate) : '–',
    c.estimate ? `${formatChange(c.metric, c.estimate.low)} to ${formatChange(c.metric, c.estimate.high)}` : '–',
    c.adjustedP === null ? '–' : c.adjustedP.toPrecision(2),
    c.status,
  ]);
}

const headline = (r: AbReport) => `loadgate gate: ${r.scenario} at ${r.profile}, base ${r.settings.base.ref} against head: ${r.outcome} (exit code ${r.exitCode})`;

export function renderAbTerminal(report: AbReport): string {
  const lines = [headline(report), ...report.sentences.map((s) => `  ${s}`)];
  if (report.decision) {
    const table = [header, ...rows(report.decision)];
    const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
    lines.push('', ...table.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()));
  }
  return `${lines.join('\n')}\n`;
}

export function renderAbMarkdown(report: AbReport): string {
  const s = report.settings;
  const lines = [`## Regression gate: ${report.scenario} at ${report.profile}, side by side`, '', `**${report.outcome}** (exit code ${report.exitCode})`, ''];
  lines.push(
    `Mode: **side by side** on this machine. Base: \`${s.base.ref}\` (${s.base.commit.slice(0, 12)}); head: the work tree at ${s.head.commit.slice(0, 12)}${s.head.dirty ? ' with uncommitted service changes' : ''}${s.headArgs.length ? `, head's service with \`${s.headArgs.join(' ')}\` (GATE_HEAD_ARGS)` : ''}${s.command ? `; services started by GATE_CMD \`${s.command}\`` : ''}. ${s.rounds} rounds after a discarded warm-up pair, in ABBA order.`,
    '',
  );
  if (report.sentences.length) lines.push(...report.sentences.map((x) => `- ${x}`), '');
  if (report.decision) {
    lines.push(`| ${header.join(' | ')} |`, `|---|---|${'---:|'.repeat(5)}---|`);
    for (const row of rows(report.decision)) lines.push(`| ${row.map((cell, i) => (i === 7 && cell === 'regression' ? '**regression**' : cell)).join(' | ')} |`);
    const metrics = [...new Set(report.decision.comparisons.map((c) => c.metric))];
    lines.push(
      '',
      `Base and head are medians over rounds. Change and interval: latency and throughput as head/base per round (mean of the log ratios, Student t over ${report.decision.rounds} rounds); error rate and failed checks as a difference of shares (Agresti–Caffo); dropped iterations as a rate ratio (exact conditional binomial). A metric fails only when head is worse by more than its minimum effect (${metrics.map((m) => `${abLabel(m)} ${describeMinimumEffect(m)}`).join('; ')}) at a Holm-adjusted p ≤ ${familyAlpha} over all ${report.decision.comparisons.filter((c) => c.estimate).length} judged metrics.`,
    );
  }
  if (report.cause) lines.push('', '### Where head spends more per request', '', ...causeMarkdown(report.cause));
  if (report.runs.length) lines.push('', 'Runs:', ...report.runs.map((r) => `  - ${r.round === 0 ? 'warm-up (not judged)' : `round ${r.round}`}, ${r.side}: \`${r.folder}\``));
  return `${lines.join('\n')}\n`;
}

export function renderAbJunit(report: AbReport): string {
  const suite = `loadgate.gate.${report.scenario}.${report.profile}`;
  const cases = (report.decision?.comparisons ?? []).map((c) => {
    const head = `    <testcase classname="${escapeXml(suite)}" name="${escapeXml(`${c.endpoint} ${c.metric}`)}">`;
    return c.status === 'regression' ? `${head}\n      <failure message="${escapeXml(c.sentence)}" type="regression">${escapeXml(c.sentence)}</failure>\n    </testcase>` : `${head}</testcase>`;
  });
  if (!report.decision && report.exitCode !== 0) {
    const message = escapeXml(report.sentences.join(' '));
    cases.push(`    <testcase classname="${escapeXml(suite)}" name="${escapeXml(report.outcome)}">\n      <failure message="${message}" type="${escapeXml(report.outcome)}">${message}</failure>\n    </testcase>`);
  }
  const failures = cases.filter((c) => c.includes('<failure')).length;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites tests="${cases.length}" failures="${failures}">`, `  <testsuite name="${escapeXml(suite)}" tests="${cases.length}" failures="${failures}">`, ...cases, '  </testsuite>', '</testsuites>', ''].join('\n');
}

export async function writeAbReport(report: AbReport, dir: string, env: Env): Promise<void> {
  process.stdout.write(renderAbTerminal(report));
  const markdown = renderAbMarkdown(report);
  appendStepSummary(env, `${markdown}\n`);
  writeFileSync(join(dir, abFiles.markdown), markdown);
  writeFileSync(join(dir, abFiles.json), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, abFiles.junit), renderAbJunit(report));
  say(`gate report in ${join(dir, abFiles.markdown)}`);
}
