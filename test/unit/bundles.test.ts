// Every k6 VU instantiates its whole bundle, so the settings only the CLI reads must stay out of the
// scenario bundles (issue 19): lib/variables.ts holds the scenarios' entries, cli/variables.ts the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { transformSync } from 'esbuild';
import { variables, type Variable } from '../../cli/variables.ts';

const projectRoot = resolve(import.meta.dirname, '..', '..');

/** A string literal as esbuild prints it in a bundle: its choice of quotes, non-ASCII escaped. */
const printed = (text: string) => transformSync(`x(${JSON.stringify(text)})`).code.slice(2, -3);

/** What a bundle that carries the entry holds: its name as a table entry, and its meaning. */
const traces = (entry: Variable) => [`name: ${printed(entry.name)}`, printed(entry.meaning)];

test('no setting only the CLI reads is bundled into a k6 scenario; the CLI bundle carries them all', () => {
  // Built apart from dist/, which other test files run meanwhile.
  const outdir = mkdtempSync(join(tmpdir(), 'loadgate-bundles-'));
  try {
    const built = spawnSync(process.execPath, ['build.mjs', `--outdir=${outdir}`], { cwd: projectRoot, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    const cliOnly = variables.filter((entry) => entry.readBy === 'cli');
    assert.ok(cliOnly.length > 0);

    // The search finds what it looks for: the CLI bundle has every trace of every entry.
    const cli = readFileSync(join(outdir, 'cli.mjs'), 'utf8');
    for (const trace of cliOnly.flatMap(traces)) assert.ok(cli.includes(trace), `cli.mjs lacks ${trace}`);

    const scenarioBundles = readdirSync(outdir).filter((file) => file.endsWith('.js'));
    assert.ok(scenarioBundles.includes('mixed.js'), `scenario bundles built: ${scenarioBundles.join(', ')}`);
    for (const bundle of scenarioBundles) {
      const code = readFileSync(join(outdir, bundle), 'utf8');
      const carried = cliOnly.filter((entry) => traces(entry).some((trace) => code.includes(trace))).map((entry) => entry.name);
      assert.deepEqual(carried, [], `${bundle} carries settings only the CLI reads`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
