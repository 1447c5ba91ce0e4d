// Load profiles as plain data. A stage's `level` is a multiple of the scenario's baseline peak
// (100 VUs for mixed, the configured request or event rate for the open-model scenarios), so one
// table shapes every scenario.

export const profileNames = ['quick', 'smoke', 'baseline', 'stress', 'spike', 'soak', 'breakpoint'] as const;
export type ProfileName = (typeof profileNames)[number];

export interface Stage {
  duration: string;
  level: number;
}

export interface Profile {
  description: string;
  stages: Stage[];
  /**
   * Multiplies every alert rule's `for` and window, so a 30-second smoke run can exercise rules
   * written for production minutes.
   */
  alertTimeScale: number;
  /** Web-dashboard aggregation period: short runs need short periods to draw a chart at all. */
  dashboardPeriod: string;
  /** Abort as soon as the service degrades instead of waiting for the end of the run. */
  abortOnDegradation: boolean;
  /** Drive even closed-model scenarios with arrival rates, so the load never backs off. */
  openModel: boolean;
  /** The run climbs until it fails: the load it failed at is its result, which the report states. */
  seeksBreakingPoint: boolean;
}

// Built by a call marked pure, so a bundle that never reads the table drops it: the load VUs get
// their profile from VU 0's parsed settings, and a table they hold is memory in every VU. A literal
// with a spread would stay in every bundle that imports anything from this file.
export const profiles: Record<ProfileName, Profile> = /* @__PURE__ */ (() => {
  const smoke: Profile = {
    description: 'a few VUs for 30 s: does every endpoint answer correctly',
    stages: [
      { duration: '5s', level: 0.05 },
      { duration: '25s', level: 0.05 },
    ],
    alertTimeScale: 1 / 12,
    dashboardPeriod: '1s',
    abortOnDegradation: false,
    openModel: false,
    seeksBreakingPoint: false,
  };
  return {
    // Smoke's level and alert scale, shortened: what tests of wiring and a first try of a scenario need.
    quick: {
      ...smoke,
      description: "smoke's few VUs for 8 s: is the scenario wired up (every endpoint answers, thresholds, reports); a check, not a measurement",
      stages: [
        { duration: '2s', level: 0.05 },
        { duration: '6s', level: 0.05 },
      ],
    },
    smoke,
    baseline: {
      description: 'the reference load: 30 → 75 → 100 VUs (or the configured rate) over 5 minutes',
      stages: [
        { duration: '1m', level: 0.3 },
        { duration: '2m', level: 0.75 },
        { duration: '1m30s', level: 1 },
        { duration: '30s', level: 1 },
      ],
      alertTimeScale: 1,
      dashboardPeriod: '5s',
      abortOnDegradation: false,
      openModel: false,
      seeksBreakingPoint: false,
    },
    stress: {
      description: 'twice the baseline peak, held, to see how the service degrades',
      stages: [
        { duration: '2m', level: 1 },
        { duration: '3m', level: 2 },
        { duration: '3m', level: 2 },
        { duration: '1m', level: 0 },
      ],
      alertTimeScale: 1,
      dashboardPeriod: '10s',
      abortOnDegradation: false,
      openModel: false,
      seeksBreakingPoint: false,
    },
    spike: {
      description: 'a sudden jump to three times the baseline peak and back',
      stages: [
        { duration: '30s', level: 0.3 },
        { duration: '10s', level: 3 },
        { duration: '1m', level: 3 },
        { duration: '10s', level: 0.3 },
        { duration: '1m', level: 0.3 },
      ],
      alertTimeScale: 1 / 2,
      dashboardPeriod: '5s',
      abortOnDegradation: false,
      openModel: false,
      seeksBreakingPoint: false,
    },
    soak: {
      description: 'the baseline peak for 30 minutes: leaks, pool exhaustion, slow drift',
      stages: [
        { duration: '2m', level: 1 },
        { duration: '30m', level: 1 },
        { duration: '1m', level: 0 },
      ],
      alertTimeScale: 1,
      dashboardPeriod: '30s',
      abortOnDegradation: false,
      openModel: false,
      seeksBreakingPoint: false,
    },
    breakpoint: {
      description: 'climbs steadily to ten times the baseline until an abort threshold trips',
      stages: [{ duration: '10m', level: 10 }],
      alertTimeScale: 1 / 4,
      dashboardPeriod: '5s',
      abortOnDegradation: true,
      openModel: true,
      seeksBreakingPoint: true,
    },
  };
})();

/** Parses the k6 duration strings used in this project ("1m30s", "250ms", "2h"). */
export function durationToMs(duration: string): number {
  const parts = duration.match(/(\d+(?:\.\d+)?)(ms|s|m|h)/g);
  if (!parts || parts.join('') !== duration) {
    throw new Error(`"${duration}" is not a duration; use forms like 500ms, 30s, 1m30s, 2h`);
  }
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return parts.reduce((total, part) => {
    const [, value, unit] = part.match(/(\d+(?:\.\d+)?)(ms|s|m|h)/)!;
    return total + Number(value) * unitMs[unit];
  }, 0);
}

export function msToDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

export function profileDurationMs(profile: Profile): number {
  return profile.stages.reduce((total, stage) => total + durationToMs(stage.duration), 0);
}

/** The level a profile asks for at `elapsedMs`, interpolated the way k6 ramps between stages. */
export function levelAt(profile: Profile, elapsedMs: number, startLevel = 0): number {
  let from = startLevel;
  let stageStart = 0;
  for (const stage of profile.stages) {
    const length = durationToMs(stage.duration);
    if (elapsedMs <= stageStart + length) {
      return from + ((stage.level - from) * (elapsedMs - stageStart)) / length;
    }
    from = stage.level;
    stageStart += length;
  }
  return from;
}

export function peakLevel(profile: Profile): number {
  return Math.max(...profile.stages.map((stage) => stage.level));
}
