// The live k6 web dashboard: on at a terminal, off in CI and when output is piped, unless
// DASHBOARD says otherwise. It always listens on loopback only, at 5665 or the next free port;
// k6 closes it when the test ends, so it never keeps a run alive.
import { createServer } from 'node:net';
import type { Config } from '../lib/config.ts';

export const dashboardHost = '127.0.0.1';
const firstPort = 5665;

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, dashboardHost, () => server.close(() => done(true)));
  });
}

export function wantsDashboard(config: Config, env: NodeJS.ProcessEnv, interactive: boolean): boolean {
  if (config.dashboard !== 'auto') return config.dashboard === 'on';
  return interactive && !env.CI;
}

/** The port to listen on, or null when none of the next hundred is free. */
export async function dashboardPort(): Promise<number | null> {
  for (let port = firstPort; port < firstPort + 100; port++) if (await isFree(port)) return port;
  return null;
}
