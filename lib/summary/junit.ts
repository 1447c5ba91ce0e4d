// JUnit XML with one test case per threshold, so CI shows which SLO failed and by how much.
import { alertMetricName } from '../../thresholds/keys.ts';
import { formatObserved, runDurationSeconds, thresholdResults, type K6Summary } from './model.ts';

export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderJunit(summary: K6Summary, suiteName: string): string {
  const results = thresholdResults(summary);
  const failures = results.filter((r) => !r.ok).length;
  const cases = results.map((r) => {
    const name = escapeXml(`${r.metric} ${r.expression}`);
    const head = `    <testcase classname="${escapeXml(suiteName)}" name="${name}">`;
    // A warning alert passes its record-only threshold even when it fired; CI should still see it.
    const firedWarning = r.ok && r.metric.startsWith(`${alertMetricName}{`) && (r.observed ?? 0) > 0;
    if (firedWarning) return `${head}\n      <system-out>${escapeXml(`${r.metric} fired ${r.observed} time(s); severity below the abort level`)}</system-out>\n    </testcase>`;
    if (r.noData) return `${head}\n      <skipped message="no data: no successful response to judge"/>\n    </testcase>`;
    if (r.ok) return `${head}</testcase>`;
    const message = escapeXml(`${r.metric}: ${r.expression} not met, observed ${formatObserved(r)}`);
    return `${head}\n      <failure message="${message}" type="threshold">${message}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${results.length}" failures="${failures}" time="${runDurationSeconds(summary).toFixed(3)}">`,
    `  <testsuite name="${escapeXml(suiteName)}" tests="${results.length}" failures="${failures}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
