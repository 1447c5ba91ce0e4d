import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const makefile = readFileSync('Makefile', 'utf8');
const k6Version = /^K6_VERSION := v(\d+)\.(\d+)\.(\d+)$/m.exec(makefile);

// Recorded runs (fixtures, committed baselines, the published bench) name the k6 that measured them; that is data, not a pin.
test('k6 is pinned to one exact version in the Makefile', () => {
  assert.ok(k6Version, 'K6_VERSION := vX.Y.Z in the Makefile');
  const tracked = execFileSync('git', ['grep', '-l', '-F', `v${k6Version.slice(1).join('.')}`, '--', '.', ':!test/fixtures', ':!results/baselines', ':!**/go.sum', ':!docs/figures', ':!docs/benchmarks.md'], {
    encoding: 'utf8',
  });
  assert.deepEqual(tracked.trim().split('\n'), ['Makefile'], 'the version is written nowhere else');
});

test('@types/k6 follows the pinned k6 major version', () => {
  const types = (JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@types/k6'];
  assert.match(types, /^\d+\.\d+\.\d+$/, '@types/k6 is pinned exactly');
  assert.equal(types.split('.')[0], k6Version![1]);
});
