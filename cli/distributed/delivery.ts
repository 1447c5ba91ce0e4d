// Runners deliver an aggregate, not their raw samples. Beside each k6 runner a reducer reads k6's
// `--out json` stream from a FIFO, reduces it to an aggregate (aggregate.ts) as it arrives, and puts
// it, with the runner's own summary, to one collector over HTTP. The collector keeps what it is
// given in a folder that `make merge` reads. In Kubernetes the reducer is a sidecar of the runner
// pod and the collector a pod behind a Service (operator.ts); on this machine both run beside the
// k6 processes of `make load-distributed` (local.ts), the collector on a Unix socket only this user
// can open. Both sides are in dist/delivery.mjs, which needs node and nothing else.
import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { K6Summary } from '../../lib/summary/model.ts';
import { aggregateSuffix, decodeAggregate, encodeAggregate, reduceRaw, type Aggregate } from './aggregate.ts';

/** What each runner hands the merge (DELIVERY). */
export type Delivery = 'aggregate' | 'raw';

/** Where the reducer puts an aggregate: an http:// base URL, or unix:<socket path> on one machine. */
export type Destination = { url: string } | { socket: string };

export function parseDestination(text: string): Destination {
  if (text.startsWith('unix:')) return { socket: text.slice('unix:'.length) };
  if (/^http:\/\/[^/?#]+\/?$/.test(text)) return { url: text.replace(/\/$/, '') };
  throw new Error(`--deliver "${text}" is neither http://<host>:<port> nor unix:<socket path>`);
}

/** A runner's name as it appears in a file name and a URL path: a Kubernetes job name or instance-<i>. */
const runnerName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/;
/** Far above any aggregate (a runner's exact values are capped at 8 MiB before base64 and gzip). */
const bodyLimitBytes = 256 * 2 ** 20;

export interface ReducerOptions {
  /** The FIFO (or file) k6 writes `--out json` into. */
  input: string;
  runner: string;
  /** Threshold keys of the run; the reducer keeps a sink for each tagged one. */
  thresholdKeys: string[];
  destination: Destination;
  /** The folder the runner's handleSummary writes summary.json into (LOADGATE_RUN_DIR). */
  summaryDir?: string;
  /** How long to wait for summary.json once the samples end, unless told the runner is gone. */
  summaryWaitMs?: number;
}

/** The reducer's command line, built in one place for the manifests and the local rehearsal. */
export function reducerArguments(options: ReducerOptions): string[] {
  const destination = 'url' in options.destination ? options.destination.url : `unix:${options.destination.socket}`;
  return [
    'reduce',
    '--in', options.input,
    '--runner', options.runner,
    '--thresholds', JSON.stringify(options.thresholdKeys),
    '--deliver', destination,
    ...(options.summaryDir ? ['--summary', options.summaryDir] : []),
    ...(options.summaryWaitMs !== undefined ? ['--summary-wait-ms', String(options.summaryWaitMs)] : []),
  ];
}

export function collectorArguments(options: { dir: string; listen: string }): string[] {
  return ['collect', '--dir', options.dir, '--listen', options.listen];
}

/**
 * k6 writes handleSummary's files after it has closed its outputs, so the summary comes after the
 * samples end. The wait ends when summary.json appears, when the runner is known to be gone (the
 * kubelet's SIGTERM to a sidecar once the runner container exits; local.ts does the same), or at
 * the bound.
 */
async function awaitSummary(dir: string | undefined, waitMs: number, gone: () => boolean): Promise<K6Summary | null> {
  if (!dir) return null;
  const file = join(dir, 'summary.json');
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (existsSync(file)) {
      // handleSummary may be mid-write: a file that does not parse yet is read again shortly.
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as K6Summary;
      } catch {
        if (Date.now() > deadline) return null;
      }
    } else if (gone() || Date.now() > deadline) return null;
    await new Promise((done) => setTimeout(done, 100));
  }
}

