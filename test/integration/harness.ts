// Runs the real CLI and the real k6 against the real target, and reads what they leave behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { K6Summary } from '../../lib/summary/model.ts';
import type { ProfileName } from '../../lib/profiles.ts';
import { readMeta as recordedMeta, readSummary as recordedSummary, type RunMeta } from '../../cli/record.ts';
import { variableNames } from '../../cli/variables.ts';
import { requestCountKey } from '../../thresholds/keys.ts';
import type { Endpoint } from '../../thresholds/reference-endpoints.ts';

export const root = resolve(import.meta.dirname, '..', '..');
export const k6 = process.env.K6 || join(root, '.bin', 'k6');

/**
 * The profile of runs that check wiring (files, exit codes, reports, merges), not load: 8 s
 * instead of smoke's 30. Tests that time alert windows, abort after seconds or interrupt a run
 * mid-way say PROFILE smoke themselves.
 */
export const wiringProfile: ProfileName = 'quick';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  /** Set when the CLI wrote a run folder. */
  runDir: string | null;
  resultsDir: string;
}

export function tempResultsDir(): string {
  return mkdtempSync(join(tmpdir(), 'loadgate-results-'));
}

/**
 * Environment for a child: the caller's, minus every variable loadgate reads that a developer's
 * shell could leak in. K6 stays: it picks the k6 build under test, for the harness too.
 */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of variableNames) if (name !== 'K6') delete env[name];
  return { ...env, K6_NO_USAGE_REPORT: 'true', ...extra };
}

/** How long after its exit a command's pipes may stay open (see spawnCollect). */
const closeGraceMs = 2_000;

export function spawnCollect(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onStart?: (pid: number) => void,
): Promise<{ code: number; stdout: string; stderr: string; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    if (child.pid) onStart?.(child.pid);
    // 'exit' can come before the last chunks of output (make's closing "Error 104" line was lost
    // once), 'close' after them. A server the command left running in the background would keep
    // the pipes, and 'close' with them, open: then the output read so far is the answer.
    let exited: { code: number; elapsedMs: number } | null = null;
    let lateClose: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(lateClose);
      done({ code: exited!.code, stdout, stderr, elapsedMs: exited!.elapsedMs });
    };
    child.on('exit', (code, signal) => {
      exited = { code: code ?? (signal ? 128 : 1), elapsedMs: Date.now() - started };
      lateClose = setTimeout(finish, closeGraceMs);
    });
    child.on('close', () => exited && finish());
  });
}

function onlyRunFolder(resultsDir: string): string | null {
  if (!existsSync(resultsDir)) return null;
  const folders = readdirSync(resultsDir).filter((name) => name !== 'latest' && !name.startsWith('.'));
  return folders.length ? join(resultsDir, folders.sort().at(-1)!) : null;
}

/** `node dist/cli.mjs run <scenario>` with a fresh results folder. */
export async function runCli(scenario: string, env: Record<string, string> = {}, wrapper: string[] = []): Promise<Outcome> {
  const resultsDir = env.RESULTS_DIR ?? tempResultsDir();
  const [command, ...args] = [...wrapper, process.execPath, 'dist/cli.mjs', 'run', scenario];
  const outcome = await spawnCollect(command, args, cleanEnv({ PROFILE: wiringProfile, RESULTS_DIR: resultsDir, ...env }));
  return { ...outcome, runDir: onlyRunFolder(resultsDir), resultsDir };
}

/**
 * `make <target> VAR=value…`, the way the README says to run it. GNU make exits 2 whenever a
 * recipe fails and prints the recipe's own code as "Error N", so callers check both.
 */
export async function runMake(makeTarget: string, vars: Record<string, string> = {}): Promise<Outcome> {
  const resultsDir = vars.RESULTS_DIR ?? tempResultsDir();
  const args = [makeTarget, ...Object.entries({ RESULTS_DIR: resultsDir, ...vars }).map(([k, v]) => `${k}=${v}`)];
  const outcome = await spawnCollect('make', args, cleanEnv({}));
  return { ...outcome, runDir: onlyRunFolder(resultsDir), resultsDir };
}

/** k6 run on a bundle directly, the way someone would without the CLI. */
export async function runK6(bundle: string, env: Record<string, string> = {}, wrapper: string[] = []) {
  const [command, ...args] = [...wrapper, k6, 'run', '--address=', '--log-format=json', join('dist', bundle)];
  return spawnCollect(command, args, cleanEnv({ PROFILE: wiringProfile, ...env }));
}

/** The run record's own readers, failing the test with the folder's name when a file is absent. */
export function readSummary(runDir: string): K6Summary {
  const summary = recordedSummary(runDir);
  if (!summary) throw new Error(`${runDir} holds no readable summary.json`);
  return summary;
}

export function readMeta(runDir: string): RunMeta {
  const meta = recordedMeta(runDir);
  if (!meta) throw new Error(`${runDir} holds no readable meta.json`);
  return meta;
}

export function requestCount(summary: K6Summary, endpoint: Endpoint): number {
  return summary.metrics[requestCountKey(endpoint)]?.values.count ?? 0;
}

/** Every k6 log line in the run folder, parsed. */
export function k6LogLines(runDir: string): Array<{ level: string; msg: string }> {
  return readFileSync(join(runDir, 'k6.log.json'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * Internet addresses a traced process tree tried to reach (connect/sendto/sendmsg), from an
 * `strace -f -e trace=network` log. Used to prove a refused run sent nothing anywhere.
 */
export function contactedAddresses(straceLog: string): string[] {
  const addresses: string[] = [];
  for (const match of straceLog.matchAll(/sin6?_addr=inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"/g)) {
    addresses.push(match[1] ?? match[2]);
  }
  return addresses;
}

export const isLoopbackAddress = (address: string) => address.startsWith('127.') || address === '::1' || address === '::ffff:127.0.0.1';

export function straceWrapper(logFile: string): string[] {
  return ['strace', '-f', '-qq', '-e', 'trace=connect,sendto,sendmsg', '-o', logFile];
}

const chromiumPath = '/usr/bin/chromium';

/**
 * Debian's headless Chromium, started the way this machine needs: without the background
 * networking that would try to reach Google. `make test` installs it, so a missing browser fails.
 */
export async function launchChromium() {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing; run "make debian-packages" (it installs Debian's chromium)`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
