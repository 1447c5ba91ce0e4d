// Safety before load: the allow-list runs in init (before any request exists), the handshake in
// setup (before any VU starts).
import http from 'k6/http';
import type { Config } from './config.ts';
import { contactedUrls, firstRefusal } from './allowlist.ts';

export function assertAllowed(config: Config): void {
  const refusal = firstRefusal(contactedUrls(config), config.allowHosts);
  if (refusal) throw new Error(refusal);
}

export interface TargetIdentity {
  service: string;
  version: string;
}

export interface SetupData {
  target: TargetIdentity;
  /** Whether the alert monitor can read /metrics; when not, `monitorNote` says why. */
  monitor: boolean;
  monitorNote: string;
}

/** Fails fast with a sentence when the target is not there, so no VU ever starts against nothing. */
export function handshake(config: Config): SetupData {
  const health = http.get(`${config.baseUrl}/healthz`, { timeout: '3s', tags: { name: 'GET /healthz' } });
  if (health.status !== 200) {
    const why = health.error ? health.error : `HTTP ${health.status}`;
    throw new Error(`pre-flight failed: ${config.baseUrl}/healthz did not answer (${why}); is the target running?`);
  }
  let target: TargetIdentity = { service: 'unknown', version: 'unknown' };
  try {
    const body = JSON.parse(health.body as string) as Partial<TargetIdentity>;
    target = { service: String(body.service ?? 'unknown'), version: String(body.version ?? 'unknown') };
  } catch {
    // A target without a JSON health body is still a target; the report says "unknown".
  }
  if (!config.metricsUrl) return { target, monitor: false, monitorNote: 'alert monitor off: LOADGATE_METRICS_URL=off' };
  const metrics = http.get(config.metricsUrl, { timeout: '3s', tags: { name: 'GET /metrics' } });
  const isPrometheus = metrics.status === 200 && /^# (HELP|TYPE) /m.test(String(metrics.body));
  return isPrometheus
    ? { target, monitor: true, monitorNote: `alert monitor on: scraping ${config.metricsUrl} every second` }
    : { target, monitor: false, monitorNote: `alert monitor off: ${config.metricsUrl} is not a Prometheus endpoint (HTTP ${metrics.status})` };
}
