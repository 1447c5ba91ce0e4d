// The regression gate end to end: a baseline of 3 real runs, a gate of 3 runs on the unchanged
// service (exit 0) and a one-run gate with feed slowed by fault injection (exit 1, naming feed).
// Three runs a side, because that is what the gate is for: with one run a side only the tolerance
// decides, and on a shared machine noise alone fails about half of such gates (README).
// The refusals (exit 2) and a failed run reuse a baseline run folder through RUN=: no extra load.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GateReport } from '../../cli/gate/render.ts';
import { gateFiles } from '../../cli/gate/index.ts';
import { writeMeta } from '../../cli/record.ts';
import { cleanEnv, launchChromium, readMeta, runCli, runMake, spawnCollect, tempResultsDir } from './harness.ts';

const minutes3 = 3 * 60_000;
const minutes5 = 5 * 60_000;

function cli(command: string, env: Record<string, string>) {
  return spawnCollect(process.execPath, ['dist/cli.mjs', command, 'mixed'], cleanEnv({ PROFILE: 'quick', ...env }));
}

const runFolders = (resultsDir: string) => readdirSync(resultsDir).filter((name) => /^\d{8}T/.test(name)).sort();
const gateReport = (folder: string) => JSON.parse(readFileSync(join(folder, gateFiles.json), 'utf8')) as GateReport;

