// Latency and service-level thresholds generated from the SLO table.
import { serviceObjectives, sloTable, type Endpoint } from './slo.ts';
import type { ThresholdRule, Thresholds } from './types.ts';

export type Transport = 'http' | 'grpc';

/** p50/p95/p99 per endpoint. HTTP latency counts successful responses only. */
export function latencyThresholds(endpoints: readonly Endpoint[], transport: Transport = 'http'): Thresholds {
  const thresholds: Thresholds = {};
  for (const endpoint of endpoints) {
    const { p50, p95, p99 } = sloTable[endpoint];
    const key =
      transport === 'http'
        ? `http_req_duration{endpoint:${endpoint},expected_response:true}`
        : `grpc_req_duration{endpoint:${endpoint}}`;
    thresholds[key] = [`p(50)<${p50}`, `p(95)<${p95}`, `p(99)<${p99}`];
  }
  return thresholds;
}

export interface ServiceThresholdOptions {
  /** Minimum sustained request rate, when the scenario promises one. */
  minRps?: number;
  /** Stop the run as soon as the service clearly degrades (breakpoint tests). */
  abortOnDegradation?: boolean;
}

export function serviceThresholds(options: ServiceThresholdOptions = {}): Thresholds {
  const abort = (threshold: string): ThresholdRule => ({ threshold, abortOnFail: true, delayAbortEval: '10s' });
  const thresholds: Thresholds = {
    http_req_failed: [`rate<${serviceObjectives.maxErrorRate}`],
    checks: [`rate>${serviceObjectives.minCheckRate}`],
  };
  if (options.minRps !== undefined) thresholds.http_reqs = [`rate>${options.minRps}`];
  if (options.abortOnDegradation) {
    thresholds.http_req_failed.push(abort('rate<0.05'));
    thresholds['http_req_duration{expected_response:true}'] = [abort('p(95)<1000')];
  }
  return thresholds;
}

/** An open-model run that could not start its iterations on time measured the generator, not the service. */
export function droppedIterationThreshold(scheduledIterations: number, tolerance = 0.01): Thresholds {
  return { dropped_iterations: [`count<=${Math.ceil(scheduledIterations * tolerance)}`] };
}
