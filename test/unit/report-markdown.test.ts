// REPORT.md rendered from runs recorded in test/fixtures/runs, and from the same runs with pieces
// taken away, the way real runs lose them (no pprof, no /metrics, no summary).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { collectReportInput } from '../../cli/report/collect.ts';
import type { ReportInput } from '../../cli/report/input.ts';
import { renderReportMarkdown } from '../../cli/report/markdown.ts';
import { parsePprofTop, pprofKinds } from '../../cli/runs/pprof.ts';
import { endpointRows } from '../../lib/summary/model.ts';
import { monitorScrapesMetric } from '../../thresholds/keys.ts';

const fixtureDir = (run: string) => fileURLToPath(new URL(`../fixtures/runs/${run}`, import.meta.url));
const runs = ['passed', 'failed-thresholds', 'aborted'] as const;
const placeholder = /TBD|\[FILL|\[X\]|\[TODO|\[PASTE|undefined|NaN/;
const number = /\d+(\.\d+)?( ms)?/;

/** The cells of the endpoint table row for `endpoint`, or undefined. */
function endpointCells(markdown: string, endpoint: string): string[] | undefined {
  const line = markdown.split('\n').find((l) => l.startsWith('| ') && l.includes(`(\`${endpoint}\`) |`));
  return line?.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim());
}

const inputs = Object.fromEntries(runs.map((run) => [run, collectReportInput(fixtureDir(run))])) as Record<(typeof runs)[number], ReportInput>;

describe('REPORT.md from recorded runs', () => {
  for (const run of runs) {
    test(`${run}: a row with numbers for every endpoint the summary holds`, () => {
      const input = inputs[run];
      const markdown = renderReportMarkdown(input);
      const rows = endpointRows(input.summary!);
      assert.equal(rows.length, 8, 'the mixed scenario drives eight endpoints');
      for (const row of rows) {
        const cells = endpointCells(markdown, row.endpoint);
        assert.ok(cells, `a row for ${row.endpoint}`);
        assert.match(cells[1], /^\d[\d,]*$/, `${row.endpoint}: request count`);
        assert.equal(Number(cells[1].replace(/,/g, '')), row.requests);
        const measured = (input.summary!.metrics[`http_req_duration{endpoint:${row.endpoint},expected_response:true}`]?.values.count ?? 0) > 0;
        for (const latency of cells.slice(2, 5)) {
          if (measured) assert.match(latency, /^\d+\.\d{1,2} ms$/, `${row.endpoint}: latency cell "${latency}"`);
          else assert.equal(latency, '—');
        }
        assert.match(cells[5], /^(\d+\.\d+%|—)$/, `${row.endpoint}: failed share`);
        assert.match(cells[6], /^p50 < \d+ ms, p95 < \d+ ms, p99 < \d+ ms/, `${row.endpoint}: the objectives the table declared`);
        assert.ok(cells[7] === '✅' || cells[7].startsWith('❌ '), `${row.endpoint}: verdict "${cells[7]}"`);
        if (measured) assert.match(cells[3], number);
      }
    });

    test(`${run}: no placeholder, every section present, deterministic`, () => {
      const markdown = renderReportMarkdown(inputs[run]);
      assert.doesNotMatch(markdown, placeholder);
      for (const heading of ['Executive summary', 'Test configuration', 'k6 metrics', 'Endpoints', 'Alerts fired', 'Target metrics', 'CPU and allocations', 'Goroutines, block and mutex', 'Bottlenecks', 'Files']) {
        assert.match(markdown, new RegExp(`^## ${heading}$`, 'm'));
      }
      assert.equal(renderReportMarkdown(collectReportInput(fixtureDir(run))), markdown);
    });
  }

  test('passed: PASSED, alerts "none", shared cores stated, pprof tables present', () => {
    const markdown = renderReportMarkdown(inputs.passed);
    assert.match(markdown, /^# .*mixed \(smoke\), 2026-\d\d-\d\d \d\d:\d\d UTC$/m);
    assert.match(markdown, /\*\*Status: PASSED\*\*/);
    assert.match(markdown, /^None: no alert rule fired during the run\.$/m);
    assert.match(markdown, /shared its \d+ cores/);
    assert.match(markdown, /Error rate: 0\.00% of requests failed, objective < 1\.00% ✅/);
    assert.doesNotMatch(markdown, /\| ❌/);
    const cpu = markdown.split('### CPU\n')[1].split('###')[0];
    const cpuRows = cpu.split('\n').filter((l) => /^\| \d/.test(l));
    assert.equal(cpuRows.length, 15, 'top 15 CPU rows');
    assert.match(markdown, /Profile type alloc_space/);
    assert.match(markdown, /^\| DB pool `read` \| \d+ in use, \d+ open, max \d+ \|/m);
  });

  test('failed-thresholds: FAILED with the reason, feed over target in the table and in the bottlenecks', () => {
    const markdown = renderReportMarkdown(inputs['failed-thresholds']);
    assert.match(markdown, /\*\*Status: FAILED\*\*: SLO failed: .*feed.* \(exit code 99\)/);
    assert.match(endpointCells(markdown, 'feed')?.[7] ?? '', /^❌ p50 \d+\.\d+ ms \(objective < 50 ms\), p95 \d+\.\d+ ms \(objective < 100 ms\)$/);
    assert.match(markdown, /^- `feed` missed its objectives: p50 \d+\.\d+ ms \(objective < 50 ms\), p95 \d+\.\d+ ms \(objective < 100 ms\)/m);
    assert.match(markdown, /^- Endpoints: \d of 8 met every objective declared for them; failing: `feed` \(p50 /m);
    assert.match(markdown, /^- Threshold `http_req_duration\{endpoint:feed,expected_response:true\} p\(95\)<100` failed, observed \d+\.\d+ ms\.$/m);
    assert.match(markdown, /^\| Fault injection \| -fault-delay feed=200ms \|$/m);
  });

  test('aborted: names the alert, says the run stopped early and why the CPU profile is missing', () => {
    const markdown = renderReportMarkdown(inputs.aborted);
    assert.match(markdown, /\*\*Status: FAILED\*\*: aborted by alert HighErrorRate/);
    assert.match(markdown, /^- `HighErrorRate` fired 1 time and aborted the run\.$/m);
    assert.match(markdown, /^The run stopped after \d+\.\d+ s/m);
    assert.match(markdown, /^CPU: not captured, profiles\/cpu\.pb\.gz is missing because the capture failed \(.*\)\.$/m);
    assert.match(markdown, /feed \(5 requests, none succeeded\)/);
  });
});

describe('REPORT.md with data missing', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'loadgate-report-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('a target outside loadgate without /metrics or pprof: each section says "not captured" and why', () => {
    const dir = join(scratch, 'external');
    cpSync(fixtureDir('passed'), dir, { recursive: true, filter: (source) => !source.includes('/profiles/') });
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    meta.target = { baseUrl: 'http://127.0.0.1:8080', identity: null, startedByLoadgate: false, args: [] };
    meta.captures = [];
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    const markdown = renderReportMarkdown(collectReportInput(dir));
    assert.doesNotMatch(markdown, placeholder);
    assert.match(markdown, /^Target metrics: not captured, profiles\/metrics-after\.prom is missing: the target at http:\/\/127\.0\.0\.1:8080 was not started by loadgate/m);
    for (const heading of ['CPU', 'Allocations \\(alloc_space\\)', 'Goroutines', 'Block', 'Mutex']) {
      assert.match(markdown, new RegExp(`^${heading}: not captured, profiles/\\w+\\.pb\\.gz is missing`, 'm'));
    }
    assert.match(markdown, /^Goroutine count: not captured/m);
    assert.match(markdown, /service name not reported, version not reported/);
    // The endpoint numbers come from k6 and survive the missing captures.
    assert.match(endpointCells(markdown, 'feed')?.[3] ?? '', /^\d+\.\d+ ms$/);
  });

  test('CPU share is divided by the time between the two scrapes and never shown above the cores', () => {
    const dir = join(scratch, 'cpu-window');
    cpSync(fixtureDir('passed'), dir, { recursive: true });
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    const scrapedAt = (ms: number) => (capture: { name: string }) => ({ ...capture, at: new Date(Date.UTC(2026, 0, 1) + ms).toISOString() });
    const withWindow = (seconds: number) => {
      meta.captures = meta.captures.map((c: { name: string }) => (c.name === 'metrics-before' ? scrapedAt(0)(c) : c.name === 'metrics-after' ? scrapedAt(seconds * 1000)(c) : c));
      writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
      return renderReportMarkdown(collectReportInput(dir));
    };
    // The fixture's target used 0.37 − 0.14 = 0.23 s of CPU between the scrapes.
    assert.match(withWindow(23), /^\| Target CPU time \| 230\.0 ms \(1\.00% of one core over the 23\.0 s between the scrapes\) \|$/m);
    const impossible = withWindow(0.1 as unknown as number);
    assert.match(impossible, /^\| Target CPU time \| 230\.0 ms over .* \(more than 2 cores can give: the snapshots do not belong to one window\) \|$/m);
    assert.doesNotMatch(impossible, /\d% of one core/);
  });

  test('no summary and no meta: still a report, with a sentence per gap', () => {
    const missing = { ok: false as const, missing: 'the file is not in the folder' };
    const input: ReportInput = {
      runName: 'crashed',
      summary: null,
      meta: null,
      metricsBefore: missing,
      metricsAfter: missing,
      database: missing,
      profiles: Object.fromEntries(pprofKinds.map((n) => [n, missing])) as ReportInput['profiles'],
      files: ['k6.log.json'],
    };
    const markdown = renderReportMarkdown(input);
    assert.doesNotMatch(markdown, placeholder);
    assert.match(markdown, /\*\*Status: FAILED\*\*: meta\.json was not written/);
    assert.match(markdown, /^Configuration: not captured/m);
    assert.match(markdown, /^k6 metrics: not captured/m);
    assert.match(markdown, /^Endpoint latencies: not captured/m);
    assert.match(markdown, /^- CPU hot spots: not captured/m);
    assert.ok((markdown.match(/not captured/g) ?? []).length >= 10);
  });

  test('a breakpoint run states the load level it reached', () => {
    const input = structuredClone(inputs.passed);
    input.meta!.profile = 'breakpoint';
    input.meta!.options = {
      scenarios: {
        api: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 10, maxVUs: 500, stages: [{ duration: '10m0s', target: 1000 }] },
      },
    };
    input.summary!.state = { testRunDurationMs: 120_000 };
    const markdown = renderReportMarkdown(input);
    assert.match(markdown, /^Breakpoint level reached after 120\.0 s: 7 VUs allocated at most \(vus_max\); api at 200\.0 iterations per 1s when it stopped\.$/m);
  });
});

