// What k6 measured: the totals, each endpoint against its SLO, and the alerts that fired.
import { describeStatuses, endpointRows, failedStatuses, firedAlerts, monitorNote, monitorScrapes } from '../../../lib/summary/model.ts';
import { bytes, code, count, mark, ms, percent, perSecond, plural, table } from '../../runs/format.ts';
import { metric, noLoad, noLoadSentence, setupInfo, value, type ReportInput } from '../input.ts';

export function k6Metrics(input: ReportInput): string[] {
  const { summary } = input;
  const lines = ['## k6 metrics', ''];
  if (!summary) {
    lines.push('k6 metrics: not captured, there is no summary.json.', '');
    return lines;
  }
  if (noLoad(input)) return [...lines, noLoadSentence('Request rates, latencies and error rate'), ''];
  const rows: string[][] = [];
  const reqs = metric(summary, 'http_reqs')?.values;
  if (reqs) rows.push(['HTTP requests', `${count(reqs.count)} (${perSecond(reqs.rate)})`]);
  const iterations = metric(summary, 'iterations')?.values;
  if (iterations) rows.push(['Iterations', `${count(iterations.count)} (${perSecond(iterations.rate)})`]);
  const duration = metric(summary, 'http_req_duration')?.values;
  if (duration) {
    for (const stat of ['avg', 'p(50)', 'p(90)', 'p(95)', 'p(99)', 'max']) {
      const v = stat === 'p(50)' ? duration[stat] ?? duration.med : duration[stat];
      if (v !== undefined) rows.push([`http_req_duration ${stat}`, ms(v)]);
    }
  }
  const failed = metric(summary, 'http_req_failed')?.values;
  if (failed) rows.push(['Failed requests', `${percent(failed.rate)} (${count(failed.passes ?? 0)} of ${count((failed.passes ?? 0) + (failed.fails ?? 0))})`]);
  const checks = metric(summary, 'checks')?.values;
  if (checks) rows.push(['Checks passed', `${percent(checks.rate)} (${count(checks.passes ?? 0)} passed, ${count(checks.fails ?? 0)} failed)`]);
  const received = value(summary, 'data_received', 'count');
  const sent = value(summary, 'data_sent', 'count');
  if (received !== undefined && sent !== undefined) rows.push(['Data received / sent', `${bytes(received)} / ${bytes(sent)}`]);
  const dropped = value(summary, 'dropped_iterations', 'count');
  if (dropped !== undefined) rows.push(['Dropped iterations', count(dropped)]);
  if (!rows.length) {
    lines.push('k6 metrics: not captured, the summary holds no HTTP metrics (the run sent no HTTP requests).', '');
    return lines;
  }
  lines.push(...table(['Metric', 'Value'], rows, 'lr'), '');
  return lines;
}

export function endpointTable(input: ReportInput): string[] {
  const { summary } = input;
  const lines = ['## Endpoints', ''];
  if (!summary) {
    lines.push('Endpoint latencies: not captured, there is no summary.json.', '');
    return lines;
  }
  if (noLoad(input)) return [...lines, noLoadSentence('Endpoint latencies'), ''];
  const rows = endpointRows(summary);
  if (!rows.length) {
    lines.push('Endpoint latencies: not captured, the run tagged no request with an endpoint.', '');
    return lines;
  }
  const withoutLatency: string[] = [];
  const cells = rows.map((row) => {
    const measured = row.p95 !== undefined;
    if (!measured) withoutLatency.push(row.requests > 0 ? `${row.endpoint} (${plural(row.requests, 'request')}, none succeeded)` : `${row.endpoint} (never requested)`);
    const latency = (v: number | undefined) => (measured && v !== undefined ? ms(v) : '—');
    return [
      `${row.label} (${code(row.endpoint)})`,
      count(row.requests),
      latency(row.p50),
      latency(row.p95),
      latency(row.p99),
      row.errorRate === undefined ? '—' : percent(row.errorRate),
      row.objectives.map((o) => o.text).join(', ') || '—',
      row.ok ? mark(true) : `${mark(false)} ${row.failures.join(', ')}`,
      describeStatuses(failedStatuses(summary, row.endpoint)) || 'none',
    ];
  });
  lines.push(
    'Latency of successful responses. ✅ means every objective the scenario declared for the endpoint held (latency targets and its error objective) and it answered at least once; ❌ names each objective missed.',
    '',
    ...table(['Endpoint', 'Requests', 'p50', 'p95', 'p99', 'Failed', 'Objectives', 'Met', 'Failed responses'], cells, 'lrrrrrlcl'),
    '',
  );
  if (withoutLatency.length) {
    lines.push(`A dash marks an endpoint without a successful response, so there is no latency to compare: ${withoutLatency.join(', ')}.`, '');
  }
  return lines;
}

export function alertsSection(input: ReportInput): string[] {
  const { summary } = input;
  const lines = ['## Alerts fired', ''];
  if (!summary) {
    lines.push('Alerts: not captured, there is no summary.json.', '');
    return lines;
  }
  const setup = setupInfo(summary);
  const alerts = firedAlerts(summary);
  const readNone = monitorScrapes(summary)?.read === 0;
  if (alerts.length) {
    lines.push(
      ...alerts.map((a) => `- ${code(a.name)} fired ${plural(a.count, 'time')}${a.aborting ? ' and aborted the run' : ''}.`),
      '',
    );
  } else if (setup.monitor === false) {
    lines.push(`None: the alert monitor was off (${setup.monitorNote ?? 'no reason recorded'}), so no rule was evaluated.`, '');
  } else if (readNone) {
    lines.push('None: the alert monitor read none of its scrapes of /metrics, so no rule was evaluated.', '');
  } else {
    lines.push('None: no alert rule fired during the run.', '');
  }
  const note = monitorNote(summary);
  if (note && setup.monitor !== false) lines.push(`Monitor: ${note}.`, '');
  if (setup.rules) {
    const rows = [
      ...setup.rules.evaluated.map((rule) => [code(rule), readNone ? 'not evaluated: no scrape was read' : 'evaluated']),
      ...setup.rules.withoutData.map((rule) => [code(rule), setup.monitor ? 'not evaluated: the service exposes none of its metrics' : 'not evaluated: the monitor was off']),
    ];
    lines.push(...table(['Rule', 'During this run'], rows), '');
  }
  return lines;
}
