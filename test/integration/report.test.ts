// One real run of the mixed scenario (the wiring profile), then everything a person reads afterwards: the run
// folder's files, REPORT.md, `report` rebuilding it byte for byte, and report.html in a browser.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { projectRoot, serviceBinary } from '../../cli/paths.ts';
import { captureNames } from '../../cli/record.ts';
import { cleanEnv, launchChromium, wiringProfile } from './harness.ts';

const minutes5 = 5 * 60_000;
const placeholder = /TBD|\[FILL|\[X\]|\[TODO|\[PASTE|undefined|NaN/;
const mixedEndpoints = ['feed', 'clip_detail', 'related', 'search', 'comments_list', 'comment_create', 'vote', 'auth_token'];

/** The slice of HTMLCanvasElement the chart check reads; tsconfig has no DOM library. */
interface CanvasLike {
  width: number;
  height: number;
  getBoundingClientRect(): { width: number; height: number };
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, 'dist', 'cli.mjs'), ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('a run and its reports', () => {
  // Kept after the test, report.png included, so a failure can be inspected; results/ is git-ignored.
  const resultsDir = join(projectRoot, 'results', 'test-runs', `report-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}`);
  let dir = '';
  let runSeconds = 0;

  before(
    async () => {
      mkdirSync(resultsDir, { recursive: true });
      process.stderr.write(`run folder kept under ${resultsDir}\n`);
      assert.ok(existsSync(serviceBinary), `${serviceBinary} is missing; run "make service"`);
      execFileSync(process.execPath, ['build.mjs'], { cwd: projectRoot, stdio: 'inherit' });
      const started = Date.now();
      const run = await cli(['run', 'mixed'], cleanEnv({ PROFILE: wiringProfile, RESULTS_DIR: resultsDir }));
      runSeconds = (Date.now() - started) / 1000;
      assert.equal(run.code, 0, `the run should pass; its output:\n${run.output}`);
      dir = realpathSync(join(resultsDir, 'latest'));
    },
    { timeout: minutes5 },
  );

  test('the run folder holds every file', { timeout: minutes5 }, () => {
    process.stderr.write(`the run took ${runSeconds.toFixed(1)} s\n`);
    const nonEmpty = [
      'summary.json', 'summary.txt', 'junit.xml', 'report.html', 'REPORT.md', 'meta.json', 'service.log',
      'profiles/cpu.pb.gz', 'profiles/heap.pb.gz', 'profiles/allocs.pb.gz', 'profiles/goroutine.pb.gz',
      'profiles/block.pb.gz', 'profiles/mutex.pb.gz', 'profiles/metrics-before.prom', 'profiles/metrics-after.prom',
    ];
    for (const file of nonEmpty) {
      assert.ok(existsSync(join(dir, file)), `${file} exists`);
      assert.ok(statSync(join(dir, file)).size > 0, `${file} is not empty`);
    }
    // A clean run logs nothing, so the log may be empty; it must still be there.
    assert.ok(existsSync(join(dir, 'k6.log.json')), 'k6.log.json exists');
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    assert.equal(meta.exitCode, 0);
    assert.deepEqual(meta.captures.filter((c: { status: string }) => c.status !== 'captured'), []);
    assert.deepEqual(meta.captures.map((c: { name: string }) => c.name).sort(), [...captureNames].sort(), 'every capture: six profiles, two metrics snapshots, the database statistics');
  });

  test('go tool pprof reads the CPU profile', { timeout: minutes5 }, () => {
    const top = execFileSync('go', ['tool', 'pprof', '-top', join(dir, 'profiles', 'cpu.pb.gz')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(top, /^Type: cpu$/m);
  });

  test('REPORT.md has a numeric row for every mixed endpoint and no placeholder', { timeout: minutes5 }, () => {
    const markdown = readFileSync(join(dir, 'REPORT.md'), 'utf8');
    assert.doesNotMatch(markdown, placeholder);
    assert.match(markdown, /\*\*Status: PASSED\*\*/);
    for (const endpoint of mixedEndpoints) {
      const row = new RegExp(`^\\| [^|]+\\(\`${endpoint}\`\\) \\| \\d[\\d,]* \\| \\d+\\.\\d+ ms \\| \\d+\\.\\d+ ms \\| \\d+\\.\\d+ ms \\| 0\\.00% \\| p50 < \\d+ ms, p95 < \\d+ ms, p99 < \\d+ ms, errors < 1\\.00% \\| ✅ \\| none \\|$`, 'm');
      assert.match(markdown, row, `numeric row for ${endpoint}`);
    }
    assert.match(markdown, /^### CPU\n\nProfile type cpu/m);
    assert.doesNotMatch(markdown, /not captured/, 'a complete local run misses nothing');
  });

  test('`report` rebuilds REPORT.md and summary.txt identically and appends to GITHUB_STEP_SUMMARY', { timeout: minutes5 }, async () => {
    const reportBefore = readFileSync(join(dir, 'REPORT.md'), 'utf8');
    const textBefore = readFileSync(join(dir, 'summary.txt'), 'utf8');
    rmSync(join(dir, 'REPORT.md'));
    rmSync(join(dir, 'summary.txt'));
    const stepSummary = join(resultsDir, 'step-summary.md');
    const rebuilt = await cli(['report', dir], cleanEnv({ GITHUB_STEP_SUMMARY: stepSummary }));
    assert.equal(rebuilt.code, 0, rebuilt.output);
    assert.equal(readFileSync(join(dir, 'REPORT.md'), 'utf8'), reportBefore);
    assert.equal(readFileSync(join(dir, 'summary.txt'), 'utf8'), textBefore);
    assert.equal(readFileSync(stepSummary, 'utf8'), `${reportBefore}\n`);
  });

  test('report.html draws its charts in headless Chromium', { timeout: minutes5 }, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const blocked: string[] = [];
      // The export is self-contained; anything that is not the file itself must not leave the machine.
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (/^(file|data|blob):/.test(url)) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      await page.goto(`file://${join(dir, 'report.html')}`);
      assert.match(await page.title(), /k6/i);
      await page.waitForSelector('.uplot canvas', { timeout: 30_000 });
      // uPlot draws each chart on a canvas; a drawn chart has a size and some painted pixels.
      const charts = await page.$$eval('.uplot canvas', (canvases) =>
        (canvases as unknown as CanvasLike[]).map((canvas) => {
          const { width, height } = canvas.getBoundingClientRect();
          const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
          let painted = 0;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
          return { width, height, painted };
        }),
      );
      assert.ok(charts.length >= 5, `at least five charts, found ${charts.length}`);
      const drawn = charts.filter((c) => c.width > 0 && c.height > 0 && c.painted > 1000);
      assert.ok(drawn.length >= 5, `at least five drawn charts: ${JSON.stringify(charts)}`);
      await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
      assert.ok(statSync(join(dir, 'report.png')).size > 10_000, 'the screenshot is an image of the page');
      process.stderr.write(`report.html: ${drawn.length} charts drawn, ${blocked.length} network requests blocked\n`);
    } finally {
      await browser.close();
    }
  });
});
