// Builders that turn a profile into k6 scenario definitions. Plain functions over plain data.
import type { Scenario } from 'k6/options';
import { durationToMs, type Profile } from './profiles.ts';

export const gracefulStop = '5s';

/** A closed-model scenario: VUs follow the profile's stages, scaled to this persona's share. */
export function rampingVus(profile: Profile, peakVus: number, share: number, exec: string): Scenario {
  const vusAt = (level: number) => (level > 0 ? Math.max(1, Math.round(level * peakVus * share)) : 0);
  return {
    executor: 'ramping-vus',
    exec,
    startVUs: 0,
    stages: profile.stages.map((stage) => ({ duration: stage.duration, target: vusAt(stage.level) })),
    gracefulRampDown: gracefulStop,
    gracefulStop,
  };
}

/**
 * An open-model scenario: iterations start at the profile's rate whatever the response times, so a
 * slow target shows up as latency and dropped iterations instead of silently lowering the load.
 * VUs suffice to hold the peak rate while iterations take up to `iterationBudgetMs`; beyond that
 * k6 drops iterations and the dropped_iterations threshold reports the saturation.
 */
export function rampingArrivalRate(profile: Profile, ratePerSec: number, exec: string, iterationBudgetMs = 200): Scenario {
  // Rates are per minute so a low-share endpoint at a small total rate does not round to zero.
  const perMinuteAt = (level: number) => Math.round(level * ratePerSec * 60);
  const peak = Math.max(1, ...profile.stages.map((stage) => perMinuteAt(stage.level))) / 60;
  const maxVUs = Math.ceil((peak * iterationBudgetMs) / 1000) + 5;
  return {
    executor: 'ramping-arrival-rate',
    exec,
    startRate: 0,
    timeUnit: '1m',
    preAllocatedVUs: Math.min(maxVUs, Math.max(2, Math.ceil(peak / 20))),
    maxVUs,
    stages: profile.stages.map((stage) => ({ duration: stage.duration, target: perMinuteAt(stage.level) })),
    gracefulStop,
  };
}

/** Iterations an arrival-rate scenario is scheduled to start: the area under its rate curve. */
export function scheduledIterations(profile: Profile, ratePerSec: number): number {
  let level = 0;
  let total = 0;
  for (const stage of profile.stages) {
    total += (((level + stage.level) / 2) * ratePerSec * durationToMs(stage.duration)) / 1000;
    level = stage.level;
  }
  return Math.round(total);
}
