// What REPORT.md is rendered from. The renderer never touches the disk, so tests can hand it
// recorded runs and hand-made gaps alike.
import { noLoadRan, type K6Summary, type MetricSummary } from '../../lib/summary/model.ts';
import type { RunMeta } from '../record.ts';
import type { PprofTop, PprofKind } from '../runs/pprof.ts';

/** A piece of run data, or the sentence explaining why it is not there. */
export type Captured<T> = { ok: true; value: T } | { ok: false; missing: string };

export interface ReportInput {
  /** The run folder's own name, e.g. 20261122T163838Z-mixed-smoke. */
  runName: string;
  summary: K6Summary | null;
  meta: RunMeta | null;
  metricsBefore: Captured<string>;
  metricsAfter: Captured<string>;
  /** The reference service's GET /debug/db at the end of the run, as JSON text. */
  database: Captured<string>;
  profiles: Record<PprofKind, Captured<PprofTop>>;
  /** Paths relative to the run folder, sorted. */
  files: string[];
}

export function metric(summary: K6Summary | null, name: string): MetricSummary | undefined {
  return summary?.metrics[name];
}

/** k6 writes NaN for a statistic it could not compute; the report treats that as absent. */
export function value(summary: K6Summary | null, name: string, stat: string): number | undefined {
  const v = metric(summary, name)?.values[stat];
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

/** What lib/preflight.ts's setup data tells the report; runs recorded before a field existed lack it. */
interface SetupInfo {
  monitor?: boolean;
  monitorNote?: string;
  rules?: { evaluated: string[]; withoutData: string[] };
}

export const setupInfo = (summary: K6Summary | null) => (summary?.setup_data ?? {}) as SetupInfo;

/** k6 ran but no iteration did (the pre-flight refused, setup failed): nothing was measured under load. */
export const noLoad = (input: ReportInput) => input.summary !== null && noLoadRan(input.summary);

/** The sentence each measuring section prints in place of its figures when no load ran. */
export const noLoadSentence = (what: string) => `${what}: none, no load ran (the pre-flight's few requests are not a measurement).`;

/** Seconds between the two /metrics scrapes, when meta.json recorded both times. */
export function scrapeWindowSeconds(input: ReportInput): number | undefined {
  const at = (name: string) => input.meta?.captures?.find((c) => c.name === name && c.status === 'captured')?.at;
  const before = at('metrics-before');
  const after = at('metrics-after');
  if (!before || !after || !input.metricsBefore.ok) return undefined;
  const seconds = (Date.parse(after) - Date.parse(before)) / 1000;
  return seconds > 0 ? seconds : undefined;
}
