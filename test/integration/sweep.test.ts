// make sweep end to end, kept small for make test's budget: the refusals cost no load (no folder,
// no service, no k6), then one real sweep of two flush intervals at the wiring profile, one run each, read by
// every assertion about the table, the runs, the chart in Chromium and the optimization log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sweepFiles } from '../../cli/sweep/files.ts';
import { cleanEnv, launchChromium, readMeta, runMake, spawnCollect, tempResultsDir, wiringProfile } from './harness.ts';

const minutes4 = 4 * 60_000;

function cli(command: string, env: Record<string, string>) {
  return spawnCollect(process.execPath, ['dist/cli.mjs', command], cleanEnv({ PROFILE: wiringProfile, ...env }));
}

const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

describe('make sweep refuses bad input before any load', () => {
  const refusals: Array<{ name: string; env: Record<string, string>; code: number; sentence: RegExp }> = [
    { name: 'an unknown PARAM', env: { PARAM: 'FLUSH', VALUES: '1s' }, code: 104, sentence: /PARAM="FLUSH" is not a parameter the reference service understands; valid parameters are: BUFFER_FLUSH_INTERVAL, BUFFER_SIZE_LIMIT, DB_MAX_OPEN_CONNS, GOGC, GOMEMLIMIT/ },
    { name: 'empty VALUES', env: { PARAM: 'BUFFER_FLUSH_INTERVAL', VALUES: '' }, code: 104, sentence: /VALUES is empty; give the values of BUFFER_FLUSH_INTERVAL/ },
    { name: 'malformed VALUES', env: { PARAM: 'BUFFER_FLUSH_INTERVAL', VALUES: '0.5s,,2s' }, code: 104, sentence: /VALUES="0\.5s,,2s" is malformed: item 2 is empty/ },
    { name: 'a value that is no duration', env: { PARAM: 'BUFFER_FLUSH_INTERVAL', VALUES: '1s,abc' }, code: 104, sentence: /VALUES: "abc" is not a valid BUFFER_FLUSH_INTERVAL; valid values are: a duration from 10ms to 10m/ },
    { name: 'a GOGC Go would silently ignore', env: { PARAM: 'GOGC', VALUES: 'fast' }, code: 104, sentence: /VALUES: "fast" is not a valid GOGC/ },
    // The service's own flag parser judges the values (with -version, before any database).
    { name: 'a value the service refuses', env: { PARAM: 'BUFFER_FLUSH_INTERVAL', VALUES: '1s', TARGET_ARGS: '-no-such-flag' }, code: 104, sentence: /the reference service refuses BUFFER_FLUSH_INTERVAL=1s: "loadgate-service: flag provided but not defined: -no-such-flag"/ },
    { name: 'a bad setting of the runs', env: { PARAM: 'BUFFER_FLUSH_INTERVAL', VALUES: '1s', DB_MAX_OPEN_CONNS: 'abc' }, code: 104, sentence: /BUFFER_FLUSH_INTERVAL=1s: DB_MAX_OPEN_CONNS="abc" is not valid; valid values are: an integer from 1 to 10000/ },
    { name: 'a reference-service parameter with BASE_URL', env: { PARAM: 'GOGC', VALUES: '100', BASE_URL: 'http://127.0.0.1:9' }, code: 104, sentence: /PARAM=GOGC is set on the reference service, which loadgate does not start when BASE_URL is set/ },
    { name: 'SWEEP_CMD without BASE_URL', env: { PARAM: 'WORKERS', VALUES: '2', SWEEP_CMD: 'true' }, code: 104, sentence: /SWEEP_CMD restarts a service of your own; set BASE_URL/ },
    { name: 'a SWEEP_CMD that fails for a value', env: { PARAM: 'WORKERS', VALUES: '8,4', SWEEP_CMD: 'test {value} -lt 3', BASE_URL: 'http://127.0.0.1:9' }, code: 3, sentence: /SWEEP_CMD for WORKERS=4 \(test 4 -lt 3\) exited with code 1; no load was sent/ },
  ];
  for (const refusal of refusals) {
    test(`${refusal.name}: exit ${refusal.code}, a sentence naming it, no folder`, async () => {
      const resultsDir = tempResultsDir();
      try {
        const outcome = await cli('sweep', { SCENARIO: 'event-ingestion', RESULTS_DIR: resultsDir, ...refusal.env });
        assert.equal(outcome.code, refusal.code, outcome.stderr);
        assert.match(outcome.stderr, refusal.sentence);
        assert.deepEqual(entries(resultsDir), [], 'no sweep or run folder');
        assert.doesNotMatch(outcome.stderr, /started the reference service|k6 /, 'nothing started');
      } finally {
        rmSync(resultsDir, { recursive: true, force: true });
      }
    });
  }

  test('through make: GNU make reports the recipe\'s exit code', async () => {
    const outcome = await runMake('sweep', { SCENARIO: 'event-ingestion', PARAM: 'NOPE', VALUES: '1' });
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /PARAM="NOPE" is not a parameter/);
    assert.match(outcome.stderr, /Error 104/);
    assert.equal(outcome.runDir, null);
  });
});

