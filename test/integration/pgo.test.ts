// The PGO loop for real, kept small: one `make pgo` at the wiring profile (its REPORT.md's grouped
// hot spots and meta.json's build record read too), one plain run to compare it with, and `make pgo-verify
// RUNS=1` against the builds with PGO off and on. No assertion is about speed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { compareFiles } from '../../cli/pgo/compare.ts';
import { verifyFiles, type VerifyReport } from '../../cli/pgo/verify.ts';
import { readProfileFile } from '../../cli/runs/pprof.ts';
import { launchChromium, readMeta, runCli, runMake, tempResultsDir, wiringProfile } from './harness.ts';

describe('make pgo, make profile-compare and make pgo-verify', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'loadgate-pgo-')), 'default.pgo');
  let pgoRun = '';
  let pgoOutcome: Awaited<ReturnType<typeof runMake>>;

  before(async () => {
    pgoOutcome = await runMake('pgo', { SCENARIO: 'api-load', PROFILE: wiringProfile, PGO_OUT: out, DASHBOARD: 'off' });
    pgoRun = pgoOutcome.runDir ? realpathSync(pgoOutcome.runDir) : '';
  });

  test('make pgo writes a profile go tool pprof reads, says what to commit, and the run records its build', () => {
    assert.equal(pgoOutcome.code, 0, pgoOutcome.stderr.slice(-2000));
    assert.match(pgoOutcome.stdout, new RegExp(`wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(one capture, from `));
    assert.match(pgoOutcome.stdout, /git add .*default\.pgo && git commit/);
    const top = execFileSync('go', ['tool', 'pprof', '-top', '-nodecount=3', out], { encoding: 'utf8' });
    assert.match(top, /Type: cpu/);
    assert.ok(readProfileFile(out, 'cpu').total > 0, 'it holds CPU samples');
    assert.deepEqual(readFileSync(out), readFileSync(join(pgoRun, 'profiles', 'cpu.pb.gz')), 'the run folder keeps the same profile');
    const meta = readMeta(pgoRun);
    assert.equal(meta.captures?.find((c) => c.name === 'cpu')?.status, 'captured');
    // make builds with -pgo=auto: the committed default.pgo is in the binary's build settings.
    assert.equal(meta.target?.pgo?.pgo, 'on');
    assert.match(meta.target?.pgo?.profile ?? '', /service\/cmd\/loadgate-service\/default\.pgo$/);
  });

  test("the run's REPORT.md groups its hot spots with shares of CPU and of allocated bytes", () => {
    const report = readFileSync(join(pgoRun, 'REPORT.md'), 'utf8');
    const section = report.slice(report.indexOf('### Hot spots by group'));
    for (const group of ['JSON encoding', 'database driver', 'HTTP stack', 'GC and runtime', "the application's own code"]) {
      assert.match(section, new RegExp(`\\| ${group} \\| \\d+\\.\\d\\d% \\| \\d+\\.\\d\\d% \\|`), group);
    }
    const shares = [...section.matchAll(/^\| [^|]+ \| (\d+\.\d\d)% \|/gm)].map((m) => Number(m[1]));
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.1, `CPU shares add up to 100%: ${shares}`);
    assert.match(report, /### Blocking, idle waits left out\n\n(Goroutines blocked|No goroutine blocked) .* of idle waits/);
  });

  test('make profile-compare prints a diff table for two real runs; bad folders are refused', async () => {
    // Another rate, so the comparison has something to show. A busy shared machine can push its
    // latency over the SLOs (99); the comparison needs only its profiles and metrics.
    const other = await runCli('api-load', { RPS: '1500', DASHBOARD: 'off' });
    assert.ok([0, 99].includes(other.code), other.stderr.slice(-2000));
    assert.equal(readMeta(other.runDir!).captures?.find((c) => c.name === 'cpu')?.status, 'captured');
    const results = tempResultsDir();
    const compared = await runMake('profile-compare', { A: pgoRun, B: other.runDir!, RESULTS_DIR: results });
    assert.equal(compared.code, 0, compared.stderr.slice(-2000));
    assert.match(compared.stdout, /\| server CPU per request \| [\d.]+ (µs|ms) \| [\d.]+ (µs|ms) \| [+−][\d.]+% \| one run a side: noise unknown \|/);
    assert.match(compared.stdout, /\| throughput, requests\/s \| [\d.]+ \| [\d.]+ \|/);
    assert.match(compared.stdout, /## CPU per request, per function \(flat\)\n\n\| function \| A \| B \| B − A \(pprof -diff_base\) \|/);
    assert.match(compared.stdout, /## allocated bytes per request, per function \(flat\)\n\n\| function \|/);
    const folder = join(results, readdirSync(results).find((name) => name.endsWith(`-profile-compare-${wiringProfile}`))!);
    assert.ok(compared.stdout.includes(readFileSync(join(folder, compareFiles.markdown), 'utf8').trim()), 'the printed comparison is the file');
    for (const file of ['cpu-a.pb.gz', 'cpu-b.pb.gz']) execFileSync('go', ['tool', 'pprof', '-top', '-nodecount=1', join(folder, file)]);

    const refused = await runMake('profile-compare', { A: pgoRun, B: '/nonexistent/run', RESULTS_DIR: results });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /B="\/nonexistent\/run" is not a loadgate run folder \(no meta\.json\); valid values are: loadgate run folders/);
    assert.equal(readdirSync(results).filter((name) => name.includes('profile-compare')).length, 1, 'no folder for a refused comparison');
  });

  test('make pgo-verify RUNS=1 runs PGO off then on and prints the CPU-per-request difference', async () => {
    const results = tempResultsDir();
    const bad = await runMake('pgo-verify', { RUNS: 'ten', RESULTS_DIR: results });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /RUNS="ten" is not valid for make pgo-verify; valid values are: an integer from 1 to 30/);
    assert.equal(existsSync(results) ? readdirSync(results).length : 0, 0, 'nothing ran');

    const verified = await runMake('pgo-verify', { RUNS: '1', PROFILE: wiringProfile, RESULTS_DIR: results });
    assert.equal(verified.code, 0, verified.stderr.slice(-3000));
    assert.match(verified.stdout, /\| server CPU per request \| \d+ µs \| \d+ µs \| [+−]\d+ µs \([+−][\d.]+%\) \| none \(one run a side\) \| 1\.0 \|/);
    const folder = realpathSync(join(results, 'latest'));
    const report = JSON.parse(readFileSync(join(folder, verifyFiles.json), 'utf8')) as VerifyReport;
    assert.deepEqual(report.runs.map((r) => r.side), ['off', 'on']);
    assert.equal(report.profile, wiringProfile);
    assert.equal(report.rate, '1000');
    const builds = report.runs.map((r) => readMeta(r.folder).target?.pgo?.pgo);
    assert.deepEqual(builds, ['off', 'on'], 'each run records the build it ran');
    for (const run of report.runs) assert.ok(run.requests > 100 && run.cpuSeconds > 0, JSON.stringify(run));

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 600 } });
      await page.goto(`file://${join(folder, verifyFiles.chart)}`);
      const drawn = await page.$eval('svg', (svg) => ({
        width: svg.getBoundingClientRect().width,
        points: [...svg.querySelectorAll('.mark-symbol path')].filter((p) => p.getBoundingClientRect().width > 0).length,
        text: svg.textContent ?? '',
      }));
      assert.ok(drawn.width > 300, JSON.stringify(drawn));
      // One point per run and measure, plus the legend's two symbols.
      assert.ok(drawn.points >= 6, `${drawn.points} points`);
      assert.match(drawn.text, /server CPU per request, µs/);
    } finally {
      await browser.close();
    }
  });
});

