// meta.options is `k6 inspect` output: the scenarios as k6 resolved them, recorded before the run.
import { durationToMs, levelAt, type Profile } from '../../lib/profiles.ts';
import type { K6Summary } from '../../lib/summary/model.ts';
import { plural } from '../runs/format.ts';
import type { RunMeta } from '../record.ts';

export interface ScenarioOptions {
  executor?: string;
  startTime?: string | null;
  vus?: number;
  duration?: string;
  iterations?: number;
  startVUs?: number;
  rate?: number;
  timeUnit?: string | null;
  preAllocatedVUs?: number;
  maxVUs?: number;
  startRate?: number;
  stages?: Array<{ duration: string; target: number }>;
}

export interface K6Options {
  scenarios?: Record<string, ScenarioOptions>;
  thresholds?: Record<string, unknown>;
  totalDuration?: string;
  maxVUs?: number;
}

export const optionsOf = (meta: RunMeta | null): K6Options | null =>
  meta?.options && typeof meta.options === 'object' ? (meta.options as K6Options) : null;

/** Recorded data from another k6 version may spell a duration this project does not parse. */
function safeMs(duration: string | null | undefined): number | undefined {
  if (!duration) return undefined;
  try {
    return durationToMs(duration);
  } catch {
    return undefined;
  }
}

export function describeScenario(s: ScenarioOptions): string {
  const unit = s.timeUnit || '1s';
  const stages = (s.stages ?? []).map((stage) => `${stage.target} over ${stage.duration}`).join(', ');
  switch (s.executor) {
    case 'constant-vus':
      return `${plural(s.vus ?? 1, 'VU')} for ${s.duration ?? 'the whole run'}`;
    case 'ramping-vus':
      return `from ${s.startVUs ?? 0} VUs: ${stages} (VUs)`;
    case 'constant-arrival-rate':
      return `${s.rate} iterations per ${unit} for ${s.duration}, ${s.preAllocatedVUs ?? 0} VUs pre-allocated (max ${s.maxVUs ?? s.preAllocatedVUs ?? 0})`;
    case 'ramping-arrival-rate':
      return `from ${s.startRate ?? 0} iterations per ${unit}: ${stages}; ${s.preAllocatedVUs ?? 0} VUs pre-allocated (max ${s.maxVUs ?? s.preAllocatedVUs ?? 0})`;
    case 'per-vu-iterations':
      return `${s.iterations} iterations on each of ${s.vus} VUs`;
    case 'shared-iterations':
      return `${s.iterations} iterations shared by ${s.vus} VUs`;
    default:
      return `executor ${s.executor ?? 'unknown'}`;
  }
}

/** The arrival rate a staged scenario had reached `elapsedMs` into the run. */
export function arrivalRateAt(s: ScenarioOptions, elapsedMs: number): number {
  const startMs = safeMs(s.startTime) ?? 0;
  if (elapsedMs < startMs) return 0;
  // An unreadable duration counts as an instant step rather than hiding the whole sentence.
  const stages = (s.stages ?? []).map((stage) => ({ duration: safeMs(stage.duration) === undefined ? '0s' : stage.duration, level: stage.target }));
  // levelAt divides by the stage's length; k6 jumps straight to the target of a leading 0s stage.
  let startLevel = s.startRate ?? 0;
  while (stages.length && durationToMs(stages[0].duration) === 0) startLevel = stages.shift()!.level;
  // levelAt reads nothing but the stages, so the recorded ones stand in for a whole profile.
  return levelAt({ stages } as Profile, elapsedMs - startMs, startLevel);
}

/**
 * inspect is run before k6 starts; when it resolves a different profile than the run used (its
 * environment differs), its thresholds differ from the ones the summary evaluated.
 */
export function optionsMatchRun(options: K6Options, summary: K6Summary | null): boolean {
  if (!summary || !options.thresholds) return true;
  const planned = Object.keys(options.thresholds).sort().join('\n');
  const evaluated = Object.entries(summary.metrics)
    .filter(([, m]) => m.thresholds && Object.keys(m.thresholds).length > 0)
    .map(([name]) => name)
    .sort()
    .join('\n');
  return planned === evaluated;
}
