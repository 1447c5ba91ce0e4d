// defineScenario: the wiring every scenario shares, in one place, so a scenario file holds only its
// load model and its exec functions and writes its name once. It owns the configuration and the
// allow-list (checked in init, before any request), the thresholds (per-endpoint SLOs, run-wide
// objectives, dropped iterations, no-data guards, alert rules), the alert monitor, the pre-flight
// handshake, the refusal of k6's shortcut options and handleSummary. build.mjs refuses a scenario
// bundle that does not export what k6 needs of it (lib/scenario-exports.ts), so forgetting one is a
// build error, not a monitor that silently never runs.
import type { Options, Scenario } from 'k6/options';
import type { AlertRule } from '../thresholds/alerts.ts';
import type { EndpointTable } from '../thresholds/endpoints.ts';
import { endpointGuards, failedResponseRecords, scenarioGuards } from '../thresholds/guards.ts';
import { droppedIterationThreshold, endpointThresholds, serviceThresholds, type ServiceThresholdOptions } from '../thresholds/objectives.ts';
import { mergeThresholds, type Thresholds } from '../thresholds/types.ts';
import { parseConfig, type Config } from './config.ts';
import { createMonitor } from './monitor.ts';
import { alertMonitoring, commonOptions } from './options.ts';
import { assertAllowed, handshake, shortcutOptionsRefused } from './preflight.ts';
import { summaryHandler } from './summary/handle.ts';

/** What a scenario declares; everything else is derived from it. */
export interface ScenarioSpec<E extends string> {
  /** The API's endpoint table (thresholds/endpoints.ts). */
  table: EndpointTable<E>;
  /** The endpoints this scenario sends HTTP requests to: their SLOs, guards and pre-flight probes. */
  endpoints: readonly E[];
  /** Alert rules the monitor evaluates while the run goes (the API's own names). */
  rules: readonly AlertRule[];
  /** The load model: k6 scenarios by name. Each must send something (a no-data guard per name). */
  load: Record<string, Scenario>;
  /** Thresholds of this load model beyond the shared ones (end-to-end latency, gRPC SLOs…). */
  thresholds?: Thresholds;
  /** Run-wide objectives beyond the defaults (a throughput floor). */
  service?: Omit<ServiceThresholdOptions, 'abortOnDegradation'>;
  /** For an open model: iterations its schedule starts, of which at most 1% may be dropped. */
  scheduledIterations?: number;
}

export interface DefinedScenario<E extends string> {
  /** The parsed settings, for the scenario's own exec functions. */
  config: Config;
  /** What the scenario declared, for its exec functions (the endpoints its client sends, say). */
  spec: ScenarioSpec<E>;
  options: Options;
  setup: () => ReturnType<typeof handshake>;
  alertMonitor: ReturnType<typeof createMonitor>;
  handleSummary: ReturnType<typeof summaryHandler>;
  /** Export as `default`: `k6 run --vus/--duration` would run it, and it explains the refusal. */
  refuseShortcut: typeof shortcutOptionsRefused;
}

/**
 * `name` is the scenario's name in reports and run folders; `declare` builds its spec from the
 * parsed settings. Runs in k6's init context, once per VU.
 */
export function defineScenario<E extends string>(name: string, declare: (config: Config) => ScenarioSpec<E>): DefinedScenario<E> {
  const config = parseConfig(__ENV);
  assertAllowed(config);
  const spec = declare(config);
  const monitoring = alertMonitoring(config, spec.rules);
  const { abortOnDegradation } = config.profile;
  // k6 reads options once, from the init context it runs before any VU (__VU 0; setup and
  // handleSummary run there too). Every VU runs this init code again, and would hold its own copy of
  // every threshold and scenario: build them only where k6 reads them.
  const options: Options = __VU !== 0 ? {} : {
    scenarios: { ...spec.load, ...monitoring.scenarios },
    thresholds: mergeThresholds(
      endpointThresholds(spec.table, spec.endpoints),
      serviceThresholds({ ...spec.service, abortOnDegradation }),
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
    options,
    setup: () => handshake(config, { scenario: name, table: spec.table, endpoints: spec.endpoints, rules: spec.rules }),
    alertMonitor: createMonitor(config, spec.rules),
    handleSummary: summaryHandler(name, config),
    refuseShortcut: shortcutOptionsRefused,
  };
}
