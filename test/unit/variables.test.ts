import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SettingError } from '../../lib/config.ts';
import { parseRunConfig } from '../../cli/run-config.ts';
import { k6Environment, recordedEnvironment, splitArgs } from '../../cli/environment.ts';
import { variableNames, variables } from '../../cli/variables.ts';
import { secretLooking } from '../../lib/redact.ts';
import { scenarioVariables } from '../../lib/variables.ts';
import { defaultCell, generatedPages, makeTargets, projectRoot, regenerateCommand, withGeneratedSections } from '../../scripts/docs.ts';
import { cleanEnv } from '../integration/harness.ts';

const refusal = (pattern: RegExp) => (error: Error) => error instanceof SettingError && pattern.test(error.message);

test('booleans accept on/off, true/false and 1/0 in any case', () => {
  for (const [text, expected] of [
    ['on', true], ['ON', true], ['true', true], ['True', true], ['1', true],
    ['off', false], ['Off', false], ['false', false], ['FALSE', false], ['0', false],
  ] as const) {
    assert.equal(parseRunConfig({ PROFILE_CAPTURE: text }).profileCapture, expected, text);
  }
  assert.equal(parseRunConfig({}).profileCapture, true, 'on by default');
});

test('PROFILE_CAPTURE=maybe is refused with the valid words', () => {
  assert.throws(() => parseRunConfig({ PROFILE_CAPTURE: 'maybe' }), refusal(/^PROFILE_CAPTURE="maybe" is not valid; valid values are: on, off, true, false, 1, 0$/));
});

test('a batch the service would refuse is refused up front, naming the variable the user set', () => {
  const message = /^BATCH_SIZE="1000000000" is not valid; valid values are: an integer from 1 to 1000$/;
  assert.throws(() => parseRunConfig({ BATCH_SIZE: '1000000000' }), refusal(message));
  assert.throws(() => parseRunConfig(k6Environment({ BATCH_SIZE: '1000000000' })), refusal(message), 'after the CLI copies it for k6');
  assert.throws(() => parseRunConfig({ LOADGATE_BATCH_SIZE: '0' }), refusal(/^LOADGATE_BATCH_SIZE="0" is not valid/));
  assert.equal(parseRunConfig({ BATCH_SIZE: '1000' }).batchSize, 1000);
  assert.equal(parseRunConfig({ BATCH_SIZE: '7', LOADGATE_BATCH_SIZE: '9' }).batchSize, 9, 'the LOADGATE_ name wins');
});

test('zero think time and the off switch of the metrics URL stay valid', () => {
  assert.equal(parseRunConfig({ LOADGATE_THINK_TIME_SCALE: '0' }).thinkTimeScale, 0);
  assert.equal(parseRunConfig({ LOADGATE_METRICS_URL: 'OFF' }).metricsUrl, '');
});

test('TARGET_ARGS splits like a shell with simple quoting', () => {
  assert.deepEqual(parseRunConfig({ TARGET_ARGS: `-fault-delay 'feed=200ms' -name "a b"  -x` }).targetArgs, ['-fault-delay', 'feed=200ms', '-name', 'a b', '-x']);
  assert.deepEqual(parseRunConfig({}).targetArgs, []);
  assert.deepEqual(splitArgs(''), []);
});

test('the CLI-only settings parse: pprof URL, results folder, dashboard period', () => {
  const config = parseRunConfig({ PPROF_URL: 'http://127.0.0.1:6060/', RESULTS_DIR: 'out', PROFILE: 'smoke' });
  assert.equal(config.pprofUrl, 'http://127.0.0.1:6060');
  assert.equal(config.resultsDir, 'out');
  assert.equal(config.dashboardPeriod, '1s', "the profile's");
  assert.equal(parseRunConfig({}).pprofUrl, '');
  assert.throws(() => parseRunConfig({ PPROF_URL: 'localhost:6060' }), refusal(/^PPROF_URL="localhost:6060" is not valid/));
  assert.throws(() => parseRunConfig({ K6_WEB_DASHBOARD_PERIOD: '100ms' }), refusal(/from 1s to 10m/));
});

test('short names reach k6 under the LOADGATE_ prefix, without overriding it', () => {
  const env = k6Environment({ EVENTS_PER_SEC: '500', BATCH_SIZE: '10', LOADGATE_BATCH_SIZE: '20', BUFFER_FLUSH_INTERVAL: '2s' });
  assert.equal(env.LOADGATE_EVENTS_PER_SEC, '500');
  assert.equal(env.LOADGATE_BATCH_SIZE, '20');
  assert.equal(env.LOADGATE_FLUSH_INTERVAL, '2s');
  assert.equal(env.K6_NO_USAGE_REPORT, 'true');
});

