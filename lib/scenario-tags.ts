// The tags a load model's k6 scenarios carry for the endpoints they alone send
// (ScenarioSpec.scenarioTagged). VU 0 only: lib/control.ts applies it when it builds the options.
import type { Scenario } from 'k6/options';
import { requestTags, type EndpointTable } from '../thresholds/endpoints.ts';

/** `load` with each named endpoint's k6 scenario carrying that endpoint's requestTags, beside any tags of its own. */
export function withScenarioTags<E extends string>(table: EndpointTable<E>, load: Record<string, Scenario>, scenarioTagged: readonly E[] = []): Record<string, Scenario> {
  const scenarios = { ...load };
  for (const endpoint of scenarioTagged) {
    const own = scenarios[endpoint];
    if (!own) throw new Error(`scenarioTagged names ${endpoint}, but the load model has no k6 scenario of that name; its scenarios are: ${Object.keys(load).join(', ')}`);
    scenarios[endpoint] = { ...own, tags: { ...own.tags, ...requestTags(endpoint, table[endpoint]) } };
  }
  return scenarios;
}
