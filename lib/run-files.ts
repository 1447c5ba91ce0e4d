// The names of the files in a run folder. k6's handleSummary writes some and the CLI the rest, so
// both sides take the names from here.
export const runFiles = {
  summary: 'summary.json',
  summaryText: 'summary.txt',
  junit: 'junit.xml',
  meta: 'meta.json',
  report: 'REPORT.md',
  dashboard: 'report.html',
  k6Log: 'k6.log.json',
  serviceLog: 'service.log',
  profiles: 'profiles',
} as const;
