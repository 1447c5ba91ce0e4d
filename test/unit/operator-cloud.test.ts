// What `make cloud` refuses, and what it changes, before anything starts (cli/distributed/cloud.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudScript, planCloudRun } from '../../cli/distributed/cloud.ts';
import { exitCodeOf } from '../../cli/exit-codes.ts';

const token = { K6_CLOUD_TOKEN: 'x' };
const publicTarget = { ...token, BASE_URL: 'https://api.example.test', LOADGATE_ALLOW_HOSTS: 'api.example.test' };
/** The refusal as main.ts would exit with it, or null when the plan goes ahead. */
const sentence = (env: NodeJS.ProcessEnv) => {
  try {
    planCloudRun(env);
    return null;
  } catch (error) {
    return `${exitCodeOf(error)}: ${(error as Error).message}`;
  }
};

test('without a token it says what to set', () => {
  assert.match(sentence({})!, /^104: make cloud needs K6_CLOUD_TOKEN/);
  assert.match(sentence({ K6_CLOUD_TOKEN: '  ' })!, /needs K6_CLOUD_TOKEN/);
});

test('the cloud cannot load this machine: loopback or no BASE_URL needs LOCAL_EXECUTION=1', () => {
  assert.match(sentence(token)!, /cannot reach the reference service on this machine; set BASE_URL .* or run on this machine with LOCAL_EXECUTION=1/);
  assert.match(sentence({ ...token, BASE_URL: 'http://127.0.0.1:8080' })!, /cannot reach http:\/\/127\.0\.0\.1:8080/);
  assert.equal(sentence({ ...token, LOCAL_EXECUTION: '1' }), null, 'run here, the reference service works');
  assert.equal(sentence(publicTarget), null);
});

// A public target off the allow-list is refused next, by the run's own check (cli/run.ts), as for make load-*.
test('bad cloud settings are refused naming the value', () => {
  assert.match(sentence({ ...publicTarget, K6_CLOUD_PROJECT_ID: 'abc' })!, /K6_CLOUD_PROJECT_ID="abc" is not valid; valid values are: an integer/);
  assert.match(sentence({ ...publicTarget, LOCAL_EXECUTION: 'maybe' })!, /LOCAL_EXECUTION="maybe" is not valid/);
  assert.match(sentence({ ...publicTarget, LOADGATE_CLOUD_DISTRIBUTION: 'amazon:us:ashburn=90' })!, /LOADGATE_CLOUD_DISTRIBUTION="amazon:us:ashburn=90" is not valid/);
});

test('a metrics URL only this machine can reach switches the alert monitor off', () => {
  const plan = planCloudRun({ ...publicTarget, LOADGATE_METRICS_URL: 'http://127.0.0.1:9090/metrics' });
  assert.equal(plan.env.LOADGATE_METRICS_URL, 'off');
  const kept = planCloudRun(publicTarget);
  assert.ok(kept.env.LOADGATE_METRICS_URL === undefined, "the target's own /metrics stays");
  assert.deepEqual(kept.cloud, { distribution: { 'amazon:us:ashburn': { loadZone: 'amazon:us:ashburn', percent: 100 } } });
  const project = planCloudRun({ ...publicTarget, K6_CLOUD_PROJECT_ID: '4242' });
  assert.equal(project.cloud.projectID, 4242);
});

test('the cloud script re-exports the scenario and adds options.cloud', () => {
  const script = cloudScript('/work/dist/mixed.js', { name: 'loadgate mixed smoke', distribution: {} });
  assert.match(script, /^import \* as scenario from 'file:\/\/\/work\/dist\/mixed\.js';$/m);
  assert.match(script, /^export \* from 'file:\/\/\/work\/dist\/mixed\.js';$/m);
  assert.match(script, /export const options = Object\.assign\(\{\}, scenario\.options, \{ cloud: \{"name":"loadgate mixed smoke","distribution":\{\}\} \}\);/);
});