test('meta.json records no secret and no credential inside a value', () => {
  const recorded = recordedEnvironment({
    PROFILE: 'smoke',
    BATCH_SIZE: '10',
    LOADGATE_TOKEN: 'abc',
    LOADGATE_TOKEN_SECRET: 'api_token',
    LOADGATE_SECRET_SOURCE: 'mock=api_token=abc',
    LOADGATE_TARGET_SECRET: 'def',
    K6_CLOUD_TOKEN: 'ghi',
    K6_WEB_DASHBOARD_PERIOD: '1s',
    BASE_URL: 'https://user:pw@staging.example.test/api',
    TARGET_ARGS: "-token-secret 'jkl' -fault-delay feed=200ms -api-key=mno",
    PATH: '/usr/bin',
  });
  assert.deepEqual(recorded, {
    PROFILE: 'smoke',
    BATCH_SIZE: '10',
    K6_WEB_DASHBOARD_PERIOD: '1s',
    BASE_URL: 'https://(redacted)@staging.example.test/api',
    TARGET_ARGS: '-token-secret (redacted) -fault-delay feed=200ms -api-key=(redacted)',
  });
});

test('every variable has a meaning, a default to show and a valid default', () => {
  for (const entry of variables) {
    assert.ok(entry.meaning.trim(), `${entry.name} has a meaning`);
    assert.ok(defaultCell(entry).trim(), `${entry.name} shows a default`);
    if (secretLooking.test(entry.name)) assert.ok(entry.secret, `${entry.name} looks like a credential: mark it secret`);
    if (entry.default !== '' && !entry.internal) {
      assert.doesNotThrow(() => parseRunConfig({ [entry.name]: entry.default }), `${entry.name}'s default ${entry.default} parses`);
    }
  }
  assert.equal(new Set(variableNames).size, variableNames.length, 'no name twice');
});

test("the whole table holds each entry k6 scenarios read once, and lib/variables.ts only those", () => {
  const scenarioNames = scenarioVariables.map((entry) => entry.name);
  const readByK6 = variables.filter((entry) => entry.readBy !== 'cli').map((entry) => entry.name);
  assert.deepEqual([...readByK6].sort(), [...scenarioNames].sort());
  assert.equal(new Set(readByK6).size, readByK6.length, 'placed once');
});

test('every generated table of the README and docs/ matches the data it is generated from', () => {
  for (const { file, sections } of generatedPages) {
    const page = readFileSync(resolve(projectRoot, file), 'utf8');
    const names = sections.map((section) => section.name).join(', ');
    assert.ok(page === withGeneratedSections(page, sections, file), `${file}'s generated sections (${names}) are out of date; run: ${regenerateCommand}`);
  }
});

test("the README's command table lists every target make help lists, and make help reads the same lines", () => {
  const makefile = readFileSync(resolve(projectRoot, 'Makefile'), 'utf8');
  const targets = makeTargets(makefile).map(({ target }) => target);
  const readme = readFileSync(resolve(projectRoot, 'README.md'), 'utf8');
  for (const target of ['load-mixed', 'test', 'gate', 'docs']) assert.ok(targets.includes(target), `make ${target} is a documented target`);
  for (const target of targets) assert.ok(readme.includes(`| \`make ${target}\` |`), `README.md's command table lacks make ${target}`);
  assert.equal(makeTargets('x: y ## does x\nnot a target\nz: ## does z\n').length, 2);
});

test("the Makefile exports every variable a user sets on make's command line, and nothing unknown", () => {
  const makefile = readFileSync(resolve(import.meta.dirname, '..', '..', 'Makefile'), 'utf8');
  const exported = [...makefile.matchAll(/^export ([^:=\n]+?)(?:\s*:?=.*)?$/gm)].flatMap((match) => match[1].trim().split(/\s+/));
  // The short alias is the name the README and `make help` teach.
  const userNames = variables.filter((entry) => !entry.internal).map((entry) => entry.alias ?? entry.name);
  const missing = userNames.filter((name) => !exported.includes(name));
  assert.deepEqual(missing, [], `add to the Makefile's export line: ${missing.join(' ')}`);
  const unknown = exported.filter((name) => !variableNames.includes(name));
  assert.deepEqual(unknown, [], 'exported but not in cli/variables.ts');
});

test("the integration harness clears the table's variables from a developer's shell, except K6", () => {
  const saved = { ...process.env };
  Object.assign(process.env, { BATCH_SIZE: '5', LOADGATE_TOKEN: 'abc', PROFILE: 'stress', K6: '/opt/k6', LOADGATE_RUN_DIR: '/tmp/x' });
  try {
    const env = cleanEnv({ PROFILE: 'smoke' });
    assert.equal(env.BATCH_SIZE, undefined);
    assert.equal(env.LOADGATE_TOKEN, undefined);
    assert.equal(env.LOADGATE_RUN_DIR, undefined);
    assert.equal(env.PROFILE, 'smoke');
    assert.equal(env.K6, '/opt/k6');
    assert.equal(env.PATH, saved.PATH);
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
});
