// The CLI's command list (cli/commands.ts), `make help` and `node dist/cli.mjs --help` agree: every
// make target that calls the CLI is in the list with its command, and every command in the list is
// reachable from a make target that `make help` shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commands } from '../../cli/commands.ts';
import { profileNames } from '../../lib/profiles.ts';
import { variableNames } from '../../cli/variables.ts';

const root = resolve(import.meta.dirname, '..', '..');

/** make target → the CLI command its recipe runs ($(CLI) <command>). */
function makefileCliCalls(): Map<string, string> {
  const calls = new Map<string, string>();
  let target = '';
  for (const line of readFileSync(join(root, 'Makefile'), 'utf8').split('\n')) {
    const rule = /^([a-z0-9-]+):/.exec(line);
    if (rule) target = rule[1];
    const call = /^\t.*\$\(CLI\) ([a-z-]+)/.exec(line);
    if (call && target) calls.set(target, call[1]);
  }
  return calls;
}

function makeHelpTargets(): string[] {
  const help = spawnSync('make', ['--no-print-directory', 'help'], { cwd: root, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  return [...help.stdout.matchAll(/^ {2}make (\S+)/gm)].map((match) => match[1]);
}

test('every make target that calls the CLI is in cli/commands.ts with the command it runs', () => {
  const calls = makefileCliCalls();
  assert.ok(calls.size >= 10, `found only ${calls.size} make targets calling $(CLI)`);
  for (const [target, name] of calls) {
    const command = commands.find((candidate) => candidate.name === name);
    assert.ok(command, `make ${target} runs "$(CLI) ${name}", which cli/commands.ts does not list`);
    assert.ok(command.makeTargets.includes(target), `make ${target} runs ${name}, but cli/commands.ts lists ${name}'s targets as ${command.makeTargets.join(', ')}`);
  }
});

test('every command in cli/commands.ts is run by the make targets it names, each shown by make help', () => {
  const calls = makefileCliCalls();
  const shown = makeHelpTargets();
  for (const command of commands) {
    assert.ok(command.makeTargets.length > 0, `${command.name} names no make target`);
    for (const target of command.makeTargets) {
      assert.equal(calls.get(target), command.name, `cli/commands.ts says make ${target} runs ${command.name}; the Makefile's recipe runs ${calls.get(target) ?? 'no CLI command'}`);
      assert.ok(shown.includes(target), `make help does not list ${target} (its rule needs a ## description)`);
    }
    for (const name of command.variables) assert.ok(variableNames.includes(name), `${command.name} reads ${name}, which cli/variables.ts does not define`);
  }
});

test('node dist/cli.mjs --help lists every command with its usage and make targets, exit 0', () => {
  const cli = join(root, 'dist', 'cli.mjs');
  assert.ok(existsSync(cli), `${cli} is missing: run make build`);
  const help = spawnSync(process.execPath, [cli, '--help'], { cwd: root, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  for (const command of commands) {
    assert.ok(help.stdout.includes(`  ${`${command.name} ${command.args}`.trimEnd()}\n`), `--help lacks the line for ${command.name}`);
    assert.ok(help.stdout.includes(command.usage), `--help lacks ${command.name}'s usage`);
    for (const target of command.makeTargets) assert.match(help.stdout, new RegExp(`make ${target}[,;\\n]`), `--help lacks make ${target}`);
  }
});

test('an unknown command is exit 2 naming the valid ones', () => {
  const run = spawnSync(process.execPath, [join(root, 'dist', 'cli.mjs'), 'lod'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /unknown command "lod"; valid commands are: run, load-distributed, merge/);
});

test("`make help`'s list of profiles is lib/profiles.ts's, so a new profile cannot be missing from it", () => {
  const listed = [...readFileSync(join(root, 'Makefile'), 'utf8').matchAll(/PROFILE=([a-z]+(?:\|[a-z]+)+)/g)].map((match) => match[1]);
  assert.ok(listed.length >= 1, 'the Makefile names the profiles somewhere as PROFILE=a|b|…');
  for (const list of listed) assert.equal(list, profileNames.join('|'));
});
