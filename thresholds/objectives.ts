// Per-endpoint and service-level thresholds generated from a scenario's endpoint table.
import type { EndpointTable } from './endpoints.ts';
import { failureRateKey, latencyKey, type Transport } from './keys.ts';
import { serviceObjectives } from './slo.ts';
import type { ThresholdRule, Thresholds } from './types.ts';

export type { Transport };

/** How long an endpoint may answer nothing but failures before the run stops: a wrong route, not load. */
export const allFailingWindow = '10s';

/**
 * p50/p95/p99 per endpoint on successful responses, plus each endpoint's own failure rate: an
 * endpoint that always fails has no successful latency to judge, and at low volume would hide
 * under the run-wide error rate. An endpoint whose every response failed for `allFailingWindow`
 * aborts the run, so a mismatched API costs seconds, not the whole schedule.
 */
export function endpointThresholds<E extends string>(table: EndpointTable<E>, endpoints: readonly E[], transport: Transport = 'http'): Thresholds {
  const thresholds: Thresholds = {};
  for (const endpoint of endpoints) {
    const { p50, p95, p99 } = table[endpoint].slo;
    thresholds[latencyKey(endpoint, transport)] = [`p(50)<${p50}`, `p(95)<${p95}`, `p(99)<${p99}`];
    if (transport === 'http') {
      thresholds[failureRateKey(endpoint)] = [`rate<${serviceObjectives.maxErrorRate}`, { threshold: 'rate<1', abortOnFail: true, delayAbortEval: allFailingWindow }];
    }
  }
  return thresholds;
}

export interface ServiceThresholdOptions {
  /** Minimum sustained request rate, when the scenario promises one. */
  minRps?: number;
  /** Stop the run as soon as the service clearly degrades (breakpoint tests). */
  abortOnDegradation?: boolean;
}

const abort = (threshold: string): ThresholdRule => ({ threshold, abortOnFail: true, delayAbortEval: '10s' });

export function serviceThresholds(options: ServiceThresholdOptions = {}): Thresholds {
  const thresholds: Thresholds = {
    http_req_failed: [`rate<${serviceObjectives.maxErrorRate}`],
    checks: [`rate>${serviceObjectives.minCheckRate}`],
  };
  if (options.minRps !== undefined) thresholds.http_reqs = [`rate>${options.minRps}`];
  if (options.abortOnDegradation) {
    thresholds.http_req_failed.push(abort('rate<0.05'));
    thresholds['http_req_duration{expected_response:true}'] = [abort('p(95)<1000')];
    thresholds.grpc_req_duration = [abort('p(95)<1000')];
    // More than one late iteration a second: the schedule is no longer being kept.
    thresholds.dropped_iterations = [abort('rate<1')];
  }
  return thresholds;
}

/** An open-model run that could not start its iterations on time measured the generator, not the service. */
export function droppedIterationThreshold(scheduledIterations: number, tolerance = 0.01): Thresholds {
  return { dropped_iterations: [`count<=${Math.ceil(scheduledIterations * tolerance)}`] };
}
