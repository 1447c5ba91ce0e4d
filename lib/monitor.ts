// The alert monitor: one VU scrapes the target's /metrics every 1 to 5 s while the load runs and
// evaluates the scenario's alert rules over those scrapes, the way Prometheus would in production.
// Rules whose metrics the service does not expose (found in setup) are left out, not evaluated blind.
import http from 'k6/http';
import { sleep } from 'k6';
import type { AlertRule } from '../thresholds/alerts.ts';
import { alerting, type AlertEvaluator, type Alerting } from './alerting.ts';
import type { Config } from './config.ts';
import { alertsFired } from './metrics.ts';
import type { SetupData } from './preflight.ts';

// An iteration lasts at most a second, scrape due or not, so the run never waits at its end for
// a monitor asleep until its next scrape.
const longestIterationMs = 1000;

/** `rules`: read at the first scrape, in the monitor's VU only (lib/scenario.ts shares them from VU 0). */
export function createMonitor(config: Config, rules: () => readonly AlertRule[]): (data: SetupData) => void {
  // Built at the first scrape, in the monitor's VU alone: the evaluator's code and a Set made here
  // would cost every load VU (lib/alerting.ts).
  let watch: { evaluator: AlertEvaluator; families: Set<string>; parse: Alerting['parsePrometheusText'] } | null = null;
  let nextScrapeMs = 0;
  return (data) => {
    const startedMs = Date.now();
    if (data.monitor && data.scrapeEveryMs && startedMs >= nextScrapeMs) {
      nextScrapeMs = startedMs + data.scrapeEveryMs;
      if (!watch) {
        const { AlertEvaluator, familiesOf, parsePrometheusText } = alerting();
        const evaluated = rules().filter((rule) => data.rules.evaluated.includes(rule.name));
        watch = { evaluator: new AlertEvaluator(evaluated, config.alertTimeScale), families: familiesOf(evaluated), parse: parsePrometheusText };
      }
      const response = http.get(config.metricsUrl, { timeout: '2s', tags: { name: 'GET /metrics' } });
      if (response.status === 200) {
        const scrape = { atMs: startedMs, samples: watch.parse(String(response.body), watch.families) };
        for (const rule of watch.evaluator.observe(scrape)) {
          alertsFired.add(1, { alert: rule.name, severity: rule.severity });
          console.warn(`alert ${rule.name} (${rule.severity}) fired: ${rule.summary}; ${rule.action}`);
        }
      }
    }
    // nextScrapeMs is 0 while the monitor never scrapes, and later than startedMs once it has.
    const wakeMs = nextScrapeMs ? Math.min(startedMs + longestIterationMs, nextScrapeMs) : startedMs + longestIterationMs;
    sleep(Math.max(0, wakeMs - Date.now()) / 1000);
  };
}
