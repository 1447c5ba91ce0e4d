import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alerting } from '../../lib/alerting.ts';
import type { K6Summary } from '../../lib/summary/model.ts';
import { variable } from '../../cli/variables.ts';
import type { RunMeta } from '../../cli/record.ts';
import { Snapshot } from '../../cli/runs/prometheus.ts';
import { chartSpec, renderSweepChart } from '../../cli/sweep/chart.ts';
import { eventFigures, figuresFromRun, requestFigures, type SweepRunFigures } from '../../cli/sweep/figures.ts';
import { changes, entryMarkdown, impacts, type Side } from '../../cli/sweep/optimization-log.ts';
import { commandFor, parameterFor, parameterNames, parameters, parseValues, runPlan, sortedValues } from '../../cli/sweep/params.ts';
import { SettingError } from '../../cli/settings.ts';
import { recommend, tableMarkdown, valueRow, type TradeOffTable } from '../../cli/sweep/table.ts';

const { parsePrometheusText } = alerting();

const refusal = (pattern: RegExp) => (error: Error) => error instanceof SettingError && pattern.test(error.message);
const flush = parameters.BUFFER_FLUSH_INTERVAL;

test('the parameters the sweep knows are the ones the variables table (and so the README) lists', () => {
  assert.deepEqual([...parameterNames], [...(variable('PARAM').kind as { choices: readonly string[] }).choices]);
  assert.deepEqual(Object.keys(parameters), [...parameterNames]);
});

test('an unknown PARAM is refused with the valid ones, and pointed at SWEEP_CMD; with SWEEP_CMD any plain name goes', () => {
  assert.throws(() => parameterFor('BUFFER_FLUSH', false), refusal(/^PARAM="BUFFER_FLUSH" is not a parameter the reference service understands; valid parameters are: BUFFER_FLUSH_INTERVAL, BUFFER_SIZE_LIMIT, DB_MAX_OPEN_CONNS, GOGC, GOMEMLIMIT; .*SWEEP_CMD/));
  assert.throws(() => parameterFor('', false), refusal(/^PARAM is not set/));
  assert.throws(() => parameterFor('two words', true), refusal(/^PARAM="two words" is not a valid name/));
  assert.equal(parameterFor('WORKERS', true).name, 'WORKERS');
  assert.equal(parameterFor('GOGC', true), parameters.GOGC, 'a known name keeps its own checks under SWEEP_CMD');
});

test('empty, malformed, invalid and repeated VALUES are refused naming the value and the valid forms', () => {
  assert.throws(() => parseValues('', flush), refusal(/^VALUES is empty; .* such as 0\.5s,1s,2s,5s$/));
  assert.throws(() => parseValues('  ', flush), refusal(/^VALUES is empty/));
  assert.throws(() => parseValues('1s,,2s', flush), refusal(/^VALUES="1s,,2s" is malformed: item 2 is empty/));
  assert.throws(() => parseValues('1s,', flush), refusal(/item 2 is empty/));
  assert.throws(() => parseValues('1s,abc', flush), refusal(/^VALUES: "abc" is not a valid BUFFER_FLUSH_INTERVAL; valid values are: a duration from 10ms to 10m/));
  assert.throws(() => parseValues('5ms', flush), refusal(/"5ms" is not a valid/), 'below the service-side minimum the variables table states');
  assert.throws(() => parseValues('1s,1s', flush), refusal(/names 1s twice/));
  assert.throws(() => parseValues('0', parameters.DB_MAX_OPEN_CONNS), refusal(/"0" is not a valid DB_MAX_OPEN_CONNS; valid values are: an integer from 1 to 10000/));
  assert.throws(() => parseValues('1.5', parameters.BUFFER_SIZE_LIMIT), refusal(/"1\.5" is not a valid BUFFER_SIZE_LIMIT/));
  assert.deepEqual(parseValues(' 0.5s, 1s ,2s,5s', flush), ['0.5s', '1s', '2s', '5s']);
});

