import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const workflowPath = '.github/workflows/nightly.yml';
const workflow = readFileSync(resolve(root, workflowPath), 'utf8');
const pullRequestPath = '.github/workflows/pull-request.yml';
const pullRequest = readFileSync(resolve(root, pullRequestPath), 'utf8');
// The pinned build `make actionlint` (a prerequisite of make test-unit) puts in .bin/.
const version = /^ACTIONLINT_VERSION := (\S+)$/m.exec(readFileSync(resolve(root, 'Makefile'), 'utf8'))?.[1];
const actionlint = resolve(root, '.bin', `actionlint-${version}`, 'actionlint');

test('actionlint finds nothing wrong with the nightly and pull-request workflows', () => {
  assert.ok(version, 'the Makefile pins ACTIONLINT_VERSION');
  assert.ok(existsSync(actionlint), `${actionlint} is missing; run: make actionlint`);
  const result = spawnSync(actionlint, ['-no-color', workflowPath, pullRequestPath], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `actionlint:\n${result.stdout}${result.stderr}`);
});

test('actionlint is not a rubber stamp: a broken workflow fails it', () => {
  const broken = workflow.replace('if: always()', 'if: always(');
  const result = spawnSync(actionlint, ['-no-color', '-'], { cwd: root, input: broken, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(result.status, 0);
});

test('the nightly workflow is scheduled and manual, gates with make and uploads the run folders whatever happens', () => {
  assert.match(workflow, /^on:\n {2}schedule:\n {4}- cron: /m);
  assert.match(workflow, /^ {2}workflow_dispatch:/m);
  const runs = [...workflow.matchAll(/^\s+run: (.+)$/gm)].map((match) => match[1]);
  assert.ok(runs.length >= 2);
  for (const command of runs) assert.match(command, /^make [a-z]/, `only Makefile targets in run steps: ${command}`);
  assert.ok(runs.some((command) => command.startsWith('make gate ')));
  assert.match(workflow, /if: always\(\)\n\s+uses: actions\/upload-artifact@v\d+/);
});

test('the nightly gates side by side on its own runner: BASE set, no comparison with another machine\'s baseline', () => {
  assert.doesNotMatch(workflow, /GATE_ALLOW_OTHER_MACHINE/);
  assert.match(workflow, /^ {2}gate:[\s\S]*make gate .*BASE="\$BASE"/m);
  assert.match(workflow, /BASE: \$\{\{ github\.event_name == 'schedule' && 'HEAD~1' \|\| inputs\.base \}\}/);
  assert.match(workflow, /fetch-depth: 0/, 'the base commit is in the clone');
  assert.match(workflow, /path: results\/history/, 'the history is kept between nights');
});

test('pull requests are gated head against the base branch they merge into, with make only', () => {
  assert.match(pullRequest, /^on:\n {2}pull_request:/m);
  const runs = [...pullRequest.matchAll(/^\s+run: (.+)$/gm)].map((match) => match[1]);
  for (const command of runs) assert.match(command, /^make [a-z]/, `only Makefile targets in run steps: ${command}`);
  assert.ok(runs.some((command) => command.startsWith('make gate ') && command.includes('BASE=HEAD^1')));
  assert.match(pullRequest, /fetch-depth: 2/);
  assert.match(pullRequest, /if: always\(\)\n\s+uses: actions\/upload-artifact@v\d+/);
});

test('the nightly and pull-request gates run the calibrated configuration, the same in both', () => {
  const setting = (text: string, name: string) => new RegExp(`^ {6}${name}: (?:\\$\\{\\{ inputs\\.\\w+ \\|\\| )?["']?([\\w-]+)["']?`, 'm').exec(text)?.[1];
  for (const name of ['PROFILE', 'VUS', 'REPEAT']) {
    assert.ok(setting(workflow, name), `nightly sets ${name}`);
    assert.equal(setting(pullRequest, name), setting(workflow, name), `${name} is the same in both`);
  }
  const calibrated = /calibrated configuration: `PROFILE=(\w+) VUS=(\d+) REPEAT=(\d+)`/.exec(readFileSync(resolve(root, 'docs/gate.md'), 'utf8'));
  assert.ok(calibrated, 'docs/gate.md names the calibrated configuration');
  assert.deepEqual(['PROFILE', 'VUS', 'REPEAT'].map((name) => setting(workflow, name)), calibrated.slice(1, 4));
});
