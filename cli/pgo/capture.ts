// CPU profiles for `make pgo`: consecutive captures over the steady state, merged into one. The
// debug listener answers one request for at most 5 minutes and Go profiles one CPU capture at a
// time, so a long steady state (soak: 30 minutes) is taken in chunks and merged with
// `go tool pprof -proto`, which sums the samples as the compiler will read them.
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../../lib/profiles.ts';
import { steadyStateWindow } from '../capture.ts';
import { captureFile, type CaptureOutcome } from '../record.ts';

export const chunkSeconds = 60;

/** The lengths of the consecutive captures covering `seconds`. */
export function chunkPlan(seconds: number, chunk = chunkSeconds): number[] {
  const plan: number[] = [];
  for (let left = Math.max(0, Math.floor(seconds)); left > 0; left -= chunk) plan.push(Math.min(chunk, left));
  return plan;
}

const sleep = (ms: number, stopped: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    stopped.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Same window and start as every run's own CPU capture (cli/capture.ts), in chunks; never throws. */
export async function captureCpuChunks(pprofUrl: string, dir: string, profile: Profile, stopped: AbortSignal): Promise<CaptureOutcome> {
  const file = captureFile('cpu');
  const window = steadyStateWindow(profile);
  await sleep(window.startMs + 1_000, stopped);
  if (stopped.aborted) return { name: 'cpu', file, status: 'skipped', detail: 'the run ended before its steady state began' };
  const parts: string[] = [];
  const errors: string[] = [];
  for (const [i, seconds] of chunkPlan(window.lengthMs / 1000 - 2).entries()) {
    if (stopped.aborted) break;
    const part = join(dir, `${file}.part${i + 1}`);
    // A capture in flight when k6 ends gets a few seconds to arrive, like the run's own.
    const late = new AbortController();
    stopped.addEventListener('abort', () => setTimeout(() => late.abort(), 5_000).unref());
    try {
      const response = await fetch(`${pprofUrl}/debug/pprof/profile?seconds=${seconds}`, {
        redirect: 'error',
        signal: AbortSignal.any([AbortSignal.timeout((seconds + 15) * 1000), late.signal]),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
      writeFileSync(part, Buffer.from(await response.arrayBuffer()));
      parts.push(part);
    } catch (error) {
      errors.push(`capture ${i + 1}: ${String(error)}`);
    }
  }
  if (!parts.length) return { name: 'cpu', file, status: 'failed', detail: `${pprofUrl}: ${errors.join('; ') || 'no capture finished'}` };
  try {
    if (parts.length === 1) renameSync(parts[0], join(dir, file));
    else writeFileSync(join(dir, file), execFileSync('go', ['tool', 'pprof', '-proto', ...parts], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }));
  } catch (error) {
    return { name: 'cpu', file, status: 'failed', detail: `go tool pprof -proto could not merge the captures: ${String(error)}` };
  } finally {
    for (const part of parts) rmSync(part, { force: true });
  }
  const merged = parts.length > 1 ? `merged from ${parts.length} captures` : 'one capture';
  return { name: 'cpu', file, status: 'captured', detail: errors.length ? `${merged}; ${errors.join('; ')}` : merged };
}
