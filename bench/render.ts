// The benchmark's table, rendered from a bench.json: `make bench` prints it into bench.md, and
// `make docs` renders docs/benchmarks.md from the committed docs/figures/bench.json, so the published
// figures are always those of one run, with its command, machine and date.
import type { BenchResult } from './bench.ts';
import type { GateSplits } from './gate-splits.ts';

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** The probability that [min, max] holds the median (distribution-free); absent in older files. */
  coverage?: number;
  values: number[];
  /** Ratios only: their geometric mean and its interval (95%, Student t over the log ratios); absent in older files. */
  interval?: { mean: number; low: number; high: number; level: number } | null;
}

export const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
export const cell = (s: Spread | null | undefined, digits = 0) => {
  if (!s) return 'n/a';
  const { interval } = s;
  const mean = interval ? `; geometric mean ${fmt(interval.mean, digits)}, ${fmt(interval.level * 100)}% interval ${fmt(interval.low, digits)}–${fmt(interval.high, digits)}` : '';
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)}${mean})`;
};
const met = (ok: boolean) => (ok ? 'met' : '**missed**');

/** The lines that say where and how a bench.json was measured. */
export function benchHeader(r: BenchResult): string[] {
  const m = r.machine;
  const date = `${r.stamp.slice(0, 4)}-${r.stamp.slice(4, 6)}-${r.stamp.slice(6, 8)}`;
  return [
    `- command: \`${r.command}\`, run ${r.stamp} (${date})`,
    `- machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}; load average at start ${m.loadAverage}`,
    `- versions: ${m.go}; node ${m.node}; ${m.k6}; wrk: ${m.wrk}; vegeta: ${m.vegeta}`,
    `- ${m.pinning}`,
    `- each cell: median (min–max) of ${r.repeat} run${r.repeat === 1 ? '' : 's'}; a ratio is taken per repeat, then the median: loadgate / bare k6 from the two run at once on the same core (CPU and RSS: twice per repeat, each side started first once, geometric mean), others from runs one after the other${r.repeat > 1 ? `; min–max is a ${fmt((1 - 2 * 0.5 ** r.repeat) * 100, 1)}% distribution-free interval for the median; a ratio also gives its repeats' geometric mean with a 95% interval (Student t over the log ratios)` : ''}`,
  ];
}

