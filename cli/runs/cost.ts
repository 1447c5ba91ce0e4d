// What one run says about the service's cost, from the run record: CPU seconds and bytes allocated
// between the /metrics captures before and after the load, per request the service counted in the
// same window, and the client's latency and throughput from k6's summary.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alerting } from '../../lib/alerting.ts';
import { readRunFigures, unreadableRun } from './figures.ts';
import { captureFile, readSummary } from '../record.ts';
import { targetMetric, histogramSeries } from '../../thresholds/service-contract.ts';

const { increase, parsePrometheusText } = alerting();

const families = new Set(['process_cpu_seconds_total', targetMetric.httpRequestDuration, 'go_memstats_alloc_bytes_total']);

export interface ServiceCost {
  folder: string;
  exitCode: number;
  reason: string;
  /** Requests the service counted between the captures. */
  requests: number;
  cpuSeconds: number;
  allocatedBytes: number;
  cpuPerRequest: number;
  bytesPerRequest: number;
  /** Client side, over every request of the run. */
  p50Ms: number;
  p95Ms: number;
  throughput: number;
  droppedIterations: number;
}

function totals(folder: string, when: 'before' | 'after'): Map<string, number> {
  const file = join(folder, captureFile(`metrics-${when}`));
  if (!existsSync(file)) throw unreadableRun(`${folder} has no ${captureFile(`metrics-${when}`)}: the service's CPU time and requests cannot be measured (was LOADGATE_METRICS_URL off?)`);
  const sums = new Map<string, number>();
  for (const sample of parsePrometheusText(readFileSync(file, 'utf8'), families)) sums.set(sample.name, (sums.get(sample.name) ?? 0) + sample.value);
  return sums;
}

export function serviceCost(folder: string): ServiceCost {
  const figures = readRunFigures(folder);
  const before = totals(folder, 'before');
  const after = totals(folder, 'after');
  const delta = (name: string) => increase(after.get(name) ?? 0, before.get(name) ?? 0);
  const requests = delta(histogramSeries(targetMetric.httpRequestDuration, 'count'));
  if (!(requests > 0)) throw unreadableRun(`${folder}: the service counted no request between its /metrics captures (${histogramSeries(targetMetric.httpRequestDuration, 'count')}), so there is nothing to divide by`);
  const cpuSeconds = delta('process_cpu_seconds_total');
  const allocatedBytes = delta('go_memstats_alloc_bytes_total');
  const latency = readSummary(folder)?.metrics.http_req_duration?.values ?? {};
  const clientRequests = Object.values(figures.endpoints).reduce((sum, e) => sum + e.requests, 0);
  return {
    folder,
    exitCode: figures.exitCode,
    reason: figures.reason,
    requests,
    cpuSeconds,
    allocatedBytes,
    cpuPerRequest: cpuSeconds / requests,
    bytesPerRequest: allocatedBytes / requests,
    p50Ms: latency['p(50)'] ?? latency.med ?? NaN,
    p95Ms: latency['p(95)'] ?? NaN,
    throughput: figures.durationSeconds > 0 ? clientRequests / figures.durationSeconds : 0,
    droppedIterations: figures.droppedIterations,
  };
}
