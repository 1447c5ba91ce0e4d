// Alert rules evaluated live against the target's /metrics: a slowdown shorter than a rule's
// window does not fire it, a longer one fires it and aborts the run like a page would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { firedAlerts, monitorScrapes, runDurationSeconds } from '../../lib/summary/model.ts';
import { startService, type RunningService } from '../../cli/service.ts';
import { readMeta, readSummary, runCli } from './harness.ts';
import { latencyKey } from '../../thresholds/keys.ts';

let target: RunningService;
before(async () => {
  target = await startService([], join(tmpdir(), `loadgate-alerts-target-${process.pid}.log`));
});
after(async () => {
  await target.stop();
});

const apiRoutes = ['feed', 'clip_detail', 'related', 'search', 'comments_list'];

async function setFaults(faults: Record<string, { delay?: string; error_rate?: number }>): Promise<void> {
  const response = await fetch(`${target.debugUrl}/debug/faults`, { method: 'PUT', body: JSON.stringify(faults) });
  assert.equal(response.status, 200, await response.text());
}

const everyRoute = (fault: { delay?: string; error_rate?: number }) =>
  Object.fromEntries(apiRoutes.map((route) => [route, fault]));

/** Runs mixed at smoke against the shared target while `schedule` toggles faults on the clock. */
async function runWithFaults(env: Record<string, string>, schedule: Array<[number, Record<string, object>]>) {
  const applied: Array<Promise<void>> = [];
  const timers = schedule.map(([atMs, faults]) => setTimeout(() => applied.push(setFaults(faults)), atMs));
  try {
    return await runCli('mixed', { BASE_URL: target.baseUrl, PROFILE: 'smoke', PROFILE_CAPTURE: '0', ...env });
  } finally {
    timers.forEach(clearTimeout);
    await Promise.all(applied); // a fault that failed to apply fails the test, not silently the premise
    await setFaults({});
  }
}

/** The slowest successful feed response, to prove the injected slowdown really happened. */
function slowestFeedMs(runDir: string): number {
  return readSummary(runDir).metrics[latencyKey('feed')]?.values.max ?? 0;
}

// Smoke scales alert time by 1/12: HighAPILatency needs p95 > 500 ms for 10 s over a 5 s window.
const latencyAborts = { LOADGATE_ALERT_ABORT_SEVERITY: 'warning' };

test('a 2 s slowdown, shorter than the window, does not fire HighAPILatency', { timeout: 120_000 }, async () => {
  // Scale 1/8 (for = 15 s, rate window = 7.5 s): the condition holds about 2 + 7.5 s, leaving a
  // margin of several seconds for a slow CI machine.
  const run = await runWithFaults({ ...latencyAborts, LOADGATE_ALERT_TIME_SCALE: String(1 / 8) }, [
    [8_000, everyRoute({ delay: '600ms' })],
    [10_000, {}],
  ]);
  const summary = readSummary(run.runDir!);
  assert.ok(slowestFeedMs(run.runDir!) >= 600, 'the slowdown happened');
  assert.deepEqual(firedAlerts(summary).map((a) => a.name), [], run.stderr.slice(-2000));
  assert.doesNotMatch(readMeta(run.runDir!).reason, /aborted by alert/);
  assert.ok(runDurationSeconds(summary) >= 29, `ran its full 30 s (${runDurationSeconds(summary)} s)`);
  // The monitor read every scrape, and the Monitor line counts them.
  const scrapes = monitorScrapes(summary);
  assert.ok(scrapes && scrapes.all >= 10 && scrapes.read === scrapes.all, `every scrape read: ${JSON.stringify(scrapes)}`);
  assert.match(readFileSync(join(run.runDir!, 'summary.txt'), 'utf8'), new RegExp(`; ${scrapes.all} of ${scrapes.all} scrapes read`));
});

