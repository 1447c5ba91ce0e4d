// The README's picture: a run folder's report.html (the k6 web-dashboard export) opened in Debian's
// headless Chromium and saved as docs/img/dashboard.png, so the picture is always of a real run.
//   node --import tsx scripts/dashboard-picture.ts results/latest
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runFiles } from '../lib/run-files.ts';
import { launchChromium } from '../test/integration/harness.ts';

const runDir = process.argv[2];
const page = runDir ? resolve(runDir, runFiles.dashboard) : '';
if (!runDir || !existsSync(page)) {
  console.error(`usage: node --import tsx scripts/dashboard-picture.ts <run folder with ${runFiles.dashboard}>${runDir ? ` (${page} does not exist)` : ''}`);
  process.exit(2);
}
const browser = await launchChromium();
try {
  const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await tab.goto(pathToFileURL(page).href);
  // The export draws its charts from embedded data after load; wait until they are on the page.
  await tab.waitForSelector('canvas, svg', { timeout: 30_000 });
  await tab.waitForTimeout(1_000);
  const out = resolve(import.meta.dirname, '..', 'docs', 'img', 'dashboard.png');
  await tab.screenshot({ path: out });
  console.log(`written: ${join('docs', 'img', 'dashboard.png')}`);
} finally {
  await browser.close();
}
