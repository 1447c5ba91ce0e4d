// Reads a run folder into a ReportInput. A capture that is not there is not an error: it becomes
// the sentence the report prints in its place, taken from the outcome meta.json records for it.
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { captureFile, readMeta, readSummary, type CaptureName, type RunMeta } from '../record.ts';
import type { Captured, ReportInput } from './input.ts';
import type { K6Summary } from '../../lib/summary/model.ts';
import { mainModule, pprofTop, pprofKinds, readProfileFile, type PprofTop, type PprofKind } from '../runs/pprof.ts';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

function whyMissing(name: CaptureName, meta: RunMeta | null): string {
  const file = captureFile(name);
  const outcome = meta?.captures?.find((capture) => capture.name === name);
  switch (outcome?.status) {
    case 'failed':
      return `${file} is missing because the capture failed (${outcome.detail})`;
    case 'off':
    case 'skipped':
      return `${file} was not captured: ${outcome.detail}`;
  }
  if (meta?.target && !meta.target.startedByLoadgate) {
    return `${file} is missing: the target at ${meta.target.baseUrl ?? 'BASE_URL'} was not started by loadgate and exposed no capture endpoint for it (set PPROF_URL or LOADGATE_METRICS_URL)`;
  }
  return `${file} is missing and meta.json records no capture of it`;
}

function readCapture(dir: string, name: CaptureName, meta: RunMeta | null): Captured<string> {
  const path = join(dir, captureFile(name));
  if (!existsSync(path)) return { ok: false, missing: whyMissing(name, meta) };
  return { ok: true, value: readFileSync(path, 'utf8') };
}

function readProfile(dir: string, name: PprofKind, meta: RunMeta | null, ownModule: string | null): Captured<PprofTop> {
  const file = captureFile(name);
  if (!existsSync(join(dir, file))) return { ok: false, missing: whyMissing(name, meta) };
  try {
    return { ok: true, value: pprofTop(join(dir, file), name, ownModule) };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').pop();
    return { ok: false, missing: `go tool pprof could not read ${file} (${stderr || String(error)})` };
  }
}

/**
 * The module whose code counts as the application's own: the endpoint table's `module`, else the
 * one main.main calls in the allocation profile (the service's whole life) or the CPU profile.
 */
function ownModule(dir: string, summary: K6Summary | null): string | null {
  const declared = (summary?.setup_data as { module?: unknown } | undefined)?.module;
  if (typeof declared === 'string' && declared) return declared;
  for (const [name, sampleType] of [['allocs', 'alloc_space'], ['cpu', 'cpu']] as const) {
    const file = join(dir, captureFile(name));
    try {
      const found = existsSync(file) ? mainModule(readProfileFile(file, sampleType)) : null;
      if (found) return found;
    } catch {
      // An unreadable profile is reported by its own section; here it only means "not found".
    }
  }
  return null;
}

export function collectReportInput(dir: string): ReportInput {
  const meta = readMeta(dir);
  const summary = readSummary(dir);
  const module = ownModule(dir, summary);
  const profiles = Object.fromEntries(pprofKinds.map((name) => [name, readProfile(dir, name, meta, module)])) as Record<PprofKind, Captured<PprofTop>>;
  return {
    runName: basename(realpathSync(dir)), // results/latest names the run it points at
    summary,
    meta,
    metricsBefore: readCapture(dir, 'metrics-before', meta),
    metricsAfter: readCapture(dir, 'metrics-after', meta),
    database: readCapture(dir, 'db', meta),
    profiles,
    files: listFiles(dir),
  };
}
