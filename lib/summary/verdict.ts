// Why a finished run failed, read from its summary alone. k6's handleSummary (the terminal), the
// CLI's meta.json and summary.txt, and REPORT.md all take their reason from here, so they can
// never give two different verdicts for one run.
import { endpointDownMetric } from '../../thresholds/keys.ts';
import { allFailingWindow } from '../../thresholds/objectives.ts';
import { describeStatuses, endpointRows, failedStatuses, failedThresholds, firedAlerts, type K6Summary } from './model.ts';

export interface SummaryVerdict {
  reason: string;
  /** An abort threshold or alert stopped the run before its schedule ended. */
  stoppedEarly: boolean;
}

const endpointOf = (metric: string, prefix: string) => (metric.startsWith(`${prefix}{endpoint:`) ? metric.slice(prefix.length + '{endpoint:'.length, -1) : null);

/** "quote_like (errors 49.0% (objective < 1.00%))" for every endpoint that missed an objective. */
export function failingEndpoints(summary: K6Summary): string[] {
  return endpointRows(summary)
    .filter((row) => !row.ok)
    .map((row) => `${row.endpoint} (${row.failures.join(', ')})`);
}

/** The verdict of a run whose thresholds failed, or null when every threshold held. */
export function summaryVerdict(summary: K6Summary): SummaryVerdict | null {
  const failed = failedThresholds(summary);
  const aborting = firedAlerts(summary).filter((alert) => alert.aborting);
  const failing = failingEndpoints(summary);
  if (aborting.length) {
    const rows = endpointRows(summary).length;
    const drivers = failing.length ? `; endpoints missing their objectives: ${failing.join('; ')}` : rows ? '; every endpoint met its own objectives' : '';
    return { reason: `aborted by alert ${aborting.map((a) => a.name).join(', ')}${drivers}`, stoppedEarly: true };
  }
  // thresholds/objectives.ts stops a run whose endpoint answered nothing but failures: from the
  // start (every request so far failed) or mid-run (a VU saw only failures for the window).
  const down = new Set<string>();
  for (const t of failed) {
    const endpoint = t.expression === 'rate<1' ? endpointOf(t.metric, 'http_req_failed') : endpointOf(t.metric, endpointDownMetric);
    if (endpoint) down.add(endpoint);
  }
  if (down.size) {
    const why = [...down].map((endpoint) => `every ${endpoint} request failed for ${allFailingWindow} or more (${describeStatuses(failedStatuses(summary, endpoint)) || 'no status recorded'})`);
    return { reason: `aborted: ${why.join('; ')}`, stoppedEarly: true };
  }
  if (!failed.length) return null;
  const others = failed.filter((t) => !t.metric.includes('{endpoint:')).map((t) => `${t.metric} ${t.expression}`);
  return { reason: `SLO failed: ${[...failing, ...others].join('; ')}`, stoppedEarly: false };
}