describe('make baseline and make gate', () => {
  let resultsDir: string;
  let baselineRun: string;
  let baselineFile: string;
  let baselineText: string;

  before(async () => {
    resultsDir = tempResultsDir();
    // One run already there; through make, the way the README says, the baseline takes the two
    // it lacks itself.
    const run = await runCli('mixed', { RESULTS_DIR: resultsDir });
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const made = await runMake('baseline', { SCENARIO: 'mixed', PROFILE: 'quick', REPEAT: '3', RESULTS_DIR: resultsDir });
    assert.equal(made.code, 0, made.stderr.slice(-3000));
    assert.match(made.stderr, /using the latest 1 passing run\(s\) of mixed at quick/);
    assert.equal(runFolders(resultsDir).length, 3);
    baselineRun = join(resultsDir, runFolders(resultsDir)[0]);
    baselineFile = join(resultsDir, 'baselines', 'mixed-quick.json');
    baselineText = readFileSync(baselineFile, 'utf8');
  }, { timeout: minutes5 });

  after(() => rmSync(resultsDir, { recursive: true, force: true }));

  test('the baseline holds the run\'s figures per endpoint, the machine, versions and commit', () => {
    const baseline = JSON.parse(baselineText);
    const meta = readMeta(baselineRun);
    assert.equal(baseline.scenario, 'mixed');
    assert.equal(baseline.profile, 'quick');
    assert.deepEqual(baseline.machine, meta.machine);
    assert.equal(baseline.runs.length, 3);
    assert.equal(baseline.runs[0].folder, baselineRun, 'oldest first');
    const [run] = baseline.runs;
    assert.equal(run.gitCommit, meta.gitCommit);
    assert.equal(run.k6, meta.k6);
    assert.ok(run.endpoints.feed.requests > 0);
    assert.ok(run.endpoints.feed.latency.p95 > 0);
    assert.equal(typeof run.droppedIterations, 'number');
  });

  test('an unchanged service passes (exit 0) and leaves gate.md, gate.json, JUnit and a chart Chromium draws', { timeout: minutes5 }, async () => {
    const stepSummary = join(resultsDir, 'step-summary.md');
    const gate = await cli('gate', { RESULTS_DIR: resultsDir, REPEAT: '3', GITHUB_STEP_SUMMARY: stepSummary });
    assert.equal(gate.code, 0, `${gate.stdout}\n${gate.stderr.slice(-3000)}`);
    assert.match(gate.stdout, /^loadgate gate: mixed at quick: no regression \(exit code 0\)$/m);
    assert.match(gate.stdout, /^feed +p50 latency +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms +[\d.]+ +ok$/m);
    assert.equal(runFolders(resultsDir).length, 6, 'three new runs');
    const folder = join(resultsDir, runFolders(resultsDir).at(-1)!);
    const report = gateReport(folder);
    assert.equal(report.outcome, 'no regression');
    assert.equal(report.current.runs.length, 3);
    assert.equal(report.decision!.rankTest, true, 'three runs a side: the rank test takes part');
    assert.match(readFileSync(stepSummary, 'utf8'), /## Regression gate: mixed at quick\n\n\*\*no regression\*\*/);
    const junit = readFileSync(join(folder, gateFiles.junit), 'utf8');
    assert.equal(junit.match(/<testcase /g)!.length, report.decision!.comparisons.length);
    assert.doesNotMatch(junit, /<failure/);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`file://${join(folder, gateFiles.chart)}`);
      const drawn = await page.$eval('svg', (svg) => {
        const box = svg.getBoundingClientRect();
        const marks = [...svg.querySelectorAll('.mark-rect path, .mark-rect rect')].filter((mark) => {
          const b = mark.getBoundingClientRect();
          return b.width > 0 && b.height > 0;
        });
        return { width: box.width, height: box.height, marks: marks.length, text: svg.textContent ?? '' };
      });
      assert.ok(drawn.width > 300 && drawn.height > 100, `the chart has a size: ${JSON.stringify(drawn)}`);
      const endpoints = Object.keys(JSON.parse(baselineText).runs[0].endpoints).length;
      // A bar per endpoint, side and percentile, and a tick per judged bound.
      assert.ok(drawn.marks >= endpoints * 3 * 2, `${drawn.marks} bars and ticks for ${endpoints} endpoints`);
      assert.match(drawn.text, /feed/);
      await page.screenshot({ path: join(folder, 'gate.png') });
      assert.ok(statSync(join(folder, 'gate.png')).size > 5_000);
    } finally {
      await browser.close();
    }
  });

  test('a slower feed fails the gate with exit 1, naming feed, the metric, the values and the bound', { timeout: minutes3 }, async () => {
    // 20 ms on every feed request: far past the tolerance, well inside feed's SLO (p50 < 50 ms).
    const gate = await cli('gate', { RESULTS_DIR: resultsDir, REPEAT: '1', TARGET_ARGS: '-fault-delay feed=20ms' });
    assert.equal(gate.code, 1, `${gate.stdout}\n${gate.stderr.slice(-3000)}`);
    assert.match(gate.stdout, /^ {2}feed: p50 latency regressed to [\d.]+ ms from a baseline of [\d.]+ ms; allowed up to [\d.]+ ms \(\+25% or \+0\.3 ms, whichever is larger; 1 run\(s\) against 3: tolerance only\)$/m);
    const folder = join(resultsDir, runFolders(resultsDir).at(-1)!);
    const report = gateReport(folder);
    assert.equal(report.outcome, 'regression');
    assert.ok(report.decision!.regressions.some((r) => r.endpoint === 'feed' && r.metric === 'p50'), report.sentences.join('\n'));
    assert.match(readFileSync(join(folder, gateFiles.junit), 'utf8'), /name="feed p50">\n {6}<failure message="feed: p50 latency regressed/);
    assert.match(readFileSync(join(folder, gateFiles.markdown), 'utf8'), /\| feed \| p50 latency \|[^\n]+\| \*\*regression\*\* \|/);
  });

  test('a corrupt, missing or foreign baseline exits 2 with a sentence, a bad setting 104, before any load', async () => {
    const other = tempResultsDir();
    try {
      const env = { RESULTS_DIR: other, RUN: baselineRun, REPEAT: '1' };
      const missing = await cli('gate', env);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /there is no baseline [^\n]+mixed-quick\.json; take one with: make baseline SCENARIO=mixed PROFILE=quick REPEAT=1\n/);
      assert.deepEqual(runFolders(other), [], 'no run was started');
      mkdirSync(join(other, 'baselines'));
      writeFileSync(join(other, 'baselines', 'mixed-quick.json'), baselineText.slice(0, 200));
      const corrupt = await cli('gate', env);
      assert.equal(corrupt.code, 2);
      assert.match(corrupt.stderr, /the baseline [^\n]+mixed-quick\.json is corrupt \(not JSON: [^\n]+\); restore it from git or take a new one with: make baseline/);
      // Only the run RUN names, so the comparison itself has nothing to find: the refusal is the test.
      const foreign = JSON.parse(baselineText);
      foreign.runs = foreign.runs.slice(0, 1);
      foreign.machine.cpuModel = 'Some Other CPU';
      writeFileSync(join(other, 'baselines', 'mixed-quick.json'), JSON.stringify(foreign));
      const otherMachine = await cli('gate', env);
      assert.equal(otherMachine.code, 2);
      assert.match(otherMachine.stderr, /was taken on a different machine \(2 × Some Other CPU|was taken on a different machine \(\d+ × Some Other CPU/);
      assert.match(otherMachine.stderr, /or set GATE_ALLOW_OTHER_MACHINE=1 to compare anyway/);
      const allowed = await cli('gate', { ...env, GATE_ALLOW_OTHER_MACHINE: '1' });
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.match(readFileSync(join(baselineRun, gateFiles.markdown), 'utf8'), /\*\*The baseline was taken on a different machine\*\*/);
      delete foreign.runs[0].endpoints.vote;
      foreign.machine = JSON.parse(baselineText).machine;
      writeFileSync(join(other, 'baselines', 'mixed-quick.json'), JSON.stringify(foreign));
      const endpointMissing = await cli('gate', env);
      assert.equal(endpointMissing.code, 2);
      assert.match(endpointMissing.stdout, /endpoint missing on one side: vote is in the current run but not in the baseline; if the scenario changed on purpose, take a new baseline with: make baseline/);
      assert.equal(gateReport(baselineRun).outcome, 'cannot compare');
      const badRepeat = await cli('gate', { RESULTS_DIR: other, REPEAT: 'lots' });
      assert.equal(badRepeat.code, 104, 'a bad setting, not a comparison refused');
      assert.match(badRepeat.stderr, /REPEAT="lots" is not valid; valid values are: an integer from 1 to 10/);
      assert.deepEqual(runFolders(other), [], 'no run was started');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a run that itself failed is reported as such, exit 1, before any comparison', async () => {
    const failed = join(tempResultsDir(), 'failed-run');
    try {
      cpSync(baselineRun, failed, { recursive: true });
      for (const file of Object.values(gateFiles)) rmSync(join(failed, file), { force: true });
      writeMeta(failed, { ...readMeta(failed), exitCode: 99, reason: 'SLO failed: http_req_duration{endpoint:feed,expected_response:true} p(50)<50' });
      const gate = await cli('gate', { RESULTS_DIR: resultsDir, RUN: failed });
      assert.equal(gate.code, 1);
      assert.match(gate.stdout, /run failed \(exit code 1\)\n {2}the run in [^\n]+failed-run failed before any comparison: SLO failed: http_req_duration\{endpoint:feed/);
      assert.equal(gateReport(failed).decision, null);
      assert.ok(!existsSync(join(failed, gateFiles.chart)), 'nothing was compared, so nothing is charted');
    } finally {
      rmSync(join(failed, '..'), { recursive: true, force: true });
    }
  });
});