test("GOGC and GOMEMLIMIT take the Go runtime's forms; GOGC=abc would be silently ignored by Go, so it is refused here", () => {
  assert.deepEqual(parseValues('50,100,off', parameters.GOGC), ['50', '100', 'off']);
  assert.throws(() => parseValues('abc', parameters.GOGC), refusal(/"abc" is not a valid GOGC; valid values are: an integer from 1 to 100000/));
  assert.throws(() => parseValues('-1', parameters.GOGC), refusal(/"-1" is not a valid GOGC/));
  assert.deepEqual(parseValues('64MiB,1GiB,off', parameters.GOMEMLIMIT), ['64MiB', '1GiB', 'off']);
  assert.throws(() => parseValues('64MB', parameters.GOMEMLIMIT), refusal(/"64MB" is not a valid GOMEMLIMIT; valid values are: a size from 16MiB with the unit B, KiB, MiB, GiB or TiB/));
  assert.throws(() => parseValues('1MiB', parameters.GOMEMLIMIT), refusal(/"1MiB" is not a valid GOMEMLIMIT/));
});

test('values reach the service as flags or, for the Go runtime, through its environment only; the run learns the interval', () => {
  assert.deepEqual(flush.flags('2s'), ['-buffer-flush-interval', '2s']);
  assert.deepEqual(flush.runEnv('2s'), { BUFFER_FLUSH_INTERVAL: '2s' });
  assert.deepEqual(parameters.DB_MAX_OPEN_CONNS.flags('4'), ['-db-max-open-conns', '4']);
  assert.deepEqual(parameters.BUFFER_SIZE_LIMIT.flags('1000'), ['-buffer-size-limit', '1000']);
  assert.deepEqual(parameters.GOGC.flags('200'), []);
  assert.deepEqual(parameters.GOGC.serviceEnv('200'), { GOGC: '200' });
  assert.deepEqual(parameters.GOGC.runEnv('200'), {}, 'k6 is a Go program too: it must not get GOGC');
  assert.deepEqual(parameters.GOMEMLIMIT.serviceEnv('256MiB'), { GOMEMLIMIT: '256MiB' });
});

test('values are ordered by what they mean, words keep their order, and SWEEP_CMD gets only shell-safe values', () => {
  assert.deepEqual(sortedValues(['5s', '500ms', '1m', '2s'], flush), ['500ms', '2s', '5s', '1m']);
  assert.deepEqual(sortedValues(['off', '50', '200'], parameters.GOGC), ['50', '200', 'off']);
  assert.deepEqual(sortedValues(['1GiB', '64MiB', 'off'], parameters.GOMEMLIMIT), ['64MiB', '1GiB', 'off']);
  const custom = parameterFor('MODE', true);
  assert.deepEqual(sortedValues(parseValues('fast,safe', custom), custom), ['fast', 'safe']);
  assert.deepEqual(sortedValues(parseValues('8,2,4', custom), custom), ['2', '4', '8']);
  assert.throws(() => parseValues('1;rm -rf /', custom), refusal(/"1;rm -rf \/" is not a valid MODE; valid values are: letters, digits/));
  assert.throws(() => parseValues('$(id)', custom), refusal(/is not a valid MODE/));
  assert.equal(commandFor('systemctl restart api --workers={value} # {value}', '8'), 'systemctl restart api --workers=8 # 8');
});

test('repetitions are interleaved, alternate rounds reversed, so drift over time lands on every value alike', () => {
  const plan = runPlan(['a', 'b', 'c'], 3).map((run) => `${run.value}${run.repetition}`);
  assert.deepEqual(plan, ['a1', 'b1', 'c1', 'c2', 'b2', 'a2', 'a3', 'b3', 'c3']);
  assert.equal(runPlan(['a'], 1).length, 1);
  // Under a linear drift, every value's mean position is the same once rounds come in pairs.
  const positions = runPlan(['a', 'b', 'c', 'd'], 2).reduce<Record<string, number>>((sum, run, i) => ({ ...sum, [run.value]: (sum[run.value] ?? 0) + i }), {});
  assert.equal(new Set(Object.values(positions)).size, 1);
});

