// The Go service and thresholds/service-contract.ts name the same metric families and flags, with
// the same defaults: a name on one side only is a report section or a sweep that silently reads
// nothing, so this runs the built binary's -metrics and -flags and compares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { serviceBinary } from '../../cli/paths.ts';
import { durationToMs } from '../../lib/profiles.ts';
import { serviceFlag, targetMetric } from '../../thresholds/service-contract.ts';

function printed<T>(flag: string): T {
  assert.ok(existsSync(serviceBinary), `${serviceBinary} is missing: run make service`);
  const run = spawnSync(serviceBinary, [flag], { encoding: 'utf8' });
  assert.equal(run.status, 0, `${serviceBinary} ${flag} failed (stale build? run make service): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

test('the service exports exactly the metric families of thresholds/service-contract.ts', () => {
  const goNames = printed<{ name: string; type: string }[]>('-metrics').map((family) => family.name);
  const tsNames: string[] = Object.values(targetMetric);
  const goOnly = goNames.filter((name) => !tsNames.includes(name));
  const tsOnly = tsNames.filter((name) => !goNames.includes(name));
  assert.ok(
    goOnly.length === 0 && tsOnly.length === 0,
    `metric names differ: only in the Go service [${goOnly.join(', ')}], only in thresholds/service-contract.ts [${tsOnly.join(', ')}]`,
  );
});

// Go prints durations as 30m0s; loadgate documents 30m: the same length of time.
function sameDefault(go: string, ts: string): boolean {
  if (go === ts) return true;
  try {
    return durationToMs(go) === durationToMs(ts);
  } catch {
    return false;
  }
}

test('every flag loadgate passes exists in the service, with the default loadgate documents', () => {
  const goFlags = new Map(printed<{ name: string; default: string }[]>('-flags').map((flag) => [`-${flag.name}`, flag.default]));
  for (const [key, spec] of Object.entries(serviceFlag)) {
    assert.ok(goFlags.has(spec.flag), `serviceFlag.${key} is ${spec.flag}, which the service does not define (it has ${[...goFlags.keys()].join(', ')})`);
    if ('default' in spec) {
      const goDefault = goFlags.get(spec.flag)!;
      assert.ok(sameDefault(goDefault, spec.default), `${spec.flag} defaults to ${goDefault} in the service, ${spec.default} in thresholds/service-contract.ts`);
    }
  }
});
