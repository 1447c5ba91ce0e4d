// `make report RUN=<folder>`: rebuilds the human-readable files of a run from its recorded data.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJunit } from '../lib/summary/junit.ts';
import type { K6Summary } from '../lib/summary/model.ts';
import { renderText } from '../lib/summary/text.ts';
import { collectReportInput } from './report/collect.ts';
import { renderReportMarkdown } from './report/markdown.ts';

export interface RunMeta {
  scenario: string;
  profile: string;
  reason: string;
  exitCode: number;
}

export function readRun(dir: string): { summary: K6Summary; meta: RunMeta } {
  const summaryFile = join(dir, 'summary.json');
  const metaFile = join(dir, 'meta.json');
  for (const file of [summaryFile, metaFile]) {
    if (!existsSync(file)) throw new Error(`${file} is missing; is ${dir} a loadgate run folder?`);
  }
  return {
    summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as K6Summary,
    meta: JSON.parse(readFileSync(metaFile, 'utf8')) as RunMeta,
  };
}

export function regenerateReports(dir: string): void {
  const { summary, meta } = readRun(dir);
  const notes = [`ended: ${meta.reason} (k6 exit code ${meta.exitCode})`];
  const monitorNote = (summary.setup_data as { monitorNote?: string } | undefined)?.monitorNote;
  if (monitorNote) notes.push(monitorNote);
  writeFileSync(join(dir, 'summary.txt'), renderText(summary, { scenario: meta.scenario, profile: meta.profile, notes }));
  writeFileSync(join(dir, 'junit.xml'), renderJunit(summary, `loadgate.${meta.scenario}.${meta.profile}`));
  const markdown = renderReportMarkdown(collectReportInput(dir));
  writeFileSync(join(dir, 'REPORT.md'), markdown);
  // GitHub renders this file on the workflow run's page; several runs in one job append in turn.
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
}
