import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointNames, referenceEndpoints } from '../../thresholds/reference-endpoints.ts';
import { failedResponsesKey, parseFailedResponsesKey, statusTag } from '../../thresholds/keys.ts';
import { endpointGuards, failedResponseRecords, scenarioGuards } from '../../thresholds/guards.ts';
import { droppedIterationThreshold, endpointThresholds, serviceThresholds } from '../../thresholds/objectives.ts';
import { alertRules, alertThresholds, promql } from '../../thresholds/alerts.ts';
import { mergeThresholds } from '../../thresholds/types.ts';
import { apiSettings, defineEndpoints, tokenHeader } from '../../thresholds/endpoints.ts';

test('latency thresholds come from the SLO table, on successful responses', () => {
  const thresholds = endpointThresholds(referenceEndpoints, ['feed', 'vote']);
  assert.deepEqual(thresholds['http_req_duration{endpoint:feed,expected_response:true}'], ['p(50)<50', 'p(95)<100', 'p(99)<250']);
  assert.deepEqual(thresholds['http_req_duration{endpoint:vote,expected_response:true}'][1], `p(95)<${referenceEndpoints.vote.slo.p95}`);
  assert.deepEqual(
    thresholds['http_req_failed{endpoint:vote}'],
    ['rate<0.01', { threshold: 'rate<1', abortOnFail: true, delayAbortEval: '10s' }],
    'an always-failing endpoint cannot pass, and stops the run when nothing but failures came back',
  );
  const grpc = endpointThresholds(referenceEndpoints, ['events_ingest'], 'grpc');
  assert.deepEqual(Object.keys(grpc), ['grpc_req_duration{endpoint:events_ingest}']);
});

test('the issue\'s p95 targets are in the table', () => {
  const expected = { feed: 100, clip_detail: 50, related: 75, search: 100, comments_list: 50, comment_create: 100, vote: 50 };
  for (const [endpoint, p95] of Object.entries(expected)) assert.equal(referenceEndpoints[endpoint as keyof typeof referenceEndpoints].slo.p95, p95);
  for (const endpoint of endpointNames) {
    const { p50, p95, p99 } = referenceEndpoints[endpoint].slo;
    assert.ok(p50! < p95! && p95! < p99!, endpoint);
  }
});

test('guards exist for every endpoint and scenario asked for', () => {
  const guards = mergeThresholds(endpointGuards(endpointNames), scenarioGuards(['a', 'b']));
  assert.equal(Object.keys(guards).length, endpointNames.length + 2);
  for (const endpoint of endpointNames) assert.deepEqual(guards[`http_reqs{endpoint:${endpoint}}`], ['count>0']);
  assert.deepEqual(guards['iterations{scenario:b}'], ['count>0']);
});

test('service thresholds: error and check rates, optional throughput and abort rules', () => {
  const plain = serviceThresholds();
  assert.deepEqual(plain.http_req_failed, ['rate<0.01']);
  assert.deepEqual(plain.checks, ['rate>0.99']);
  assert.equal(plain.http_reqs, undefined);
  const breakpoint = serviceThresholds({ minRps: 100, abortOnDegradation: true });
  assert.deepEqual(breakpoint.http_reqs, ['rate>100']);
  assert.ok(breakpoint.http_req_failed.some((rule) => typeof rule === 'object' && rule.abortOnFail));
  for (const key of ['dropped_iterations', 'grpc_req_duration', 'http_req_duration{expected_response:true}']) {
    assert.ok(breakpoint[key].every((rule) => typeof rule === 'object' && rule.abortOnFail), key);
  }
  assert.deepEqual(droppedIterationThreshold(1000), { dropped_iterations: ['count<=10'] });
});

test('critical alerts abort, warnings are recorded only, unless asked otherwise', () => {
  const byDefault = alertThresholds(alertRules, 'critical');
  assert.deepEqual(byDefault['loadgate_alerts_fired{alert:HighErrorRate}'], [{ threshold: 'count<1', abortOnFail: true }]);
  assert.deepEqual(byDefault['loadgate_alerts_fired{alert:HighAPILatency}'], ['count>=0']);
  const strict = alertThresholds(alertRules, 'warning');
  assert.deepEqual(strict['loadgate_alerts_fired{alert:HighAPILatency}'], [{ threshold: 'count<1', abortOnFail: true }]);
  const never = alertThresholds(alertRules, 'none');
  assert.deepEqual(never['loadgate_alerts_fired{alert:HighErrorRate}'], ['count>=0']);
});

test('the tuning guide\'s five rules are shipped with their windows and severities', () => {
  const summary = alertRules.map((r) => `${r.name}/${r.for}/${r.severity}/${r.above}`);
  assert.deepEqual(summary, [
    'HighAPILatency/2m/warning/0.5',
    'HighErrorRate/1m/critical/0.01',
    'HighEventLatency/2m/warning/0.1',
    'DatabaseConnectionPoolHigh/5m/warning/0.8',
    'BufferSizeHigh/5m/warning/0.8',
  ]);
  assert.equal(
    promql(alertRules[0]),
    'histogram_quantile(0.95, sum by (le) (rate(target_http_request_duration_seconds_bucket{route!~"events_ingest"}[1m]))) > 0.5',
  );
  assert.equal(promql(alertRules[4]), 'sum(target_event_buffer_size) / sum(target_event_buffer_limit) > 0.8');
});

