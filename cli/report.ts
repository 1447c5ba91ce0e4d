// `make report RUN=<folder>`: rebuilds the human-readable files of a run from its recorded data.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { renderJunit } from '../lib/summary/junit.ts';
import type { K6Summary } from '../lib/summary/model.ts';
import { renderText } from '../lib/summary/text.ts';
import {
  parsePprofTop,
  profileNames,
  renderReportMarkdown,
  type Captured,
  type PprofTop,
  type ProfileName,
  type ReportInput,
  type ReportMeta,
} from './report-markdown.ts';

export interface RunMeta {
  scenario: string;
  profile: string;
  reason: string;
  exitCode: number;
}

export function readRun(dir: string): { summary: K6Summary; meta: RunMeta } {
  const summaryFile = join(dir, 'summary.json');
  const metaFile = join(dir, 'meta.json');
  for (const file of [summaryFile, metaFile]) {
    if (!existsSync(file)) throw new Error(`${file} is missing; is ${dir} a loadgate run folder?`);
  }
  return {
    summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as K6Summary,
    meta: JSON.parse(readFileSync(metaFile, 'utf8')) as RunMeta,
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

/** The sentence for a capture that is not in the folder: the recorded failure if there is one. */
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

const pprofArgs: Record<ProfileName, { nodes: number; extra: string[]; failureHint: RegExp }> = {
  cpu: { nodes: 15, extra: [], failureHint: /cpu profile|\/debug\/pprof\/profile/ },
  allocs: { nodes: 15, extra: ['-sample_index=alloc_space'], failureHint: /\/debug\/pprof\/allocs/ },
  goroutine: { nodes: 10, extra: [], failureHint: /\/debug\/pprof\/goroutine/ },
  block: { nodes: 10, extra: [], failureHint: /\/debug\/pprof\/block/ },
  mutex: { nodes: 10, extra: [], failureHint: /\/debug\/pprof\/mutex/ },
};

function readProfile(dir: string, name: ProfileName, meta: ReportMeta | null): Captured<PprofTop> {
  const file = `profiles/${name}.pb.gz`;
  const { nodes, extra, failureHint } = pprofArgs[name];
  if (!existsSync(join(dir, file))) return { ok: false, missing: whyMissing(file, meta, failureHint) };
  try {
    const text = execFileSync('go', ['tool', 'pprof', '-top', `-nodecount=${nodes}`, ...extra, join(dir, file)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    return { ok: true, value: parsePprofTop(text) };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').pop();
    return { ok: false, missing: `go tool pprof could not read ${file} (${stderr || String(error)})` };
  }
}

/** Everything REPORT.md needs from a run folder; the missing parts carry the reason they are missing. */
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

export function regenerateReports(dir: string): void {
  const { summary, meta } = readRun(dir);
  const notes = [`ended: ${meta.reason} (k6 exit code ${meta.exitCode})`];
  const monitorNote = (summary.setup_data as { monitorNote?: string } | undefined)?.monitorNote;
  if (monitorNote) notes.push(monitorNote);
  writeFileSync(join(dir, 'summary.txt'), renderText(summary, { scenario: meta.scenario, profile: meta.profile, notes }));
  writeFileSync(join(dir, 'junit.xml'), renderJunit(summary, `loadgate.${meta.scenario}.${meta.profile}`));
  const markdown = renderReportMarkdown(collectReportInput(dir));
  writeFileSync(join(dir, 'REPORT.md'), markdown);
  // GitHub renders this file on the workflow run's page; several runs in one job append in turn.
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
}
