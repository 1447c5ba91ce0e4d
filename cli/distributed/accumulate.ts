// The merge's running state: one sink per metric and per submetric a threshold names, fed either
// sample by sample from k6's raw output or, a runner at a time, from the aggregate a runner's
// reducer delivered (aggregate.ts). Both paths go through the same sinks, so a run merged from
// aggregates equals the same run merged from raw samples whenever the aggregates carry exact values.
import type { Aggregate } from './aggregate.ts';
import { rawLines, type RawLine, type RawSource } from './raw-lines.ts';
import { absorbState, newSink, type Sink, type TrendBudget } from './sinks.ts';
import type { MetricType } from './thresholds.ts';

export interface Submetric {
  key: string;
  tags: Array<[string, string]>;
  sink: Sink;
}

export interface Metric {
  name: string;
  type: MetricType;
  contains: string;
  /** One sink per instance for gauges (they are added up at the end), one shared sink otherwise. */
  sinks: Sink[];
  submetrics: Submetric[];
}

/** A submetric key's tags parsed as k6's Metric.AddSubmetric does: `a:1, "b":'2'`. */
export function submetricTags(key: string): { parent: string; tags: Array<[string, string]> } {
  const open = key.indexOf('{');
  if (open < 0) return { parent: key, tags: [] };
  const unquote = (text: string) => text.trim().replace(/^["']+|["']+$/g, '');
  const tags = key
    .slice(open + 1, -1)
    .split(',')
    .filter(Boolean)
    .map((pair): [string, string] => {
      const colon = pair.indexOf(':');
      return colon < 0 ? [unquote(pair), ''] : [unquote(pair.slice(0, colon)), unquote(pair.slice(colon + 1))];
    });
  return { parent: key.slice(0, open), tags };
}

/**
 * k6 creates a submetric for every threshold key with tags, and always this one (system tag
 * expected_response is on by default); they appear in the summary once observed.
 */
export function submetricKeys(thresholdKeys: readonly string[]): string[] {
  return [...new Set(['http_req_duration{expected_response:true}', ...thresholdKeys.filter((key) => key.includes('{'))])];
}

export class Accumulator {
  readonly metrics = new Map<string, Metric>();
  firstMs = Infinity;
  lastMs = -Infinity;
  private readonly pending = new Map<string, string[]>();
  // The submetric sinks a metric's tag set feeds, by the tags' text; cleared when it grows large
  // (a url tag with ids in it), so memory stays bounded and only the saving is lost.
  private readonly matched = new Map<string, Sink[]>();
  private lastTime = '';

  constructor(
    private readonly instances: number,
    readonly submetrics: readonly string[],
    readonly budget: TrendBudget,
  ) {
    for (const key of submetrics) {
      const { parent } = submetricTags(key);
      this.pending.set(parent, [...(this.pending.get(parent) ?? []), key]);
    }
  }

  define(name: string, type: MetricType, contains: string): Metric {
    let metric = this.metrics.get(name);
    if (!metric) {
      const sinks = type === 'gauge' ? Array.from({ length: this.instances }, () => newSink(type)) : [newSink(type, this.budget)];
      metric = { name, type, contains, sinks, submetrics: [] };
      this.metrics.set(name, metric);
      for (const key of this.pending.get(name) ?? []) metric.submetrics.push({ key, tags: submetricTags(key).tags, sink: newSink(type, this.budget) });
      this.pending.delete(name);
    }
    return metric;
  }

  private matching(metric: Metric, line: RawLine): Sink[] {
    const key = line.tagsText === undefined ? undefined : `${metric.name}\0${line.tagsText}`;
    const known = key === undefined ? undefined : this.matched.get(key);
    if (known) return known;
    const tags: Record<string, string> = (line.tagsText === undefined ? line.data?.tags : (JSON.parse(line.tagsText) as Record<string, string> | null)) ?? {};
    const sinks = metric.submetrics.filter((sub) => sub.tags.every(([name, value]) => (tags[name] ?? '') === value)).map((sub) => sub.sink);
    if (key !== undefined) {
      if (this.matched.size >= 100_000) this.matched.clear();
      this.matched.set(key, sinks);
    }
    return sinks;
  }

  /** Feeds one instance's raw output (a file, or the stream from a FIFO); returns the samples read. */
  async ingest(source: RawSource, instance: number): Promise<number> {
    const file = typeof source === 'string' ? source : source.name;
    let count = 0;
    for await (const line of rawLines(source)) {
      const data = line.data;
      if (!data) continue;
      if (line.type === 'Metric' && data.name && data.type) {
        this.define(data.name, data.type, data.contains ?? 'default');
        continue;
      }
      if (line.type !== 'Point' || !line.metric || typeof data.value !== 'number') continue;
      const metric = this.metrics.get(line.metric);
      if (!metric) throw new Error(`${file}: a sample of ${line.metric} comes before its Metric line; is this k6's --out json output?`);
      count++;
      metric.sinks[metric.type === 'gauge' ? instance : 0].add(data.value);
      if (metric.submetrics.length) for (const sink of this.matching(metric, line)) sink.add(data.value);
      // Samples of one moment share their time text, so it is parsed once per moment.
      if (data.time && data.time !== this.lastTime) {
        this.lastTime = data.time;
        const ms = Date.parse(data.time);
        if (ms < this.firstMs) this.firstMs = ms;
        if (ms > this.lastMs) this.lastMs = ms;
      }
    }
    return count;
  }

  /** Feeds one runner's aggregate as instance `instance`; returns the samples it summarised. */
  absorb(aggregate: Aggregate, instance: number): number {
    const lacking = this.submetrics.filter((key) => !aggregate.submetrics.includes(key));
    if (lacking.length) {
      throw new Error(`the aggregate of ${aggregate.runner} was reduced without the submetrics ${lacking.join(', ')} that the thresholds name; reduce it with the thresholds of the run's meta.json`);
    }
    for (const delivered of aggregate.metrics) {
      const metric = this.define(delivered.name, delivered.type, delivered.contains);
      absorbState(metric.sinks[metric.type === 'gauge' ? instance : 0], delivered.sink);
      for (const sub of metric.submetrics) {
        const state = delivered.submetrics[sub.key];
        if (state) absorbState(sub.sink, state);
      }
    }
    if (aggregate.firstMs !== null) this.firstMs = Math.min(this.firstMs, aggregate.firstMs);
    if (aggregate.lastMs !== null) this.lastMs = Math.max(this.lastMs, aggregate.lastMs);
    return aggregate.samples;
  }
}
