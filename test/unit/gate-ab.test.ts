// The side-by-side gate's decision over paired rounds, and its run order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRounds, type Round } from '../../cli/gate/ab-compare.ts';
import { schedule } from '../../cli/gate/ab.ts';
import type { EndpointFigures, RunFigures } from '../../cli/runs/figures.ts';

function endpoint(p50: number, failures = 0, requests = 300): EndpointFigures {
  return { requests, failures, errorRate: failures / requests, throughput: requests / 30, latency: { count: requests - failures, p50, p90: p50 * 1.6, p95: p50 * 2, p99: p50 * 3, avg: p50, min: p50 / 2, max: p50 * 4 } };
}

function run(feedP50: number, feedFailures = 0): RunFigures {
  return {
    folder: 'x', scenario: 'mixed', profile: 'smoke', exitCode: 0, reason: 'passed', durationSeconds: 30,
    endpoints: { feed: endpoint(feedP50, feedFailures), vote: endpoint(0.9) },
    checks: { passes: 700, fails: 0, rate: 1 }, iterations: 200, droppedIterations: 0,
  };
}

// Round-to-round noise of a few percent, the same on both sides of a round (shared machine state).
const noise = [1, 1.06, 0.95, 1.03];
const rounds = (headFactor: number, headFailures = 0): Round[] => noise.map((n) => ({ base: run(1 * n), head: run(headFactor * n * (1 + (n - 1) / 4), headFailures) }));

test('an A/A gate fails nothing and every interval straddles 0', () => {
  const decision = decideRounds(rounds(1));
  assert.deepEqual(decision.regressions, []);
  for (const c of decision.comparisons.filter((x) => x.estimate && x.metric === 'p50')) assert.ok(c.estimate!.low <= 0 && c.estimate!.high >= 0, `${c.endpoint} ${c.metric}`);
});

test('feed 50% slower on head fails p50 and p95 of feed only, with the change and interval named', () => {
  const decision = decideRounds(rounds(1.5));
  const named = decision.regressions.map((r) => `${r.endpoint} ${r.metric}`).sort();
  assert.deepEqual(named, ['feed p50', 'feed p95', 'feed p99']);
  assert.match(decision.regressions[0].sentence, /^feed: p50 latency \+5\d\.\d% on head \(1\.\d\d ms against 1\.\d\d ms; 95% interval \+\d+\.\d% to \+\d+\.\d%; Holm-adjusted p = [\d.e-]+ that it is worse by more than 10\.0%\)$/);
});

test('a 5% slowdown is below the minimum effect and passes, whatever its interval', () => {
  assert.deepEqual(decideRounds(rounds(1.05)).regressions, []);
});

test('errors on head are judged as shares: 3% of feed failing fails error rate', () => {
  const decision = decideRounds(rounds(1, 9));
  assert.deepEqual(decision.regressions.map((r) => `${r.endpoint} ${r.metric}`), ['feed errorRate']);
  assert.match(decision.regressions[0].sentence, /error rate \+3\.00 points on head/);
});

test('the run order is a warm-up pair, then ABBA rounds', () => {
  assert.deepEqual(schedule(3).map((r) => `${r.round}${r.side[0]}`), ['0b', '0h', '1b', '1h', '2h', '2b', '3b', '3h']);
});

test('gate.md names the mode, the regression, the head-only flags and the function that grew', async () => {
  const { renderAbMarkdown, renderAbJunit } = await import('../../cli/gate/ab-render.ts');
  const decision = decideRounds(rounds(1.5));
  const settings = { scenarioArgument: 'mixed', scenario: 'mixed', profile: 'smoke', resultsDir: 'results', rounds: 4, base: { ref: 'HEAD~1', commit: 'a'.repeat(40) }, head: { commit: 'b'.repeat(40), dirty: false }, headArgs: ['-fault-cpu', 'feed=3ms'], command: '', healthUrl: '' };
  const cause = { growth: [{ kind: 'cpu' as const, function: 'loadgate/service/internal/fault.burnCPU', base: 0, head: 966_800, noise: 'larger than noise (p = 0.029)' }] };
  const markdown = renderAbMarkdown({ scenario: 'mixed', profile: 'smoke', outcome: 'regression', exitCode: 1, sentences: decision.regressions.map((r) => r.sentence), settings, runs: [], decision, cause });
  assert.match(markdown, /^Mode: \*\*side by side\*\* on this machine\. Base: `HEAD~1` \(aaaaaaaaaaaa\); head: the work tree at bbbbbbbbbbbb, head's service with `-fault-cpu feed=3ms` \(GATE_HEAD_ARGS\)\. 4 rounds/m);
  assert.match(markdown, /^\| feed \| p50 latency \| 1\.\d\d ms \| 1\.\d\d ms \| \+5\d\.\d% \| \+\d+\.\d% to \+\d+\.\d% \| [\d.e-]+ \| \*\*regression\*\* \|$/m);
  assert.match(markdown, /^\| CPU per request \| `loadgate\/service\/internal\/fault\.burnCPU` \| 0 ns \| 966\.8 µs \| \+966\.8 µs \| larger than noise \(p = 0\.029\) \|$/m);
  const junit = renderAbJunit({ scenario: 'mixed', profile: 'smoke', outcome: 'regression', exitCode: 1, sentences: [], settings, runs: [], decision, cause });
  assert.equal(junit.match(/<failure /g)?.length, decision.regressions.length);
});
