// Feeds summaries recorded from real runs (test/fixtures/runs) through the summary renderers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ms } from '../../lib/format.ts';
import { renderJunit } from '../../lib/summary/junit.ts';
import { failedThresholds, thresholdResults, type K6Summary } from '../../lib/summary/model.ts';
import { renderText } from '../../lib/summary/text.ts';

const fixture = (run: string): K6Summary =>
  JSON.parse(readFileSync(new URL(`../fixtures/runs/${run}/summary.json`, import.meta.url), 'utf8')) as K6Summary;

const runs = ['passed', 'failed-thresholds', 'aborted'] as const;
const occurrences = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;
const attribute = (xml: string, element: string, name: string) => Number(new RegExp(`<${element} [^>]*${name}="(\\d+)"`).exec(xml)?.[1]);

describe('renderJunit', () => {
  for (const run of runs) {
    test(`${run}: one balanced test case per threshold, counts in the header match`, () => {
      const summary = fixture(run);
      const xml = renderJunit(summary, 'loadgate.mixed.smoke');
      const thresholds = thresholdResults(summary).length;
      assert.ok(thresholds > 0, 'the fixture has thresholds');
      assert.equal(occurrences(xml, /<testcase /g), thresholds);
      assert.equal(occurrences(xml, /<\/testcase>/g), thresholds);
      assert.equal(attribute(xml, 'testsuites', 'tests'), thresholds);
      assert.equal(attribute(xml, 'testsuite', 'tests'), thresholds);
      const failures = failedThresholds(summary).length;
      assert.equal(occurrences(xml, /<failure /g), failures);
      assert.equal(occurrences(xml, /<\/failure>/g), failures);
      assert.equal(attribute(xml, 'testsuites', 'failures'), failures);
      assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites [^>]*>\n/);
      assert.match(xml, /<\/testsuite>\n<\/testsuites>\n$/);
      // Inside attribute values a raw < or a bare & would make the XML unreadable to CI.
      for (const [, value] of xml.matchAll(/="([^"]*)"/g)) {
        assert.doesNotMatch(value, /<|&(?!amp;|lt;|gt;|quot;)/, `unescaped attribute value ${value}`);
      }
    });
  }

  test('passed: no failure elements', () => {
    const xml = renderJunit(fixture('passed'), 'loadgate.mixed.smoke');
    assert.equal(attribute(xml, 'testsuites', 'failures'), 0);
    assert.doesNotMatch(xml, /<failure/);
  });

  test('failed-thresholds: each failed threshold is a <failure> in its own test case, with the observed value', () => {
    const summary = fixture('failed-thresholds');
    const xml = renderJunit(summary, 'loadgate.mixed.smoke');
    const feed = summary.metrics['http_req_duration{endpoint:feed,expected_response:true}'];
    const failedExpressions = Object.entries(feed.thresholds ?? {}).filter(([, t]) => !t.ok).map(([expr]) => expr);
    assert.ok(failedExpressions.includes('p(95)<100'), 'the recorded run failed feed p95');
    for (const expression of failedExpressions) {
      const observed = ms(feed.values[expression.split('<')[0]]);
      const name = `http_req_duration{endpoint:feed,expected_response:true} ${expression.replace('<', '&lt;')}`;
      const testcase = new RegExp(`<testcase [^>]*name="${escapeRegExp(name)}">\\s*<failure [^>]*>([^<]*)</failure>\\s*</testcase>`).exec(xml);
      assert.ok(testcase, `a failing test case for ${name}`);
      assert.ok(testcase[1].includes(`observed ${observed}`), `failure text "${testcase[1]}" names ${observed}`);
    }
  });

  test('aborted: the aborting alert is a failure with its count', () => {
    const xml = renderJunit(fixture('aborted'), 'loadgate.mixed.smoke');
    assert.match(xml, /name="loadgate_alerts_fired\{alert:HighErrorRate\} count&lt;1">\s*<failure [^>]*>[^<]*observed 1</);
  });
});

