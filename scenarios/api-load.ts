// API load, open model: every endpoint gets its own arrival rate, so requests keep coming at the
// configured pace however slowly the target answers — the way real traffic behaves.
import { createApi, tokenFromApi } from '../lib/api.ts';
import { pick, popularClip, searchTerms, uniqueMark, vuRandom, vuUserId } from '../lib/data.ts';
import { rampingArrivalRate, scheduledIterations } from '../lib/options.ts';
import { expectJsonBody } from '../lib/request.ts';
import { defineScenario } from '../lib/scenario.ts';
import { externalTokenConfigured, vuToken } from '../lib/session.ts';
import { referenceEndpoints, type Endpoint } from '../thresholds/reference-endpoints.ts';

/** Share of the total rate per endpoint: reads dominate, as on the product. Sums to 1. */
const defaultMix: Record<keyof typeof requests, number> = {
  feed: 0.25,
  clip_detail: 0.25,
  related: 0.1,
  search: 0.15,
  comments_list: 0.15,
  comment_create: 0.03,
  vote: 0.07,
};
const authenticated: Endpoint[] = ['comment_create', 'vote'];

const scenario = defineScenario('api-load', { table: referenceEndpoints }, (config) => {
  const rates = Object.fromEntries(
    Object.entries(defaultMix).map(([endpoint, share]) => [endpoint, config.rateOverrides[endpoint as Endpoint] ?? (share as number) * config.totalRps]),
  ) as Record<string, number>;
  const driven = Object.keys(rates).filter((endpoint) => rates[endpoint] > 0) as Endpoint[];
  const asksForTokens = !externalTokenConfigured() && driven.some((endpoint) => authenticated.includes(endpoint));
  return {
    endpoints: asksForTokens ? [...driven, 'auth_token'] : driven,
    // One scenario per endpoint, named after it and running the exported function of that name,
    // so each carries its endpoint's tags and the requests need none (the token fetch keeps its own).
    load: Object.fromEntries(driven.map((endpoint) => [endpoint, rampingArrivalRate(config.profile, rates[endpoint], endpoint)])),
    scenarioTagged: driven,
    scheduledIterations: driven.reduce((total, endpoint) => total + scheduledIterations(config.profile, rates[endpoint]), 0),
  };
});
const { config } = scenario;
export const { options, setup, alertMonitor, handleSummary } = scenario;
export default scenario.refuseShortcut;

// Its client knows only the endpoints this run drives: each costs VU memory.
const api = createApi(scenario.request);
const random = vuRandom(config.seed);

async function withToken(send: (token: string) => void): Promise<void> {
  const token = await vuToken(tokenFromApi(api, vuUserId()));
  if (token) send(token);
}

// Arrival-rate iterations never sleep: think time belongs to the closed model, here the executor
// alone decides when the next request starts. No body is read here, so each is validated as JSON
// by k6 without being built into JS values (expectJsonBody). Not async: the reads finish
// synchronously, and an async wrapper costs every iteration a promise and a generator; k6 waits
// for the promise the token-using endpoints return all the same.
const requests = {
  feed: () => expectJsonBody(api.feed(), 200, 'feed'),
  clip_detail: () => expectJsonBody(api.clipDetail(popularClip(random)), 200, 'clip detail'),
  related: () => expectJsonBody(api.related(popularClip(random)), 200, 'related clips'),
  search: () => expectJsonBody(api.search(pick(searchTerms, random)), 200, 'search'),
  comments_list: () => expectJsonBody(api.commentsList(popularClip(random)), 200, 'comments list'),
  comment_create: () =>
    withToken((token) => expectJsonBody(api.commentCreate(popularClip(random), `loadgate ${uniqueMark()}`, token), 201, 'create comment')),
  vote: () => withToken((token) => expectJsonBody(api.vote(popularClip(random), 1, token), [200, 201], 'vote')),
} satisfies Partial<Record<Endpoint, () => unknown>>;

// Each endpoint's scenario runs its own exec function: no per-iteration lookup of which scenario
// this is (exec.scenario.name is a call into Go).
export const { feed, clip_detail, related, search, comments_list, comment_create, vote } = requests;