test('open-model stages are per minute so small rates survive rounding', async () => {
  const { rampingArrivalRate, scheduledIterations } = await import('../../lib/options.ts');
  const { profiles } = await import('../../lib/profiles.ts');
  const scenario = rampingArrivalRate(profiles.smoke, 0.5, 'request') as { timeUnit: string; stages: Array<{ target: number }> };
  assert.equal(scenario.timeUnit, '1m');
  assert.deepEqual(scenario.stages.map((s) => s.target), [2, 2]);
  assert.equal(scheduledIterations(profiles.smoke, 100), Math.round(100 * 0.05 * (2.5 + 25)));
});

test('failed responses are one counter whose endpoint × status submetrics are record-only thresholds', () => {
  assert.equal(failedResponsesKey('comment_create', 404), 'loadgate_failed_responses{endpoint:comment_create,status:404}');
  assert.deepEqual(parseFailedResponsesKey(failedResponsesKey('comment_create', 'other')), { endpoint: 'comment_create', status: 'other' });
  assert.equal(parseFailedResponsesKey('http_reqs'), null);
  assert.equal(parseFailedResponsesKey('loadgate_failed_responses'), null, 'the parent metric is no submetric');
  assert.equal(statusTag(503), '503');
  assert.equal(statusTag(418), 'other');
  const records = failedResponseRecords(['feed', 'vote']);
  assert.equal(Object.keys(records).length, 2 * 17);
  assert.deepEqual(records[failedResponsesKey('vote', 0)], ['count>=0']);
});

test('an endpoint declares any subset of p50/p90/p95/p99/max and its own error objective', () => {
  const table = defineEndpoints({
    only_p95: { label: 'p95 only', method: 'GET', path: '/a', slo: { p95: 80 } },
    tail: { label: 'tail', method: 'POST', path: '/b', slo: { p90: 40, max: 900, errorRate: 0.05 } },
  });
  const thresholds = endpointThresholds(table, ['only_p95', 'tail']);
  assert.deepEqual(thresholds['http_req_duration{endpoint:only_p95,expected_response:true}'], ['p(95)<80']);
  assert.deepEqual(thresholds['http_req_duration{endpoint:tail,expected_response:true}'], ['p(90)<40', 'max<900']);
  assert.equal(thresholds['http_req_failed{endpoint:only_p95}'][0], 'rate<0.01', 'the service-wide objective by default');
  assert.equal(thresholds['http_req_failed{endpoint:tail}'][0], 'rate<0.05');
  assert.deepEqual(thresholds['loadgate_endpoint_down{endpoint:tail}'], [{ threshold: 'count<1', abortOnFail: true }], 'the mid-run all-failing abort');
  const noLatency = endpointThresholds(defineEndpoints({ e: { label: 'e', method: 'GET', path: '/e', slo: { errorRate: 0.1 } } }), ['e']);
  assert.equal(noLatency['http_req_duration{endpoint:e,expected_response:true}'], undefined, 'no latency target, no latency threshold');
});

test('a table refuses an objective it does not know or a value out of range, naming both', () => {
  assert.throws(() => defineEndpoints({ e: { label: 'e', method: 'GET', path: '/e', slo: { p75: 10 } as never } }), /endpoint e: slo\.p75 is not an objective; valid ones are p50, p90, p95, p99, max and errorRate/);
  assert.throws(() => defineEndpoints({ e: { label: 'e', method: 'GET', path: '/e', slo: { errorRate: 5 } } }), /endpoint e: slo\.errorRate=5 must be a number above 0 and at most 1/);
  assert.throws(() => defineEndpoints({ e: { label: 'e', method: 'GET', path: '/e', slo: { p95: -1 } } }), /slo\.p95=-1 must be a number above 0 \(milliseconds\)/);
});

test('API settings: health path, headers and token scheme default to /healthz, none and Bearer', () => {
  const plain = defineEndpoints({ e: { label: 'e', method: 'GET', path: '/e', slo: { p95: 1 } } });
  assert.deepEqual(apiSettings(plain), { health: { path: '/healthz', status: 200 }, headers: {}, token: { header: 'Authorization', scheme: 'Bearer' }, module: '' });
  assert.deepEqual(tokenHeader(apiSettings(plain).token, 'abc'), ['Authorization', 'Bearer abc']);
  const own = defineEndpoints({ e: { label: 'e', method: 'GET', path: '/e', slo: { p95: 1 } } }, { health: { path: '/ping', status: 204 }, headers: { 'X-Team': 't' }, token: { header: 'X-Api-Key', scheme: '' } });
  assert.deepEqual(apiSettings(own).health, { path: '/ping', status: 204 });
  assert.deepEqual(tokenHeader(apiSettings(own).token, 'abc'), ['X-Api-Key', 'abc']);
  assert.deepEqual(tokenHeader(apiSettings(defineEndpoints({}, { token: { scheme: 'Token' } })).token, 'abc'), ['Authorization', 'Token abc']);
});
