// The gate on a team's own scenario (examples/quotes): `make baseline` and `make gate` take the
// scenario's path as `make load` does, the baseline records the target, and a gate pointed at
// another target is refused before any load with a sentence naming both. Three runs a side: with
// one, the tolerance alone decides, and quote_like's p50 over a dozen requests moved past it by
// chance (seen here: 0.82 → 1.21 ms with no change); a p50 over fewer than 20 responses is now
// shown, not judged (thresholds/regression.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeBaseline, writeBaseline } from '../../cli/gate/baseline.ts';
import { machine } from '../../cli/meta.ts';
import { root, runMake, tempResultsDir } from './harness.ts';

const servers: ChildProcess[] = [];

async function startQuotes(): Promise<string> {
  const server = spawn(process.execPath, [join(root, 'examples', 'quotes', 'server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(server);
  const line = await new Promise<string>((done) => createInterface({ input: server.stdout! }).once('line', done));
  return `http://${(JSON.parse(line) as { listening: string }).listening}`;
}

const runFolders = (dir: string) => readdirSync(dir).filter((name) => /^\d{8}T/.test(name)).sort();

let resultsDir = '';
let baseUrl = '';
let otherUrl = '';
before(async () => {
  resultsDir = tempResultsDir();
  baseUrl = await startQuotes();
  otherUrl = await startQuotes();
});

after(() => {
  for (const server of servers) server.kill();
  rmSync(resultsDir, { recursive: true, force: true });
});

test('make baseline then make gate on examples/quotes/quotes.ts both exit 0; the baseline records the target', { timeout: 480_000 }, async () => {
  const common = { SCENARIO: 'examples/quotes/quotes.ts', PROFILE: 'quick', BASE_URL: baseUrl, REPEAT: '3', RESULTS_DIR: resultsDir };
  const baseline = await runMake('baseline', common);
  assert.equal(baseline.code, 0, baseline.stderr.slice(-3000));
  const file = join(resultsDir, 'baselines', 'quotes-quick.json');
  const stored = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(stored.scenario, 'quotes');
  assert.deepEqual(stored.target, { baseUrl, service: 'quotes' });

  const gate = await runMake('gate', common);
  assert.equal(gate.code, 0, `${gate.stdout}\n${gate.stderr.slice(-3000)}`);
  assert.match(gate.stdout, /^loadgate gate: quotes at quick: no regression \(exit code 0\)$/m);
  assert.match(gate.stdout, /^quote_like +p50 latency /m, 'the team\'s own endpoints are in the table');
});

test('a gate against another target is refused before any load, naming both targets', { timeout: 60_000 }, async () => {
  // Its own baseline of baseUrl, so this refusal does not hang on the runs of the test above.
  const ownDir = tempResultsDir();
  const figures = { folder: 'x', machine: machine(), scenario: 'quotes', profile: 'quick', exitCode: 0, reason: 'passed', durationSeconds: 30, target: { baseUrl, service: 'quotes' }, endpoints: {}, checks: { passes: 1, fails: 0, rate: 1 }, iterations: 1, droppedIterations: 0 };
  writeBaseline(join(ownDir, 'baselines', 'quotes-quick.json'), makeBaseline([figures]));
  const gate = await runMake('gate', { SCENARIO: 'examples/quotes/quotes.ts', PROFILE: 'quick', BASE_URL: otherUrl, REPEAT: '1', RESULTS_DIR: ownDir });
  assert.match(gate.stderr, /Error 2/);
  assert.ok(
    gate.stderr.includes(`measured ${baseUrl} (service "quotes"), this gate measures ${otherUrl}: a different target's figures say nothing about this one; take a baseline of this target with: make baseline SCENARIO=examples/quotes/quotes.ts PROFILE=quick REPEAT=1 BASE_URL=${otherUrl}`),
    gate.stderr.slice(-2000),
  );
  assert.deepEqual(runFolders(ownDir), [], 'no run was made');
  rmSync(ownDir, { recursive: true, force: true });
});