/** The figures against their goals, one row each. */
export function benchTable(r: BenchResult): string[] {
  const { goals, overhead: o, ceiling: c, accuracy: a } = r;
  // Older bench.json files judged the ceiling's median only.
  const { ceilingFloor } = goals as typeof goals & { ceilingFloor?: number };
  // Older bench.json files have no scale point.
  const mem = { ...r.memory, scale: r.memory.scale ?? null };
  // Older bench.json files carry no plan: the capacity search's first step is its first probe.
  const plan = (r as Partial<BenchResult>).plan;
  const firstCapacityStep = plan?.capacitySteps[0] ?? r.capacity.steps[0]?.rps ?? 0;
  const eventHold = r.quick ? `${plan?.eventProbeS ?? '?'} s` : '60 s';
  const [low, high] = mem.vus;
  const eventCell = (p: 'http' | 'grpc') => (r.events[p].sustained === null ? 'none held' : `${fmt(r.events[p].sustained!)} events/s`);
  const initHigh = mem.initSeconds[high];
  const rows: string[][] = [
    ['1. overhead: k6 CPU ms per 1,000 requests, loadgate / bare', `${cell(o.cpuRatio, 2)} (${fmt(o.loadgateCpuPer1000.median, 1)} vs ${fmt(o.bareCpuPer1000.median, 1)})`, `≤ ${goals.cpuRatio}`, met(o.cpuRatio.median <= goals.cpuRatio)],
    // Older bench.json files have no allocation counts.
    ...(o.cpuAaRatio
      ? [['1. overhead: the same CPU ratio, bare k6 against bare k6 (the method\'s own noise)', cell(o.cpuAaRatio, 2), 'recorded', '']]
      : []),
    // Older bench.json files have no CPU over the middle of the hold.
    ...(o.windowCpuRatio
      ? [
          [
            '1. overhead: the same CPU ratio over the middle half of the hold (without start-up, setup and summary)',
            `${cell(o.windowCpuRatio, 2)} (${fmt(o.loadgateWindowCpuPer1000.median, 1)} vs ${fmt(o.bareWindowCpuPer1000.median, 1)})`,
            'recorded',
            '',
          ],
          ['1. overhead: the same, bare k6 against bare k6', cell(o.windowCpuAaRatio, 2), 'recorded', ''],
        ]
      : []),
    ...(o.heap
      ? [[
          '1. overhead: Go heap allocations per request (middle half of the hold), loadgate / bare',
          `${cell(o.heap.mallocRatio, 2)} (${fmt(o.heap.loadgateMallocs.median)} vs ${fmt(o.heap.bareMallocs.median)}; ${fmt(o.heap.loadgateBytes.median / 1000, 1)} vs ${fmt(o.heap.bareBytes.median / 1000, 1)} KB)`,
          'recorded',
          '',
        ]]
      : []),
    ['1. overhead: k6 peak RSS, loadgate / bare', `${cell(o.rssRatio, 2)} (${fmt(o.loadgateRssMiB.median, 1)} vs ${fmt(o.bareRssMiB.median, 1)} MiB)`, `≤ ${goals.rssRatio}`, met(o.rssRatio.median <= goals.rssRatio)],
    [
      '2. ceiling: loadgate / bare k6 requests/s',
      `${cell(c.loadgateOverBare, 2)} (at once ${fmt(c.pairLoadgatePerSec.median)} vs ${fmt(c.pairBarePerSec.median)}/s; alone ${fmt(c.loadgatePerSec.median)} vs ${fmt(c.barePerSec.median)}/s)`,
      `≥ ${goals.ceilingRatio}${ceilingFloor === undefined ? '' : ` (median), ≥ ${ceilingFloor} (every repeat)`}`,
      met(c.loadgateOverBare.median >= goals.ceilingRatio && c.loadgateOverBare.min >= (ceilingFloor ?? 0)),
    ],
    ['2. ceiling: bare k6 / wrk requests/s', c.bareOverWrk ? `${cell(c.bareOverWrk, 2)} (wrk ${fmt(c.wrkPerSec!.median)}/s)` : 'wrk not installed', 'recorded', ''],
    [`3. memory: mixed peak RSS at ${low} / ${high} VUs`, `${fmt(mem.rssMiB[low].median, 1)} / ${fmt(mem.rssMiB[high].median, 1)} MiB`, '', ''],
    ['3. memory: MB per VU', cell(mem.mbPerVu, 2), `≤ ${goals.mbPerVu}`, met(mem.mbPerVu.median <= goals.mbPerVu)],
    ...(mem.scale
      ? [[`3. memory: mixed at ${fmt(mem.scale.vus)} VUs (one run)`, `${fmt(mem.scale.rssMiB, 1)} MiB, ${fmt(mem.scale.mbPerVuFromLow, 2)} MB per VU from ${low}; VUs initialised in ${mem.scale.initS === null ? 'n/a' : `${fmt(mem.scale.initS, 1)} s`}`, 'recorded', '']]
      : []),
    [`4. events: sustained ${eventHold} over HTTP`, eventCell('http'), `${fmt(goals.eventsPerSec)}/s`, met((r.events.http.sustained ?? 0) >= goals.eventsPerSec)],
    [`4. events: sustained ${eventHold} over gRPC`, eventCell('grpc'), `${fmt(goals.eventsPerSec)}/s`, met((r.events.grpc.sustained ?? 0) >= goals.eventsPerSec)],
    ['5. capacity: api-load rate with every SLO held', r.capacity.held === null ? `below ${fmt(firstCapacityStep)}/s` : `${fmt(r.capacity.held)} requests/s`, `${fmt(goals.capacityRps)}/s`, met((r.capacity.held ?? 0) >= goals.capacityRps)],
    ['6. accuracy: p50 − 20 ms, loadgate / vegeta', `${cell(a.loadgateP50Excess, 2)} / ${cell(a.vegetaP50Excess, 2)} ms`, '', ''],
    ['6. accuracy: p95 − 20 ms, loadgate / vegeta', `${cell(a.loadgateP95Excess, 2)} / ${cell(a.vegetaP95Excess, 2)} ms`, '', ''],
    ['6. accuracy: p50 difference loadgate − vegeta', a.p50Difference ? `${cell(a.p50Difference, 2)} ms` : 'vegeta not installed', `within ${goals.p50DiffMs} ms`, a.p50Difference ? met(Math.abs(a.p50Difference.median) <= goals.p50DiffMs) : ''],
    ['7. build: esbuild, every bundle (node build.mjs)', `${cell(r.buildSeconds, 2)} s`, `< ${goals.buildS} s`, met(r.buildSeconds.median < goals.buildS)],
    [`7. start-up: k6 initialising mixed's ${high} VUs`, initHigh ? `${cell(initHigh, 1)} s` : 'n/a', 'recorded', ''],
  ];
  return ['| figure | measured | goal | |', '|---|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

/**
 * Bounds make bench-quick (in make test) holds, so a later change cannot quietly undo the
 * generator's efficiency. Generous: quick runs last seconds on a shared machine. Three quick runs
 * on 2026-12-03, with the control plane apart, measured a CPU ratio of 1.35–1.41 and 0.75–0.83 MB
 * per VU. Memory barely depends on how busy the machine is, so its bound sits closer: 1.25 MB
 * per VU still fails the 1.44 MB per VU of before the cuts.
 */
export const quickGuards = { cpuRatio: 2.5, mbPerVu: 1.25 };

/** The sentences of every guard a quick run broke, empty when it held them all. */
export function guardViolations(r: Pick<BenchResult, 'overhead' | 'memory'>, bounds = quickGuards): string[] {
  const broken: string[] = [];
  const cpu = r.overhead.cpuRatio.median;
  if (!(cpu <= bounds.cpuRatio)) broken.push(`k6 CPU per request, loadgate / bare k6, is ${fmt(cpu, 2)}: over the guard of ${bounds.cpuRatio}`);
  const perVu = r.memory.mbPerVu.median;
  if (!(perVu <= bounds.mbPerVu)) broken.push(`mixed uses ${fmt(perVu, 2)} MB per VU: over the guard of ${bounds.mbPerVu}`);
  return broken;
}

/**
 * docs/distributed.md's sizing on paper: runners, VUs and memory for 100,000 and 1,000,000
 * requests/s, from one bench run's per-core ceiling and memory per VU. Estimates, not runs at
 * that scale; the page says what else is assumed.
 */
export function sizingTable(r: BenchResult, rates = [100_000, 1_000_000]): string[] {
  const perCore = r.ceiling.loadgatePerSec.median;
  const mbPerVu = r.memory.mbPerVu.median;
  // A runner of 4 cores kept at 70%: headroom for GC and bursts.
  const coresPerRunner = 4 * 0.7;
  // Open model: VUs in flight = rate × latency; 50 ms is a p99 budget like the SLOs'.
  const latencyS = 0.05;
  // What k6 itself holds before any VU (bare k6's peak RSS at a few VUs is in this range).
  const k6BaseMiB = 200;
  const sized = rates.map((rate) => {
    const cores = Math.ceil(rate / perCore);
    const runners = Math.ceil(cores / coresPerRunner);
    const vus = rate * latencyS;
    const vusPerRunner = Math.ceil(vus / runners);
    return { rate, cores, runners, vus, vusPerRunner, gib: (vusPerRunner * mbPerVu * 1e6) / 2 ** 30 + k6BaseMiB / 1024 };
  });
  const row = (label: string, cells: (s: (typeof sized)[number]) => string) => `| ${label} | ${sized.map(cells).join(' | ')} |`;
  return [
    `Basis: \`${r.command}\` run ${r.stamp}: **${fmt(perCore)} requests/s for loadgate's scenario code on one k6 core** (median of ${r.repeat}; bare k6 ${fmt(r.ceiling.barePerSec.median)}/s), the target pinned to the other core of a ${r.machine.cores}-core machine; mixed needed ${fmt(mbPerVu, 2)} MB per VU.`,
    '',
    `| | ${sized.map((s) => `${fmt(s.rate)} req/s`).join(' | ')} |`,
    `|---|${sized.map(() => '---').join('|')}|`,
    row(`k6 cores at ${fmt(perCore)} req/s each`, (s) => fmt(s.cores)),
    row('runners of 4 cores at 70% (headroom for GC and bursts)', (s) => `${fmt(s.runners)} (\`PARALLELISM=${s.runners}\`)`),
    row(`VUs in all, open model, ${latencyS * 1000} ms p99 (\`rate × latency\`)`, (s) => fmt(s.vus)),
    row(`memory per runner at ${fmt(mbPerVu, 2)} MB/VU plus ~${k6BaseMiB} MiB of k6`, (s) => `~${fmt(s.gib, 1)} GiB (${fmt(s.vusPerRunner)} VUs each)`),
  ];
}

/** docs/gate.md's A/A table, from docs/figures/gate-splits.json (bench/gate-splits.ts). */
export function gateSplitsTable(s: GateSplits): string[] {
  const share = (rule: GateSplits['rules'][number]) => `${fmt((100 * rule.failed) / rule.gates, 2)}% (${fmt(rule.failed)} of ${fmt(rule.gates)})`;
  const causes = (rule: GateSplits['rules'][number]) =>
    Object.entries(rule.failedBy)
      .sort((a, b) => b[1] - a[1])
      .map(([what, gates]) => `${what} ${fmt(gates)}`)
      .join(', ') || 'none';
  const floors = Object.entries(s.floors).map(([metric, floor]) => `${metric} ${floor}`).join(', ');
  const requests = Object.entries(s.requests).map(([endpoint, [least, most]]) => `${endpoint} ${least === most ? least : `${least}–${most}`}`).join(', ');
  return [
    `${s.runs} no-change runs of ${s.scenario} at ${s.profile}, back to back from ${s.from.slice(0, 16).replace('T', ' ')} to ${s.to.slice(11, 16)} UTC, on ${s.machine}. Every way to pick a baseline of 3 of them and a current of 3 others is one gate (\`REPEAT=3\`); the gates share runs, so these rates are as precise as ${s.runs} runs make them, not as ${fmt(s.rules[0].gates)} independent gates would.`,
    '',
    '| rule | gates that failed | failed on (endpoint metric, gates) |',
    '|---|---:|---|',
    ...s.rules.map((rule) => `| ${rule.rule === 'as committed' ? `as committed (floors: ${floors})` : rule.rule} | ${share(rule)} | ${causes(rule)} |`),
    '',
    `Requests per run: ${requests}.`,
  ];
}
