// Reading k6's `--out json` files (plain or gzipped JSON lines) as fast as node allows: the merge
// spends most of its time here, once per sample.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
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

/** Every line of a raw file, parsed; gzip is recognised by its magic bytes, not by the name. */
export async function* rawLines(file: string): AsyncGenerator<RawLine> {
  const head = await new Promise<Buffer>((done, fail) => {
    const stream = createReadStream(file, { start: 0, end: 1 });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => chunks.push(chunk as Buffer));
    stream.on('end', () => done(Buffer.concat(chunks)));
    stream.on('error', fail);
  });
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const input = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  raw.on('error', (error) => input.destroy(error));
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
  for await (const chunk of input) {
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
