// DB=postgres and CACHE=redis: a throwaway PostgreSQL (pg_stat_statements on) and Redis (with a
// memory limit and an eviction policy) on free loopback ports, for the reference service of one
// run. Installed from Debian when missing, run as an unprivileged user, stopped after the run
// whatever its outcome, their files removed. Locked to this user: each gets a generated password,
// kept in a 0600 file in its private folder, so no other local user (nobody included) gets in.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { redactText, rememberSecret } from '../lib/redact.ts';
import { projectRoot } from './paths.ts';
import type { RunConfig } from './run-config.ts';
import { LoadgateError } from './exit-codes.ts';
import type { RunEnd, RunMeta } from './record.ts';

/** The cache's memory limit and what Redis does when it is reached. */
export const redisMaxMemory = '64mb';
export const redisEvictionPolicy = 'allkeys-lru';

/** PostgreSQL or Redis could not be installed or started for the reference service: exit 3. */
const backendStartError = (sentence: string) => new LoadgateError('serviceFailed', sentence);

type BackendName = 'PostgreSQL' | 'Redis';

interface Backend {
  name: BackendName;
  child: ChildProcess;
  dir: string;
  version: string;
  /** Where it listens, as recorded: no password. */
  address: string;
  /** What the service connects with: the address with the password. */
  url: string;
  /** Set when it ended before loadgate stopped it. */
  unexpectedExit?: string;
  stopping: boolean;
  exited: Promise<void>;
}

export type BackendRecord = NonNullable<RunMeta['backends']>[number];

export interface Backends {
  /** Variables that point the reference service at the started servers (with their passwords: never flags). */
  serviceEnv: Record<string, string>;
  /** What meta.json records: each server, its address, and how it ended if it ended early. */
  record(): BackendRecord[];
  /** The run's end, with a backend that died during the run named in the reason. */
  amend(end: RunEnd): RunEnd;
  stop(): Promise<void>;
  /** For process 'exit': no waiting, only SIGKILL and removal. */
  killNow(): void;
}

const none: Backends = { serviceEnv: {}, record: () => [], amend: (end) => end, stop: async () => {}, killNow: () => {} };

/** Starts what the configuration asks for; nothing for SQLite without a cache or a DATABASE_URL of the user's. */
export async function startBackends(config: RunConfig, runDir: string, say: (line: string) => void): Promise<Backends> {
  const wanted: Array<'postgres' | 'redis'> = [];
  if (config.db === 'postgres' && !config.databaseUrl) wanted.push('postgres');
  if (config.cache === 'redis') wanted.push('redis');
  if (!wanted.length) return none;

  const started: Backend[] = [];
  const serviceEnv: Record<string, string> = {};
  const stop = async () => {
    await Promise.all(started.map(stopBackend));
  };
  try {
    for (const what of wanted) {
      const backend = what === 'postgres' ? await startPostgres(runDir) : await startRedis(runDir);
      started.push(backend);
      serviceEnv[what === 'postgres' ? 'DATABASE_URL' : 'REDIS_URL'] = backend.url;
      say(`started ${backend.version} at ${backend.address} for the reference service`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    serviceEnv,
    record: () =>
      started.map((b) => ({ name: b.name, version: b.version, address: b.address, ...(b.unexpectedExit ? { unexpectedExit: b.unexpectedExit } : {}) })),
    amend: (end) => {
      const died = started.filter((b) => b.unexpectedExit).map((b) => `${b.name} ${b.unexpectedExit}`);
      return died.length ? { ...end, reason: `${end.reason}; ${died.join('; ')}` } : end;
    },
    stop,
    killNow: () => {
      for (const b of started) {
        killGroup(b.child, 'SIGKILL');
        rmSync(b.dir, { recursive: true, force: true });
      }
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // Detached: the server and every process it forked share its process group.
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopBackend(b: Backend): Promise<void> {
  b.stopping = true;
  // PostgreSQL's fast shutdown is SIGINT; Redis saves nothing (no persistence) on SIGTERM.
  killGroup(b.child, b.name === 'PostgreSQL' ? 'SIGINT' : 'SIGTERM');
  const killer = setTimeout(() => killGroup(b.child, 'SIGKILL'), 10_000);
  await b.exited;
  clearTimeout(killer);
  // A SIGKILLed postmaster leaves its children to notice on their own; the group goes too.
  killGroup(b.child, 'SIGKILL');
  rmSync(b.dir, { recursive: true, force: true });
}

/** Installs a Debian package through the same script `make test` uses. */
function ensurePackage(pkg: string, present: () => boolean): void {
  if (present()) return;
  process.stderr.write(`loadgate: ${pkg} is not installed; installing it from Debian\n`);
  const result = spawnSync(join(projectRoot, 'scripts', 'ensure-debian-packages.sh'), [pkg], { stdio: ['ignore', 2, 2], timeout: 600_000 });
  if (result.status !== 0 || !present()) {
    throw backendStartError(`${pkg} is needed for this run and could not be installed (see the output above)`);
  }
}

export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')) && existsSync(join(root, v, 'lib', 'pg_stat_statements.so')))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length ? join(root, versions.at(-1)!, 'bin') : null;
}

function redisBinary(): string | null {
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path)) ?? null;
}

/** The uid and gid to run a server as: ourselves, unless we are root (PostgreSQL refuses root). */
function runAs(user: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === user) return { uid: Number(uid), gid: Number(gid) };
  }
  throw backendStartError(`running as root, loadgate starts the server as the "${user}" user, and there is none (the Debian package creates it)`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A password for one run's server, remembered so no output can quote it. */
function generatedPassword(): string {
  const password = randomBytes(24).toString('hex');
  rememberSecret(password);
  return password;
}

/** Writes a file only its owner (the server's user) can read; returns its path. */
function privateFile(dir: string, name: string, content: string, owner: { uid: number; gid: number } | undefined): string {
  const file = join(dir, name);
  writeFileSync(file, content, { mode: 0o600 });
  if (owner) chownSync(file, owner.uid, owner.gid);
  return file;
}

function tempDir(prefix: string, owner: { uid: number; gid: number } | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

/**
 * Spawns a server in its own process group and resolves once a log line matches `ready`. Its
 * output goes to `logFile` in the run folder; its last lines are quoted if it fails to start.
 */
async function spawnServer(
  name: BackendName,
  command: string,
  args: string[],
  options: { dir: string; owner?: { uid: number; gid: number }; logFile: string; ready: RegExp; version: RegExp; address: string; url: string },
): Promise<Backend> {
  const child = spawn(command, args, { cwd: options.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...(options.owner ?? {}) });
  const log = createWriteStream(options.logFile);
  const backend: Backend = { name, child, dir: options.dir, version: name, address: options.address, url: options.url, stopping: false, exited: Promise.resolve() };
  backend.exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      if (!backend.stopping) backend.unexpectedExit = `ended during the run (${signal ? `killed by ${signal}` : `exit code ${code}`}) at ${new Date().toISOString()}`;
      log.end();
      resolve();
    }),
  );
  const lastLines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(backendStartError(`${name} could not start: ${why}${lastLines.length ? `: "${lastLines.at(-1)}"` : ''} (its log: ${options.logFile})`));
    };
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      fail('it was not ready within 60 s');
    }, 60_000);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (raw) => {
        const line = redactText(raw);
        // A killed server's children may still print after its exit closed the log.
        if (!log.writableEnded) log.write(`${line}\n`);
        lastLines.push(line);
        if (lastLines.length > 20) lastLines.shift();
        const version = options.version.exec(line);
        if (version) backend.version = `${name} ${version[1]}`;
        if (options.ready.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    child.once('error', (error) => fail(error.message));
    void backend.exited.then(() => fail(`it exited (${backend.unexpectedExit ?? 'during start-up'})`));
  });
  return backend;
}

