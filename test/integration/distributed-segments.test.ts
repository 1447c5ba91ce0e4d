// Segment safety of the load shapes themselves: the scenarios of api-load (ramping arrival rate)
// and mixed (ramping VUs, plus the one-VU alert monitor), as `k6 inspect` resolves them at smoke,
// are run by a probe whose iterations only sleep, once whole and split into 2 and 3 execution
// segments. The planned iterations (started plus dropped) and the VUs of the segments add up to the
// whole. No request is made; stages are shortened five-fold so the probe takes seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segmentFlags } from '../../cli/distributed/local.ts';
import { mergeOutputs } from '../../cli/distributed/merge.ts';
import { durationToMs, msToDuration } from '../../lib/profiles.ts';
import { cleanEnv, k6, spawnCollect } from './harness.ts';

type Scenario = Record<string, unknown> & { executor: string; stages?: Array<{ duration: string; target: number }>; duration?: string };

function scenariosOf(bundle: string): Record<string, Scenario> {
  const options = JSON.parse(
    execFileSync(k6, ['inspect', '--include-system-env-vars', join('dist', bundle)], { env: cleanEnv({ PROFILE: 'smoke' }), encoding: 'utf8', timeout: 30_000 }),
  ) as { scenarios: Record<string, Scenario> };
  return options.scenarios;
}

const shorten = (duration: string) => msToDuration(durationToMs(duration) / 5);

/** The scenario as k6 resolved it, five times shorter, running the probe. */
function probeScenario(scenario: Scenario): Scenario {
  const copy: Scenario = Object.fromEntries(Object.entries(scenario).filter(([, value]) => value !== null)) as Scenario;
  copy.exec = 'probe';
  if (copy.stages) copy.stages = copy.stages.map((stage) => ({ ...stage, duration: shorten(stage.duration) }));
  // A quiet tail: an arrival-rate iteration due in the scenario's last instant is lost, neither
  // started nor dropped, when a starved CPU fires its timer after the deadline (seen once in 3
  // segments while another suite ran: 40 of 41). Ending on 2 s of rate 0 keeps every due
  // iteration far from the deadline, so the counts can still be compared exactly.
  if (copy.executor === 'ramping-arrival-rate' && copy.stages) copy.stages.push({ duration: '100ms', target: 0 }, { duration: '2s', target: 0 });
  if (copy.duration) copy.duration = shorten(copy.duration);
  return copy;
}

test('iterations and VUs planned by 2 and 3 execution segments add up to the whole plan', { timeout: 120_000 }, async () => {
  const scenarios = {
    ...Object.fromEntries(Object.entries(scenariosOf('api-load.js')).map(([name, s]) => [`api_${name}`, probeScenario(s)])),
    ...Object.fromEntries(Object.entries(scenariosOf('mixed.js')).map(([name, s]) => [`mixed_${name}`, probeScenario(s)])),
  };
  const executors = new Set(Object.values(scenarios).map((s) => s.executor));
  assert.ok(executors.has('ramping-arrival-rate') && executors.has('ramping-vus') && executors.has('constant-vus'), [...executors].join(', '));
  const keys = Object.keys(scenarios).flatMap((name) => [`iterations{scenario:${name}}`, `dropped_iterations{scenario:${name}}`, `probe_vus{scenario:${name}}`]);
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-segments-'));
  const script = join(dir, 'probe.js');
  writeFileSync(
    script,
    [
      "import { sleep } from 'k6';",
      "import exec from 'k6/execution';",
      "import { Counter } from 'k6/metrics';",
      "const vus = new Counter('probe_vus');",
      'const seen = new Set();',
      `export const options = ${JSON.stringify({ scenarios, thresholds: Object.fromEntries(keys.map((key) => [key, ['count>=0']])) })};`,
      // One count per VU and scenario: a ramping-vus plan is its VUs.
      'export function probe() { if (!seen.has(exec.scenario.name)) { seen.add(exec.scenario.name); vus.add(1); } sleep(0.05); }',
      '',
    ].join('\n'),
  );
  const splits = [1, 2, 3];
  const runs = splits.flatMap((n) => Array.from({ length: n }, (_, i) => ({ n, i, raw: join(dir, `split${n}-${i}.json.gz`) })));
  const outcomes = await Promise.all(
    runs.map((r) => spawnCollect(k6, ['run', '--quiet', '--address=', '--no-summary', ...segmentFlags(r.i, r.n), `--out=json=${r.raw}`, script], cleanEnv({}))),
  );
  outcomes.forEach((outcome, i) => assert.equal(outcome.code, 0, `${runs[i].raw}: ${outcome.stderr.slice(-1000)}`));
  const counts = async (raw: string[]) => {
    const { summary } = await mergeOutputs({ sources: raw, summaries: [], thresholds: Object.fromEntries(keys.map((key) => [key, ['count>=0']])) });
    return Object.fromEntries(Object.keys(scenarios).map((name) => [name, {
      planned: summary.metrics[`iterations{scenario:${name}}`].values.count + summary.metrics[`dropped_iterations{scenario:${name}}`].values.count,
      vus: summary.metrics[`probe_vus{scenario:${name}}`].values.count,
    }]));
  };
  const whole = await counts(runs.filter((r) => r.n === 1).map((r) => r.raw));
  for (const n of [2, 3]) {
    const parts = await Promise.all(runs.filter((r) => r.n === n).map((r) => counts([r.raw])));
    for (const [name, scenario] of Object.entries(scenarios)) {
      const sum = (field: 'planned' | 'vus') => parts.reduce((total, part) => total + part[name][field], 0);
      assert.ok(whole[name].vus > 0, `${name} ran`);
      if (scenario.executor === 'ramping-arrival-rate') assert.equal(sum('planned'), whole[name].planned, `${name} (${scenario.executor}), ${n} segments: iterations`);
      else assert.equal(sum('vus'), whole[name].vus, `${name} (${scenario.executor}), ${n} segments: VUs`);
    }
    assert.deepEqual(parts.map((part) => part.mixed_alert_monitor.vus), [1, ...Array(n - 1).fill(0)], 'the alert monitor runs in the first segment only');
  }
});
