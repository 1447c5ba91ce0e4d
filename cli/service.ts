// Starts the reference target on free loopback ports and stops it again, whatever happens to the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { redactText } from '../lib/redact.ts';
import { LoadgateError } from './exit-codes.ts';
import { serviceBinary } from './paths.ts';
import { hostEnvironment } from './settings.ts';
import { serviceFlag } from '../thresholds/service-contract.ts';

export interface RunningService {
  baseUrl: string;
  debugUrl: string;
  grpcAddr: string;
  args: string[];
  stop(): Promise<number | null>;
  /** Settles when the service exits while loadgate still needs it. */
  died: Promise<ServiceDeath>;
}

export interface ServiceDeath {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines it printed, newest last. */
  lastLines: string[];
}

/** "was killed by SIGKILL" or "exited with code 2: <its last line>" (a kill leaves no last word worth quoting). */
export const describeDeath = ({ code, signal, lastLines }: ServiceDeath) =>
  signal ? `was killed by ${signal}` : `exited with code ${code}${lastLines.length ? `: "${lastLines[lastLines.length - 1]}"` : ''}`;

/**
 * Flags that once carried a credential, and the variable the service reads it from instead: a
 * command line is readable by every local user (ps), a process's environment only by its owner.
 */
export const credentialFlags: Record<string, string> = { 'token-secret': 'LOADGATE_TARGET_SECRET', 'database-url': 'DATABASE_URL', 'redis-url': 'REDIS_URL' };

/** TARGET_ARGS with every credential flag moved into the service's environment (-token-secret x, -redis-url=x). */
export function moveCredentials(args: readonly string[]): { args: string[]; env: Record<string, string> } {
  const kept: string[] = [];
  const env: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const [, name, inline] = /^--?([a-z-]+)(?:=(.*))?$/s.exec(args[i]) ?? [];
    const variable = name === undefined ? undefined : credentialFlags[name];
    if (!variable) kept.push(args[i]);
    else if (inline !== undefined) env[variable] = inline;
    else env[variable] = args[++i] ?? '';
  }
  return { args: kept, env };
}

interface ListeningLine {
  msg?: string;
  api?: string;
  grpc?: string;
  debug?: string;
}

/** The reference service ended or hung before it could serve (exit 3); `serviceError` is its own last word. */
const serviceStartError = (what: string, serviceError: string, logFile: string) =>
  new LoadgateError('serviceFailed', `the reference service could not start: ${what}${serviceError ? `: "${serviceError}"` : ''} (its log: ${basename(logFile)})`);

/**
 * The line that says why the service failed: main prints "loadgate-service: <error>" last; a
 * structured log line at ERROR level comes next; otherwise whatever it printed last.
 */
export function errorLine(lines: string[]): string {
  const newestFirst = [...lines].reverse();
  const own = newestFirst.find((line) => line.startsWith('loadgate-service:'));
  if (own) return own;
  for (const line of newestFirst) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; err?: string; error?: string };
      if (entry.level === 'ERROR') return [entry.msg, entry.err ?? entry.error].filter(Boolean).join(': ');
    } catch {
      // Plain text: considered below.
    }
  }
  return newestFirst.find((line) => line.trim() !== '') ?? '';
}

export async function startService(extraArgs: string[], logFile: string, timeoutMs = 60_000, baseEnv: NodeJS.ProcessEnv = hostEnvironment(), binary = serviceBinary): Promise<RunningService> {
  if (!existsSync(binary)) throw serviceStartError(`${binary} is missing; run "make service"`, '', logFile);
  const moved = moveCredentials(extraArgs);
  const env = { ...baseEnv, ...moved.env };
  const args = [
    serviceFlag.addr.flag, '127.0.0.1:0',
    serviceFlag.grpcAddr.flag, '127.0.0.1:0',
    serviceFlag.debugAddr.flag, '127.0.0.1:0',
    // Profiles captured during the run include block and mutex contention.
    serviceFlag.blockProfileRate.flag, '10000',
    serviceFlag.mutexProfileFraction.flag, '10',
    ...moved.args,
  ];
  // Its own process group: a Ctrl-C meant for k6 must not kill the target before the end-of-run
  // profiles are read; this process stops it explicitly.
  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const log = createWriteStream(logFile);
  createInterface({ input: child.stdout! }).on('line', (line) => log.write(`${redactText(line)}\n`));
  // 'close' waits for the pipes too, so the log holds the target's last line ("shutdown complete").
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const exited = ended.then(({ code }) => code);

  // The service's last words, quoted when it fails to start so nobody has to open the log.
  const lastLines: string[] = [];
  const listening = await new Promise<ListeningLine>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(serviceStartError(`it did not report its ports within ${timeoutMs} ms`, errorLine(lastLines), logFile));
    }, timeoutMs);
    createInterface({ input: child.stderr! }).on('line', (raw) => {
      const line = redactText(raw);
      log.write(`${line}\n`);
      lastLines.push(line);
      if (lastLines.length > 50) lastLines.shift();
      try {
        const entry = JSON.parse(line) as ListeningLine;
        if (entry.msg === 'listening') {
          clearTimeout(timer);
          resolve(entry);
        }
      } catch {
        // Not every line a process prints is JSON; it is still kept in the log.
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(serviceStartError(`it exited with code ${code} before listening`, errorLine(lastLines), logFile));
    });
  });

  let stopping = false;
  // Resolves only when the service ends on its own (a crash, a kill from outside), never on stop().
  const died = ended.then(({ code, signal }) =>
    stopping ? new Promise<never>(() => {}) : { code, signal, lastLines: lastLines.slice(-5) },
  );
  const stop = async (): Promise<number | null> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    // Longer than the target's own budget (10 s drain + 30 s flush): acknowledged events get flushed.
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await exited;
    clearTimeout(killer);
    log.end();
    return code;
  };
  const target: RunningService = {
    baseUrl: `http://${listening.api}`,
    debugUrl: listening.debug ? `http://${listening.debug}` : '',
    grpcAddr: listening.grpc ?? '',
    args,
    stop,
    died,
  };
  try {
    await waitForHealth(target.baseUrl, child, timeoutMs);
  } catch (error) {
    await stop();
    throw serviceStartError(String((error as Error).message ?? error), errorLine(lastLines), logFile);
  }
  return target;
}

async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${baseUrl}/healthz did not answer within ${timeoutMs} ms`);
}
