// `make report RUN=<folder>`: rebuilds the human-readable files of a run from its recorded data.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFiles } from '../lib/run-files.ts';
import { renderJunit } from '../lib/summary/junit.ts';
import { monitorNote } from '../lib/summary/model.ts';
import { renderText } from '../lib/summary/text.ts';
import { readMeta, readSummary } from './record.ts';
import { collectReportInput } from './report/collect.ts';
import { renderReportMarkdown } from './report/markdown.ts';
import { appendStepSummary, type Env } from './settings.ts';

/** REPORT.md needs only meta.json (it then says why nothing was measured); the others need k6's summary. */
export function regenerateReports(dir: string, env: Env): void {
  const meta = readMeta(dir);
  if (!meta) throw new Error(`${join(dir, runFiles.meta)} is missing or unreadable; is ${dir} a loadgate run folder?`);
  const summary = readSummary(dir);
  if (summary) {
    const notes = [`ended: ${meta.reason} (exit code ${meta.exitCode})`];
    const monitor = monitorNote(summary);
    if (monitor) notes.push(monitor);
    if (meta.merge?.method === 'sketch') notes.push(`merged percentiles are within ${meta.merge.relativeError * 100}% of the exact values (log-bucket histograms)`);
    for (const near of meta.merge?.nearLimit ?? []) notes.push(`within that error of its limit, so its verdict could go either way: ${near}`);
    writeFileSync(join(dir, runFiles.summaryText), renderText(summary, { scenario: meta.scenario, profile: meta.profile, notes, reason: `${meta.reason} (exit code ${meta.exitCode})`, stoppedEarly: meta.stoppedEarly }));
    writeFileSync(join(dir, runFiles.junit), renderJunit(summary, `loadgate.${meta.scenario}.${meta.profile}`));
  }
  const markdown = renderReportMarkdown(collectReportInput(dir));
  writeFileSync(join(dir, runFiles.report), markdown);
  // GitHub renders this file on the workflow run's page; several runs in one job append in turn.
  appendStepSummary(env, `${markdown}\n`);
}
