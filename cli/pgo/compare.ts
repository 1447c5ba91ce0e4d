// `make profile-compare A=<runs> B=<runs>`: where CPU time and allocated bytes moved between two
// sets of runs, per function and per request served. Each run's profile is scaled so its samples
// add up to that run's cost per request (the service's CPU seconds and allocated bytes between the
// /metrics captures, over the requests it counted), the runs of a side are merged and divided by
// their number, and `go tool pprof -diff_base` ranks the differences. With several runs a side, a
// function's difference is called larger than noise when every run of one side is above every run
// of the other (cli/runs/ranks.ts gives the p-value of exactly that rank test).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { parseRunConfig } from '../run-config.ts';
import { k6Environment } from '../environment.ts';
import { code, table } from '../runs/format.ts';
import { decodeProfile, parsePprofTop, type PprofRow } from '../runs/pprof.ts';
import { readMeta } from '../record.ts';
import { createRunFolder } from '../run-folder.ts';
import { say } from '../run.ts';
import type { ServiceCost } from '../runs/cost.ts';
import { formatCost, kinds, profileBytes, readProfiledRun as readRun, type Kind, type ProfiledRun as Run } from '../runs/profiles.ts';
import { runFolders } from './settings.ts';
import { noiseLabel, shift } from '../runs/ranks.ts';

export const compareFiles = { markdown: 'profile-compare.md' } as const;

/** The run's profile with every value scaled to "per request, averaged over `runs` runs". */
function scaledProfile(run: Run, kind: Kind, runs: number): Buffer {
  const data = profileBytes(run.folder, kind);
  const profile = Profile.decode(data[0] === 0x1f ? gunzipSync(data) : data);
  const decoded = decodeProfile(data, kinds[kind].sampleType);
  const factor = decoded.total ? kinds[kind].perRequest(run.cost) / decoded.total / runs : 0;
  for (const sample of profile.sample) sample.value = sample.value.map((v) => Math.round(Number(v) * factor));
  return gzipSync(profile.encode());
}

function pprof(args: string[]): Buffer {
  return execFileSync('go', ['tool', 'pprof', ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
}

/** One side's runs merged into one per-request profile, written to the output folder. */
function sideProfile(runs: Run[], kind: Kind, dir: string, side: 'a' | 'b'): string {
  const parts = runs.map((run, i) => {
    const part = join(dir, `${kind}-${side}${i + 1}.pb.gz`);
    writeFileSync(part, scaledProfile(run, kind, runs.length));
    return part;
  });
  const merged = join(dir, `${kind}-${side}.pb.gz`);
  writeFileSync(merged, parts.length === 1 ? readFileSync(parts[0]) : pprof(['-proto', ...parts]));
  return merged;
}

function functionTable(kind: Kind, rows: PprofRow[], a: Run[], b: Run[]): string[] {
  const { unit } = kinds[kind];
  const values = (runs: Run[], name: string) => runs.map((r) => r.functions[kind].get(name) ?? 0);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return table(
    ['function', 'A', 'B', 'B − A (pprof -diff_base)', 'share of A\'s total', 'noise'],
    rows.map((row) => [code(row.name), formatCost(mean(values(a, row.name)), unit), formatCost(mean(values(b, row.name)), unit), row.flat, `${row.flatPercent.toFixed(2)}%`, noiseLabel(values(a, row.name), values(b, row.name))]),
    'lrrrrl',
  );
}

export async function profileCompareCommand(env: NodeJS.ProcessEnv): Promise<number> {
  // A folder without the profiles or /metrics it needs is refused by readRun, exit 2.
  const folders = { a: runFolders(env, 'A'), b: runFolders(env, 'B') };
  const a: Run[] = folders.a.map(readRun);
  const b: Run[] = folders.b.map(readRun);
  const meta = readMeta(a[0].folder)!;
  const dir = createRunFolder(parseRunConfig(k6Environment(env)).resultsDir, 'profile-compare', meta.profile);
  const lines = [`# Profile comparison: A (${a.length} run${a.length > 1 ? 's' : ''}) against B (${b.length})`, ''];
  lines.push(`A: ${a.map((r) => r.folder).join(', ')}`, '', `B: ${b.map((r) => r.folder).join(', ')}`, '');
  const figures: Array<[string, (c: ServiceCost) => number, (v: number) => string]> = [
    ['throughput, requests/s', (c) => c.throughput, (v) => v.toFixed(1)],
    ['client p50', (c) => c.p50Ms, (v) => `${v.toFixed(2)} ms`],
    ['client p95', (c) => c.p95Ms, (v) => `${v.toFixed(2)} ms`],
    ['server CPU per request', (c) => c.cpuPerRequest * 1e9, (v) => formatCost(v, 'ns')],
    ['allocated bytes per request', (c) => c.bytesPerRequest, (v) => formatCost(v, 'B')],
  ];
  const rows = figures.map(([label, get, show]) => {
    const xa = a.map((r) => get(r.cost));
    const xb = b.map((r) => get(r.cost));
    const result = shift(xa, xb);
    const base = result.before.median;
    return [label, show(base), show(result.after.median), `${result.estimate >= 0 ? '+' : '−'}${Math.abs((result.estimate / base) * 100).toFixed(1)}%`, noiseLabel(xa, xb)];
  });
  lines.push('## Throughput, latency and allocation', '', ...table(['measure', 'A (median)', 'B (median)', 'B − A', 'noise'], rows, 'lrrrl'), '');
  for (const kind of Object.keys(kinds) as Kind[]) {
    const base = sideProfile(a, kind, dir, 'a');
    const current = sideProfile(b, kind, dir, 'b');
    const top = parsePprofTop(pprof(['-top', '-nodecount=15', `-sample_index=${kinds[kind].sampleType}`, `-diff_base=${base}`, current]).toString('utf8'));
    lines.push(`## ${kinds[kind].label}, per function (flat)`, '');
    lines.push(top.rows.length ? functionTable(kind, top.rows, a, b).join('\n') : 'No difference.', '');
    lines.push(`Drill down: \`go tool pprof -http=127.0.0.1:0 -sample_index=${kinds[kind].sampleType} -diff_base=${base} ${current}\``, '');
  }
  lines.push(
    'Every profile is scaled to its run\'s cost per request served (the service\'s process_cpu_seconds_total and go_memstats_alloc_bytes_total over target_http_request_duration_seconds_count, between the /metrics captures), so runs of different length and rate compare. "Larger than noise": every run of one side beyond every run of the other.',
    '',
  );
  const markdown = lines.join('\n');
  process.stdout.write(`${markdown}\n`);
  writeFileSync(join(dir, compareFiles.markdown), markdown);
  say(`profile comparison written to ${join(dir, compareFiles.markdown)}`);
  return 0;
}
