// Synthetic raw files in k6's `--out json` shape, for the merge's and the delivery's tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const dir = mkdtempSync(join(tmpdir(), 'loadgate-merge-'));

export interface Sample {
  metric: string;
  value: number;
  tags?: Record<string, string>;
}

const types: Record<string, [string, string]> = {
  http_req_duration: ['trend', 'time'],
  http_reqs: ['counter', 'default'],
  http_req_failed: ['rate', 'default'],
  vus: ['gauge', 'default'],
};

/** A raw file in k6's --out json shape: a Metric line before a metric's first Point. */
export function rawFile(name: string, samples: Sample[], gzip = true): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  samples.forEach((sample, i) => {
    if (!seen.has(sample.metric)) {
      seen.add(sample.metric);
      const [type, contains] = types[sample.metric];
      lines.push(JSON.stringify({ type: 'Metric', data: { name: sample.metric, type, contains, thresholds: [], submetrics: null }, metric: sample.metric }));
    }
    const time = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString();
    lines.push(JSON.stringify({ metric: sample.metric, type: 'Point', data: { time, value: sample.value, tags: sample.tags ?? {} } }));
  });
  const file = join(dir, name);
  const text = `${lines.join('\n')}\n`;
  writeFileSync(file, gzip ? gzipSync(text) : text);
  return file;
}

/** Requests to one endpoint: duration, count and failure samples, as k6 emits them. */
export function requests(endpoint: string, durations: number[]): Sample[] {
  const tags = { endpoint, expected_response: 'true', name: `GET /${endpoint}`, status: '200' };
  return durations.flatMap((value) => [
    { metric: 'http_req_duration', value, tags },
    { metric: 'http_reqs', value: 1, tags },
    { metric: 'http_req_failed', value: 0, tags },
  ]);
}
