// Profiles and metrics captured from the target while the load runs. Every capture is best effort:
// a failed capture is noted in the run folder, it never fails or stops the run.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactText } from '../lib/redact.ts';
import { durationToMs, peakLevel, type Profile } from '../lib/profiles.ts';
import { captureFile, type CaptureName, type CaptureOutcome } from './record.ts';

/** The window where the load holds its peak: the last stretch of stages at the peak level. */
export function steadyStateWindow(profile: Profile): { startMs: number; lengthMs: number } {
  const peak = peakLevel(profile);
  let startMs = 0;
  let windowStart = -1;
  let windowEnd = 0;
  let level = 0;
  for (const stage of profile.stages) {
    const length = durationToMs(stage.duration);
    const holdsPeak = stage.level === peak && level === peak;
    if (holdsPeak && windowStart < 0) windowStart = startMs;
    if (holdsPeak) windowEnd = startMs + length;
    else if (windowStart >= 0 && windowEnd > 0) break;
    level = stage.level;
    startMs += length;
  }
  if (windowStart < 0) {
    // A profile that never holds its peak (breakpoint): take the middle half of the run.
    return { startMs: startMs / 4, lengthMs: startMs / 2 };
  }
  return { startMs: windowStart, lengthMs: windowEnd - windowStart };
}

/** fetch refuses a URL with user:password@; the same credentials go as a Basic Authorization header instead. */
function basicAuth(url: string): { bare: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { bare: url, headers: {} };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { bare: parsed.href, headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}

/** Fetches one capture into the run folder; never throws, the outcome says what happened. */
async function fetchTo(url: string, dir: string, name: CaptureName, timeoutMs: number, cancel?: AbortSignal): Promise<CaptureOutcome> {
  const file = captureFile(name);
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const { bare, headers } = basicAuth(url);
    const response = await fetch(bare, { headers, redirect: 'error', signal: cancel ? AbortSignal.any([timeout, cancel]) : timeout });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
    await writeFile(join(dir, file), Buffer.from(await response.arrayBuffer()));
    return { name, file, status: 'captured' };
  } catch (error) {
    return { name, file, status: 'failed', detail: redactText(`${url}: ${String(error)}`) };
  }
}

export async function captureMetrics(metricsUrl: string, dir: string, when: 'before' | 'after'): Promise<CaptureOutcome> {
  // The time of the scrape: the report divides a counter's change by the time between the two.
  const at = new Date().toISOString();
  return { ...(await fetchTo(metricsUrl, dir, `metrics-${when}`, 5_000)), at };
}

/** An abort signal that fires `graceMs` after `signal` does. */
function after(signal: AbortSignal, graceMs: number): AbortSignal {
  const controller = new AbortController();
  signal.addEventListener('abort', () => setTimeout(() => controller.abort(), graceMs).unref());
  return controller.signal;
}

/**
 * Waits for the steady state, then records a CPU profile over it. When k6 ends early (an abort or
 * Ctrl-C) a profile still in flight gets a few seconds to arrive before it is given up.
 */
export async function captureCpuProfile(pprofUrl: string, dir: string, profile: Profile, stopped: AbortSignal): Promise<CaptureOutcome> {
  const window = steadyStateWindow(profile);
  // k6 takes about a second to initialise VUs and run setup before the first stage begins.
  const startDelayMs = window.startMs + 1_000;
  const seconds = Math.max(1, Math.floor(window.lengthMs / 1000) - 2);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, startDelayMs);
    stopped.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (stopped.aborted) return { name: 'cpu', file: captureFile('cpu'), status: 'skipped', detail: 'the run ended before its steady state began' };
  return fetchTo(`${pprofUrl}/debug/pprof/profile?seconds=${seconds}`, dir, 'cpu', (seconds + 15) * 1000, after(stopped, 5_000));
}

const pprofProfiles = ['heap', 'allocs', 'goroutine', 'block', 'mutex'] as const;
/** The pprof profiles, then the database's statistics from the same debug listener (GET /debug/db). */
export const endOfRunProfiles = [...pprofProfiles, 'db'] as const;

export async function captureEndOfRunProfiles(pprofUrl: string, dir: string): Promise<CaptureOutcome[]> {
  const outcomes: CaptureOutcome[] = [];
  for (const name of pprofProfiles) outcomes.push(await fetchTo(`${pprofUrl}/debug/pprof/${name}`, dir, name, 10_000));
  // Last, so the database's backends have had a moment to publish their final counters; it runs
  // EXPLAIN (ANALYZE) of the slowest statement, hence the longer budget.
  outcomes.push(await fetchTo(`${pprofUrl}/debug/db`, dir, 'db', 60_000));
  return outcomes;
}

/** The outcomes of captures that were not attempted, so the report can say why each is absent. */
export const notCaptured = (names: readonly CaptureName[], status: 'off' | 'skipped', detail: string): CaptureOutcome[] =>
  names.map((name) => ({ name, file: captureFile(name), status, detail }));
