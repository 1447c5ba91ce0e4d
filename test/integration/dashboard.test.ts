// The live dashboard: DASHBOARD=on prints a loopback URL at the start, and a browser opened on it
// during the run sees the request rate arrive. report.html is still exported at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cleanEnv, launchChromium, readMeta, root, tempResultsDir } from './harness.ts';

test('DASHBOARD=on serves the live dashboard on 127.0.0.1 and a headless browser sees data arrive', { timeout: 120_000 }, async () => {
  const resultsDir = tempResultsDir();
  const cli = spawn(process.execPath, ['dist/cli.mjs', 'run', 'mixed'], { cwd: root, env: cleanEnv({ PROFILE: 'smoke', RESULTS_DIR: resultsDir, DASHBOARD: 'on' }), stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((done) => cli.once('close', (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    createInterface({ input: cli.stderr! }).on('line', (line) => {
      const match = /live dashboard at (http:\/\/\S+)/.exec(line);
      if (match) done(match[1]);
    });
    void exited.then(() => fail(new Error('the run ended without printing a dashboard URL')));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'loopback only, never all interfaces');

  // Opened the moment the URL is printed (the CLI says it once a snapshot is there).
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
    // The overview's request rate stays empty until the first snapshot arrives over /events. k6's
    // page can also throw while the run's first metrics appear and then stay blank
    // (grafana/xk6-dashboard#258): reloaded, as a user would, it renders.
    const deadline = Date.now() + 30_000;
    let text = '';
    let reloads = 0;
    while (!/HTTP Request Rate\s+[1-9][\d.]*\/s/.test(text) && Date.now() < deadline) {
      await page.waitForTimeout(500);
      text = await page.innerText('body');
      if (pageErrors.length > reloads && !text) {
        reloads = pageErrors.length;
        await page.reload();
      }
    }
    assert.match(text, /HTTP Request Rate\s+[1-9][\d.]*\/s/, `the request rate arrived (page errors: ${pageErrors.join('; ') || 'none'})`);
  } finally {
    await browser.close();
  }
  // k6 skips report.html for a run of a snapshot or two ("not enough data"): let a few more in
  // before the Ctrl-C, since the first data can arrive within two seconds of the start.
  await new Promise((done) => setTimeout(done, 6_000));
  cli.kill('SIGINT');
  assert.equal(await exited, 105);
  const runDir = join(resultsDir, 'latest');
  assert.match(readMeta(runDir).reason, /^interrupted/);
  assert.ok(existsSync(join(runDir, 'report.html')), 'report.html is exported with the live dashboard on');
});
