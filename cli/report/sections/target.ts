// What the target's own /metrics said before and after the run: the server side of the latencies.
import { bytes, code, count, percent, seconds, table } from '../../runs/format.ts';
import { noLoad, noLoadSentence, scrapeWindowSeconds, setupInfo, type ReportInput } from '../input.ts';
import { increase, Snapshot, type Labels } from '../../runs/prometheus.ts';
import { targetMetric, histogramSeries } from '../../../thresholds/service-contract.ts';

/**
 * CPU time and its share of one core, divided by the time between the two scrapes it was measured
 * over (not k6's run time, which leaves out setup and the captures after it). A share above the
 * machine's cores can only be a clock or scrape mix-up, so it is not shown as a figure.
 */
function cpuTime(input: ReportInput, cpu: number): string {
  const window = scrapeWindowSeconds(input);
  if (window === undefined) return `${seconds(cpu)} (share of a core: not computed, the times of the two scrapes are not recorded)`;
  const share = cpu / window;
  const cores = input.meta?.machine?.cpus;
  if (cores !== undefined && share > cores) return `${seconds(cpu)} over ${seconds(window)} between the scrapes (more than ${cores} cores can give: the snapshots do not belong to one window)`;
  return `${seconds(cpu)} (${percent(share)} of one core over the ${seconds(window)} between the scrapes)`;
}

export function targetMetrics(input: ReportInput): string[] {
  const lines = ['## Target metrics', ''];
  if (noLoad(input)) return [...lines, noLoadSentence('Target metrics under load'), ''];
  if (!input.metricsAfter.ok) {
    lines.push(`Target metrics: not captured, ${input.metricsAfter.missing}.`, '');
    return lines;
  }
  const after = Snapshot.parse(input.metricsAfter.value);
  const before = input.metricsBefore.ok ? Snapshot.parse(input.metricsBefore.value) : new Snapshot([]);
  const beforeRun = (format: (s: Snapshot) => string) => (input.metricsBefore.ok ? format(before) : 'not captured');

  const levels: string[][] = [];
  for (const pool of after.labelValues(targetMetric.dbConnectionsMax, 'pool')) {
    const inPool = (labels: Labels) => labels.pool === pool;
    const format = (s: Snapshot) =>
      `${count(s.sum(targetMetric.dbConnectionsInUse, inPool))} in use, ${count(s.sum(targetMetric.dbConnectionsOpen, inPool))} open, max ${count(s.sum(targetMetric.dbConnectionsMax, inPool))}`;
    levels.push([`DB pool ${code(pool)}`, beforeRun(format), format(after)]);
  }
  if (after.has(targetMetric.bufferLimit)) {
    const format = (s: Snapshot) => {
      const limit = s.sum(targetMetric.bufferLimit);
      const size = s.sum(targetMetric.bufferSize);
      return `${count(size)} of ${count(limit)}${limit > 0 ? ` (${percent(size / limit)})` : ''}`;
    };
    levels.push(['Event buffer size / limit', beforeRun(format), format(after)]);
  }
  if (after.has('go_goroutines')) {
    const format = (s: Snapshot) => count(s.sum('go_goroutines'));
    levels.push(['Goroutines', beforeRun(format), format(after)]);
  }
  if (after.has('go_memstats_heap_inuse_bytes')) {
    const format = (s: Snapshot) => bytes(s.sum('go_memstats_heap_inuse_bytes'));
    levels.push(['Heap in use', beforeRun(format), format(after)]);
  }

  const changes: string[][] = [];
  const delta = (name: string, where?: (labels: Labels) => boolean) =>
    increase(after.sum(name, where), before.sum(name, where));
  for (const pool of after.labelValues(targetMetric.dbWaitCount, 'pool')) {
    const inPool = (labels: Labels) => labels.pool === pool;
    changes.push([
      `DB pool ${code(pool)} waits for a connection`,
      `${count(delta(targetMetric.dbWaitCount, inPool))}, ${seconds(delta(targetMetric.dbWaitDuration, inPool))} waiting in total`,
    ]);
  }
  if (after.has(targetMetric.eventsAccepted)) {
    changes.push([
      'Events accepted / written / rejected',
      `${count(delta(targetMetric.eventsAccepted))} / ${count(delta(targetMetric.eventsWritten))} / ${count(delta(targetMetric.eventsRejected))}`,
    ]);
  }
  if (after.has(targetMetric.flushes)) changes.push(['Buffer flushes', count(delta(targetMetric.flushes))]);
  const requestCount = histogramSeries(targetMetric.httpRequestDuration, 'count');
  if (after.has(requestCount)) {
    const total = delta(requestCount);
    const errors = delta(requestCount, (labels) => /^5/.test(labels.code ?? ''));
    changes.push(['HTTP requests served / with a 5xx code', `${count(total)} / ${count(errors)}${total > 0 ? ` (${percent(errors / total)})` : ''}`]);
  }
  if (after.has('go_gc_duration_seconds_count')) {
    const longest = after.sum('go_gc_duration_seconds', (labels) => labels.quantile === '1');
    changes.push([
      'GC cycles / total pause',
      `${count(delta('go_gc_duration_seconds_count'))} / ${seconds(delta('go_gc_duration_seconds_sum'))} (longest recent pause ${seconds(longest)})`,
    ]);
  }
  if (after.has('process_cpu_seconds_total')) changes.push(['Target CPU time', cpuTime(input, delta('process_cpu_seconds_total'))]);

  if (!levels.length && !changes.length) {
    lines.push('Target metrics: not measured, the target\'s /metrics (metrics-after.prom) has none of the target_* or Go runtime series this report reads.', '');
    return lines;
  }
  lines.push('From the /metrics snapshots taken just before k6 started and just after it ended.', '');
  if (!input.metricsBefore.ok) {
    lines.push(`The snapshot before the run was not captured (${input.metricsBefore.missing}), so the changes below are totals since the target started.`, '');
  }
  if (levels.length) {
    lines.push(...table(['Level', 'Before', 'After'], levels), '');
    // Only the reference service's rules have a pool alert; a team's own may have none.
    const poolAlert = [...(setupInfo(input.summary).rules?.evaluated ?? [])].find((rule) => /pool/i.test(rule));
    if (after.has('target_db_connections_max')) {
      lines.push(`Pool use is what the two snapshots saw, not the peak during the run${poolAlert ? `; the ${poolAlert} alert watches the peak live` : ''}.`, '');
    }
  }
  if (changes.length) lines.push(...table(['During the run', 'Change'], changes), '');
  return lines;
}