describe('renderText', () => {
  const label = { scenario: 'mixed', profile: 'smoke' };

  test('passed: PASSED, every endpoint listed, no alert', () => {
    const text = renderText(fixture('passed'), label);
    assert.match(text, /^loadgate mixed \(smoke\): PASSED\n/);
    for (const endpoint of ['feed', 'clip_detail', 'related', 'search', 'comments_list', 'comment_create', 'vote', 'auth_token']) {
      assert.match(text, new RegExp(`^${endpoint} +\\d+ +\\d+\\.\\d+ +\\d+\\.\\d+ +\\d+\\.\\d+ +p50 < \\d+ ms, p95 < \\d+ ms, p99 < \\d+ ms +ok +-$`, 'm'));
    }
    assert.match(text, /^Alerts fired: none$/m);
  });

  test('failed-thresholds: FAILED with the count, the slow endpoint marked', () => {
    const summary = fixture('failed-thresholds');
    const text = renderText(summary, label);
    const failed = failedThresholds(summary).length;
    assert.match(text, new RegExp(`FAILED \\(${failed} of ${thresholdResults(summary).length} thresholds\\)`));
    assert.match(text, /^feed +\d+ +\d+\.\d+ +\d+\.\d+ +\d+\.\d+ +p50 < 50 ms, p95 < 100 ms, p99 < 250 ms +FAIL: p50 \d+\.\d+ ms \(objective < 50 ms\), p95 \d+\.\d+ ms \(objective < 100 ms\) +-$/m);
    assert.equal(occurrences(text, / FAIL$/gm), failed, 'one line per failed threshold');
  });

  test('aborted: names the alert that stopped the run', () => {
    const text = renderText(fixture('aborted'), label);
    assert.match(text, /^Alerts fired: HighErrorRate \(aborted the run\)$/m);
    assert.match(text, /^loadgate_alerts_fired\{alert:HighErrorRate\} +count<1 +1 +FAIL$/m);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('a fired warning alert passes in JUnit but says it fired', () => {
  const summary = {
    metrics: {
      'loadgate_alerts_fired{alert:HighAPILatency}': { type: 'counter' as const, values: { count: 2, rate: 0.1 }, thresholds: { 'count>=0': { ok: true } } },
    },
  };
  const xml = renderJunit(summary, 'suite');
  assert.match(xml, /<system-out>loadgate_alerts_fired\{alert:HighAPILatency\} fired 2 time\(s\)/);
  assert.doesNotMatch(xml, /<failure/);
});

describe('a run against an API that does not match', () => {
  const latency = 'http_req_duration{endpoint:feed,expected_response:true}';
  const mismatched: K6Summary = {
    setup_data: { endpoints: [{ name: 'feed', label: 'Feed listing', route: 'GET /api/v1/feed' }] },
    metrics: {
      iterations: { type: 'counter', values: { count: 12 } },
      'http_reqs{endpoint:feed}': { type: 'counter', values: { count: 12 }, thresholds: { 'count>0': { ok: true } } },
      [latency]: { type: 'trend', contains: 'time', values: { count: 0, 'p(95)': 0 }, thresholds: { 'p(95)<100': { ok: true } } },
      'loadgate_failed_responses{endpoint:feed,status:404}': { type: 'counter', values: { count: 10 }, thresholds: { 'count>=0': { ok: true } } },
      'loadgate_failed_responses{endpoint:feed,status:other}': { type: 'counter', values: { count: 2 }, thresholds: { 'count>=0': { ok: true } } },
      'loadgate_failed_responses{endpoint:feed,status:500}': { type: 'counter', values: { count: 0 }, thresholds: { 'count>=0': { ok: true } } },
    },
  };

  test('a latency threshold without a successful response reads "no data", never "pass"', () => {
    const text = renderText(mismatched, { scenario: 'mixed', profile: 'smoke' });
    assert.match(text, new RegExp(`^${escapeRegExp(latency)} +p\\(95\\)<100 +no data +no data$`, 'm'));
    assert.match(renderJunit(mismatched, 'suite'), /p\(95\)&lt;100">\s*<skipped message="no data/);
  });

  test('the endpoint row names the statuses it failed with, the named ones and the rest', () => {
    const text = renderText(mismatched, { scenario: 'mixed', profile: 'smoke' });
    assert.match(text, /^feed +12 +- +- +- +p95 < 100 ms +FAIL: no successful response +HTTP 404 ×10, other ×2$/m);
  });

  test('no load ran: the headline is the reason and no thresholds table follows', () => {
    const notRun: K6Summary = { metrics: { 'http_reqs{endpoint:feed}': { type: 'counter', values: { count: 0 }, thresholds: { 'count>0': { ok: false } } } } };
    const text = renderText(notRun, { scenario: 'mixed', profile: 'smoke', reason: 'script error: pre-flight failed: GET /api/v1/feed answered 404' });
    assert.equal(text.split('\n')[0], 'loadgate mixed (smoke): NO LOAD RAN: script error: pre-flight failed: GET /api/v1/feed answered 404');
    assert.doesNotMatch(text, /Thresholds|count>0/);
  });
});
