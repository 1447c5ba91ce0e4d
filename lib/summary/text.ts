// The human summary (summary.txt and the terminal). Our own renderer: k6's jslib summary is a
// remote module that cannot be fetched offline.
import {
  describeStatuses,
  endpointRows,
  failedStatuses,
  noLoadRan,
  firedAlerts,
  formatObserved,
  runDurationSeconds,
  thresholdResults,
  type K6Summary,
} from './model.ts';
import { milliseconds, percent, perSecond } from '../format.ts';
import { summaryVerdict } from './verdict.ts';

export interface RunLabel {
  scenario: string;
  profile: string;
  /** Extra lines worth reading first, e.g. that the alert monitor was off. */
  notes?: string[];
  /** Why the run ended, when known (the CLI knows it; k6's own handleSummary does not). */
  reason?: string;
  /** The run ended before its schedule did: the headline gives the reason, not a verdict. */
  stoppedEarly?: boolean;
}

const ms = (value: number | undefined) => (value === undefined ? '-' : milliseconds(value));

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function renderText(summary: K6Summary, label: RunLabel): string {
  const thresholds = thresholdResults(summary);
  const failed = thresholds.filter((t) => !t.ok);
  const reqs = summary.metrics.http_reqs?.values;
  const failures = summary.metrics.http_req_failed?.values.rate;
  const checks = summary.metrics.checks?.values.rate;
  const alerts = firedAlerts(summary);
  const title = `loadgate ${label.scenario} (${label.profile})`;
  // Thresholds over a run that never started measure nothing: only the reason is worth reading.
  if (noLoadRan(summary)) return `${title}: NO LOAD RAN: ${label.reason ?? "setup did not finish; k6's error is above"}\n${(label.notes ?? []).filter((note) => !note.startsWith('ended:')).join('\n')}\n`;
  // k6's own handleSummary has no exit code: the verdict is read from the summary the same way the
  // CLI reads it for meta.json, so the terminal and summary.txt agree.
  const verdict = summaryVerdict(summary);
  const reason = label.reason ?? verdict?.reason;
  const stoppedEarly = label.stoppedEarly ?? verdict?.stoppedEarly ?? false;
  const lines = [
    stoppedEarly && reason
      ? `${title}: STOPPED EARLY: ${reason}`
      : `${title}: ${failed.length === 0 ? 'PASSED' : `FAILED (${failed.length} of ${thresholds.length} thresholds): ${reason ?? ''}`.trimEnd()}`,
    `duration ${runDurationSeconds(summary).toFixed(1)} s` +
      (reqs ? `, ${reqs.count} HTTP requests at ${perSecond(reqs.rate)}` : '') +
      (failures !== undefined ? `, ${percent(failures)} failed` : '') +
      (checks !== undefined ? `, checks ${percent(checks)} passed` : ''),
    ...(label.notes ?? []),
    '',
  ];
  const rows = endpointRows(summary);
  if (rows.length) {
    lines.push('Endpoints (latency in ms, successful responses; FAIL names each objective missed)');
    lines.push(
      ...table(
        ['endpoint', 'requests', 'p50', 'p95', 'p99', 'objectives', 'status', 'failed responses'],
        rows.map((r) => [
          r.endpoint,
          String(r.requests),
          ms(r.p50),
          ms(r.p95),
          ms(r.p99),
          r.objectives.map((o) => o.text).join(', ') || '-',
          r.ok ? 'ok' : `FAIL: ${r.failures.join(', ')}`,
          describeStatuses(failedStatuses(summary, r.endpoint)) || '-',
        ]),
      ),
      '',
    );
  }
  lines.push(alerts.length ? `Alerts fired: ${alerts.map((a) => `${a.name}${a.aborting ? ' (aborted the run)' : ''}`).join(', ')}` : 'Alerts fired: none', '');
  lines.push('Thresholds');
  lines.push(
    ...table(
      ['metric', 'threshold', 'observed', 'result'],
      thresholds.map((t) => [t.metric, t.expression, formatObserved(t), t.noData ? 'no data' : t.ok ? 'pass' : 'FAIL']),
    ),
  );
  return `${lines.join('\n')}\n`;
}
