// Evaluates alert rules against successive scrapes of a Prometheus /metrics page, with the same
// pending → firing semantics as Prometheus: a rule fires once its condition has held for its whole
// `for` window. Pure, so node tests drive it with hand-made scrapes.
//
// Everything is built by one call, alerting(): every function at a module's top level is an object
// in every k6 VU, and only the monitor's VU evaluates alerts (at its first scrape). As top-level
// functions they cost each load VU about 11 KB (docs/benchmarks.md).
import type { AlertRule, Matchers, Series, Signal } from '../thresholds/alerts.ts';
import { durationToMs } from './profiles.ts';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  atMs: number;
  samples: Sample[];
}

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface AlertStatus {
  rule: AlertRule;
  state: AlertState;
  activeSinceMs: number;
  value: number | null;
}

/** The parser and the evaluator, built on call: `const { parsePrometheusText } = alerting();`. */
export function alerting() {
  /**
   * Parses the Prometheus text format, keeping only the metric families in `wanted`. Only their
   * lines are read: indexOf finds each family's lines in Go, where a regular expression over every
   * line of the page cost the monitor's VU 4 ms per scrape of the reference service's 490 lines
   * (docs/benchmarks.md). Samples come grouped by family, in page order within one.
   */
  function parsePrometheusText(text: string, wanted: ReadonlySet<string>): Sample[] {
    // Here, not at module level: every k6 VU would build them, and only the monitor's VU parses.
    const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
    const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    // Every sample line, the first included, then starts with a newline and its name.
    const page = `\n${text}`;
    const samples: Sample[] = [];
    for (const family of wanted) {
      const start = `\n${family}`;
      for (let at = page.indexOf(start); at >= 0; at = page.indexOf(start, at + start.length)) {
        const end = page.indexOf('\n', at + 1);
        const match = sampleLine.exec(page.slice(at + 1, end < 0 ? page.length : end));
        // A longer name that starts with the family's (family_total against family) is another family.
        if (!match || familyOf(match[1]) !== family) continue;
        // exec in a loop: matchAll's iterators cost sobek four times as much per label.
        const labels: Record<string, string> = {};
        const labelText = match[2] ?? '';
        labelPair.lastIndex = 0;
        for (let pair = labelPair.exec(labelText); pair !== null; pair = labelPair.exec(labelText)) {
          labels[pair[1]] = pair[2].includes('\\') ? pair[2].replace(/\\(.)/g, '$1') : pair[2];
        }
        samples.push({ name: match[1], labels, value: Number(match[3]) });
      }
    }
    return samples;
  }

  function familyOf(name: string): string {
    return name.replace(/_(bucket|count|sum)$/, '');
  }

  /** Metric families a set of rules reads, so the parser can skip the rest of the page. */
  function familiesOf(rules: readonly AlertRule[]): Set<string> {
    const series = rules.flatMap(({ signal }) =>
      signal.kind === 'quantile' ? [signal.histogram] : [signal.numerator, signal.denominator],
    );
    return new Set(series.map(({ metric }) => familyOf(metric)));
  }

  /** Rules whose metric families are all on this scrape page, and the rest, by name. */
  function rulesWithData(rules: readonly AlertRule[], metricsText: string): { evaluated: string[]; withoutData: string[] } {
    const wanted = familiesOf(rules);
    const present = new Set(parsePrometheusText(metricsText, wanted).map((sample) => familyOf(sample.name)));
    const evaluated: string[] = [];
    const withoutData: string[] = [];
    for (const rule of rules) ([...familiesOf([rule])].every((family) => present.has(family)) ? evaluated : withoutData).push(rule.name);
    return { evaluated, withoutData };
  }

  /** A label test: each =~ and !~ pattern compiled once, anchored as Prometheus anchors it. */
  function labelTest(op: Matchers[string]['op'], value: string): (actual: string) => boolean {
    if (op === '=') return (actual) => actual === value;
    if (op === '!=') return (actual) => actual !== value;
    const pattern = new RegExp(`^(?:${value})$`);
    return op === '=~' ? (actual) => pattern.test(actual) : (actual) => !pattern.test(actual);
  }

  // A series' matchers as label tests, built at its first selection: building them again for each
  // sample of each scrape (Object.entries, a pattern compiled) was most of what the monitor's
  // evaluation allocated.
  const seriesTests = new Map<Series, { labels: string[]; tests: Array<(actual: string) => boolean> }>();
  function testsOf(series: Series) {
    let found = seriesTests.get(series);
    if (!found) {
      const entries = Object.entries(series.matchers ?? {});
      found = { labels: entries.map(([label]) => label), tests: entries.map(([, { op, value }]) => labelTest(op, value)) };
      seriesTests.set(series, found);
    }
    return found;
  }

  /** Indexed loops: an iterator per loop is an object sobek allocates, for each sample of each scrape. */
  function selects(series: Series, name: string, sample: Sample): boolean {
    if (sample.name !== name) return false;
    const { labels, tests } = testsOf(series);
    for (let i = 0; i < tests.length; i++) if (!tests[i](sample.labels[labels[i]] ?? '')) return false;
    return true;
  }

  function select(scrape: Scrape, series: Series, name = series.metric): Sample[] {
    const selected: Sample[] = [];
    for (let i = 0; i < scrape.samples.length; i++) if (selects(series, name, scrape.samples[i])) selected.push(scrape.samples[i]);
    return selected;
  }

  function sum(scrape: Scrape, series: Series): number {
    let total = 0;
    for (let i = 0; i < scrape.samples.length; i++) if (selects(series, series.metric, scrape.samples[i])) total += scrape.samples[i].value;
    return total;
  }

  /** Counters only grow; a drop means the target restarted, so the new value is the increase. */
  function increase(now: number, before: number): number {
    return now >= before ? now - before : now;
  }

  function bucketTotals(scrape: Scrape, histogram: Series): Map<number, number> {
    const totals = new Map<number, number>();
    for (const sample of select(scrape, histogram, `${histogram.metric}_bucket`)) {
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      totals.set(le, (totals.get(le) ?? 0) + sample.value);
    }
    return totals;
  }

  /** Prometheus' histogram_quantile: linear interpolation inside the bucket holding the rank. */
  function histogramQuantile(quantile: number, cumulative: Array<[number, number]>): number | null {
    const buckets = [...cumulative].sort(([a], [b]) => a - b);
    const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
    if (total <= 0) return null;
    const rank = quantile * total;
    let lowerBound = 0;
    let lowerCount = 0;
    for (const [upperBound, count] of buckets) {
      if (count >= rank) {
        if (upperBound === Infinity) return lowerBound;
        return lowerBound + ((upperBound - lowerBound) * (rank - lowerCount)) / (count - lowerCount || 1);
      }
      lowerBound = upperBound;
      lowerCount = count;
    }
    return lowerBound;
  }

  /**
   * What one scrape says about one signal, and all the evaluator keeps of it: the two sums of a
   * ratio, or a histogram's totals per bucket. Kept as whole scrapes, the history held every
   * parsed sample of the window's scrapes, and each sample's strings the page they were cut from
   * (about 70 KB a scrape, 13 scrapes at real time), in the monitor's VU for the whole run.
   */
  type Sums = { atMs: number; numerator: number; denominator: number };
  type Buckets = { atMs: number; buckets: Map<number, number> };
  type Reading = Sums | Buckets;

  /** A quantile's reading holds Buckets, any other signal's Sums (the casts below rely on it). */
  function readingOf(signal: Signal, scrape: Scrape): Reading {
    if (signal.kind === 'quantile') return { atMs: scrape.atMs, buckets: bucketTotals(scrape, signal.histogram) };
    return { atMs: scrape.atMs, numerator: sum(scrape, signal.numerator), denominator: sum(scrape, signal.denominator) };
  }

  /** The reading that opens a window ending now: the newest one at least `windowMs` old, else the oldest. */
  function windowStart(readings: readonly Reading[], nowMs: number, windowMs: number): Reading | undefined {
    let start: Reading | undefined;
    for (const reading of readings) {
      if (reading.atMs <= nowMs - windowMs) start = reading;
    }
    return start ?? (readings.length > 1 ? readings[0] : undefined);
  }

  /** The signal's value at the newest reading, or null when there is no data to judge. */
  function valueOf(signal: Signal, readings: readonly Reading[], timeScale: number): number | null {
    const latest = readings[readings.length - 1];
    if (!latest) return null;
    if (signal.kind === 'gaugeRatio') {
      const { numerator, denominator } = latest as Sums;
      return denominator > 0 ? numerator / denominator : null;
    }
    const start = windowStart(readings, latest.atMs, durationToMs(signal.window) * timeScale);
    if (!start || start === latest) return null;
    if (signal.kind === 'ratio') {
      const [before, now] = [start as Sums, latest as Sums];
      const denominator = increase(now.denominator, before.denominator);
      return denominator > 0 ? increase(now.numerator, before.numerator) / denominator : null;
    }
    const before = (start as Buckets).buckets;
    const cumulative = [...(latest as Buckets).buckets].map(([le, count]): [number, number] => [le, increase(count, before.get(le) ?? 0)]);
    return histogramQuantile(signal.quantile, cumulative);
  }

  /** The signal's value at the newest of these scrapes, or null when there is no data to judge. */
  function signalValue(signal: Signal, history: readonly Scrape[], timeScale = 1): number | null {
    return valueOf(signal, history.map((scrape) => readingOf(signal, scrape)), timeScale);
  }

  /** Keeps each rule's readings and state for one monitor; `observe` returns the rules that just fired. */
  class AlertEvaluator {
    readonly statuses: AlertStatus[];
    private readonly readings: Reading[][];
    private readonly keepMs: number;

    constructor(
      rules: readonly AlertRule[],
      private readonly timeScale: number,
    ) {
      this.statuses = rules.map((rule) => ({ rule, state: 'inactive', activeSinceMs: 0, value: null }));
      this.readings = rules.map(() => []);
      const windows = rules.map(({ signal }) => ('window' in signal ? durationToMs(signal.window) : 0));
      this.keepMs = Math.max(0, ...windows) * timeScale + 5_000;
    }

    observe(scrape: Scrape): AlertRule[] {
      const fired: AlertRule[] = [];
      for (let i = 0; i < this.statuses.length; i++) {
        const status = this.statuses[i];
        const readings = this.readings[i];
        readings.push(readingOf(status.rule.signal, scrape));
        while (readings[0].atMs < scrape.atMs - this.keepMs) readings.shift();
        status.value = valueOf(status.rule.signal, readings, this.timeScale);
        if (status.value === null || status.value <= status.rule.above) {
          status.state = 'inactive';
          continue;
        }
        if (status.state === 'inactive') {
          status.state = 'pending';
          status.activeSinceMs = scrape.atMs;
        }
        const heldMs = scrape.atMs - status.activeSinceMs;
        if (status.state === 'pending' && heldMs >= durationToMs(status.rule.for) * this.timeScale) {
          status.state = 'firing';
          fired.push(status.rule);
        }
      }
      return fired;
    }
  }

  /**
   * How often the monitor scrapes for `rules`: a dozen times in the shortest window or `for`, from
   * 1 s to 5 s. At real time that is every 5 s, twelve scrapes in a 1-minute window (Prometheus'
   * default of 15 s gives four); a profile that compresses time gets 1 s. Each scrape is parsed in
   * a k6 VU, and at 1 s the monitor was the largest part of loadgate's CPU above bare k6 at 300
   * requests/s (docs/benchmarks.md).
   */
  function scrapeIntervalMs(rules: readonly AlertRule[], timeScale: number): number {
    const spans = rules.flatMap((rule) => [durationToMs(rule.for), 'window' in rule.signal ? durationToMs(rule.signal.window) : 0]).filter((ms) => ms > 0);
    const dozenth = (Math.min(...spans) * timeScale) / 12;
    return Math.round(Math.min(5000, Math.max(1000, dozenth)));
  }

  return { parsePrometheusText, familiesOf, rulesWithData, scrapeIntervalMs, increase, histogramQuantile, signalValue, AlertEvaluator };
}

export type Alerting = ReturnType<typeof alerting>;
export type AlertEvaluator = InstanceType<Alerting['AlertEvaluator']>;
