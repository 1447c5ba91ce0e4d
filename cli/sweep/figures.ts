// The key figures of one run folder, read through the run record: k6's summary for what the
// clients saw, the service's /metrics before and after the run for what the database and the Go
// runtime did. Event ingestion gets its trade-off figures (visibility, database writes, refusals,
// buffer depth); every other scenario request latency, throughput, failures and pool waits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alerting } from '../../lib/alerting.ts';
import { runDurationSeconds, thresholdResults, type K6Summary } from '../../lib/summary/model.ts';
import { figuresFromSummary, runOutcome } from '../runs/figures.ts';
import { captureFile, readMeta, readSummary, type RunMeta } from '../record.ts';
import { Snapshot } from '../runs/prometheus.ts';
import { eventMetrics } from '../../thresholds/keys.ts';
import { targetMetric, histogramSeries } from '../../thresholds/service-contract.ts';

const { increase, parsePrometheusText } = alerting();

export type Unit = 'ms' | 'per-second' | 'count' | 'ratio' | 'bytes' | 'cores';

export interface Figure {
  key: string;
  label: string;
  unit: Unit;
  better: 'lower' | 'higher';
}

const figure = (key: string, label: string, unit: Unit, better: Figure['better'] = 'lower'): Figure => ({ key, label, unit, better });

/** What the Go runtime did in the service: every scenario reports it, GOGC and GOMEMLIMIT trade it. */
const runtimeFigures = [
  figure('serviceCpu', 'service CPU', 'cores'),
  figure('gcPerSecond', 'GC cycles/s', 'per-second'),
  figure('rssEnd', 'service RSS at end', 'bytes'),
];

export const eventFigures: Figure[] = [
  figure('e2eP50', 'e2e visibility p50', 'ms'),
  figure('e2eP95', 'e2e visibility p95', 'ms'),
  figure('flushesPerSecond', 'DB writes/s (flushes)', 'per-second'),
  figure('rowsPerSecond', 'DB rows/s (upserts)', 'per-second'),
  figure('acceptedPerSecond', 'accepted events/s', 'per-second', 'higher'),
  figure('refusedBatches', '503s (refused batches)', 'count'),
  figure('bufferHighWater', 'buffer high-water mark (events)', 'count'),
  figure('ingestP95', 'ingest request p95', 'ms'),
  ...runtimeFigures,
];

export const requestFigures: Figure[] = [
  figure('p50', 'request p50', 'ms'),
  figure('p95', 'request p95', 'ms'),
  figure('p99', 'request p99', 'ms'),
  figure('requestsPerSecond', 'requests/s', 'per-second', 'higher'),
  figure('failureRate', 'failed requests', 'ratio'),
  figure('poolWaitsPerSecond', 'pool waits/s', 'per-second'),
  figure('poolWaitMs', 'mean pool wait', 'ms'),
  ...runtimeFigures,
];

/**
 * What a run measured, which decides the figures a sweep compares: a run with end-to-end
 * visibility samples is read as event ingestion whatever its scenario is called, any other run by
 * its requests. `key` is the figure a recommendation ranks values by.
 */
export type Measures = 'events' | 'requests';
export const figureSets: Record<Measures, { figures: Figure[]; key: string }> = {
  events: { figures: eventFigures, key: 'e2eP95' },
  requests: { figures: requestFigures, key: 'p95' },
};

export const measuresOf = (summary: K6Summary): Measures => ((summary.metrics[eventMetrics.e2eLatency]?.values.count ?? 0) > 0 ? 'events' : 'requests');

/** The kind of a set of runs: events when any of them measured events (the others failed early). */
export const measuresOfRuns = (runs: Array<Pick<SweepRunFigures, 'measures'>>): Measures => (runs.some((run) => run.measures === 'events') ? 'events' : 'requests');

/** One run as a sweep reads it: the figures its table compares (cli/runs/figures.ts has the gate's). */
export interface SweepRunFigures {
  folder: string;
  scenario: string;
  profile: string;
  measures: Measures;
  exitCode: number;
  reason: string;
  /** Every threshold held. */
  passed: boolean;
  /** The e2e visibility SLO of this run (its p(95) threshold), when the scenario has one. */
  e2eSloMs: number | null;
  /** Null where the run or the service did not record it. */
  values: Record<string, number | null>;
  meta: RunMeta;
}

