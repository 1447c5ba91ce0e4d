// Bottlenecks: every sign of strain from the other sections, gathered into one list.
import { endpointRows, failedThresholds, firedAlerts, formatObserved } from '../../../lib/summary/model.ts';
import { code, count, percent, seconds, table } from '../../runs/format.ts';
import { noLoad, type Captured, type ReportInput } from '../input.ts';
import { hotSpotGroups, type GroupShare, type PprofTop } from '../../runs/pprof.ts';
import { increase, Snapshot } from '../../runs/prometheus.ts';
import { targetMetric } from '../../../thresholds/service-contract.ts';

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
  if (noLoad(input)) return [...lines, 'None to look for: no load ran, so nothing was under strain.', ''];
  const findings: string[] = [];
  const { summary } = input;
  if (summary) {
    for (const t of failedThresholds(summary)) findings.push(`Threshold ${code(`${t.metric} ${t.expression}`)} failed, observed ${formatObserved(t)}.`);
    for (const row of endpointRows(summary)) {
      if (!row.ok) findings.push(`${code(row.endpoint)} missed its objectives: ${row.failures.join(', ')}.`);
    }
    for (const alert of firedAlerts(summary)) findings.push(`Alert ${code(alert.name)} fired${alert.aborting ? ' and stopped the run' : ''}.`);
  }
  if (input.metricsAfter.ok) {
    const after = Snapshot.parse(input.metricsAfter.value);
    const before = input.metricsBefore.ok ? Snapshot.parse(input.metricsBefore.value) : new Snapshot([]);
    const waits = increase(after.sum(targetMetric.dbWaitCount), before.sum(targetMetric.dbWaitCount));
    if (waits > 0) findings.push(`Requests waited ${count(waits)} times for a database connection: the pool is too small for this load.`);
    const limit = after.sum(targetMetric.bufferLimit);
    if (limit > 0 && after.sum(targetMetric.bufferSize) / limit > 0.8) findings.push('The event buffer ended above 80% of its limit.');
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
  lines.push(...groupedHotSpots(input.profiles.cpu, input.profiles.allocs), ...blockWaits(input.profiles.block));
  return lines;
}

const groupsOf = (profile: Captured<PprofTop>): GroupShare[] | string =>
  !profile.ok ? profile.missing : (profile.value.grouped?.groups ?? profile.value.grouped?.error ?? 'the profile could not be grouped');

/** Where CPU and allocated bytes went, by kind of code, read from the profiles' stacks. */
function groupedHotSpots(cpuProfile: Captured<PprofTop>, allocsProfile: Captured<PprofTop>): string[] {
  const cpu = groupsOf(cpuProfile);
  const allocs = groupsOf(allocsProfile);
  const lines = ['### Hot spots by group', ''];
  if (typeof cpu === 'string' && typeof allocs === 'string') return [...lines, `Not available: CPU: ${cpu}; allocations: ${allocs}.`, ''];
  lines.push(
    'Each sample goes to the first group its stack meets from the leaf up, so runtime helpers (allocation, copying, map access, system calls) count for the code that called them; GC work and the scheduler count as "GC and runtime". ' +
      'CPU covers the steady-state window; allocated bytes cover the service\'s whole life, start-up included.',
    '',
  );
  const module = (cpuProfile.ok ? cpuProfile.value.grouped?.ownModule : undefined) ?? (allocsProfile.ok ? allocsProfile.value.grouped?.ownModule : undefined);
  lines.push(
    module
      ? `The application's own code: package main and the module ${code(module)} (the endpoint table's \`module\`, else the one main.main calls).`
      : "The application's own code: package main only; no module was declared in the endpoint table (`module`) or found under main.main in the profiles.",
    '',
  );
  const share = (groups: GroupShare[] | string, name: string) => (typeof groups === 'string' ? 'n/a' : percent(groups.find((g) => g.group === name)?.share ?? 0));
  const topOf = (groups: GroupShare[] | string, name: string) => (typeof groups === 'string' ? [] : (groups.find((g) => g.group === name)?.top ?? []));
  const names = [...hotSpotGroups.map((g) => g.name), 'other libraries and the standard library'];
  const rows = names.map((name) => [
    name,
    share(cpu, name),
    share(allocs, name),
    topOf(cpu, name).map((t) => code(t.name)).join(', ') || '–',
    topOf(allocs, name).map((t) => code(t.name)).join(', ') || '–',
  ]);
  lines.push(...table(['group', 'CPU', 'allocated bytes', 'top functions by CPU', 'top functions by bytes'], rows, 'lrrll'), '');
  if (typeof cpu === 'string') lines.push(`CPU: ${cpu}.`, '');
  if (typeof allocs === 'string') lines.push(`Allocations: ${allocs}.`, '');
  return lines;
}

/** Blocking that slowed work down, with the waits of idle goroutines and of the profiler left out. */
function blockWaits(profile: Captured<PprofTop>): string[] {
  const lines = ['### Blocking, idle waits left out', ''];
  if (!profile.ok) return [...lines, `Not available: ${profile.missing}.`, ''];
  const block = profile.value.grouped?.block;
  if (!block) return [...lines, `Not available: ${profile.value.grouped?.error ?? 'the block profile could not be read'}.`, ''];
  const idle = `${seconds(block.idle / 1e9)} of idle waits (selects and channel receives outside any request, the profiler's own sleep) were left out`;
  if (!block.contended) return [...lines, `No goroutine blocked while doing work; ${idle}.`, ''];
  lines.push(
    `Goroutines blocked ${seconds(block.contended / 1e9)} in total while doing work; ${idle}. Where they waited: ` +
      `${block.top.map((t) => `${code(t.name)} ${seconds(t.value / 1e9)} (${percent(t.value / block.contended)})`).join(', ')}.`,
    '',
  );
  return lines;
}
