// Bundles every scenarios/*.ts into a k6 script in dist/, the node CLI into dist/cli.mjs and the
// distributed runners' reducer and collector into dist/delivery.mjs.
// `node build.mjs path/to/scenario.ts…` bundles only those scenario files: the CLI uses it to run
// a team's scenario that lives outside scenarios/. `--outdir=DIR` writes there instead of dist/:
// test/unit/bundles.test.ts builds apart from the dist/ that other tests run meanwhile.
import { build } from 'esbuild';
import { cpSync, readdirSync } from 'node:fs';

const outdirFlag = '--outdir=';
const outdir = process.argv.find((arg) => arg.startsWith(outdirFlag))?.slice(outdirFlag.length) ?? 'dist';
const only = process.argv.slice(2).filter((arg) => !arg.startsWith(outdirFlag));
const scenarioEntries = only.length
  ? only
  : readdirSync('scenarios')
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `scenarios/${file}`);

const shared = {
  bundle: true, // k6 cannot resolve TypeScript imports between our own modules
  sourcemap: true, // k6 and node map stack traces back to the .ts line
  target: 'es2020', // sobek (k6's JS engine) and node 20 both run ES2020 natively
  logLevel: 'warning', // silent on success, loud on anything odd
};

// What k6 needs a scenario to export; lib/scenario.ts's defineScenario provides each one, and
// test/unit/scenario.test.ts keeps this list equal to lib/scenario-exports.ts.
export const requiredExports = ['options', 'setup', 'alertMonitor', 'handleSummary', 'default'];

const scenarios = await build({
  ...shared,
  entryPoints: scenarioEntries,
  metafile: true, // lists each bundle's exports, checked below
  outdir,
  format: 'esm', // k6 runs ES modules without its own transpiling step
  platform: 'browser', // k6's runtime is browser-like: no node built-ins may leak in
  external: ['k6', 'k6/*', 'https://*', 'http://*'], // k6 modules and remote jslibs are resolved by k6 itself
  sourcesContent: false, // keeps the maps small; the sources are in the repository
});

// A scenario built on defineScenario that forgot an export would lose its monitor or summary
// without a word at run time. A plain k6 script (no defineScenario) is left as k6 takes it.
for (const [output, { entryPoint, exports, inputs }] of Object.entries(scenarios.metafile.outputs)) {
  const defined = Object.keys(inputs).some((input) => input.endsWith('lib/scenario.ts'));
  const missing = entryPoint && defined ? requiredExports.filter((name) => !exports.includes(name)) : [];
  if (missing.length) {
    console.error(`${entryPoint} does not export ${missing.join(', ')} (bundle ${output}); export them from defineScenario (lib/scenario.ts): export const { options, setup, alertMonitor, handleSummary } = scenario; export default scenario.refuseShortcut;`);
    process.exit(1);
  }
}

if (!only.length) await build({
  ...shared,
  entryPoints: ['cli/main.ts'],
  outfile: `${outdir}/cli.mjs`,
  format: 'esm', // package.json declares "type": "module"
  platform: 'node', // the CLI orchestrates processes and files
  packages: 'external', // dev dependencies (playwright-core) load from node_modules at run time
});

// The reducer beside each distributed runner and the collector they deliver to
// (cli/distributed/delivery.ts): node built-ins only, so a plain node image runs it.
if (!only.length) await build({
  ...shared,
  entryPoints: ['cli/distributed/delivery-main.ts'],
  outfile: `${outdir}/delivery.mjs`,
  format: 'esm',
  platform: 'node',
});

// VU 0's half of every scenario (lib/control.ts): lib/scenario.ts loads it with k6's require() from
// beside the scenario bundle, so it is built into every outdir a scenario is built into.
await build({
  ...shared,
  entryPoints: ['lib/control.ts'],
  outfile: `${outdir}/loadgate-control.js`,
  // CommonJS, not an ES module: k6 keeps an ES module's syntax tree for the whole run (to link it
  // into each VU that imports it), where a CommonJS file is compiled once and its tree let go.
  // For this bundle that tree was 0.75 MB of k6's live heap (docs/benchmarks.md).
  format: 'cjs',
  platform: 'browser',
  external: ['k6', 'k6/*'],
  // The map is written but not linked: k6 parses a linked map and keeps it all run (0.25 MB of
  // live heap for this bundle). Its errors are loadgate's own and name their function; a team's
  // scenario bundle keeps its linked map, so its stack traces still point at its .ts lines.
  sourcemap: 'external',
  sourcesContent: false,
});

// k6/net/grpc reads the .proto at init time, relative to the bundle: ship it beside the scripts.
cpSync('proto', `${outdir}/proto`, { recursive: true });