describe('parsePprofTop', () => {
  test('reads the header, the total and every row, keeping function names with spaces', () => {
    const top = parsePprofTop(`File: loadgate-service
Type: cpu
Duration: 23s, Total samples = 140ms ( 0.61%)
Showing nodes accounting for 140ms, 100% of 140ms total
Showing top 2 nodes out of 150
      flat  flat%   sum%        cum   cum%
      20ms 14.29% 14.29%       20ms 14.29%  internal/runtime/syscall/linux.Syscall6
         0     0% 14.29%       10ms  7.14%  modernc.org/sqlite/lib._sqlite3ApiExit (inline)
`);
    assert.equal(top.header.Type, 'cpu');
    assert.equal(top.total, '140ms');
    assert.deepEqual(top.rows[1], { flat: '0', flatPercent: 0, sumPercent: 14.29, cum: '10ms', cumPercent: 7.14, name: 'modernc.org/sqlite/lib._sqlite3ApiExit (inline)' });
    assert.equal(top.rows.length, 2);
  });
});

describe("the alert monitor's scrapes in REPORT.md", () => {
  /** The passed run with the monitor's scrape counts as k6 summarises a Rate, or without them. */
  const withScrapes = (passes: number | null, fails: number): ReportInput => {
    const input = structuredClone(inputs.passed);
    // This fixture predates setup's rule lists: the run's monitor evaluated one rule.
    (input.summary!.setup_data as { rules?: object }).rules = { evaluated: ['HighAPILatency'], withoutData: [] };
    if (passes !== null) {
      input.summary!.metrics[monitorScrapesMetric] = { type: 'rate', contains: 'default', values: { rate: passes / (passes + fails), passes, fails } };
    }
    return input;
  };
  const alertsOf = (markdown: string) => markdown.slice(markdown.indexOf('## Alerts fired'), markdown.indexOf('\n## ', markdown.indexOf('## Alerts fired') + 1));

  test('every scrape read: the Monitor line counts them and each rule is evaluated', () => {
    const alerts = alertsOf(renderReportMarkdown(withScrapes(12, 0)));
    assert.match(alerts, /^None: no alert rule fired during the run\.$/m);
    assert.match(alerts, /^Monitor: alert monitor on: scraping http:\/\/127\.0\.0\.1:\d+\/metrics every second; 12 of 12 scrapes read\.$/m);
    assert.match(alerts, /\| `HighAPILatency` \| evaluated \|/);
  });

  test('no scrape read: the report says no rule was evaluated, not that none fired', () => {
    const alerts = alertsOf(renderReportMarkdown(withScrapes(0, 9)));
    assert.match(alerts, /^None: the alert monitor read none of its scrapes of \/metrics, so no rule was evaluated\.$/m);
    assert.doesNotMatch(alerts, /no alert rule fired/);
    assert.match(alerts, /; 0 of 9 scrapes read, so no alert rule was evaluated\.$/m);
    assert.match(alerts, /\| `HighAPILatency` \| not evaluated: no scrape was read \|/);
  });

  test('a run recorded before the count (no such metric) reads as it did', () => {
    const alerts = alertsOf(renderReportMarkdown(withScrapes(null, 0)));
    assert.match(alerts, /^Monitor: alert monitor on: scraping http:\/\/127\.0\.0\.1:\d+\/metrics every second\.$/m);
    assert.doesNotMatch(alerts, /scrapes read/);
  });
});
