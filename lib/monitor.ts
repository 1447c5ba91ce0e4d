// The alert monitor: one VU scrapes the target's /metrics every 1 to 5 s while the load runs and
// evaluates the scenario's alert rules over those scrapes, the way Prometheus would in production.
// Rules whose metrics the service does not expose (found in setup) are left out, not evaluated blind.
import http, { type Params } from 'k6/http';
import { sleep } from 'k6';
import type { AlertRule } from '../thresholds/alerts.ts';
import { alerting, type AlertEvaluator, type Alerting } from './alerting.ts';
import type { Config } from './config.ts';
import { alertsFired, monitorScrapesRead } from './metrics.ts';
import type { SetupData } from './preflight.ts';

// An iteration lasts at most a second, scrape due or not, so the run never waits at its end for
// a monitor asleep until its next scrape.
const longestIterationMs = 1000;

/** `rules`: read at the first scrape, in the monitor's VU only (lib/scenario.ts shares them from VU 0). */
export function createMonitor(config: Config, rules: () => readonly AlertRule[]): (data: SetupData) => void {
  // Built at the first scrape, in the monitor's VU alone: the evaluator's code and a Set made here
  // would cost every load VU (lib/alerting.ts).
  let watch: { evaluator: AlertEvaluator; families: Set<string>; parse: Alerting['parsePrometheusText']; params: Params } | null = null;
  let nextScrapeMs = 0;
  let failureTold = false;
  /** Null when the scrape was read and evaluated, else why not. */
  const scrapeAndEvaluate = (atMs: number, data: SetupData): string | null => {
    if (!watch) {
      const { AlertEvaluator, familiesOf, parsePrometheusText } = alerting();
      const evaluated = rules().filter((rule) => data.rules.evaluated.includes(rule.name));
      // Any answer is expected: a scrape that fails is the monitor's to count, not a failed request of
      // the API under load (http_req_failed and its run-wide objective).
      const params = { timeout: '2s', tags: { name: 'GET /metrics' }, responseCallback: http.expectedStatuses({ min: 0, max: 599 }) };
      watch = { evaluator: new AlertEvaluator(evaluated, config.alertTimeScale), families: familiesOf(evaluated), parse: parsePrometheusText, params };
    }
    const response = http.get(config.metricsUrl, watch.params);
    // k6's error code, not its message: the message quotes the URL, which may carry a password.
    if (response.status !== 200) return response.status ? `HTTP ${response.status}` : `k6 error code ${response.error_code}`;
    const scrape = { atMs, samples: watch.parse(String(response.body), watch.families) };
    for (const rule of watch.evaluator.observe(scrape)) {
      alertsFired.add(1, { alert: rule.name, severity: rule.severity });
      console.warn(`alert ${rule.name} (${rule.severity}) fired: ${rule.summary}; ${rule.action}`);
    }
    return null;
  };
  return (data) => {
    const startedMs = Date.now();
    if (data.monitor && data.scrapeEveryMs && startedMs >= nextScrapeMs) {
      nextScrapeMs = startedMs + data.scrapeEveryMs;
      // A scrape that fails is counted, and the first failure says why: a monitor that never reads
      // a scrape evaluates nothing, and the report must not let the run look watched.
      let failure: string | null;
      try {
        failure = scrapeAndEvaluate(startedMs, data);
      } catch (error) {
        // The URL, which may carry a password, named instead of quoted; lib/redact.ts's patterns
        // would be built in every VU that loads this module.
        failure = String(error).split(config.metricsUrl).join('LOADGATE_METRICS_URL');
      }
      monitorScrapesRead.add(failure === null);
      if (failure !== null && !failureTold) {
        failureTold = true;
        // Not the URL: it may carry a password. The report counts every failed scrape.
        console.warn(`alert monitor: a scrape of LOADGATE_METRICS_URL failed (${failure}); its rules are not evaluated on a failed scrape`);
      }
    }
    // nextScrapeMs is 0 while the monitor never scrapes, and later than startedMs once it has.
    const wakeMs = nextScrapeMs ? Math.min(startedMs + longestIterationMs, nextScrapeMs) : startedMs + longestIterationMs;
    sleep(Math.max(0, wakeMs - Date.now()) / 1000);
  };
}
