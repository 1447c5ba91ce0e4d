// No-data guards. k6 passes a threshold whose tag never received a sample (k6 issue #1346), so
// every endpoint and scenario a script drives must prove it sent something.
import { failedResponsesKey, iterationsKey, namedStatuses, requestCountKey } from './keys.ts';
import type { Thresholds } from './types.ts';

/**
 * `count>0` per endpoint, and record-only counters of failed responses per endpoint and status:
 * k6's summary only breaks a metric down by tags that a threshold names, and a report that says
 * "feed answered 404" needs that breakdown. They are fed only when a request fails.
 */
export function endpointGuards(endpoints: readonly string[]): Thresholds {
  const guards: Thresholds = {};
  for (const endpoint of endpoints) {
    guards[requestCountKey(endpoint)] = ['count>0'];
    guards[failedResponsesKey(endpoint)] = ['count>=0'];
    for (const status of namedStatuses) guards[failedResponsesKey(endpoint, status)] = ['count>=0'];
  }
  return guards;
}

export function scenarioGuards(scenarios: readonly string[]): Thresholds {
  return Object.fromEntries(scenarios.map((scenario) => [iterationsKey(scenario), ['count>0']]));
}
