// No-data guards. k6 passes a threshold whose tag never received a sample (k6 issue #1346), so
// every endpoint and scenario a script drives must prove it sent something.
import { iterationsKey, requestCountKey } from './keys.ts';
import type { Thresholds } from './types.ts';

export function endpointGuards(endpoints: readonly string[]): Thresholds {
  return Object.fromEntries(endpoints.map((endpoint) => [requestCountKey(endpoint), ['count>0']]));
}

export function scenarioGuards(scenarios: readonly string[]): Thresholds {
  return Object.fromEntries(scenarios.map((scenario) => [iterationsKey(scenario), ['count>0']]));
}
