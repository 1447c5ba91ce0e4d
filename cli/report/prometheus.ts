// The target's /metrics snapshots taken before and after the run. Only the families the report
// reads are kept, so a target with thousands of series does not slow the report down.
import { increase, parsePrometheusText, type Sample } from '../../lib/alerting.ts';

export { increase } from '../../lib/alerting.ts';

const targetFamilies = new Set([
  'target_db_connections_in_use',
  'target_db_connections_idle',
  'target_db_connections_open',
  'target_db_connections_max',
  'target_db_wait_count_total',
  'target_db_wait_duration_seconds_total',
  'target_db_acquire_duration_seconds',
  'target_db_connection_held_seconds_total',
  'target_db_queries_total',
  'target_db_query_duration_seconds',
  'target_cache_hits_total',
  'target_cache_misses_total',
  'target_cache_errors_total',
  'target_cache_evictions_total',
  'target_cache_memory_bytes',
  'target_cache_memory_limit_bytes',
  'target_cache_keys',
  'target_cache_up',
  'target_event_buffer_size',
  'target_event_buffer_limit',
  'target_events_accepted_total',
  'target_events_rejected_total',
  'target_events_written_total',
  'target_buffer_flushes_total',
  'target_http_request_duration_seconds',
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
