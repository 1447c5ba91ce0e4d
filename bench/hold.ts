// Turns a scenario's own options into a fixed load for the benchmarks: every arrival-rate
// scenario holds its peak rate (or, closed, becomes as many VUs as BENCH_CLOSED_VUS says), every
// ramping-VU scenario holds its peak VUs, for BENCH_HOLD. The iteration code, checks, tags, custom
// metrics, thresholds and handleSummary stay the scenario's own: the bench/scenarios/*.ts entry
// files re-export them with these options. Runs inside k6, so it stays plain data handling, and
// only in VU 0, where k6 reads options: the settings readers come from the control bundle there,
// so the held bundles' load VUs carry no more than the scenario's own (bench measures them).
import type { Options, Scenario } from 'k6/options';
import { controlModule } from '../lib/scenario.ts';

/** Variables the bench passes to these entries; read here only. */
export interface HoldSettings {
  /** How long each scenario holds its level: a k6 duration. */
  hold: string;
  /** When set, arrival-rate scenarios become this many constant VUs (closed model, no think time). */
  closedVus?: number;
}

/** Refused with lib/config.ts's SettingError sentence, as any other setting. */
function holdSettings(env: Record<string, string | undefined>): HoldSettings {
  const { duration, numeric, SettingError, text } = controlModule();
  const hold = duration(env, 'BENCH_HOLD');
  if (!hold) throw new SettingError('BENCH_HOLD is not set; valid values are: a duration from 1s to 1h, such as 20s');
  return { hold, closedVus: text(env, 'BENCH_CLOSED_VUS') ? numeric(env, 'BENCH_CLOSED_VUS') : undefined };
}

type AnyScenario = Scenario & Record<string, unknown>;

function held(scenario: AnyScenario, { hold, closedVus }: HoldSettings): Scenario {
  // What every held scenario keeps of its own: the function it runs and the tags it carries.
  const { executor, exec, gracefulStop, tags } = scenario;
  const own = tags ? { exec, gracefulStop, tags } : { exec, gracefulStop };
  const stages = (scenario.stages as Array<{ target: number }> | undefined) ?? [];
  const peak = Math.max(0, ...stages.map((stage) => stage.target));
  if (executor === 'ramping-arrival-rate') {
    if (closedVus) return { executor: 'constant-vus', vus: closedVus, duration: hold, ...own };
    const { timeUnit, preAllocatedVUs, maxVUs } = scenario as AnyScenario & { timeUnit: string; preAllocatedVUs: number; maxVUs: number };
    return { executor: 'constant-arrival-rate', rate: peak, timeUnit, duration: hold, preAllocatedVUs, maxVUs, ...own };
  }
  if (executor === 'ramping-vus') return { executor: 'constant-vus', vus: peak, duration: hold, ...own };
  if (executor === 'constant-vus') return { ...scenario, duration: hold } as Scenario;
  throw new Error(`bench: cannot hold a ${String(executor)} scenario`);
}

/**
 * The scenario's options with every scenario held at its peak; the rest (thresholds…) unchanged.
 * In a load VU the options are the scenario's own (empty there): k6 reads VU 0's alone.
 */
export function heldOptions(options: Options): Options {
  if (__VU !== 0) return options;
  const settings = holdSettings(__ENV);
  const scenarios = Object.fromEntries(
    Object.entries(options.scenarios ?? {}).map(([name, scenario]) => [name, held(scenario as AnyScenario, settings)]),
  );
  return { ...options, scenarios };
}
