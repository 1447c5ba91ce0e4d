// The runners' delivery (cli/distributed/delivery.ts) with its real program, dist/delivery.mjs:
// a reducer reading k6's stream from a FIFO and putting its aggregate to a collector on a Unix
// socket, what it does when the runner never wrote, and what the collector refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readAggregate, reduceRaw } from '../../cli/distributed/aggregate.ts';
import { deliver, reducerArguments, reducerReady, startCollector } from '../../cli/distributed/delivery.ts';
import { deliveryBundle } from '../../cli/paths.ts';
import { latencyKey } from '../../thresholds/keys.ts';
import { rawFile, requests } from './raw-samples.ts';

const thresholdKeys = [latencyKey('feed')];

function program(args: string[]) {
  const child = spawn(process.execPath, [deliveryBundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ready = new Promise<void>((done) => child.stdout.on('data', (chunk) => String(chunk).includes(`${reducerReady}\n`) && done()));
  const exit = new Promise<{ code: number | null; stderr: string }>((done) => child.once('close', (code) => done({ code, stderr })));
  return { exit, ready, kill: (signal: NodeJS.Signals) => child.kill(signal) };
}

function call(socket: string, method: string, path: string, body = Buffer.alloc(0)): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request({ socketPath: socket, method, path }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

test('a reducer reads k6 output from a FIFO as it is written, waits for the summary, and delivers what the raw file would merge to', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-delivery-'));
  const socket = join(dir, 'c.sock');
  const collector = await startCollector(join(dir, 'aggregates'), { socket });
  try {
    assert.equal(statSync(socket).mode & 0o777, 0o600, 'only this user may connect');
    const source = rawFile('fifo-source.json', requests('feed', [5, 7, 9, 300]), false);
    const fifo = join(dir, 'k6.json');
    execFileSync('mkfifo', [fifo]);
    const summaryDir = join(dir, 'summary');
    mkdirSync(summaryDir);
    const reducer = program(reducerArguments({ input: fifo, runner: 'runner-0', thresholdKeys, destination: { socket }, summaryDir }));
    await reducer.ready;
    // As k6 does: open the FIFO, write in pieces, close, write the summary, exit (the SIGTERM).
    const writer = createWriteStream(fifo);
    const text = readFileSync(source);
    writer.write(text.subarray(0, 100));
    await new Promise((done) => setTimeout(done, 200));
    writer.end(text.subarray(100));
    await new Promise<void>((done) => writer.once('close', () => done()));
    await new Promise((done) => setTimeout(done, 300));
    writeFileSync(join(summaryDir, 'summary.json'), JSON.stringify({ metrics: {}, state: { testRunDurationMs: 1234 } }));
    reducer.kill('SIGTERM');
    const { code, stderr } = await reducer.exit;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /reducer runner-0: 12 samples .* trends exact, \d+ bytes delivered with its summary/);
    const stored = readAggregate(join(dir, 'aggregates', 'runner-0.aggregate.json.gz'));
    assert.deepEqual(stored.summary?.state, { testRunDurationMs: 1234 });
    assert.deepEqual({ ...stored, summary: null }, await reduceRaw({ file: source, runner: 'runner-0', thresholdKeys }));
  } finally {
    collector.close();
  }
});

test('a reducer told the runner is gone before k6 ever opened the FIFO exits 3 at once and delivers nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-delivery-'));
  const fifo = join(dir, 'k6.json');
  execFileSync('mkfifo', [fifo]);
  const reducer = program(reducerArguments({ input: fifo, runner: 'runner-1', thresholdKeys, destination: { socket: join(dir, 'none.sock') } }));
  await reducer.ready;
  reducer.kill('SIGTERM');
  const { code, stderr } = await reducer.exit;
  assert.equal(code, 3);
  assert.match(stderr, /reducer runner-1: the runner ended without writing a sample; nothing to deliver/);
});

