// The target's /metrics snapshots taken before and after the run. Only the families the report
// reads are kept, so a target with thousands of series does not slow the report down.
import { alerting, type Sample } from '../../lib/alerting.ts';
import { targetMetric } from '../../thresholds/service-contract.ts';

const { increase, parsePrometheusText } = alerting();
export { increase };

const targetFamilies = new Set([
  targetMetric.dbConnectionsInUse,
  targetMetric.dbConnectionsIdle,
  targetMetric.dbConnectionsOpen,
  targetMetric.dbConnectionsMax,
  targetMetric.dbWaitCount,
  targetMetric.dbWaitDuration,
  targetMetric.dbAcquireDuration,
  targetMetric.dbConnectionHeld,
  targetMetric.dbQueries,
  targetMetric.dbQueryDuration,
  targetMetric.cacheHits,
  targetMetric.cacheMisses,
  targetMetric.cacheErrors,
  targetMetric.cacheEvictions,
  targetMetric.cacheMemory,
  targetMetric.cacheMemoryLimit,
  targetMetric.cacheKeys,
  targetMetric.cacheUp,
  targetMetric.bufferSize,
  targetMetric.bufferLimit,
  targetMetric.eventsAccepted,
  targetMetric.eventsRejected,
  targetMetric.eventsWritten,
  targetMetric.flushes,
  targetMetric.httpRequestDuration,
  'go_goroutines',
  'go_memstats_heap_inuse_bytes',
  'go_gc_duration_seconds',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
]);

export type Labels = Record<string, string>;

export class Snapshot {
  constructor(private readonly samples: Sample[]) {}

  static parse(text: string): Snapshot {
    return new Snapshot(parsePrometheusText(text, targetFamilies));
  }

  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }

  sum(name: string, where: (labels: Labels) => boolean = () => true): number {
    return this.samples.filter((s) => s.name === name && where(s.labels)).reduce((total, s) => total + s.value, 0);
  }

  labelValues(name: string, label: string): string[] {
    return [...new Set(this.samples.filter((s) => s.name === name && label in s.labels).map((s) => s.labels[label]))].sort();
  }
}

/** The after snapshot and changes against the before one (totals since start when it is missing). */
export interface Snapshots {
  after: Snapshot;
  before: Snapshot;
  delta(name: string, where?: (labels: Labels) => boolean): number;
}

export function snapshots(metricsAfter: string, metricsBefore: string | undefined): Snapshots {
  const after = Snapshot.parse(metricsAfter);
  const before = metricsBefore === undefined ? new Snapshot([]) : Snapshot.parse(metricsBefore);
  return { after, before, delta: (name, where) => increase(after.sum(name, where), before.sum(name, where)) };
}
