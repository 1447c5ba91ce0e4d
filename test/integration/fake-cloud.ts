// A fake Grafana Cloud k6 API on loopback (k6 honours K6_CLOUD_HOST): it answers what the pinned
// k6 asks of it for `k6 cloud run` (validate options, archive upload, progress) and for
// `--local-execution` (test-run creation, metrics, the final status), and keeps every request.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** As received; metrics bodies decompressed from snappy, so a search sees their text. */
  body: Buffer;
}

/** What the test run's progress says: passed, failed (aborted by the system: k6 exits 97), or never answered. */
export type ProgressAnswer = 'passed' | 'failed' | 'unavailable';

export const testRunId = 4711;

export async function startFakeCloud(progress: ProgressAnswer): Promise<{ url: string; requests: CapturedRequest[]; close: () => Promise<void> }> {
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'snappy' ? snappyDecode(raw) : raw;
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/v1/archive-upload' || req.url === '/v1/tests') return json(200, { reference_id: String(testRunId) });
      if (req.url?.startsWith('/v1/test-progress/')) {
        if (progress === 'unavailable') return json(503, { error: { message: 'progress unavailable' } });
        // run_status 3 is finished, 6 aborted by the system; result_status 1 is failed.
        return json(200, progress === 'passed' ? { progress: 1, run_status: 3, result_status: 0, run_status_text: 'Finished' } : { progress: 1, run_status: 6, result_status: 1, run_status_text: 'Aborted (by system)' });
      }
      if (req.url?.startsWith('/v2/metrics/')) {
        res.writeHead(204);
        return res.end();
      }
      json(200, {});
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((done) => server.close(() => done())) };
}

/** Snappy's block format (what k6's cloud output sends): a varint length, then literals and copies. */
export function snappyDecode(input: Buffer): Buffer {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = input[pos++];
    length |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  const out = Buffer.alloc(length);
  let at = 0;
  while (pos < input.length) {
    const tag = input[pos++];
    if ((tag & 3) === 0) {
      let size = tag >> 2;
      if (size >= 60) {
        const bytes = size - 59;
        size = input.readUIntLE(pos, bytes);
        pos += bytes;
      }
      input.copy(out, at, pos, pos + size + 1);
      pos += size + 1;
      at += size + 1;
      continue;
    }
    let size: number;
    let offset: number;
    if ((tag & 3) === 1) {
      size = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | input[pos++];
    } else if ((tag & 3) === 2) {
      size = (tag >> 2) + 1;
      offset = input.readUInt16LE(pos);
      pos += 2;
    } else {
      size = (tag >> 2) + 1;
      offset = input.readUInt32LE(pos);
      pos += 4;
    }
    // Copies may overlap their own output, so byte by byte.
    for (let i = 0; i < size; i++, at++) out[at] = out[at - offset];
  }
  return out;
}