async function startPostgres(runDir: string): Promise<Backend> {
  ensurePackage('postgresql', () => postgresBinDir() !== null);
  const bin = postgresBinDir()!;
  const owner = runAs('postgres');
  const dir = tempDir('loadgate-postgres-', owner);
  const data = join(dir, 'data');
  const password = generatedPassword();
  // Password authentication everywhere, TCP and the socket alike: any local user can reach a
  // loopback port, and a PostgreSQL superuser can run shell commands.
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'loadgate', '--auth=scram-sha-256', `--pwfile=${privateFile(dir, 'password', password, owner)}`, '--no-sync', '-E', 'UTF8', '--no-locale'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    ...(owner ?? {}),
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw backendStartError(`PostgreSQL could not start: initdb failed: ${(init.stderr || String(init.error ?? '')).trim().split('\n').pop()}`);
  }
  const port = await freePort();
  try {
    return await spawnServer(
      'PostgreSQL',
      join(bin, 'postgres'),
      [
        '-D', data,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', `unix_socket_directories=${dir}`,
        '-c', 'shared_preload_libraries=pg_stat_statements',
        '-c', 'pg_stat_statements.track=all',
        // A commit waits for no disk flush, the trade-off the SQLite store makes too (WAL,
        // synchronous=NORMAL): the run measures the service, not the shared machine's fsync.
        '-c', 'synchronous_commit=off',
      ],
      {
        dir,
        owner,
        logFile: join(runDir, 'postgres.log'),
        ready: /ready to accept connections/,
        version: /starting PostgreSQL ([\d.]+)/,
        address: `postgres://loadgate@127.0.0.1:${port}/postgres?sslmode=disable&connect_timeout=5`,
        url: `postgres://loadgate:${password}@127.0.0.1:${port}/postgres?sslmode=disable&connect_timeout=5`,
      },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startRedis(runDir: string): Promise<Backend> {
  ensurePackage('redis-server', () => redisBinary() !== null);
  const owner = runAs('redis');
  const dir = tempDir('loadgate-redis-', owner);
  const port = await freePort();
  const password = generatedPassword();
  try {
    return await spawnServer(
      'Redis',
      redisBinary()!,
      [
        // The password lives in a 0600 file: on the command line every local user would read it.
        privateFile(dir, 'redis.conf', `requirepass ${password}\n`, owner),
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--dir', dir,
        '--save', '',
        '--appendonly', 'no',
        '--maxmemory', redisMaxMemory,
        '--maxmemory-policy', redisEvictionPolicy,
      ],
      {
        dir,
        owner,
        logFile: join(runDir, 'redis.log'),
        ready: /Ready to accept connections/,
        version: /Redis version=([\d.]+)/,
        address: `redis://127.0.0.1:${port}/0`,
        url: `redis://:${password}@127.0.0.1:${port}/0`,
      },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
