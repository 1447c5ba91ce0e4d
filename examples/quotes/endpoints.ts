// The quotes API's endpoints and their objectives: the one table this team maintains. It also says
// where the API answers its health check, the header every request carries and how a token is sent.
import { defineEndpoints } from '../../thresholds/endpoints.ts';

export const quotesEndpoints = defineEndpoints(
  {
    // Targets leave room for a node server sharing 2 cores with k6 and other test runs: the tests
    // check which objective fails when one is made to, so noise must not fail another.
    // Only a p95 target: this team judges the listing on p95 alone.
    quote_list: { label: 'List quotes', method: 'GET', path: '/v2/quotes', slo: { p95: 250 } },
    quote_detail: { label: 'One quote', method: 'GET', path: '/v2/quotes/{id}', slo: { p50: 50, p95: 250, p99: 500 }, probe: { params: { id: 1 } } },
    // The router answers 404 to OPTIONS here: the pre-flight still finds the route.
    quote_like: { label: 'Like a quote', method: 'POST', path: '/v2/quotes/{id}/likes', slo: { p50: 100, p95: 250, p99: 500, errorRate: 0.02 }, probe: { params: { id: 1 } } },
    // A handful of logins a run (one per VU): a loose p95 and a ceiling, so one slow first call on a
    // busy machine does not fail the run.
    login: { label: 'Login', method: 'POST', path: '/v2/login', slo: { p95: 1000, max: 2000 } },
  },
  {
    health: { path: '/v2/health', status: 200 },
    headers: { 'X-Quotes-Client': 'loadgate' },
    token: { scheme: 'Token' },
  },
);
