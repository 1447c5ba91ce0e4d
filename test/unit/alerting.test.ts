import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alerting, type Scrape } from '../../lib/alerting.ts';

const { AlertEvaluator, histogramQuantile, parsePrometheusText, scrapeIntervalMs, signalValue } = alerting();
import { alertRules, type AlertRule } from '../../thresholds/alerts.ts';

const page = `# HELP target_http_request_duration_seconds x
# TYPE target_http_request_duration_seconds histogram
target_http_request_duration_seconds_bucket{code="200",method="GET",route="feed",le="0.1"} 90
target_http_request_duration_seconds_bucket{code="200",method="GET",route="feed",le="0.5"} 95
target_http_request_duration_seconds_bucket{code="200",method="GET",route="feed",le="+Inf"} 100
target_http_request_duration_seconds_count{code="200",method="GET",route="feed"} 100
target_http_request_duration_seconds_count{code="500",method="GET",route="feed"} 5
go_goroutines 12
`;

test('the parser keeps only the wanted families and reads labels', () => {
  const samples = parsePrometheusText(page, new Set(['target_http_request_duration_seconds']));
  assert.equal(samples.length, 5);
  assert.deepEqual(samples[0].labels, { code: '200', method: 'GET', route: 'feed', le: '0.1' });
  assert.equal(samples[4].value, 5);
});

test('the parser reads a wanted family on the first line, unescapes labels, skips a timestamp and tells a family from a longer name', () => {
  const tricky = [
    'target_buffer_size{shard="a\\"b"} 3',
    '# HELP target_buffer_size_max x',
    'target_buffer_size_max 10',
    'target_buffer_size{shard="c",note="x}, y=\\"z\\""} 4',
    'target_buffer_limit 100 1700000000000',
  ].join('\n');
  const samples = parsePrometheusText(tricky, new Set(['target_buffer_size', 'target_buffer_limit']));
  assert.deepEqual(
    samples.map((sample) => [sample.name, sample.labels, sample.value]),
    [
      ['target_buffer_size', { shard: 'a"b' }, 3],
      ['target_buffer_size', { shard: 'c', note: 'x}, y="z"' }, 4],
      ['target_buffer_limit', {}, 100],
    ],
  );
});

test('the monitor scrapes a dozen times in the shortest window or for, between 1 s and 5 s', () => {
  assert.equal(scrapeIntervalMs(alertRules, 1), 5000, 'reference rules at real time: 1-minute windows');
  assert.equal(scrapeIntervalMs(alertRules, 1 / 12), 1000, 'smoke compresses a minute into 5 s');
  assert.equal(scrapeIntervalMs(alertRules, 1 / 4), 1250);
  const short: AlertRule = { ...alertRules[0], for: '0s', signal: { ...alertRules[0].signal, window: '30s' } as AlertRule['signal'] };
  assert.equal(scrapeIntervalMs([short], 1), 2500, 'a 0s for is no span; the 30 s window is');
  assert.equal(scrapeIntervalMs([], 1), 5000);
});

test('histogram_quantile interpolates like Prometheus', () => {
  assert.equal(histogramQuantile(0.5, [[0.1, 50], [0.2, 100], [Infinity, 100]]), 0.1);
  assert.ok(Math.abs(histogramQuantile(0.75, [[0.1, 50], [0.2, 100], [Infinity, 100]])! - 0.15) < 1e-9);
  assert.equal(histogramQuantile(0.99, [[0.1, 10], [Infinity, 20]]), 0.1);
  assert.equal(histogramQuantile(0.95, [[0.1, 0], [Infinity, 0]]), null);
});

/** A scrape where `slow` of every 100 new feed requests took over 500 ms, and `errors` failed. */
function scrapeAt(second: number, totals: { fast: number; slow: number; errors: number }): Scrape {
  const bucket = (le: string, value: number) => ({
    name: 'target_http_request_duration_seconds_bucket',
    labels: { route: 'feed', code: '200', le },
    value,
  });
  return {
    atMs: second * 1000,
    samples: [
      bucket('0.1', totals.fast),
      bucket('0.5', totals.fast),
      bucket('1', totals.fast + totals.slow),
      bucket('+Inf', totals.fast + totals.slow),
      { name: 'target_http_request_duration_seconds_count', labels: { route: 'feed', code: '200' }, value: totals.fast + totals.slow },
      { name: 'target_http_request_duration_seconds_count', labels: { route: 'feed', code: '500' }, value: totals.errors },
    ],
  };
}

/** Feeds one scrape a second; `slowSeconds` are the seconds where every request is slow. */
function drive(rule: AlertRule, timeScale: number, seconds: number, slowSeconds: (s: number) => boolean) {
  const evaluator = new AlertEvaluator([rule], timeScale);
  const totals = { fast: 0, slow: 0, errors: 0 };
  const firedAt: number[] = [];
  for (let s = 0; s <= seconds; s++) {
    if (slowSeconds(s)) {
      totals.slow += 100;
      totals.errors += 50;
    } else totals.fast += 100;
    if (evaluator.observe(scrapeAt(s, totals)).length) firedAt.push(s);
  }
  return firedAt;
}

const latency = alertRules.find((r) => r.name === 'HighAPILatency')!;
const errors = alertRules.find((r) => r.name === 'HighErrorRate')!;

test('a slowdown shorter than the window minus the rate window does not fire', () => {
  // Scale 1/12: for = 10 s, rate window = 5 s. Two slow seconds keep p95 high for about 7 s.
  assert.deepEqual(drive(latency, 1 / 12, 40, (s) => s >= 10 && s < 12), []);
});

test('a slowdown that outlasts the for window fires once, after the window', () => {
  const firedAt = drive(latency, 1 / 12, 40, (s) => s >= 10 && s < 30);
  assert.equal(firedAt.length, 1);
  assert.ok(firedAt[0] >= 20 && firedAt[0] <= 22, `fired at ${firedAt[0]}`);
});

test('the error ratio rule sees 5xx over all requests in its window', () => {
  const history = [scrapeAt(0, { fast: 0, slow: 0, errors: 0 }), scrapeAt(5, { fast: 400, slow: 100, errors: 50 })];
  assert.ok(Math.abs(signalValue(errors.signal, history)! - 50 / 550) < 1e-9);
  assert.deepEqual(drive(errors, 1 / 12, 30, () => false), []);
  assert.equal(drive(errors, 1 / 12, 30, (s) => s >= 5).length, 1);
});

test('no data never fires', () => {
  const evaluator = new AlertEvaluator(alertRules, 1);
  for (let s = 0; s < 400; s++) assert.deepEqual(evaluator.observe({ atMs: s * 1000, samples: [] }), []);
  assert.ok(evaluator.statuses.every((status) => status.state === 'inactive'));
});
