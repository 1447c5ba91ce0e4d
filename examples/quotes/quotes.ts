// Load on the quotes API (examples/quotes/server.mjs), open model: reads at 4× the rate of likes.
// Everything about this API comes from the two files beside this one; the wiring from defineScenario.
//   make load SCENARIO=examples/quotes/quotes.ts BASE_URL=http://127.0.0.1:<port>
import exec from 'k6/execution';
import { rampingArrivalRate } from '../../lib/options.ts';
import { expectJsonBody, expectJsonField } from '../../lib/request.ts';
import { defineScenario } from '../../lib/scenario.ts';
import { vuToken } from '../../lib/session.ts';
import { quotesAlertRules } from './alerts.ts';
import { quotesEndpoints } from './endpoints.ts';

const scenario = defineScenario('quotes', { table: quotesEndpoints, rules: quotesAlertRules }, (config) => ({
  endpoints: ['quote_list', 'quote_detail', 'quote_like', 'login'],
  // Iterations per second at the profile's level 1.
  load: { reads: rampingArrivalRate(config.profile, 40, 'read'), likes: rampingArrivalRate(config.profile, 10, 'like') },
}));
export const { options, setup, alertMonitor, handleSummary } = scenario;
export default scenario.refuseShortcut;
const { request } = scenario;

// Arrival-rate iterations never sleep: the executor alone paces them. Every response is checked
// as JSON; only the token becomes a JS value (building whole bodies nobody reads costs k6 CPU).
export function read(): void {
  expectJsonBody(request('quote_list'), 200, 'list quotes');
  expectJsonBody(request('quote_detail', { params: { id: 1 + (exec.scenario.iterationInTest % 200) } }), 200, 'one quote');
}

export async function like(): Promise<void> {
  const login = () => expectJsonField<string>(request('login', { body: { user: exec.vu.idInTest } }), 200, 'login', 'access_token');
  const token = await vuToken(login);
  if (token) expectJsonBody(request('quote_like', { params: { id: 1 + (exec.vu.idInTest % 200) }, token }), 201, 'like');
}
