// What a runner delivers instead of its raw samples: every metric's sink, and every submetric's the
// thresholds name, reduced beside the runner from k6's `--out json` stream (reduce.ts). Its size
// grows with the metrics and tag sets, not with the requests: exact values while the runner's
// budget holds them (so a small run still merges exactly), log-bucket histograms past it.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { K6Summary } from '../../lib/summary/model.ts';
import { Accumulator, submetricKeys } from './accumulate.ts';
import { TrendBudget, type SinkState } from './sinks.ts';
import type { MetricType } from './thresholds.ts';
import type { RawSource } from './raw-lines.ts';

export const aggregateFormat = 'loadgate-aggregate/1';
/** `<runner>.aggregate.json.gz`: told apart from k6's raw `<runner>.json.gz` by name. */
export const aggregateSuffix = '.aggregate.json.gz';
/**
 * Trend values a runner keeps exact: 1 M (8 MiB, about 11 MB of base64 before gzip), which covers a
 * runner's share of a rehearsal or a short distributed run. Past it the runner sends histograms of
 * about 1,400 buckets per trend and tag set.
 */
export const runnerExactLimit = 2 ** 20;

export interface Aggregate {
  format: typeof aggregateFormat;
  runner: string;
  /** Raw samples the runner's k6 emitted. */
  samples: number;
  firstMs: number | null;
  lastMs: number | null;
  /** The submetric keys it was reduced for (the thresholds' tagged keys). */
  submetrics: string[];
  metrics: Array<{ name: string; type: MetricType; contains: string; sink: SinkState; submetrics: Record<string, SinkState> }>;
  /** The runner's own handleSummary data, when it left one. */
  summary: K6Summary | null;
}

/** Reduces one runner's raw output (a file, or the stream k6 writes into a FIFO) to its aggregate. */
export async function reduceRaw(input: { file: RawSource; runner: string; thresholdKeys: readonly string[]; exactLimit?: number }): Promise<Aggregate> {
  const accumulator = new Accumulator(1, submetricKeys(input.thresholdKeys), new TrendBudget('auto', input.exactLimit ?? runnerExactLimit));
  const samples = await accumulator.ingest(input.file, 0);
  return {
    format: aggregateFormat,
    runner: input.runner,
    samples,
    firstMs: Number.isFinite(accumulator.firstMs) ? accumulator.firstMs : null,
    lastMs: Number.isFinite(accumulator.lastMs) ? accumulator.lastMs : null,
    submetrics: [...accumulator.submetrics],
    metrics: [...accumulator.metrics.values()].map((metric) => ({
      name: metric.name,
      type: metric.type,
      contains: metric.contains,
      sink: metric.sinks[0].state(),
      submetrics: Object.fromEntries(metric.submetrics.map((sub) => [sub.key, sub.sink.state()])),
    })),
    summary: null,
  };
}

export const encodeAggregate = (aggregate: Aggregate): Buffer => gzipSync(JSON.stringify(aggregate));

export function decodeAggregate(bytes: Buffer, source: string): Aggregate {
  let parsed: Partial<Aggregate>;
  try {
    parsed = JSON.parse(gunzipSync(bytes).toString('utf8')) as Partial<Aggregate>;
  } catch (error) {
    throw new Error(`${source} is not a gzipped loadgate aggregate: ${(error as Error).message}`);
  }
  if (parsed.format !== aggregateFormat) throw new Error(`${source} is ${parsed.format ? `format ${parsed.format}` : 'not a loadgate aggregate'}; this loadgate reads ${aggregateFormat}`);
  return parsed as Aggregate;
}

export const readAggregate = (file: string): Aggregate => decodeAggregate(readFileSync(file), file);
export const writeAggregate = (file: string, aggregate: Aggregate): void => writeFileSync(file, encodeAggregate(aggregate));
