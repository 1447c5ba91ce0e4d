// The target's /metrics snapshots taken before and after the run. Only the families the report
// reads are kept, so a target with thousands of series does not slow the report down.
import { parsePrometheusText, type Sample } from '../../lib/alerting.ts';

export { increase } from '../../lib/alerting.ts';

const targetFamilies = new Set([
  'target_db_connections_in_use',
  'target_db_connections_idle',
  'target_db_connections_open',
  'target_db_connections_max',
  'target_db_wait_count_total',
  'target_db_wait_duration_seconds_total',
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
