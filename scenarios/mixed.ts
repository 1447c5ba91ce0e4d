// Mixed user behaviour: four personas ramp together (30 → 75 → 100 VUs at baseline) with think
// time, the closed model of people using the product.
import { sleep } from 'k6';
import { createApi, tokenFromApi } from '../lib/api.ts';
import { pick, popularClip, searchTerms, uniqueMark, vuRandom, vuUserId } from '../lib/data.ts';
import { rampingArrivalRate, rampingVus } from '../lib/options.ts';
import { expectJsonBody, expectJsonField } from '../lib/request.ts';
import { defineScenario } from '../lib/scenario.ts';
import { externalTokenConfigured, vuToken } from '../lib/session.ts';
import { referenceEndpoints, serviceObjectives, type Endpoint } from '../thresholds/reference-endpoints.ts';

const personas = {
  casual_browsers: { share: 0.4, exec: 'casualBrowser' },
  active_viewers: { share: 0.3, exec: 'activeViewer' },
  searchers: { share: 0.15, exec: 'searcher' },
  engaged_users: { share: 0.15, exec: 'engagedUser' },
};
/** A persona iteration is one or two actions with ~0.5 s think time each: about one a second. */
const iterationsPerVuPerSec = 1;
const endpoints: Endpoint[] = ['feed', 'clip_detail', 'related', 'search', 'comments_list', 'comment_create', 'vote'];
if (!externalTokenConfigured()) endpoints.push('auth_token');

const scenario = defineScenario('mixed', { table: referenceEndpoints }, (config) => ({
  endpoints,
  load: Object.fromEntries(
    Object.entries(personas).map(([name, p]) => [
      name,
      // A breakpoint search needs load that does not back off when the target slows down, so
      // open-model profiles turn each persona's VUs into an equivalent iteration rate.
      config.profile.openModel
        ? rampingArrivalRate(config.profile, config.peakVus * p.share * iterationsPerVuPerSec, p.exec, 3000)
        : rampingVus(config.profile, config.peakVus, p.share, p.exec),
    ]),
  ),
  service: { minRps: config.profileName === 'baseline' ? serviceObjectives.minMixedThroughputRps : undefined },
}));
const { config } = scenario;
export const { options, setup, alertMonitor, handleSummary } = scenario;
export default scenario.refuseShortcut;

const api = createApi(scenario.request);
const random = vuRandom(config.seed);

/**
 * People pause between actions. 0.25–0.75 s keeps 100 VUs above the 100 requests/s the baseline
 * promises over its whole ramp (measured: 0.5–1.5 s gave 68 requests/s); scaled by
 * LOADGATE_THINK_TIME_SCALE.
 */
function think(): void {
  sleep((0.25 + random() / 2) * config.thinkTimeScale);
}

// Each response is validated as JSON by its check; only the values a persona reads next become
// JS values (expectJsonField), never the whole body.
export function casualBrowser(): void {
  const cursor = expectJsonField<string>(api.feed(), 200, 'feed', 'next_cursor');
  think();
  if (cursor && random() < 0.5) {
    expectJsonBody(api.feed(cursor), 200, 'feed next page');
    think();
  }
}

export async function activeViewer(): Promise<void> {
  const clipId = popularClip(random);
  expectJsonBody(api.clipDetail(clipId), 200, 'clip detail');
  expectJsonBody(api.related(clipId), 200, 'related clips');
  think();
  const token = await vuToken(tokenFromApi(api, vuUserId()));
  if (token && random() < 0.5) expectJsonBody(api.vote(clipId, 1, token), [200, 201], 'vote');
  think();
}

export function searcher(): void {
  const firstId = expectJsonField<number>(api.search(pick(searchTerms, random)), 200, 'search', 'items.0.id');
  think();
  if (firstId !== null) expectJsonBody(api.clipDetail(firstId), 200, 'clip detail from search');
  think();
}

export async function engagedUser(): Promise<void> {
  const clipId = popularClip(random);
  expectJsonBody(api.commentsList(clipId), 200, 'comments list');
  think();
  const token = await vuToken(tokenFromApi(api, vuUserId()));
  if (!token) return;
  expectJsonBody(api.commentCreate(clipId, `loadgate comment ${uniqueMark()}`, token), 201, 'create comment');
  expectJsonBody(api.vote(clipId, random() < 0.8 ? 1 : -1, token), [200, 201], 'vote');
  think();
}