// ------------------------------------------------------------------------------------ figures

function summary(values: { e2eP95: number; accepted: number; refused: number; seconds?: number }): K6Summary {
  return {
    state: { testRunDurationMs: (values.seconds ?? 10) * 1000 },
    metrics: {
      loadgate_event_e2e_latency: { type: 'trend', contains: 'time', values: { count: 10, 'p(50)': values.e2eP95 / 2, 'p(95)': values.e2eP95 }, thresholds: { [`p(95)<2000`]: { ok: values.e2eP95 < 2000 } } },
      loadgate_events_accepted: { type: 'counter', values: { count: values.accepted * 10, rate: values.accepted } },
      loadgate_ingest_rejected: { type: 'rate', values: { rate: 0, passes: values.refused, fails: 100 } },
      'http_req_duration{endpoint:events_ingest,expected_response:true}': { type: 'trend', contains: 'time', values: { count: 5, 'p(95)': 3, 'p(50)': 1, 'p(90)': 2, 'p(99)': 4, avg: 1, min: 1, max: 5 } },
      'http_reqs{endpoint:events_ingest}': { type: 'counter', values: { count: 100, rate: 10 } },
    },
  };
}

const meta = (scenario: string, exitCode = 0, extra: Partial<RunMeta> = {}): RunMeta => ({ scenario, profile: 'smoke', exitCode, reason: exitCode ? 'thresholds failed' : 'passed', stoppedEarly: false, ...extra });
const snapshotOf = (text: string) => new Snapshot(parsePrometheusText(text, new Set(['target_buffer_flushes_total', 'target_buffer_flush_rows', 'target_event_buffer_high_water', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'go_gc_duration_seconds', 'target_db_wait_count_total', 'target_db_wait_duration_seconds_total'])));

test("event ingestion's figures: e2e from k6, database writes, buffer depth and runtime from the service's /metrics over the run", () => {
  const before = snapshotOf('target_buffer_flushes_total 4\ntarget_buffer_flush_rows_sum 100\nprocess_cpu_seconds_total 1\ngo_gc_duration_seconds_count 3\n');
  const after = snapshotOf(
    'target_buffer_flushes_total 24\ntarget_buffer_flush_rows_sum 5100\ntarget_event_buffer_high_water 750\nprocess_cpu_seconds_total 6\ngo_gc_duration_seconds_count 13\nprocess_resident_memory_bytes 4194304\n',
  );
  const figures = figuresFromRun('run', summary({ e2eP95: 800, accepted: 480, refused: 2 }), meta('event-ingestion'), before, after);
  assert.deepEqual(figures.values, {
    e2eP50: 400,
    e2eP95: 800,
    flushesPerSecond: 2,
    rowsPerSecond: 500,
    acceptedPerSecond: 480,
    refusedBatches: 2,
    bufferHighWater: 750,
    ingestP95: 3,
    serviceCpu: 0.5,
    gcPerSecond: 1,
    rssEnd: 4194304,
  });
  assert.equal(figures.e2eSloMs, 2000, "the run's own e2e threshold");
  assert.deepEqual(Object.keys(figures.values), eventFigures.map((f) => f.key), 'one value per figure of the table');
  const blind = figuresFromRun('run', summary({ e2eP95: 800, accepted: 480, refused: 0 }), meta('event-ingestion'), null, null);
  assert.equal(blind.values.flushesPerSecond, null, 'without snapshots there is no figure, not a zero');
  assert.equal(blind.values.bufferHighWater, null);
  const teams = figuresFromRun('run', summary({ e2eP95: 800, accepted: 480, refused: 0 }), meta('my-ingest'), null, null);
  assert.equal(teams.measures, 'events', "a run that measured e2e visibility is read as events, whatever its scenario's name");
});

