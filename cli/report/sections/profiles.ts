// The pprof tables: where the target spent CPU, allocated memory and waited.
import { code, count, table } from '../../runs/format.ts';
import type { Captured, ReportInput } from '../input.ts';
import type { PprofTop } from '../../runs/pprof.ts';
import { Snapshot } from '../../runs/prometheus.ts';

function pprofTable(top: PprofTop, limit: number): string[] {
  return table(
    ['flat', 'flat%', 'sum%', 'cum', 'cum%', 'function'],
    top.rows.slice(0, limit).map((r) => [r.flat, `${r.flatPercent.toFixed(2)}%`, `${r.sumPercent.toFixed(2)}%`, r.cum, `${r.cumPercent.toFixed(2)}%`, code(r.name)]),
    'rrrrrl',
  );
}

function profileBlock(heading: string, profile: Captured<PprofTop>, limit: number, emptyText: string): string[] {
  const lines = [`### ${heading}`, ''];
  if (!profile.ok) {
    lines.push(`${heading}: not captured, ${profile.missing}.`, '');
    return lines;
  }
  const header = profile.value.header;
  const facts = [header.Type && `type ${header.Type}`, header.Duration && `duration ${header.Duration.split(',')[0]}`, profile.value.total && `total ${profile.value.total}`]
    .filter(Boolean)
    .join(', ');
  if (facts) lines.push(`Profile ${facts}.`, '');
  if (!profile.value.rows.length) {
    lines.push(emptyText, '');
    return lines;
  }
  lines.push(...pprofTable(profile.value, limit), '');
  return lines;
}

export function cpuAndAllocations(input: ReportInput): string[] {
  return [
    '## CPU and allocations',
    '',
    ...profileBlock('CPU', input.profiles.cpu, 15, 'The CPU profile holds no samples: the target was idle while it was recorded.'),
    ...profileBlock('Allocations (alloc_space)', input.profiles.allocs, 15, 'The allocation profile holds no samples.'),
  ];
}

export function goroutinesBlockMutex(input: ReportInput): string[] {
  const lines = ['## Goroutines, block and mutex', ''];
  const counts: string[] = [];
  if (input.metricsAfter.ok) {
    const after = Snapshot.parse(input.metricsAfter.value);
    if (after.has('go_goroutines')) counts.push(`${count(after.sum('go_goroutines'))} goroutines by go_goroutines after the run`);
  }
  if (input.profiles.goroutine.ok && input.profiles.goroutine.value.total) {
    counts.push(`${input.profiles.goroutine.value.total} in the goroutine profile`);
  }
  lines.push(counts.length ? `Goroutines: ${counts.join('; ')}.` : 'Goroutine count: not captured, neither metrics-after.prom nor goroutine.pb.gz is in the run folder.', '');
  // loadgate starts the reference service with block and mutex profiling on; a service of a team's
  // own may not switch them on, and then an empty profile says nothing about contention.
  const sampled = input.meta?.target?.startedByLoadgate !== false;
  const empty = (what: string) =>
    sampled ? `No ${what} was sampled.` : `No ${what} was sampled; the service must enable it (runtime.SetBlockProfileRate, SetMutexProfileFraction) for this profile to show any.`;
  lines.push(
    ...profileBlock('Goroutines', input.profiles.goroutine, 10, 'The goroutine profile is empty.'),
    ...profileBlock('Block', input.profiles.block, 10, empty('blocking')),
    ...profileBlock('Mutex', input.profiles.mutex, 10, empty('mutex contention')),
  );
  return lines;
}
