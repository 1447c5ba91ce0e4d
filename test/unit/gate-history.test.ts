// make history: over 12 synthetic gates with feed's p50 stepping up at the 8th, the step and its
// commit are named, a flat series is not, and the chart is drawn and opened in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { changePoint, historyFile, type HistoryEntry } from '../../cli/gate/history.ts';
import { launchChromium } from '../integration/harness.ts';

const root = resolve(import.meta.dirname, '..', '..');

function gates(count: number, stepAt: number): HistoryEntry[] {
  // Noise of a few percent, the same every time: a fixed sequence, not a random one.
  const wobble = [0.02, -0.03, 0.01, 0.04, -0.02, 0, -0.04, 0.03, -0.01, 0.02, -0.02, 0.01];
  return Array.from({ length: count }, (_, i) => ({
    date: `2026-11-${String(i + 1).padStart(2, '0')}T03:17:00Z`,
    scenario: 'mixed',
    profile: 'smoke',
    base: `base${i}`,
    head: `commit${String(i).padStart(2, '0')}`,
    machine: '2 × AMD EPYC, 23.5 GiB',
    outcome: 'no regression',
    metrics: [
      { endpoint: 'feed', metric: 'p50', base: 1, head: (i >= stepAt ? 1.3 : 1) * (1 + wobble[i % wobble.length]), change: 0, low: -0.1, high: 0.1 },
      { endpoint: 'search', metric: 'p50', base: 2, head: 2 * (1 + wobble[(i + 5) % wobble.length]), change: 0, low: -0.1, high: 0.1 },
    ],
  }));
}

test('change-point detection finds a 30% step and not a few percent of noise', () => {
  const step = changePoint([1, 1.02, 0.97, 1.01, 1.03, 0.99, 1.3, 1.28, 1.33, 1.31, 1.29, 1.32]);
  assert.equal(step?.at, 6);
  assert.equal(changePoint([1, 1.02, 0.97, 1.01, 1.03, 0.99, 1.0, 1.02, 0.98, 1.01, 0.99, 1.02]), null);
});

test('make history over 12 gates names the commit where feed stepped up and draws a chart Chromium opens', { timeout: 120_000 }, async () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'loadgate-history-'));
  try {
    mkdirSync(join(resultsDir, 'history'), { recursive: true });
    writeFileSync(historyFile(resultsDir), gates(12, 7).map((g) => JSON.stringify(g)).join('\n') + '\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'history'], { cwd: root, env: { ...process.env, RESULTS_DIR: resultsDir }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^- feed p50: a step from 1\.\d\d to 1\.\d\d ms began at commit commit07 \(2026-11-08T03:17:00Z; permutation p = 0\.0\d\d\)$/m);
    assert.doesNotMatch(run.stdout, /search p50/);
    const svg = readFileSync(join(resultsDir, 'history', 'history.svg'), 'utf8');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(svg);
      const box = await page.locator('svg').boundingBox();
      assert.ok(box && box.width > 300 && box.height > 150, JSON.stringify(box));
      assert.ok((await page.locator('text').allTextContents()).some((t) => t.includes('Gate history')));
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(resultsDir, { recursive: true, force: true });
  }
});

test('with fewer than 6 gates make history says what it needs and exits 2', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'loadgate-history-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'history'], { cwd: root, env: { ...process.env, RESULTS_DIR: resultsDir }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /holds 0 gate result\(s\); change-point detection needs at least 6/);
  } finally {
    rmSync(resultsDir, { recursive: true, force: true });
  }
});
