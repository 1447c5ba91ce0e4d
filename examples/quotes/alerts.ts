// loadgate's two API alert rules, read from this service's own metric and label names.
import { alertRules, renameRules } from '../../thresholds/alerts.ts';

export const quotesAlertRules = renameRules(
  alertRules.filter((rule) => rule.name === 'HighAPILatency' || rule.name === 'HighErrorRate'),
  { metrics: { target_http_request_duration_seconds: 'http_server_duration_seconds' }, labels: { route: 'path', code: 'status' } },
);