// Families the figures read (a histogram by its family name); the report's own list lacks some.
const families = new Set([
  targetMetric.flushes,
  targetMetric.flushRows,
  targetMetric.bufferHighWater,
  targetMetric.eventsRejected,
  targetMetric.dbWaitCount,
  targetMetric.dbWaitDuration,
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'go_gc_duration_seconds',
]);

function snapshot(folder: string, name: 'metrics-before' | 'metrics-after'): Snapshot | null {
  try {
    return new Snapshot(parsePrometheusText(readFileSync(join(folder, captureFile(name)), 'utf8'), families));
  } catch {
    return null;
  }
}

const trendValue = (summary: K6Summary, metric: string, stat: string): number | null => {
  const values = summary.metrics[metric]?.values;
  return values && values.count > 0 && typeof values[stat] === 'number' ? values[stat] : null;
};

/** The run's e2e bound, from its own threshold (the flush interval plus a second). */
function e2eSlo(summary: K6Summary): number | null {
  const threshold = thresholdResults(summary).find((t) => t.metric === eventMetrics.e2eLatency && t.stat === 'p(95)');
  const bound = threshold ? /<=?\s*([\d.]+)/.exec(threshold.expression) : null;
  return bound ? Number(bound[1]) : null;
}

export function figuresFromRun(folder: string, summary: K6Summary, meta: RunMeta, before: Snapshot | null, after: Snapshot | null): SweepRunFigures {
  const seconds = runDurationSeconds(summary);
  const perSecond = (count: number | null) => (count === null || !(seconds > 0) ? null : count / seconds);
  /** The service's counter over the run; null without both snapshots or the family. */
  const delta = (name: string) => (before && after && after.has(name) ? increase(after.sum(name), before.sum(name)) : null);
  const gauge = (name: string) => (after?.has(name) ? after.sum(name) : null);
  const waits = delta(targetMetric.dbWaitCount);
  const waited = delta(targetMetric.dbWaitDuration);
  const runtime = {
    serviceCpu: perSecond(delta('process_cpu_seconds_total')),
    gcPerSecond: perSecond(delta('go_gc_duration_seconds_count')),
    rssEnd: gauge('process_resident_memory_bytes'),
  };
  let values: Record<string, number | null>;
  const measures = measuresOf(summary);
  if (measures === 'events') {
    const gate = figuresFromSummary(summary, meta, folder);
    values = {
      e2eP50: trendValue(summary, eventMetrics.e2eLatency, 'p(50)') ?? trendValue(summary, eventMetrics.e2eLatency, 'med'),
      e2eP95: trendValue(summary, eventMetrics.e2eLatency, 'p(95)'),
      flushesPerSecond: perSecond(delta(targetMetric.flushes)),
      rowsPerSecond: perSecond(delta(histogramSeries(targetMetric.flushRows, 'sum'))),
      acceptedPerSecond: summary.metrics[eventMetrics.accepted]?.values.rate ?? null,
      // A Rate's passes are its true samples: here the batches answered 503 (or RESOURCE_EXHAUSTED).
      refusedBatches: summary.metrics[eventMetrics.rejected]?.values.passes ?? null,
      bufferHighWater: gauge(targetMetric.bufferHighWater),
      ingestP95: gate.endpoints.events_ingest?.latency?.p95 ?? null,
      ...runtime,
    };
  } else {
    const latency = 'http_req_duration{expected_response:true}';
    values = {
      p50: trendValue(summary, latency, 'p(50)') ?? trendValue(summary, latency, 'med'),
      p95: trendValue(summary, latency, 'p(95)'),
      p99: trendValue(summary, latency, 'p(99)'),
      requestsPerSecond: summary.metrics.http_reqs?.values.rate ?? null,
      failureRate: summary.metrics.http_req_failed?.values.rate ?? null,
      poolWaitsPerSecond: perSecond(waits),
      poolWaitMs: waits === null || waited === null ? null : waits > 0 ? (waited * 1000) / waits : 0,
      ...runtime,
    };
  }
  return {
    ...runOutcome(meta, folder),
    measures,
    passed: meta.exitCode === 0,
    e2eSloMs: e2eSlo(summary),
    values,
    meta,
  };
}

/** A finished run folder's figures, or null when it left no summary (the run never got going). */
export function readFigures(folder: string): SweepRunFigures | null {
  const meta = readMeta(folder);
  const summary = readSummary(folder);
  if (!meta || !summary) return null;
  return figuresFromRun(folder, summary, meta, snapshot(folder, 'metrics-before'), snapshot(folder, 'metrics-after'));
}