test('what k6 writes and closes before the reducer reads is kept until the reducer is told the runner is gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-delivery-'));
  const socket = join(dir, 'c.sock');
  const collector = await startCollector(join(dir, 'aggregates'), { socket });
  try {
    const fifo = join(dir, 'k6.json');
    execFileSync('mkfifo', [fifo]);
    const reducer = program(reducerArguments({ input: fifo, runner: 'runner-2', thresholdKeys, destination: { socket }, summaryWaitMs: 0 }));
    await reducer.ready;
    // A short runner: open, write everything, close, all before the reducer has read a byte.
    writeFileSync(fifo, readFileSync(rawFile('fifo-short.json', requests('feed', [1, 2]), false)));
    await new Promise((done) => setTimeout(done, 500));
    assert.ok(!existsSync(join(dir, 'aggregates', 'runner-2.aggregate.json.gz')), "k6's close alone is not the end");
    reducer.kill('SIGTERM');
    const { code, stderr } = await reducer.exit;
    assert.equal(code, 0, stderr);
    assert.equal(readAggregate(join(dir, 'aggregates', 'runner-2.aggregate.json.gz')).samples, 6);
  } finally {
    collector.close();
  }
});

test('the collector stores only aggregates under a runner name, and lists them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-delivery-'));
  const socket = join(dir, 'c.sock');
  const store = join(dir, 'aggregates');
  const collector = await startCollector(store, { socket });
  try {
    assert.equal((await call(socket, 'PUT', '/aggregates/..%2Fescape.aggregate.json.gz', Buffer.from('x'))).status, 404);
    assert.equal((await call(socket, 'PUT', '/aggregates/runner-0.json.gz', Buffer.from('x'))).status, 404);
    const garbage = await call(socket, 'PUT', '/aggregates/runner-0.aggregate.json.gz', Buffer.from('not gzip'));
    assert.equal(garbage.status, 400);
    assert.match(garbage.text, /not a gzipped loadgate aggregate/);
    const aggregate = await reduceRaw({ file: rawFile('collect.json.gz', requests('feed', [1])), runner: 'runner-0', thresholdKeys });
    await assert.rejects(deliver({ socket }, { ...aggregate, runner: 'runner 0' }, 1), /could not deliver the aggregate of runner 0 .*HTTP 404/);
    await deliver({ socket }, aggregate, 1);
    assert.deepEqual(readdirSync(store), ['runner-0.aggregate.json.gz'], 'nothing else was written, no partial file left');
    assert.deepEqual(JSON.parse(gunzipSync(readFileSync(join(store, 'runner-0.aggregate.json.gz'))).toString()).samples, 3);
    assert.equal((await call(socket, 'GET', '/aggregates')).text.trim(), 'runner-0.aggregate.json.gz');
  } finally {
    collector.close();
  }
  await assert.rejects(deliver({ socket: join(dir, 'gone.sock') }, { format: 'loadgate-aggregate/1', runner: 'r', samples: 0, firstMs: null, lastMs: null, submetrics: [], metrics: [], summary: null }, 2), /could not deliver the aggregate of r to .*gone\.sock: connect ENOENT/);
});

test('bad arguments are refused with exit 2, naming the value and the forms accepted', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['reduce', '--in', 'x', '--runner', 'r', '--thresholds', '{"a":1}', '--deliver', 'unix:/x'], /--thresholds "\{"a":1\}" is not a JSON list of threshold keys/],
    [['reduce', '--in', 'x', '--runner', 'r', '--thresholds', '[]', '--deliver', 'https://collector'], /--deliver "https:\/\/collector" is neither http:\/\/<host>:<port> nor unix:<socket path>/],
    [['collect', '--dir', 'x', '--listen', 'everywhere'], /--listen "everywhere" is neither <host>:<port> nor unix:<path>/],
    [['gather'], /unknown command "gather"; usage: delivery\.mjs reduce/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await program(args).exit;
    assert.equal(code, 2, args.join(' '));
    assert.match(stderr, message);
  }
  assert.ok(!existsSync('x'), 'nothing was created');
});
