// The Go service and the TypeScript endpoint table name the same routes; a name on one side only
// would mean a fault, metric label or SLO that silently never matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { serviceBinary } from '../../cli/paths.ts';
import { endpointNames } from '../../thresholds/reference-endpoints.ts';

test('the service routes are exactly the endpoints of thresholds/reference-endpoints.ts', () => {
  assert.ok(existsSync(serviceBinary), `${serviceBinary} is missing: run make service`);
  const run = spawnSync(serviceBinary, ['-routes'], { encoding: 'utf8' });
  assert.equal(run.status, 0, `${serviceBinary} -routes failed (stale build? run make service): ${run.stderr}`);
  const goRoutes: string[] = JSON.parse(run.stdout);
  const tsNames: readonly string[] = endpointNames;
  const goOnly = goRoutes.filter((name) => !tsNames.includes(name));
  const tsOnly = tsNames.filter((name) => !goRoutes.includes(name));
  assert.ok(
    goOnly.length === 0 && tsOnly.length === 0,
    `route names differ: only in the Go service [${goOnly.join(', ')}], only in thresholds/reference-endpoints.ts [${tsOnly.join(', ')}]`,
  );
});