test('other scenarios report request latency, throughput, failures and pool waits', () => {
  const s: K6Summary = {
    state: { testRunDurationMs: 20_000 },
    metrics: {
      'http_req_duration{expected_response:true}': { type: 'trend', contains: 'time', values: { count: 100, 'p(50)': 2, 'p(95)': 9, 'p(99)': 20 } },
      http_reqs: { type: 'counter', values: { count: 2000, rate: 100 } },
      http_req_failed: { type: 'rate', values: { rate: 0.01, passes: 20, fails: 1980 } },
    },
  };
  const before = snapshotOf('target_db_wait_count_total{pool="read"} 0\ntarget_db_wait_duration_seconds_total{pool="read"} 0\n');
  const after = snapshotOf('target_db_wait_count_total{pool="read"} 30\ntarget_db_wait_count_total{pool="write"} 10\ntarget_db_wait_duration_seconds_total{pool="read"} 0.4\n');
  const figures = figuresFromRun('run', s, meta('api-load'), before, after);
  assert.equal(figures.values.p95, 9);
  assert.equal(figures.values.requestsPerSecond, 100);
  assert.equal(figures.values.failureRate, 0.01);
  assert.equal(figures.values.poolWaitsPerSecond, 2);
  assert.equal(figures.values.poolWaitMs, 10);
  assert.deepEqual(Object.keys(figures.values), requestFigures.map((f) => f.key));
  assert.equal(figures.measures, 'requests');
});

// ------------------------------------------------------------------- table and recommendation

function run(scenario: string, values: Record<string, number | null>, passed = true, e2eSloMs: number | null = null): SweepRunFigures {
  return { folder: 'f', scenario, profile: 'smoke', measures: scenario === 'event-ingestion' ? 'events' : 'requests', exitCode: passed ? 0 : 99, reason: '', passed, e2eSloMs, values, meta: meta(scenario, passed ? 0 : 99) };
}

function flushRow(value: string, writes: number[], e2e: number[], refused = 0) {
  const slo = Number(value.replace('s', '')) * 1000 + 1000;
  return valueRow(
    value,
    writes.map((w, i) => ({ repetition: i + 1, figures: run('event-ingestion', { flushesPerSecond: w, e2eP95: e2e[i], refusedBatches: refused }, true, slo) })),
    eventFigures,
  );
}

test('medians with their range per value; a figure no run recorded is n/a', () => {
  const row = flushRow('1s', [1, 0.9, 1.2], [500, 700, 600]);
  assert.deepEqual(row.figures.e2eP95, { median: 600, min: 500, max: 700, n: 3 });
  assert.deepEqual(row.figures.bufferHighWater, { median: null, min: null, max: null, n: 0 });
  assert.equal(row.passed, 3);
});

test('the flush-interval rule: the smallest interval under the write bound whose e2e p95 meets its SLO, with no refused batch', () => {
  const rows = [flushRow('0.5s', [2, 2], [400, 420]), flushRow('1s', [1.02, 0.98], [700, 720]), flushRow('2s', [0.5, 0.5], [1500, 1600]), flushRow('5s', [0.2, 0.2], [4000, 4100])];
  const chosen = recommend('events', flush, rows, { maxDbWrites: 1 });
  assert.equal(chosen.value, '1s', '1.02 and 0.98 show as 1.0/s, within the bound of 1');
  assert.match(chosen.rule, /smallest interval whose median database write rate, as the table shows it, is at most 1 flush transactions per second/);
  assert.match(chosen.sentence, /0\.5s: 2\.0\/s database writes over 1\/s/);
  assert.equal(recommend('events', flush, rows, { maxDbWrites: 2 }).value, '0.5s');
  assert.equal(recommend('events', flush, rows, { maxDbWrites: 0.3 }).value, '5s');
  const late = [flushRow('0.5s', [2], [400]), flushRow('2s', [0.5], [3100])];
  const none = recommend('events', flush, late, { maxDbWrites: 1 });
  assert.equal(none.value, null);
  assert.match(none.sentence, /^no interval meets the rule: 0\.5s: .*over 1\/s; 2s: e2e p95 3100\.0 ms misses its SLO of 3000\.0 ms$/);
  assert.equal(recommend('events', flush, [flushRow('2s', [0.5], [900], 3)], { maxDbWrites: 1 }).value, null, 'refused batches rule a value out');
});

