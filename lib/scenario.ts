// defineScenario: the wiring every scenario shares, in one place, so a scenario file holds only its
// load model and its exec functions and writes its name once. It owns the configuration and the
// allow-list (checked in init, before any request), the thresholds (per-endpoint SLOs, run-wide
// objectives, dropped iterations, no-data guards, alert rules), the alert monitor, the pre-flight
// handshake, the refusal of k6's shortcut options and handleSummary. build.mjs refuses a scenario
// bundle that does not export what k6 needs of it (lib/scenario-exports.ts), so forgetting one is a
// build error, not a monitor that silently never runs.
//
// Two halves, because every VU runs a bundle's init code and holds its own copy of every function
// and table in it. VU 0, where k6 reads options and runs setup and handleSummary, loads the control
// plane (lib/control.ts, bundled as loadgate-control.js beside the scenario) and parses the settings.
// The load VUs share VU 0's parsed settings through a SharedArray and carry only what an iteration
// needs: the client, the data helpers and the alert monitor.
import { SharedArray } from 'k6/data';
import type { Scenario } from 'k6/options';
import type { AlertRule } from '../thresholds/alerts.ts';
import type { EndpointTable } from '../thresholds/endpoints.ts';
import type { Thresholds } from '../thresholds/types.ts';
import type { Config } from './config.ts';
import type { ControlPlane } from './control.ts';
import type { ServiceThresholdOptions } from '../thresholds/objectives.ts';
import { createMonitor } from './monitor.ts';
import { createClient, type Request } from './request.ts';
import { shortcutOptionsRefused } from './shortcut.ts';

/**
 * The API under load, passed at the top of the scenario file rather than inside `declare`: a value
 * that any function of a bundle refers to stays in every VU for the whole run (sobek keeps it in
 * the module's scope), and no load VU needs the table once its client is built; the reference
 * table cost each VU about 21 KB that way (docs/benchmarks.md).
 */
export interface TargetApi<E extends string> {
  /** The API's endpoint table (thresholds/endpoints.ts). */
  table: EndpointTable<E>;
  /**
   * Alert rules the monitor evaluates while the run goes (the API's own names). Default: the
   * reference service's (thresholds/alerts.ts), supplied in VU 0. Rules whose metrics the target
   * does not expose are left out at setup; `[]` turns the monitor off.
   */
  rules?: readonly AlertRule[];
}

/** What a scenario declares from the settings; everything else is derived from it. */
export interface ScenarioSpec<E extends string> {
  /** The endpoints this scenario sends HTTP requests to: their SLOs, guards and pre-flight probes. */
  endpoints: readonly E[];
  /** The load model: k6 scenarios by name. Each must send something (a no-data guard per name). */
  load: Record<string, Scenario>;
  /** Thresholds of this load model beyond the shared ones (end-to-end latency, gRPC SLOs…). */
  thresholds?: Thresholds;
  /** Run-wide objectives beyond the defaults (a throughput floor). */
  service?: Omit<ServiceThresholdOptions, 'abortOnDegradation'>;
  /** For an open model: iterations its schedule starts, of which at most 1% may be dropped. */
  scheduledIterations?: number;
  /**
   * Endpoints each sent only from the k6 scenario of the same name in `load` (api-load's shape).
   * That scenario carries the endpoint's tags (requestTags) and its requests go without their own:
   * k6 walks a request's tags through the JS runtime on every request, about 12 of a feed
   * request's 214 Go allocations (docs/benchmarks.md). An endpoint also sent from another k6
   * scenario would go untagged there, and its SLO thresholds would not see those requests.
   */
  scenarioTagged?: readonly E[];
}

/** Builds the spec from the parsed settings, in VU 0 alone; the table for thresholds of its own. */
export type Declare<E extends string> = (config: Config, table: EndpointTable<E>) => ScenarioSpec<E>;

export interface DefinedScenario<E extends string> {
  /** The parsed settings, for the scenario's own exec functions. */
  config: Config;
  /** The client of the declared endpoints (lib/request.ts), built in every VU from the table. */
  request: Request<E>;
  options: ControlPlane<E>['options'];
  setup: ControlPlane<E>['setup'];
  alertMonitor: ReturnType<typeof createMonitor>;
  handleSummary: ControlPlane<E>['handleSummary'];
  /** Export as `default`: `k6 run --vus/--duration` would run it, and it explains the refusal. */
  refuseShortcut: typeof shortcutOptionsRefused;
}

/** k6's init-context require: loads a file beside this bundle, which k6 archives with it. */
declare function require(path: string): unknown;

/** Built by build.mjs beside every scenario bundle. A variable, so esbuild leaves the require to k6. */
const controlBundle = './loadgate-control.js';

/** The control bundle's exports: VU 0 only, the one VU that ever loads it. */
export function controlModule(): typeof import('./control.ts') {
  if (__VU !== 0) throw new Error(`${controlBundle} is loaded in VU 0 only (__VU is ${__VU})`);
  return require(controlBundle) as typeof import('./control.ts');
}

/** What VU 0 parsed and declared, shared: k6 runs these callbacks once per process, in VU 0's init. */
const sharedNames = { run: 'loadgate-run', rules: 'loadgate-rules' };

interface SharedRun<E extends string> {
  config: Config;
  endpoints: readonly E[];
  scenarioTagged: readonly E[];
}

function fromVu0<T>(name: string, control: unknown, build: () => T[]): ArrayLike<T> {
  return new SharedArray<T>(name, () => {
    if (!control) throw new Error(`${name} must be built in VU 0 (__VU is ${__VU})`);
    return build();
  });
}

/**
 * `name` is the scenario's name in reports and run folders; `declare` builds its spec from the
 * parsed settings. Runs in k6's init context, once per VU, but `declare` runs in VU 0 alone: the
 * load VUs read the settings and the endpoints it declared from VU 0, and the alert monitor reads
 * the rules at its first scrape, so declaring (profiles, schedules, tables checked) costs them
 * neither init time nor memory.
 */
export function defineScenario<E extends string>(
  name: string,
  api: TargetApi<E>,
  declare: Declare<E>,
): DefinedScenario<E> {
  const control = __VU === 0 ? controlModule().controlPlane(name, api, declare) : null;
  const { config, endpoints, scenarioTagged } = fromVu0<SharedRun<E>>(sharedNames.run, control, () => [
    { config: control!.config, endpoints: control!.spec.endpoints, scenarioTagged: control!.spec.scenarioTagged ?? [] },
  ])[0];
  const rules = fromVu0<AlertRule>(sharedNames.rules, control, () => [...control!.rules]);
  return {
    config,
    request: createClient(api.table, config, endpoints, scenarioTagged),
    options: control?.options ?? {},
    setup: () => control!.setup(),
    alertMonitor: createMonitor(config, () => Array.from(rules)),
    handleSummary: (data) => control!.handleSummary(data),
    refuseShortcut: shortcutOptionsRefused,
  };
}
