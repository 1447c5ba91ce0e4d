// make gate BASE=HEAD side by side, end to end: base built in a git worktree, a warm-up pair and
// ABBA rounds of mixed at quick with 20 VUs (VUS=400), enough feed requests for a p50 and CPU
// profile. Unchanged (A/A, three rounds) it exits 0 with every judged interval around 0; with
// head's service burning 3 ms of CPU per feed request (GATE_HEAD_ARGS, about +200% on feed's ~1 ms
// p50) it exits 1 naming feed, the metric and, from the CPU profiles, the function. The slowed
// case runs four rounds: with three (2 degrees of freedom) and Holm over some 28 judged metrics,
// one noisy round kept a +296% change at p = 0.14 (docs/gate.md, "How often the gate test misses").
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AbReport } from '../../cli/gate/ab-render.ts';
import { historyFile, readHistory } from '../../cli/gate/history.ts';
import { runMake, tempResultsDir } from './harness.ts';

const minutes10 = 10 * 60_000;

function gateFolder(resultsDir: string): string {
  const [name] = readdirSync(resultsDir).filter((n) => /-gate-mixed-quick$/.test(n));
  return join(resultsDir, name);
}

describe('make gate BASE=HEAD', () => {
  test('A/A: exit 0, gate.md says side by side, every judged p50 interval holds 0, history gets a line', { timeout: minutes10 }, async () => {
    const resultsDir = tempResultsDir();
    try {
      const gate = await runMake('gate', { BASE: 'HEAD', SCENARIO: 'mixed', PROFILE: 'quick', REPEAT: '3', VUS: '400', RESULTS_DIR: resultsDir });
      assert.equal(gate.code, 0, `${gate.stdout.slice(-4000)}\n${gate.stderr.slice(-3000)}`);
      const folder = gateFolder(resultsDir);
      const markdown = readFileSync(join(folder, 'gate.md'), 'utf8');
      assert.match(markdown, /^\*\*no regression\*\* \(exit code 0\)$/m);
      assert.match(markdown, /Mode: \*\*side by side\*\* on this machine\. Base: `HEAD`/);
      assert.match(markdown, /^\| feed \| p50 latency \| [\d.]+ ms \| [\d.]+ ms \| [+−][\d.]+% \| [+−][\d.]+% to [+−][\d.]+% \| [\d.e-]+ \| (ok|improved) \|$/m);
      const report = JSON.parse(readFileSync(join(folder, 'gate.json'), 'utf8')) as AbReport;
      assert.equal(report.runs.length, 8, 'a warm-up pair and three rounds');
      for (const c of report.decision!.comparisons.filter((x) => x.estimate && x.metric === 'p50')) {
        assert.ok(c.estimate!.low <= 0.1 && c.estimate!.high >= -0.1, `${c.endpoint} p50 interval ${c.estimate!.low}..${c.estimate!.high} is far from 0`);
      }
      assert.equal(readHistory(historyFile(resultsDir)).length, 1);
    } finally {
      rmSync(resultsDir, { recursive: true, force: true });
    }
  });

  test('head slowed on feed only: exit 1, feed p50 named with its interval, and fault.burnCPU as the function that grew', { timeout: minutes10 }, async () => {
    const resultsDir = tempResultsDir();
    try {
      const gate = await runMake('gate', { BASE: 'HEAD', SCENARIO: 'mixed', PROFILE: 'quick', REPEAT: '4', VUS: '400', RESULTS_DIR: resultsDir, GATE_HEAD_ARGS: '-fault-cpu feed=3ms' });
      assert.match(gate.stderr, /Error 1/, `${gate.stdout.slice(-4000)}\n${gate.stderr.slice(-3000)}`);
      const markdown = readFileSync(join(gateFolder(resultsDir), 'gate.md'), 'utf8');
      assert.match(markdown, /^- feed: p50 latency \+\d+\.\d% on head \([\d.]+ ms against [\d.]+ ms; 95% interval \+[\d.]+% to \+[\d.]+%; Holm-adjusted p = /m);
      assert.match(markdown, /head's service with `-fault-cpu feed=3ms` \(GATE_HEAD_ARGS\)/);
      assert.match(markdown, /### Where head spends more per request\n\n\| profile \| function[^\n]*\n[^\n]*\n\| CPU per request \| `loadgate\/service\/internal\/fault\.burnCPU` \| /);
      // Only feed was slowed: no other endpoint's latency may be named.
      for (const line of markdown.split('\n').filter((l) => /^- \w+: p\d\d latency/.test(l))) assert.match(line, /^- feed: /);
    } finally {
      rmSync(resultsDir, { recursive: true, force: true });
    }
  });

  test('a bad BASE, bad head flags or BASE_URL without GATE_CMD are bad settings: exit 104, no folder and no load', { timeout: 60_000 }, async () => {
    const resultsDir = tempResultsDir();
    try {
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ BASE: 'no-such-ref' }, /BASE="no-such-ref" is not valid: it names no commit of this repository; valid values are a branch, tag or commit/],
        [{ BASE: 'HEAD', GATE_HEAD_ARGS: '-fault-cpu nope=1ms' }, /GATE_HEAD_ARGS="-fault-cpu nope=1ms" is not valid: the reference service refuses it \(.*unknown route "nope"/],
        [{ BASE: 'HEAD', BASE_URL: 'http://127.0.0.1:9' }, /BASE_URL="http:\/\/127\.0\.0\.1:9" would serve base and head alike; unset it .*or set GATE_CMD/],
        [{ BASE: 'HEAD', REPEAT: '1' }, /REPEAT="1" is not valid for a side-by-side gate; valid values are 2 to 10 rounds/],
      ];
      for (const [vars, sentence] of cases) {
        const gate = await runMake('gate', { SCENARIO: 'mixed', PROFILE: 'quick', RESULTS_DIR: resultsDir, ...vars });
        assert.match(gate.stderr, /Error 104\b/, gate.stderr.slice(-2000));
        assert.match(gate.stderr, sentence);
      }
      assert.deepEqual(readdirSync(resultsDir), [], 'nothing was made');
    } finally {
      rmSync(resultsDir, { recursive: true, force: true });
    }
  });
});
