// `make alerts-export` writes a Prometheus rules file from the same rules the monitor evaluates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertRules } from '../../thresholds/alerts.ts';
import { root, spawnCollect, tempResultsDir } from './harness.ts';

function promtoolPath(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

test('the exported rules file is valid and carries every rule', async () => {
  const file = join(tempResultsDir(), 'alerts.yml');
  const run = await spawnCollect(process.execPath, ['dist/cli.mjs', 'alerts-export', file], process.env);
  assert.equal(run.code, 0, run.stderr);
  const text = readFileSync(file, 'utf8');
  for (const rule of alertRules) {
    assert.match(text, new RegExp(`- alert: ${rule.name}\\n        expr: ".+"\\n        for: ${rule.for}\\n        labels:\\n          severity: ${rule.severity}\\n`));
  }
  const promtool = promtoolPath();
  assert.ok(promtool, 'promtool is missing: run make debian-packages (installs Debian\'s prometheus package)');
  const output = execFileSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
  assert.match(output, new RegExp(`SUCCESS: ${alertRules.length} rules found`));
});

test('the committed deploy/prometheus/alerts.yml is what the rules generate', async () => {
  const committed = join(root, 'deploy', 'prometheus', 'alerts.yml');
  assert.ok(existsSync(committed), 'run make alerts-export and commit the file');
  const file = join(tempResultsDir(), 'alerts.yml');
  await spawnCollect(process.execPath, ['dist/cli.mjs', 'alerts-export', file], process.env);
  assert.equal(readFileSync(committed, 'utf8'), readFileSync(file, 'utf8'), 'deploy/prometheus/alerts.yml is stale: run make alerts-export');
});
