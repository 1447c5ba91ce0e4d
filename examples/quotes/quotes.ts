// Load on the quotes API (examples/quotes/server.mjs), open model: reads at 4× the rate of likes.
// Everything loadgate-specific comes from lib/ and thresholds/; everything about this API from
// the two files beside this one.
//   make load SCENARIO=examples/quotes/quotes.ts BASE_URL=http://127.0.0.1:<port>
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { parseConfig } from '../../lib/config.ts';
import { createMonitor } from '../../lib/monitor.ts';
import { alertMonitoring, commonOptions, rampingArrivalRate } from '../../lib/options.ts';
import { assertAllowed, handshake, shortcutOptionsRefused } from '../../lib/preflight.ts';
import { createClient, expectJson } from '../../lib/request.ts';
import { vuToken } from '../../lib/session.ts';
import { summaryHandler } from '../../lib/summary/handle.ts';
import { endpointGuards, scenarioGuards } from '../../thresholds/guards.ts';
import { endpointThresholds, serviceThresholds } from '../../thresholds/objectives.ts';
import { mergeThresholds } from '../../thresholds/types.ts';
import { quotesAlertRules } from './alerts.ts';
import { quotesEndpoints } from './endpoints.ts';

const config = parseConfig(__ENV);
assertAllowed(config);

const rates = { reads: 40, likes: 10 }; // iterations per second at the profile's level 1
const endpoints = ['quote_list', 'quote_detail', 'quote_like', 'login'] as const;
const monitoring = alertMonitoring(config, quotesAlertRules);

export const options: Options = {
  scenarios: {
    reads: rampingArrivalRate(config.profile, rates.reads, 'read'),
    likes: rampingArrivalRate(config.profile, rates.likes, 'like'),
    ...monitoring.scenarios,
  },
  thresholds: mergeThresholds(
    endpointThresholds(quotesEndpoints, endpoints),
    serviceThresholds(),
    endpointGuards(endpoints),
    scenarioGuards(Object.keys(rates)),
    monitoring.thresholds,
  ),
  ...commonOptions,
};

const request = createClient(quotesEndpoints, config);

export function setup() {
  return handshake(config, { scenario: 'quotes', table: quotesEndpoints, endpoints, rules: quotesAlertRules });
}

// Arrival-rate iterations never sleep: the executor alone paces them.
export function read(): void {
  expectJson(request('quote_list'), 200, 'list quotes');
  expectJson(request('quote_detail', { params: { id: 1 + (exec.scenario.iterationInTest % 200) } }), 200, 'one quote');
}

export async function like(): Promise<void> {
  const login = () => expectJson<{ access_token: string }>(request('login', { body: { user: exec.vu.idInTest } }), 200, 'login')?.access_token ?? null;
  const token = await vuToken(login);
  if (token) expectJson(request('quote_like', { params: { id: 1 + (exec.vu.idInTest % 200) }, token }), 201, 'like');
}

export const alertMonitor = createMonitor(config, quotesAlertRules);
// `k6 run --vus/--duration` would run `default`; it explains why this script refuses them.
export default shortcutOptionsRefused;
export const handleSummary = summaryHandler('quotes', config);
