// The title and the executive summary: what someone who reads nothing else needs to know.
import { endpointRows, failedThresholds, firedAlerts, formatObserved, runDurationSeconds, thresholdResults } from '../../../lib/summary/model.ts';
import { profiles, type ProfileName } from '../../../lib/profiles.ts';
import { serviceObjectives } from '../../../thresholds/reference-endpoints.ts';
import { code, count, mark, ms, percent, perSecond, seconds } from '../../runs/format.ts';
import { noLoad, value, type ReportInput } from '../input.ts';
import { arrivalRateAt, optionsOf } from '../options.ts';
import { exitCodeEntry } from '../../exit-codes.ts';

export function title(input: ReportInput): string[] {
  const { meta } = input;
  const scenario = meta?.scenario ?? input.runName;
  const profile = meta?.profile ?? 'unknown profile';
  const started = meta?.startedAt ? `${meta.startedAt.slice(0, 16).replace('T', ' ')} UTC` : 'start time not recorded';
  return [`# Load test report: ${scenario} (${profile}), ${started}`, '', `Run folder: ${code(input.runName)}.`, ''];
}

/** Without meta.json the exit code is unknown, so the summary's thresholds decide alone. */
function runPassed(input: ReportInput): boolean {
  const failed = input.summary ? failedThresholds(input.summary).length : 0;
  if (input.meta) return input.meta.exitCode === 0 && failed === 0;
  return input.summary !== null && failed === 0;
}

/** A breakpoint run is meant to fail; the load it failed at is its result. */
function breakpointSentence(input: ReportInput): string | null {
  const profile = input.meta ? profiles[input.meta.profile as ProfileName] : undefined;
  if (!profile?.seeksBreakingPoint) return null;
  const parts: string[] = [];
  const vusMax = value(input.summary, 'vus_max', 'max');
  if (vusMax !== undefined) parts.push(`${count(vusMax)} VUs allocated at most (vus_max)`);
  const options = optionsOf(input.meta);
  const elapsedMs = input.summary ? runDurationSeconds(input.summary) * 1000 : undefined;
  if (options?.scenarios && elapsedMs !== undefined) {
    for (const [name, s] of Object.entries(options.scenarios)) {
      if (s.executor !== 'ramping-arrival-rate') continue;
      parts.push(`${name} at ${arrivalRateAt(s, elapsedMs).toFixed(1)} iterations per ${s.timeUnit || '1s'} when it stopped`);
    }
  }
  if (!parts.length) return 'Breakpoint level reached: not captured, the summary has neither vus_max nor the arrival-rate stages.';
  const after = elapsedMs !== undefined ? ` after ${seconds(elapsedMs / 1000)}` : '';
  return `Breakpoint level reached${after}: ${parts.join('; ')}.`;
}

export function executiveSummary(input: ReportInput): string[] {
  const { summary, meta } = input;
  const lines = ['## Executive summary', ''];
  const passed = runPassed(input);
  const reason = meta ? `${meta.reason} (exit code ${meta.exitCode})` : 'meta.json was not written, so why the run ended is not recorded';
  lines.push(`**Status: ${passed ? 'PASSED' : 'FAILED'}**: ${passed ? 'every SLO threshold held' : reason}.`, '');
  if (meta?.stoppedEarly && summary && !noLoad(input)) {
    lines.push(`The run stopped after ${seconds(runDurationSeconds(summary))}, so every figure below covers only that part of it.`, '');
  }
  if (!summary) {
    const k6NeverRan = meta !== null && exitCodeEntry(meta.exitCode)?.source === 'loadgate';
    lines.push(
      k6NeverRan
        ? 'Measurements: none, k6 never ran (see the status above).'
        : 'Measurements: not captured, k6 wrote no summary.json (it crashed or was killed before its end-of-test summary).',
      '',
    );
    return lines;
  }
  if (noLoad(input)) {
    lines.push('No load ran: k6 started, but not one iteration did, so this run has no latency, error rate, throughput or CPU figures to report.', '');
    return lines;
  }
  const bullets: string[] = [];
  const p95 = value(summary, 'http_req_duration', 'p(95)');
  const rows = endpointRows(summary);
  const failing = rows.filter((row) => !row.ok);
  bullets.push(
    rows.length
      ? `Endpoints: ${rows.length - failing.length} of ${rows.length} met every objective declared for them${failing.length ? `; failing: ${failing.map((row) => `${code(row.endpoint)} (${row.failures.join(', ')})`).join('; ')}` : ''}.`
      : 'Endpoints: none tagged, so no per-endpoint objective was judged.',
  );
  bullets.push(p95 !== undefined ? `Latency: p95 over all requests ${ms(p95)}.` : 'Latency: not captured, the run made no HTTP requests.');
  const errorRate = value(summary, 'http_req_failed', 'rate');
  if (errorRate !== undefined) {
    const ok = errorRate < serviceObjectives.maxErrorRate;
    bullets.push(`Error rate: ${percent(errorRate)} of requests failed, objective < ${percent(serviceObjectives.maxErrorRate)} ${mark(ok)}.`);
  }
  const checks = value(summary, 'checks', 'rate');
  if (checks !== undefined) {
    bullets.push(`Checks: ${percent(checks)} passed, objective > ${percent(serviceObjectives.minCheckRate)} ${mark(checks > serviceObjectives.minCheckRate)}.`);
  }
  const rate = value(summary, 'http_reqs', 'rate');
  if (rate !== undefined) {
    const objective = thresholdResults(summary).find((t) => t.metric === 'http_reqs' && t.stat === 'rate');
    bullets.push(
      objective
        ? `Throughput: ${perSecond(rate)}, objective ${objective.expression.replace('rate', '')} ${mark(objective.ok)}.`
        : `Throughput: ${perSecond(rate)}; the ${meta?.profile ?? 'run\'s'} profile sets no throughput objective.`,
    );
  }
  const failed = failedThresholds(summary);
  if (failed.length) {
    bullets.push(
      `Failed thresholds (${failed.length} of ${thresholdResults(summary).length}): ${failed
        .map((t) => `${code(`${t.metric} ${t.expression}`)} observed ${formatObserved(t)}`)
        .join('; ')}.`,
    );
  }
  const alerts = firedAlerts(summary);
  bullets.push(alerts.length ? `Alerts fired: ${alerts.map((a) => a.name).join(', ')}.` : 'Alerts fired: none.');
  lines.push(...bullets.map((b) => `- ${b}`));
  const breakpoint = breakpointSentence(input);
  if (breakpoint) lines.push('', breakpoint);
  lines.push('');
  return lines;
}