interface SweepJson {
  complete: boolean;
  values: string[];
  plan: Array<{ value: string; repetition: number }>;
  runs: Array<{ value: string; folder: string; exitCode: number; figures: Record<string, number | null> }>;
  recommendation: { value: string | null; rule: string; sentence: string };
}

describe(`make sweep: two flush intervals at ${wiringProfile}`, () => {
  let resultsDir: string;
  let folder: string;
  let sweep: SweepJson;
  let made: Awaited<ReturnType<typeof runMake>>;

  before(async () => {
    resultsDir = tempResultsDir();
    made = await runMake('sweep', { SCENARIO: 'event-ingestion', PARAM: 'BUFFER_FLUSH_INTERVAL', VALUES: '2s,0.5s', PROFILE: wiringProfile, REPEAT: '1', RESULTS_DIR: resultsDir });
    assert.equal(made.code, 0, made.stderr.slice(-3000));
    const sweeps = entries(resultsDir).filter((name) => name.includes('-sweep-'));
    assert.equal(sweeps.length, 1, `one sweep folder in ${resultsDir}`);
    folder = join(resultsDir, sweeps[0]);
    sweep = JSON.parse(readFileSync(join(folder, sweepFiles.json), 'utf8'));
  });

  after(() => rmSync(resultsDir, { recursive: true, force: true }));

  test('one ordinary run folder per value, each run with the service started at that interval', () => {
    assert.equal(sweep.complete, true);
    assert.deepEqual(sweep.values, ['0.5s', '2s'], 'ordered by duration');
    assert.deepEqual(sweep.runs.map((run) => run.value), ['0.5s', '2s']);
    for (const run of sweep.runs) {
      const meta = readMeta(join(folder, run.folder));
      assert.equal(meta.exitCode, 0, meta.reason);
      assert.equal(run.exitCode, 0);
      const args = meta.target!.args!;
      assert.equal(args[args.lastIndexOf('-buffer-flush-interval') + 1], run.value, 'the flag the service got');
      assert.equal(meta.environment!.LOADGATE_FLUSH_INTERVAL, run.value, 'the scenario knew the interval (its e2e SLO follows it)');
      assert.ok(existsSync(join(folder, run.folder, 'REPORT.md')));
    }
  });

  test('the figures follow the interval: more flushes, less buffered and faster visibility at 0.5 s', () => {
    const [fast, slow] = sweep.runs.map((run) => run.figures);
    assert.ok(fast.flushesPerSecond! > 2 * slow.flushesPerSecond!, `flushes/s ${fast.flushesPerSecond} at 0.5s against ${slow.flushesPerSecond} at 2s`);
    assert.ok(fast.e2eP95! < slow.e2eP95!, `e2e p95 ${fast.e2eP95} ms at 0.5s against ${slow.e2eP95} ms at 2s`);
    assert.ok(fast.bufferHighWater! < slow.bufferHighWater!, `buffer high-water ${fast.bufferHighWater} at 0.5s against ${slow.bufferHighWater} at 2s`);
    for (const figures of [fast, slow]) {
      assert.ok(figures.acceptedPerSecond! > 0);
      assert.equal(figures.refusedBatches, 0);
      assert.ok(figures.rowsPerSecond! > 0);
    }
  });

  test('the table, the recommendation with its rule, in SWEEP.md and on the terminal', () => {
    // 0.5 s flushes about twice a second, over the default bound of one write per second.
    assert.equal(sweep.recommendation.value, '2s');
    assert.match(sweep.recommendation.rule, /^the smallest interval whose median database write rate/);
    const markdown = readFileSync(join(folder, sweepFiles.markdown), 'utf8');
    assert.match(markdown, /^\| BUFFER_FLUSH_INTERVAL \| e2e visibility p50 \| e2e visibility p95 \| DB writes\/s \(flushes\) \| DB rows\/s \(upserts\) \| accepted events\/s \| 503s \(refused batches\) \| buffer high-water mark \(events\) \|/m);
    assert.match(markdown, /^\| \*\*2s\*\* \(recommended\) \|/m);
    assert.match(markdown, /^Rule: the smallest interval/m);
    assert.match(markdown, new RegExp(`^make sweep SCENARIO=event-ingestion PROFILE=${wiringProfile} REPEAT=1 PARAM=BUFFER_FLUSH_INTERVAL VALUES=2s,0\\.5s$`, 'm'));
    assert.match(made.stdout, /^recommended BUFFER_FLUSH_INTERVAL: 2s \(/m);
  });

  test('the chart draws in headless Chromium: a panel per figure, a point per value', { timeout: minutes4 }, async () => {
    const svg = join(folder, sweepFiles.chart);
    assert.ok(statSync(svg).size > 1000);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`file://${svg}`);
      const drawn = await page.$eval('svg', (element) => {
        const box = element.getBoundingClientRect();
        const points = [...element.querySelectorAll('.mark-symbol path')].filter((mark) => mark.getBoundingClientRect().width > 0);
        return { width: box.width, height: box.height, points: points.length, text: element.textContent ?? '' };
      });
      assert.ok(drawn.width > 400 && drawn.height > 300, `drawn at ${drawn.width}×${drawn.height}`);
      assert.ok(drawn.points >= 2 * 10, `${drawn.points} points drawn`);
      for (const label of ['e2e visibility p95 (ms)', 'DB writes/s (flushes) (per s)', 'buffer high-water mark (events) (count)', 'recommended: 2s']) assert.ok(drawn.text.includes(label), label);
    } finally {
      await browser.close();
    }
  });

  test('make optimization-log appends numbered entries from the run and sweep folders; bad input writes nothing', async () => {
    const log = join(resultsDir, 'optimization-log.md');
    const before = join(folder, sweep.runs.find((run) => run.value === '0.5s')!.folder);
    const first = await runMake('optimization-log', { A: before, B: folder, NAME: 'Flush every 2 s', ISSUE: 'two write transactions a second', OPTIMIZATION_LOG: log });
    assert.equal(first.code, 0, first.stderr);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^# Optimization log\n/);
    assert.match(text, /^## Optimization 1: Flush every 2 s\n\n\*\*Date:\*\* \d{4}-\d\d-\d\d\n\*\*Issue:\*\* two write transactions a second\n\*\*Evidence:\*\* \[run /m);
    assert.match(text, /^\*\*Change:\*\* service flags `-buffer-flush-interval 0\.5s` → `-buffer-flush-interval 2s`; LOADGATE_FLUSH_INTERVAL 0\.5s → 2s/m);
    // One run a side: the change is shown, but not judged against noise nobody measured.
    assert.match(text, /^\| DB writes\/s \(flushes\) \| [\d.]+\/s \| [\d.]+\/s \| -\d+\.\d% \| one run on a side: no spread to compare with \| noise unknown \|$/m);
    assert.match(text, /^\*\*Measured impact:\*\* No figure moved beyond the runs' own noise\. \d+ figure\(s\) changed with one run on a side, where the noise is unknown \(.*DB writes\/s \(flushes\) -\d+\.\d%/m);
    const second = await runMake('optimization-log', { A: folder, B: before, NAME: 'Back to 0.5 s', OPTIMIZATION_LOG: log });
    assert.equal(second.code, 0, second.stderr);
    assert.match(readFileSync(log, 'utf8'), /^## Optimization 2: Back to 0\.5 s$/m);
    const unchanged = readFileSync(log, 'utf8');
    for (const vars of [{ A: before, B: folder }, { A: join(resultsDir, "nope"), B: folder, NAME: "x" }] as Array<Record<string, string>>) {
      const refused = await runMake('optimization-log', { ...vars, OPTIMIZATION_LOG: log });
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /NAME is not set|A=".*nope" is not valid; valid values are: a run or sweep folder that exists/);
    }
    assert.equal(readFileSync(log, 'utf8'), unchanged);
  });
});
