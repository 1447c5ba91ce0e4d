// ScenarioSpec.scenarioTagged: the k6 scenarios it names carry the tags their endpoint's requests
// would have carried, and a name without a k6 scenario is refused before any VU starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Scenario } from 'k6/options';
import { withScenarioTags } from '../../lib/scenario-tags.ts';
import { referenceEndpoints } from '../../thresholds/reference-endpoints.ts';

const arrival = (exec: string): Scenario => ({ executor: 'constant-arrival-rate', exec, rate: 10, timeUnit: '1s', duration: '5s', preAllocatedVUs: 2 });

test('the named k6 scenarios carry endpoint and name, beside their own tags; the others are untouched', () => {
  const load = { feed: { ...arrival('feed'), tags: { team: 'clips' } }, search: arrival('search') };
  const tagged = withScenarioTags(referenceEndpoints, load, ['feed']);
  assert.deepEqual(tagged.feed.tags, { team: 'clips', endpoint: 'feed', name: 'GET /api/v1/feed' });
  assert.equal(tagged.search.tags, undefined);
  assert.deepEqual(load.feed.tags, { team: 'clips' }, 'the declared load model is not modified');
});

test('a scenarioTagged endpoint without a k6 scenario of its name is refused, naming the scenarios there are', () => {
  assert.throws(() => withScenarioTags(referenceEndpoints, { feed: arrival('feed') }, ['vote']), /scenarioTagged names vote, .*its scenarios are: feed/);
});
