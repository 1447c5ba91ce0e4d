// Bottlenecks: every sign of strain from the other sections, gathered into one list.
import { endpointRows, failedThresholds, firedAlerts, formatObserved } from '../../../lib/summary/model.ts';
import { code, count, ms } from '../format.ts';
import type { ReportInput } from '../input.ts';
import type { PprofTop } from '../pprof.ts';
import { increase, Snapshot } from '../prometheus.ts';

/** Below this much CPU time a profile's percentages are a handful of 10 ms samples, not a ranking. */
const meaningfulCpuMs = 1000;

function cpuTotalMs(top: PprofTop): number | undefined {
  const match = /^([\d.]+)(ns|us|µs|ms|s|m|h)?$/.exec(top.total);
  if (!match) return undefined;
  const scale: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return Number(match[1]) * scale[match[2] ?? 'ms'];
}

export function bottlenecks(input: ReportInput): string[] {
  const lines = ['## Bottlenecks', ''];
  const findings: string[] = [];
  const { summary } = input;
  if (summary) {
    for (const t of failedThresholds(summary)) findings.push(`Threshold ${code(`${t.metric} ${t.expression}`)} failed, observed ${formatObserved(t)}.`);
    for (const row of endpointRows(summary)) {
      if (row.p95 !== undefined && row.targetP95 !== undefined && row.p95 >= row.targetP95) {
        findings.push(`${code(row.endpoint)} p95 is ${ms(row.p95)}, over its ${row.targetP95} ms target.`);
      }
    }
    for (const alert of firedAlerts(summary)) findings.push(`Alert ${code(alert.name)} fired${alert.aborting ? ' and stopped the run' : ''}.`);
  }
  if (input.metricsAfter.ok) {
    const after = Snapshot.parse(input.metricsAfter.value);
    const before = input.metricsBefore.ok ? Snapshot.parse(input.metricsBefore.value) : new Snapshot([]);
    const waits = increase(after.sum('target_db_wait_count_total'), before.sum('target_db_wait_count_total'));
    if (waits > 0) findings.push(`Requests waited ${count(waits)} times for a database connection: the pool is too small for this load.`);
    const limit = after.sum('target_event_buffer_limit');
    if (limit > 0 && after.sum('target_event_buffer_size') / limit > 0.8) findings.push('The event buffer ended above 80% of its limit.');
  }
  const cpu = input.profiles.cpu;
  if (cpu.ok) {
    const hot = cpu.value.rows.filter((r) => r.flatPercent > 5);
    const totalMs = cpuTotalMs(cpu.value);
    const thin = totalMs !== undefined && totalMs < meaningfulCpuMs;
    if (hot.length) {
      findings.push(
        `Functions with more than 5% of CPU time (flat): ${hot.map((r) => `${code(r.name)} ${r.flatPercent.toFixed(1)}%`).join(', ')}` +
          (thin ? `. The profile holds only ${cpu.value.total} of CPU samples, too few to rank functions with confidence.` : '.'),
      );
    }
  } else {
    findings.push(`CPU hot spots: not captured, ${cpu.missing}.`);
  }
  lines.push(...(findings.length ? findings.map((f) => `- ${f}`) : ['No bottleneck stands out: every threshold held, no alert fired and no function took more than 5% of CPU.']), '');
  return lines;
}
