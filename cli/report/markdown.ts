// REPORT.md: the one file a person reads after a run. Every section says in a sentence when its
// data is missing, because a report with holes in it reads as a report with lies.
import type { ReportInput } from './input.ts';
import { bottlenecks } from './sections/bottlenecks.ts';
import { cacheSection } from './sections/cache.ts';
import { testConfiguration } from './sections/configuration.ts';
import { databaseSection } from './sections/database.ts';
import { filesSection } from './sections/files.ts';
import { alertsSection, endpointTable, k6Metrics } from './sections/k6.ts';
import { executiveSummary, title } from './sections/overview.ts';
import { cpuAndAllocations, goroutinesBlockMutex } from './sections/profiles.ts';
import { targetMetrics } from './sections/target.ts';

export function renderReportMarkdown(input: ReportInput): string {
  const sections = [
    title(input),
    executiveSummary(input),
    testConfiguration(input),
    k6Metrics(input),
    endpointTable(input),
    alertsSection(input),
    targetMetrics(input),
    databaseSection(input),
    cacheSection(input),
    cpuAndAllocations(input),
    goroutinesBlockMutex(input),
    bottlenecks(input),
    filesSection(input),
  ];
  return `${sections.flat().join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