test('a slowdown that outlasts the window fires HighAPILatency and aborts with exit 99', { timeout: 120_000 }, async () => {
  const run = await runWithFaults(latencyAborts, [[5_000, everyRoute({ delay: '600ms' })]]);
  assert.equal(run.code, 99, run.stderr.slice(-2000));
  const summary = readSummary(run.runDir!);
  assert.deepEqual(firedAlerts(summary), [{ name: 'HighAPILatency', count: 1, aborting: true }]);
  assert.match(readMeta(run.runDir!).reason, /^aborted by alert HighAPILatency(;|$)/);
  assert.match(readFileSync(join(run.runDir!, 'summary.txt'), 'utf8'), /Alerts fired: HighAPILatency \(aborted the run\)/);
  assert.ok(runDurationSeconds(summary) < 28, `stopped early (${runDurationSeconds(summary)} s)`);
});

test('the critical HighErrorRate rule aborts the run by default', { timeout: 120_000 }, async () => {
  const run = await runWithFaults({}, [[5_000, everyRoute({ error_rate: 1 })]]);
  assert.equal(run.code, 99, run.stderr.slice(-2000));
  // The reason names the routes that drove it: every route failed, so each misses its error objective.
  assert.match(readMeta(run.runDir!).reason, /^aborted by alert HighErrorRate; endpoints missing their objectives: .*feed \(.*errors \d+\.\d+% \(objective < 1\.00%\)/);
  assert.ok(firedAlerts(readSummary(run.runDir!)).some((a) => a.name === 'HighErrorRate' && a.aborting));
});

test('without a Prometheus /metrics the monitor is off and the run says so', { timeout: 120_000 }, async () => {
  const run = await runCli('mixed', {
    BASE_URL: target.baseUrl,
    PROFILE_CAPTURE: '0',
    LOADGATE_METRICS_URL: `${target.baseUrl}/healthz`,
  });
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  const text = readFileSync(join(run.runDir!, 'summary.txt'), 'utf8');
  assert.match(text, /alert monitor off: http:\/\/127\.0\.0\.1:\d+\/healthz is not a Prometheus endpoint/);
});

test("a /metrics that fails after setup: every failed scrape is counted, and the report says no rule was evaluated", { timeout: 120_000 }, async () => {
  // The target's own page for the CLI's capture before the run and for setup's check, then 503:
  // the monitor starts, and none of its scrapes can be read.
  let requests = 0;
  const failing = createServer(async (_request, response) => {
    if (++requests > 2) {
      response.writeHead(503).end('down');
      return;
    }
    const page = await fetch(`${target.baseUrl}/metrics`);
    response.writeHead(page.status, { 'Content-Type': page.headers.get('content-type') ?? 'text/plain' }).end(await page.text());
  });
  await new Promise<void>((listening) => failing.listen(0, '127.0.0.1', listening));
  try {
    const run = await runCli('mixed', {
      BASE_URL: target.baseUrl,
      PROFILE: 'smoke',
      PROFILE_CAPTURE: '0',
      LOADGATE_METRICS_URL: `http://127.0.0.1:${(failing.address() as AddressInfo).port}/metrics`,
    });
    // Nothing the monitor reads can fail the run; what it could not read is reported.
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const scrapes = monitorScrapes(readSummary(run.runDir!));
    assert.ok(scrapes && scrapes.read === 0 && scrapes.all >= 10, `every scrape failed: ${JSON.stringify(scrapes)}`);
    const text = readFileSync(join(run.runDir!, 'summary.txt'), 'utf8');
    assert.match(text, new RegExp(`alert monitor on: scraping .*; 0 of ${scrapes.all} scrapes read, so no alert rule was evaluated`));
    const report = readFileSync(join(run.runDir!, 'REPORT.md'), 'utf8');
    assert.match(report, /^None: the alert monitor read none of its scrapes of \/metrics, so no rule was evaluated\.$/m);
    // Told once, with the reason, in k6's log.
    const told = readFileSync(join(run.runDir!, 'k6.log.json'), 'utf8').split('\n').filter((line) => line.includes('alert monitor: a scrape of LOADGATE_METRICS_URL failed (HTTP 503)'));
    assert.equal(told.length, 1, 'one warning for the first failed scrape');
  } finally {
    await new Promise((closed) => failing.close(closed));
  }
});
