// No-data guards. k6 passes a threshold whose tag never received a sample (k6 issue #1346), so
// every endpoint and scenario a script drives must prove it sent something.
import { failedResponsesKey, iterationsKey, namedStatuses, requestCountKey } from './keys.ts';
import type { Thresholds } from './types.ts';

export function endpointGuards(endpoints: readonly string[]): Thresholds {
  return Object.fromEntries(endpoints.map((endpoint) => [requestCountKey(endpoint), ['count>0']]));
}

export function scenarioGuards(scenarios: readonly string[]): Thresholds {
  return Object.fromEntries(scenarios.map((scenario) => [iterationsKey(scenario), ['count>0']]));
}

/**
 * Record-only thresholds that make k6 keep a count per endpoint and failed status (keys.ts says
 * why). They judge nothing, so the summaries' threshold lists leave them out.
 */
export function failedResponseRecords(endpoints: readonly string[]): Thresholds {
  const statuses = [...namedStatuses, 'other' as const];
  return Object.fromEntries(endpoints.flatMap((endpoint) => statuses.map((status) => [failedResponsesKey(endpoint, status), ['count>=0']])));
}
