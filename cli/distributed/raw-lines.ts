// Reading k6's `--out json` files (plain or gzipped JSON lines) as fast as node allows: the merge
// spends most of its time here, once per sample.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { pipeline, Readable } from 'node:stream';
import type { MetricType } from './thresholds.ts';

export interface RawLine {
  type?: string;
  metric?: string;
  data?: { name?: string; type?: MetricType; contains?: string; time?: string; value?: number; tags?: Record<string, string> | null };
  /** A sample read by the fast path: its tags as written, parsed only when a submetric needs them. */
  tagsText?: string;
}

/**
 * k6 writes every sample in one layout; reading the metric, time and value out of it by position is
 * several times faster than JSON.parse, and the tags (the bulk of the line) repeat, so they are
 * parsed once per distinct text. Any other line goes through JSON.parse.
 */
const samplePattern = /^\{"metric":"([^"\\]*)","type":"Point","data":\{"time":"([^"\\]*)","value":(-?[\d.]+(?:[eE][-+]?\d+)?),"tags":(.*)\}\}$/;

export function parseRawLine(line: string): RawLine {
  const sample = samplePattern.exec(line);
  if (sample) return { type: 'Point', metric: sample[1], data: { time: sample[2], value: Number(sample[3]) }, tagsText: sample[4] };
  return JSON.parse(line) as RawLine;
}

/** The file's bytes, gunzipped when its first two are gzip's magic (the name is not trusted). */
async function* plainChunks(source: RawSource): AsyncGenerator<Buffer> {
  // One pass: a stream (k6 writing into a FIFO, delivery.ts) cannot be reopened to peek at its head.
  const raw = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source.chunks;
  const chunks = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  if (first.done) return;
  const rest = async function* () {
    yield first.value;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  };
  if (first.value[0] !== 0x1f || first.value[1] !== 0x8b) return yield* rest();
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  // pipeline, not pipe: a read error must end the gunzipped stream too, not leave it waiting.
  pipeline(Readable.from(rest()), gunzip, () => {});
  yield* gunzip;
}

/** A raw file's path, or a stream of k6's output under a name for messages. */
export type RawSource = string | { name: string; chunks: AsyncIterable<Buffer> };

/** Every line of a raw file or stream, parsed. */
export async function* rawLines(source: RawSource): AsyncGenerator<RawLine> {
  const file = typeof source === 'string' ? source : source.name;
  let number = 0;
  let rest = '';
  // Split by hand, a chunk at a time: readline's per-line events cost more than the parsing.
  const parse = (line: string): RawLine => {
    try {
      return parseRawLine(line);
    } catch {
      throw new Error(`${file}:${number} is not a k6 JSON output line: ${line.slice(0, 80)}`);
    }
  };
  for await (const chunk of plainChunks(source)) {
    const lines = (rest + (chunk as Buffer).toString('utf8')).split('\n');
    rest = lines.pop()!;
    const parsed: RawLine[] = [];
    for (const line of lines) {
      number++;
      if (line && line !== '\r') parsed.push(parse(line.endsWith('\r') ? line.slice(0, -1) : line));
    }
    yield* parsed;
  }
  number++;
  if (rest.trim()) yield parse(rest.trim());
}