test("other parameters: the smallest value within 10% (or the best value's spread) of the best median, among values whose runs all held", () => {
  const pool = parameters.DB_MAX_OPEN_CONNS;
  const rowOf = (value: string, p95: number[], passed = true) => valueRow(value, p95.map((v, i) => ({ repetition: i + 1, figures: run('api-load', { p95: v }, passed) })), requestFigures);
  const rows = [rowOf('2', [30, 32], false), rowOf('4', [10.8, 10.8]), rowOf('8', [10, 10]), rowOf('16', [10.1, 10.1])];
  const chosen = recommend('requests', pool, rows, { maxDbWrites: 1 });
  assert.equal(chosen.value, '4', '10.8 ms is within 10% of 10 ms; 2 failed its thresholds');
  assert.match(chosen.rule, /^the smallest DB_MAX_OPEN_CONNS whose runs all held every threshold and whose median request p95 is within 10%/);
  const noisy = [rowOf('2', [14, 14]), rowOf('8', [8, 12])];
  assert.equal(recommend('requests', pool, noisy, { maxDbWrites: 1 }).value, '2', "the best value's own spread (4 ms) is wider than 10%");
  assert.equal(recommend('requests', pool, [rowOf('2', [30], false)], { maxDbWrites: 1 }).value, null);
});

test('the Markdown table marks the recommended value and shows the range only where the runs differ', () => {
  const rows = [flushRow('0.5s', [2, 2], [400, 420]), flushRow('1s', [1, 1], [700, 720])];
  const table: TradeOffTable = { scenario: 'event-ingestion', profile: 'smoke', parameter: 'BUFFER_FLUSH_INTERVAL', figures: eventFigures, rows, recommendation: recommend('events', flush, rows, { maxDbWrites: 1 }) };
  const markdown = tableMarkdown(table).split('\n');
  assert.match(markdown[0], /^\| BUFFER_FLUSH_INTERVAL \| e2e visibility p50 \| e2e visibility p95 \| DB writes\/s \(flushes\) \|/);
  assert.match(markdown[2], /^\| 0\.5s \| n\/a \| 410\.0 ms \(400\.0 ms–420\.0 ms\) \| 2\.0\/s \|/);
  assert.match(markdown[3], /^\| \*\*1s\*\* \(recommended\) \|/);
  assert.match(markdown[3], /\| 2 of 2 \|$/);
});

test('the chart has one panel per figure with the values in order, and renders to SVG in node', async () => {
  const rows = [flushRow('0.5s', [2, 2], [400, 420]), flushRow('2s', [0.5, 0.5], [1500, 1600])];
  const table: TradeOffTable = { scenario: 'event-ingestion', profile: 'smoke', parameter: 'BUFFER_FLUSH_INTERVAL', figures: eventFigures, rows, recommendation: recommend('events', flush, rows, { maxDbWrites: 1 }) };
  const spec = chartSpec(table) as { data: { values: Array<{ figure: string; value: string; side: string }> } };
  assert.deepEqual(new Set(spec.data.values.map((row) => row.figure)), new Set(['e2e visibility p95 (ms)', 'DB writes/s (flushes) (per s)', '503s (refused batches) (count)']));
  assert.deepEqual(spec.data.values.filter((row) => row.side === 'recommended').map((row) => row.value), ['2s', '2s', '2s']);
  const svg = await renderSweepChart(table);
  assert.match(svg, /^<svg/);
  assert.match(svg, /BUFFER_FLUSH_INTERVAL sweep/);
});

// ------------------------------------------------------------------------ optimization log

