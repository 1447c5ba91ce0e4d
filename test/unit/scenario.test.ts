// defineScenario's contract with k6: the exports it provides are the ones build.mjs insists on, and a
// scenario that forgets one does not bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REQUIRED_EXPORTS } from '../../lib/scenario-exports.ts';

const root = resolve(import.meta.dirname, '..', '..');

test("build.mjs checks the exports lib/scenario.ts declares, no more and no fewer", () => {
  const build = readFileSync(join(root, 'build.mjs'), 'utf8');
  const list = build.match(/export const requiredExports = (\[[^\]]*\]);/)?.[1];
  assert.ok(list, 'build.mjs declares requiredExports');
  assert.deepEqual(JSON.parse(list.replace(/'/g, '"')), [...REQUIRED_EXPORTS]);
});

test('a scenario that forgets to export alertMonitor fails the build, naming the file and the export', () => {
  const output = join(root, 'dist', 'forgets-monitor.js');
  try {
    const run = spawnSync(process.execPath, ['build.mjs', 'test/fixtures/scenarios/forgets-monitor.ts'], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /test\/fixtures\/scenarios\/forgets-monitor\.ts does not export alertMonitor \(bundle dist\/forgets-monitor\.js\)/);
  } finally {
    for (const file of [output, `${output}.map`]) if (existsSync(file)) rmSync(file);
  }
});

test('every scenario in scenarios/ bundles with the exports k6 needs', () => {
  const run = spawnSync(process.execPath, ['build.mjs', 'scenarios/mixed.ts', 'scenarios/api-load.ts', 'scenarios/event-ingestion.ts'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

test("the load VUs' bundles carry no control-plane code; loadgate-control.js beside them carries it", () => {
  const outdir = mkdtempSync(join(tmpdir(), 'loadgate-split-'));
  try {
    const run = spawnSync(process.execPath, ['build.mjs', `--outdir=${outdir}`, 'scenarios/mixed.ts', 'scenarios/api-load.ts', 'scenarios/event-ingestion.ts'], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    // What only VU 0 runs: the settings parser, thresholds, the handshake and the summary renderers.
    const controlOnly = ['function parseConfig(', 'function serviceThresholds(', 'function handshake(', 'function renderJunit(', 'var scenarioVariables'];
    const control = readFileSync(join(outdir, 'loadgate-control.js'), 'utf8');
    for (const marker of controlOnly) assert.ok(control.includes(marker), `loadgate-control.js defines ${marker}`);
    for (const scenario of ['mixed', 'api-load', 'event-ingestion']) {
      const bundle = readFileSync(join(outdir, `${scenario}.js`), 'utf8');
      for (const marker of controlOnly) assert.ok(!bundle.includes(marker), `${scenario}.js must not define ${marker}: every VU would instantiate it`);
      assert.match(bundle, /"\.\/loadgate-control\.js"/, `${scenario}.js loads the control plane from beside itself`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
