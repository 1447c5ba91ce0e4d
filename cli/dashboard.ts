// The live k6 web dashboard: on at a terminal, off in CI and when output is piped, unless
// DASHBOARD says otherwise. It always listens on loopback only, at 5665 or the next free port;
// k6 closes it when the test ends, so it never keeps a run alive.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunConfig } from './run-config.ts';
import { text } from './settings.ts';

export const dashboardHost = '127.0.0.1';
const firstPort = 5665;

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, dashboardHost, () => server.close(() => done(true)));
  });
}

export function wantsDashboard(config: RunConfig, env: NodeJS.ProcessEnv, interactive: boolean): boolean {
  if (config.dashboard !== 'auto') return config.dashboard === 'on';
  return interactive && !text(env, 'CI');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function claimant(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/**
 * Claims a port for this process until it exits, so two runs started together never hand k6 the
 * same free port (a free port stays free until k6 binds it, seconds later). A claim whose process
 * is gone is taken over.
 */
function claim(port: number): boolean {
  const file = join(tmpdir(), `loadgate-dashboard-${port}.pid`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      process.once('exit', () => {
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      });
      return true;
    } catch {
      const holder = claimant(file);
      // This process's own claim from an earlier run (gate and sweep run several in one process).
      if (holder === process.pid) return true;
      // 0: another run is writing its claim this instant.
      if (!holder || alive(holder)) return false;
      try {
        unlinkSync(file);
      } catch {
        // Another run removed it first; the next attempt decides.
      }
    }
  }
  return false;
}

/** The port to listen on, claimed for this process, or null when none of the next hundred is free. */
export async function dashboardPort(): Promise<number | null> {
  for (let port = firstPort; port < firstPort + 100; port++) if (claim(port) && (await isFree(port))) return port;
  return null;
}

/**
 * Resolves true once k6's dashboard has sent its first snapshot, false when `stop` aborts first.
 * k6's dashboard page fails for good ("Cannot convert undefined or null to object",
 * grafana/xk6-dashboard#258) when it opens before that snapshot, so the URL is said only then;
 * it can still fail in the run's first seconds, which a reload mends (docs/runs.md).
 * One connection to the listener at a time, polled every 250 ms until k6 opens it.
 */
export async function firstSnapshot(url: string, stop: AbortSignal): Promise<boolean> {
  while (!stop.aborted) {
    try {
      const response = await fetch(`${url}/events`, { redirect: 'error', signal: stop });
      const decoder = new TextDecoder();
      let tail = '';
      for await (const chunk of response.body ?? []) {
        // Only the tail is kept: an event name can straddle two chunks, the stream never ends.
        tail = (tail + decoder.decode(chunk, { stream: true })).slice(-200);
        if (tail.includes('event: snapshot')) return true;
      }
    } catch {
      // Not listening yet, or k6 closed it: the loop decides by `stop`.
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return false;
}