test('impact: better or worse only beyond the runs\' noise, by ranges apart or, with enough runs, the exact rank test', () => {
  const e2e = eventFigures.filter((f) => f.key === 'e2eP95');
  const side = (values: number[]) => values.map((v) => run('event-ingestion', { e2eP95: v }));
  const [apart] = impacts(side([900, 950]), side([500, 520]), e2e);
  assert.equal(apart.verdict, 'better');
  assert.equal(apart.pValue, null, 'two runs a side cannot reach 0.05');
  assert.ok(Math.abs(apart.change! - (510 - 925) / 925) < 1e-9);
  assert.equal(impacts(side([900, 950]), side([920, 1000]), e2e)[0].verdict, 'within noise', 'overlapping ranges');
  const ranked = impacts(side([900, 910, 920, 930]), side([1000, 1010, 1020, 1030]), e2e)[0];
  assert.equal(ranked.verdict, 'worse');
  assert.ok(ranked.pValue! < 0.05);
  const mixed = impacts(side([900, 1010, 920, 1030]), side([1000, 910, 1020, 930]), e2e)[0];
  assert.equal(mixed.verdict, 'within noise');
  assert.equal(impacts(side([900]), [run('event-ingestion', { e2eP95: null })], e2e)[0].verdict, 'no data');
});

test('the entry states the change from the runs\' own records and numbers the entries', () => {
  const withFlag = (interval: string) => ({
    ...run('event-ingestion', { e2eP95: interval === '1s' ? 700 : 1500, flushesPerSecond: interval === '1s' ? 1 : 0.5 }),
    meta: meta('event-ingestion', 0, {
      gitCommit: 'abc',
      target: { args: ['-addr', '127.0.0.1:1234', '-block-profile-rate', '10000', '-buffer-flush-interval', interval] },
      environment: { LOADGATE_FLUSH_INTERVAL: interval, RESULTS_DIR: `r-${interval}` },
    }),
  });
  const before: Side = { folder: '/tmp/a', what: 'run a', runs: [withFlag('1s')] };
  const after: Side = { folder: '/tmp/b', what: 'sweep b, its recommended BUFFER_FLUSH_INTERVAL=2s', setting: 'BUFFER_FLUSH_INTERVAL=2s', runs: [withFlag('2s')] };
  assert.deepEqual(changes(before, after), ['service flags `-buffer-flush-interval 1s` → `-buffer-flush-interval 2s`', 'LOADGATE_FLUSH_INTERVAL 1s → 2s']);
  before.runs[0].meta.environment!.BUFFER_FLUSH_INTERVAL = '1s';
  before.runs[0].meta.environment!.TARGET_ARGS = '-buffer-flush-interval 1s';
  assert.equal(changes(before, after).length, 2, 'the short name and TARGET_ARGS repeat what is already said');
  const entry = entryMarkdown(3, 'Flush every 2 s', 'too many write transactions', before, after, '/tmp', new Date('2026-01-02T00:00:00Z'));
  assert.match(entry, /^## Optimization 3: Flush every 2 s\n\n\*\*Date:\*\* 2026-01-02\n\*\*Issue:\*\* too many write transactions\n\*\*Evidence:\*\* \[run a\]\(a\), 1 run\(s\) of event-ingestion at smoke: /);
  assert.match(entry, /\| e2e visibility p95 \| 700\.0 ms \| 1500\.0 ms \| \+114\.3% \| one run on a side: no spread to compare with \| noise unknown \|/);
  assert.match(entry, /\*\*Measured impact:\*\* No figure moved beyond the runs' own noise\. 2 figure\(s\) changed with one run on a side, where the noise is unknown \(e2e visibility p95 \+114\.3%, DB writes\/s \(flushes\) -50\.0%\)/);
  const twice = (side: Side, e2e: number): Side => ({ ...side, runs: [side.runs[0], { ...side.runs[0], values: { ...side.runs[0].values, e2eP95: e2e } }] });
  const judged = entryMarkdown(4, 'x', '', twice(before, 720), twice(after, 1550), '/tmp');
  assert.match(judged, /\*\*Measured impact:\*\* better beyond noise: DB writes\/s \(flushes\) -50\.0%; worse beyond noise: e2e visibility p95 \+114\.8%\./);
  assert.match(judged, /\*\*Issue:\*\* not stated \(ISSUE= was not given\) and the before side held every threshold/);
});
