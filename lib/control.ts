// The control plane of a scenario: what k6 runs only in VU 0, the init context it reads options
// from and runs setup and handleSummary in. build.mjs bundles this file apart, as
// dist/loadgate-control.js, and lib/scenario.ts loads it with k6's require() in VU 0 alone, so the
// load VUs never instantiate the settings table and its parser, the thresholds, the pre-flight
// handshake or the summary renderers: every function and table a VU instantiates costs it memory
// and init CPU whether it runs or not (docs/benchmarks.md).
import type { Options, Scenario } from 'k6/options';
import { endpointGuards, failedResponseRecords, scenarioGuards } from '../thresholds/guards.ts';
import { droppedIterationThreshold, endpointThresholds, serviceThresholds } from '../thresholds/objectives.ts';
import { mergeThresholds, type Thresholds } from '../thresholds/types.ts';
import { parseConfig, type Config } from './config.ts';
import { gracefulStop } from './options.ts';
import { msToDuration, profileDurationMs, type Profile } from './profiles.ts';
import { assertAllowed, handshake, type SetupData } from './preflight.ts';
import type { Declare, ScenarioSpec, TargetApi } from './scenario.ts';
import { alertRules, alertThresholds, type AlertRule } from '../thresholds/alerts.ts';
import type { K6Summary } from './summary/model.ts';
import { withScenarioTags } from './scenario-tags.ts';
import { summaryHandler } from './summary/handle.ts';

// The settings readers, for an entry that reads variables of its own in VU 0 (bench/hold.ts):
// importing lib/config.ts there would put the settings table back into every load VU.
export { duration, numeric, SettingError, text } from './config.ts';

export interface ControlPlane<E extends string> {
  /** Parsed and checked here; the load VUs read a copy of it (lib/scenario.ts). */
  config: Config;
  spec: ScenarioSpec<E>;
  /** The scenario's rules, or the reference service's when it gave none. */
  rules: readonly AlertRule[];
  options: Options;
  setup: () => SetupData;
  handleSummary: (data: K6Summary) => Record<string, string> | undefined;
}

/**
 * Refuses bad settings and hosts off the allow-list (both before any request exists), then builds
 * everything k6 reads of the scenario: its options with every threshold, setup's handshake and
 * handleSummary.
 */
export function controlPlane<E extends string>(
  name: string,
  { table, rules = alertRules }: TargetApi<E>,
  declare: Declare<E>,
): ControlPlane<E> {
  const config = parseConfig(__ENV);
  assertAllowed(config);
  const spec = declare(config, table);
  const monitoring = alertMonitoring(config, rules);
  const options: Options = {
    scenarios: { ...withScenarioTags(table, spec.load, spec.scenarioTagged), ...monitoring.scenarios },
    thresholds: mergeThresholds(
      endpointThresholds(table, spec.endpoints),
      serviceThresholds({ ...spec.service, abortOnDegradation: config.profile.abortOnDegradation }),
      spec.scheduledIterations === undefined ? {} : droppedIterationThreshold(spec.scheduledIterations),
      spec.thresholds ?? {},
      endpointGuards(spec.endpoints),
      failedResponseRecords(spec.endpoints),
      scenarioGuards(Object.keys(spec.load)),
      monitoring.thresholds,
    ),
    ...commonOptions,
  };
  return {
    config,
    spec,
    rules,
    options,
    setup: () => handshake(config, { scenario: name, table, endpoints: spec.endpoints, rules }),
    handleSummary: summaryHandler(name, config),
  };
}

// Here, not in lib/options.ts beside the load models: scenarios import that module, and the rules'
// thresholds would bring the reference rules table into every load VU.
/** One VU for the whole run: the alert monitor paces its scrapes itself (lib/monitor.ts). */
function monitorScenario(profile: Profile, exec: string): Scenario {
  return { executor: 'constant-vus', exec, vus: 1, duration: msToDuration(profileDurationMs(profile)), gracefulStop };
}

/** What every scenario shares: the trend statistics the reports read, and a setup that fails fast. */
const commonOptions: Options = {
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(90)', 'p(95)', 'p(99)', 'count'],
  setupTimeout: '10s',
  // A redirect could lead the load off the allow-list; the API under test never needs one.
  maxRedirects: 0,
};

/** The alert monitor's scenario and its thresholds for `rules`, or nothing when the monitor is switched off. */
function alertMonitoring(config: Config, rules: readonly AlertRule[]): { scenarios: Record<string, Scenario>; thresholds: Thresholds } {
  if (!config.metricsUrl || !rules.length) return { scenarios: {}, thresholds: {} };
  return {
    scenarios: { alert_monitor: monitorScenario(config.profile, 'alertMonitor') },
    thresholds: alertThresholds(rules, config.alertAbortSeverity),
  };
}