function put(destination: Destination, path: string, body: Buffer): Promise<{ status: number; text: string }> {
  const target = 'url' in destination ? new URL(path, `${destination.url}/`) : null;
  return new Promise((done, fail) => {
    const req = request(
      {
        ...(target ? { host: target.hostname, port: target.port || 80 } : { socketPath: (destination as { socket: string }).socket }),
        path,
        method: 'PUT',
        headers: { 'content-type': 'application/gzip', 'content-length': body.length },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * Puts the aggregate to the collector, retrying for up to `attempts` seconds while it cannot be
 * reached or answers 5xx (it may still be starting); a 4xx is final.
 */
export async function deliver(destination: Destination, aggregate: Aggregate, attempts = 60): Promise<void> {
  const body = encodeAggregate(aggregate);
  const path = `/aggregates/${encodeURIComponent(aggregate.runner)}${aggregateSuffix}`;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const { status, text } = await put(destination, path, body);
      if (status === 201) return;
      last = `HTTP ${status}: ${text.trim()}`;
      if (status >= 400 && status < 500) break;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((done) => setTimeout(done, 1000));
  }
  throw new Error(`could not deliver the aggregate of ${aggregate.runner} to ${'url' in destination ? destination.url : destination.socket}: ${last}`);
}

/** A line the reducer prints on stdout once it holds the FIFO: k6 may start writing. */
export const reducerReady = 'ready';

/**
 * The FIFO, read without ever blocking in open(). The reducer opens it for reading (non-blocking,
 * so no writer is needed yet) and for writing too: while it holds a write end the pipe keeps
 * whatever k6 writes, even if k6 opens, writes and closes before the reducer reads, and k6's close
 * is not an end of file. The end comes when the reducer is told the runner is gone and lets go.
 */
function openFifo(path: string): { chunks: AsyncIterable<Buffer>; release: () => void } {
  const readEnd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let writeEnd: number | null = openSync(path, constants.O_WRONLY);
  // A pipe handle (epoll), not fs reads: those would wait on a worker thread that exit must join.
  const socket = new Socket({ fd: readEnd, readable: true, writable: false });
  return {
    chunks: socket as AsyncIterable<Buffer>,
    release: () => {
      if (writeEnd !== null) closeSync(writeEnd);
      writeEnd = null;
    },
  };
}

/** The reducer: reads the samples to their end, waits for the summary, delivers. */
export async function runReducer(options: ReducerOptions, log: (line: string) => void, ready: () => void = () => {}): Promise<Aggregate | null> {
  if (!runnerName.test(options.runner)) throw new Error(`--runner "${options.runner}" is not a name of letters, digits, ".", "_" and "-"`);
  const fifo = statSync(options.input).isFIFO() ? openFifo(options.input) : null;
  let gone = false;
  // SIGTERM means the runner container has exited (the kubelet's word to a sidecar; local.ts says
  // the same): what k6 wrote is in the pipe, and letting go of the write end makes it end there.
  process.on('SIGTERM', () => {
    gone = true;
    fifo?.release();
  });
  ready();
  const started = Date.now();
  const aggregate = await reduceRaw({ file: fifo ? { name: options.input, chunks: fifo.chunks } : options.input, runner: options.runner, thresholdKeys: options.thresholdKeys });
  if (aggregate.samples === 0) {
    log(`reducer ${options.runner}: the runner ended without writing a sample; nothing to deliver`);
    return null;
  }
  aggregate.summary = await awaitSummary(options.summaryDir, options.summaryWaitMs ?? 60_000, () => gone);
  await deliver(options.destination, aggregate);
  const kinds = new Set(aggregate.metrics.map((metric) => ('values' in metric.sink ? 'exact' : 'histogram' in metric.sink ? 'sketched' : null)).filter(Boolean));
  log(`reducer ${options.runner}: ${aggregate.samples} samples in ${((Date.now() - started) / 1000).toFixed(1)} s, trends ${[...kinds].join('/') || 'none'}, ${encodeAggregate(aggregate).length} bytes delivered${aggregate.summary ? ' with its summary' : ', no summary.json'}`);
  return aggregate;
}

/**
 * The collector: PUT /aggregates/<runner>.aggregate.json.gz stores a valid aggregate (written
 * aside, then renamed, so a reader never sees half of one); GET /aggregates lists what arrived.
 */
export function startCollector(dir: string, listen: { socket: string } | { host: string; port: number }): Promise<Server> {
  // Private, like every run folder: an aggregate carries the runner's summary.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const server = createServer((req, res) => {
    const answer = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(`${text}\n`);
    };
    if (req.method === 'GET' && req.url === '/aggregates') {
      answer(200, readdirSync(dir).filter((name) => name.endsWith(aggregateSuffix)).sort().join('\n'));
      return;
    }
    const name = req.url?.startsWith('/aggregates/') ? req.url.slice('/aggregates/'.length) : '';
    const runner = name.endsWith(aggregateSuffix) ? name.slice(0, -aggregateSuffix.length) : '';
    if (req.method !== 'PUT' || !runnerName.test(runner)) {
      answer(404, 'PUT /aggregates/<runner>.aggregate.json.gz or GET /aggregates');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > bodyLimitBytes) {
        answer(413, `over ${bodyLimitBytes} bytes`);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        const aggregate = decodeAggregate(body, name);
        if (aggregate.runner !== runner) throw new Error(`${name} holds the aggregate of ${aggregate.runner}`);
      } catch (error) {
        answer(400, (error as Error).message);
        return;
      }
      const file = join(dir, name);
      writeFileSync(`${file}.partial`, body, { mode: 0o600 });
      renameSync(`${file}.partial`, file);
      answer(201, `stored ${name}`);
    });
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    const ready = () => {
      // A socket file takes the umask's permissions; this user alone may connect.
      if ('socket' in listen) chmodSync(listen.socket, 0o600);
      done(server);
    };
    if ('socket' in listen) server.listen(listen.socket, ready);
    else server.listen(listen.port, listen.host, ready);
  });
}

/**
 * Reads a FIFO to its end and drops what it holds, so a k6 whose reducer failed never blocks
 * writing; the end comes when k6, its last writer, exits.
 */
export function drain(fifo: string): void {
  let fd: number;
  try {
    fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return; // Already removed with the run's scratch folder: nothing writes into it any more.
  }
  new Socket({ fd, readable: true, writable: false }).on('error', () => {}).resume();
}
