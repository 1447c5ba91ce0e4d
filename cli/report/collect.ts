// Reads a run folder into a ReportInput. A capture that is not there is not an error: it becomes
// the sentence the report prints in its place, with the most specific reason the folder records.
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { K6Summary } from '../../lib/summary/model.ts';
import type { Captured, ReportInput, ReportMeta } from './input.ts';
import { pprofTop, profileNames, type PprofTop, type ProfileName } from './pprof.ts';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

function whyMissing(file: string, meta: ReportMeta | null, failureHint: RegExp): string {
  const failure = meta?.captures?.failures.find((line) => failureHint.test(line));
  if (failure) return `${file} is missing because the capture failed (${failure})`;
  if (meta?.target && !meta.target.startedByLoadgate) {
    return `${file} is missing: the target at ${meta.target.baseUrl ?? 'BASE_URL'} was not started by loadgate and exposed no capture endpoint for it (set PPROF_URL or LOADGATE_METRICS_URL)`;
  }
  return `${file} is missing: capture was off for this run (PROFILE_CAPTURE=0) or the target exposes no endpoint for it`;
}

function readCapture(dir: string, file: string, meta: ReportMeta | null, failureHint: RegExp): Captured<string> {
  const path = join(dir, file);
  if (!existsSync(path)) return { ok: false, missing: whyMissing(file, meta, failureHint) };
  return { ok: true, value: readFileSync(path, 'utf8') };
}

/** How cli/capture.ts words a failed capture of each profile in meta.captures.failures. */
const failureHints: Record<ProfileName, RegExp> = {
  cpu: /cpu profile|\/debug\/pprof\/profile/,
  allocs: /\/debug\/pprof\/allocs/,
  goroutine: /\/debug\/pprof\/goroutine/,
  block: /\/debug\/pprof\/block/,
  mutex: /\/debug\/pprof\/mutex/,
};

function readProfile(dir: string, name: ProfileName, meta: ReportMeta | null): Captured<PprofTop> {
  const file = `profiles/${name}.pb.gz`;
  if (!existsSync(join(dir, file))) return { ok: false, missing: whyMissing(file, meta, failureHints[name]) };
  try {
    return { ok: true, value: pprofTop(join(dir, file), name) };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').pop();
    return { ok: false, missing: `go tool pprof could not read ${file} (${stderr || String(error)})` };
  }
}

export function collectReportInput(dir: string): ReportInput {
  const read = <T>(file: string): T | null => (existsSync(join(dir, file)) ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as T) : null);
  const meta = read<ReportMeta>('meta.json');
  const profiles = Object.fromEntries(profileNames.map((name) => [name, readProfile(dir, name, meta)])) as Record<ProfileName, Captured<PprofTop>>;
  return {
    runName: basename(realpathSync(dir)), // results/latest names the run it points at
    summary: read<K6Summary>('summary.json'),
    meta,
    metricsBefore: readCapture(dir, 'profiles/metrics-before.prom', meta, /metrics/),
    metricsAfter: readCapture(dir, 'profiles/metrics-after.prom', meta, /metrics/),
    profiles,
    files: listFiles(dir),
  };
}
