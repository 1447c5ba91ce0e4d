// Safety and fit before load: the allow-list runs in init (before any request exists), the
// handshake in setup (before any VU starts): the service answers its health path, serves every
// route the scenario will drive, and exposes the metrics the alert rules read.
import exec from 'k6/execution';
import http from 'k6/http';
import type { Config } from './config.ts';
import { contactedUrls, firstRefusal } from './allowlist.ts';
import { alerting } from './alerting.ts';
import { shortcutRefusal } from './shortcut.ts';
import type { AlertRule } from '../thresholds/alerts.ts';
import { apiSettings, endpointUrl, routeName, type EndpointTable } from '../thresholds/endpoints.ts';

export function assertAllowed(config: Config): void {
  const refusal = firstRefusal(contactedUrls(config), config.allowHosts);
  if (refusal) throw new Error(refusal);
}

/** The target's name and version as its health answer reports them; absent when it does not. */
export interface TargetIdentity {
  service?: string;
  version?: string;
}

export interface SetupData {
  target: TargetIdentity;
  /** Whether the alert monitor runs; `monitorNote` says why or why not. */
  monitor: boolean;
  monitorNote: string;
  /** How often the monitor scrapes (alerting's scrapeIntervalMs); only when it runs. */
  scrapeEveryMs?: number;
  /** Alert rules the monitor evaluates on this service, and those whose metrics it does not expose. */
  rules: { evaluated: string[]; withoutData: string[] };
  /** The endpoints the scenario drives, in its order (a list: k6 does not keep an object's key order). */
  endpoints: Array<{ name: string; label: string; route: string }>;
  /** The endpoint table's Go module, for the report's own-code grouping; absent when not declared. */
  module?: string;
}

/** What the handshake checks: the scenario's own endpoints and alert rules. */
export interface Plan<E extends string> {
  scenario: string;
  table: EndpointTable<E>;
  endpoints: readonly E[];
  rules: readonly AlertRule[];
}

// Probes are not load: every status counts as expected so they never touch the error rate.
const probeParams = { timeout: '3s', tags: { name: 'pre-flight' }, responseCallback: http.expectedStatuses({ min: 100, max: 599 }) };

/** "GET /api/v1/feed answered 404", or null when the route is there (or cannot be told apart). */
function probe(baseUrl: string, spec: EndpointTable[string], headers: Record<string, string>, optionsTellsMissing: () => boolean): string | null {
  if (spec.probe === false) return null;
  const url = endpointUrl(baseUrl, spec, spec.probe?.params, spec.probe?.query);
  const params = { ...probeParams, headers: { ...headers, ...spec.headers } };
  // A write is probed with OPTIONS so nothing is written. Many routers answer 405 for a path they
  // serve with other methods and 404 for one they do not know; others answer 404 to any method a
  // route does not declare, and then a 404 says nothing (optionsTellsMissing).
  const reads = spec.method === 'GET' || spec.method === 'HEAD';
  const response = reads ? http.request(spec.method, url, null, params) : http.options(url, null, params);
  const missing = response.status === 0 || response.status === 404 || response.status === 501 || (reads && response.status === 405);
  if (!missing) return null;
  if (!reads && response.status !== 0 && !optionsTellsMissing()) return null;
  const answer = response.status === 0 ? `did not answer (${response.error})` : `answered ${response.status}`;
  return `${reads ? '' : 'OPTIONS for '}${routeName(spec)} ${answer}`;
}

/**
 * Whether this router's 404 to OPTIONS means "no such route": asked once, of the health path,
 * which has just answered GET, so it exists. A router that answers OPTIONS there with 404 (or 501)
 * answers every undeclared method so, and a write route's 404 cannot refuse it.
 */
function optionsProbeOf(healthUrl: string, headers: Record<string, string>): () => boolean {
  let tells: boolean | undefined;
  return () => (tells ??= ![404, 501].includes(http.options(healthUrl, null, { ...probeParams, headers }).status));
}

/** What the health answer says the target is; a field it does not report stays absent. */
function identity(body: unknown): TargetIdentity {
  try {
    const parsed = JSON.parse(String(body)) as Record<string, unknown>;
    const field = (name: string) => (typeof parsed[name] === 'string' || typeof parsed[name] === 'number' ? String(parsed[name]) : undefined);
    return { service: field('service'), version: field('version') };
  } catch {
    // A target without a JSON health body is still a target; the report says "not reported".
    return {};
  }
}

/** Fails fast with a sentence when the target is not there or is not this scenario's API. */
export function handshake<E extends string>(config: Config, plan: Plan<E>): SetupData {
  if ('default' in (exec.test.options.scenarios ?? {})) throw new Error(shortcutRefusal);
  const settings = apiSettings(plan.table);
  const healthUrl = `${config.baseUrl}${settings.health.path}`;
  const health = http.get(healthUrl, { ...probeParams, headers: settings.headers });
  if (health.status !== settings.health.status) {
    const why = health.error ? health.error : `HTTP ${health.status}`;
    throw new Error(
      `pre-flight failed: ${healthUrl} did not answer ${settings.health.status} (${why}); is the target running? (the endpoint table's health setting names the path and status)`,
    );
  }
  const optionsTellsMissing = optionsProbeOf(healthUrl, settings.headers);
  const mismatches = plan.endpoints
    .map((endpoint) => probe(config.baseUrl, plan.table[endpoint], settings.headers, optionsTellsMissing))
    .filter((m): m is string => m !== null);
  if (mismatches.length) {
    throw new Error(
      `pre-flight failed: ${mismatches.join('; ')}: this API does not serve the routes of scenario ${plan.scenario}; see docs/own-api.md`,
    );
  }
  const endpoints = plan.endpoints.map((name) => ({ name, label: plan.table[name].label, route: routeName(plan.table[name]) }));
  const declared = { endpoints, ...(settings.module ? { module: settings.module } : {}) };
  const target = identity(health.body);
  const allRules = { evaluated: [], withoutData: plan.rules.map((rule) => rule.name) };
  const monitorOff = (rules: SetupData['rules'], monitorNote: string): SetupData => ({ target, ...declared, rules, monitor: false, monitorNote });
  if (!config.metricsUrl) return monitorOff(allRules, 'alert monitor off: LOADGATE_METRICS_URL=off');
  const metrics = http.get(config.metricsUrl, probeParams);
  if (metrics.status !== 200 || !/^# (HELP|TYPE) /m.test(String(metrics.body))) {
    return monitorOff(allRules, `alert monitor off: ${config.metricsUrl} is not a Prometheus endpoint (HTTP ${metrics.status})`);
  }
  const { rulesWithData, scrapeIntervalMs } = alerting();
  const rules = rulesWithData(plan.rules, String(metrics.body));
  if (!rules.evaluated.length) {
    return monitorOff(rules, `alert monitor off: ${config.metricsUrl} exposes none of the metrics the alert rules read (${rules.withoutData.join(', ')})`);
  }
  const scrapeEveryMs = scrapeIntervalMs(plan.rules.filter((rule) => rules.evaluated.includes(rule.name)), config.alertTimeScale);
  const blind = rules.withoutData.length ? `; no data on this service for ${rules.withoutData.join(', ')}` : '';
  return { target, ...declared, rules, monitor: true, scrapeEveryMs, monitorNote: `alert monitor on: scraping ${config.metricsUrl} every ${scrapeEveryMs / 1000} s for ${rules.evaluated.join(', ')}${blind}` };
}
