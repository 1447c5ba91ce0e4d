// The quotes API's endpoints and their objectives: the one table this team maintains.
import { defineEndpoints } from '../../thresholds/endpoints.ts';

export const quotesEndpoints = defineEndpoints({
  quote_list: { label: 'List quotes', method: 'GET', path: '/v2/quotes', slo: { p50: 20, p95: 50, p99: 100 } },
  quote_detail: { label: 'One quote', method: 'GET', path: '/v2/quotes/{id}', slo: { p50: 20, p95: 50, p99: 100 }, probe: { params: { id: 1 } } },
  quote_like: { label: 'Like a quote', method: 'POST', path: '/v2/quotes/{id}/likes', slo: { p50: 30, p95: 80, p99: 150 }, probe: { params: { id: 1 } } },
  login: { label: 'Login', method: 'POST', path: '/v2/login', slo: { p50: 30, p95: 80, p99: 150 } },
});
