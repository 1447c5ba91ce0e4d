// Per-endpoint and service-level thresholds generated from a scenario's endpoint table.
import { latencyStats, type EndpointSpec, type EndpointTable, type LatencyStat } from './endpoints.ts';
import { endpointDownKey, failureRateKey, latencyKey, type Transport } from './keys.ts';
import { serviceObjectives } from './reference-endpoints.ts';
import type { ThresholdRule, Thresholds } from './types.ts';

export type { Transport };

/** How long an endpoint may answer nothing but failures before the run stops: a wrong route, not load. */
export const allFailingWindow = '10s';
export const allFailingWindowMs = 10_000;
/**
 * A VU stops the run when its last this-many requests of an endpoint all failed over at least
 * allFailingWindow: with one in two responses failing, ten failures in a row happen about once in
 * a thousand tries, so a half-broken endpoint fails its error objective without aborting.
 */
export const allFailingMinFailures = 10;

/** k6's threshold expression for each declared latency statistic: p95 → "p(95)<80", max → "max<500". */
export function latencyThreshold(stat: LatencyStat, targetMs: number): string {
  return `${stat === 'max' ? 'max' : `p(${stat.slice(1)})`}<${targetMs}`;
}

/** The error objective of an endpoint: its own, or the service-wide one. */
export const errorObjective = (spec: EndpointSpec) => spec.slo.errorRate ?? serviceObjectives.maxErrorRate;

/**
 * The declared latency targets per endpoint on successful responses, plus each endpoint's own
 * failure rate: an endpoint that always fails has no successful latency to judge, and at low
 * volume would hide under the run-wide error rate. Two aborts stop a run whose endpoint answers
 * nothing but failures, so a mismatched or broken API costs seconds, not the whole schedule: from
 * the start (every request so far failed, judged after allFailingWindow), and mid-run (a VU saw
 * nothing but failures for allFailingWindow, lib/request.ts).
 */
export function endpointThresholds<E extends string>(table: EndpointTable<E>, endpoints: readonly E[], transport: Transport = 'http'): Thresholds {
  const thresholds: Thresholds = {};
  for (const endpoint of endpoints) {
    const spec = table[endpoint];
    const latency = latencyStats.filter((stat) => spec.slo[stat] !== undefined).map((stat) => latencyThreshold(stat, spec.slo[stat]!));
    if (latency.length) thresholds[latencyKey(endpoint, transport)] = latency;
    if (transport === 'http') {
      thresholds[failureRateKey(endpoint)] = [`rate<${errorObjective(spec)}`, { threshold: 'rate<1', abortOnFail: true, delayAbortEval: allFailingWindow }];
      thresholds[endpointDownKey(endpoint)] = [{ threshold: 'count<1', abortOnFail: true }];
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
