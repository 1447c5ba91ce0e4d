// The run record: the one reader and writer of summary.json and meta.json, a run's end in words
// (from the exit-code table of exit-codes.ts), and capture outcomes as data. Reports, tests and later tools (gate, merge)
// read a run folder only through here, so a field cannot mean two things in two places.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactDeep, redactText } from '../lib/redact.ts';
import { runFiles } from '../lib/run-files.ts';
import type { K6Summary } from '../lib/summary/model.ts';
import { summaryVerdict } from '../lib/summary/verdict.ts';
import { exitCodeEntry, exitCodes, type ExitCodeName } from './exit-codes.ts';

// The report's overview section reads the table through here.

/** How a run ended, in words, as meta.json records it. */
export interface RunEnd {
  exitCode: number;
  reason: string;
  stoppedEarly: boolean;
}

/**
 * The end of a run that k6 finished, read from its exit code and, for 99, from what failed.
 * `k6Error` is k6's last error-level log line (the pre-flight's sentence, say), quoted in the reason.
 */
export function k6RunEnd(exitCode: number, summary: K6Summary | null, k6Error = ''): RunEnd {
  // A reason quotes k6's error, which can quote a URL with its password: redacted where it is made.
  k6Error = redactText(k6Error);
  if (exitCode === exitCodes.thresholdsFailed.code && summary) {
    const verdict = summaryVerdict(summary);
    if (verdict) return { exitCode, ...verdict };
  }
  const known = exitCodeEntry(exitCode);
  if (!known) return { exitCode, reason: `k6 exited with code ${exitCode}, which the pinned k6 does not define`, stoppedEarly: true };
  if (exitCode === 0) return { exitCode, reason: 'passed', stoppedEarly: false };
  const error = k6Error.replace(/^(?:Error|GoError): /, '');
  // The pre-flight's sentence says everything; "script error" in front of it would mislead.
  if (exitCode === exitCodes.scriptError.code && error.startsWith('pre-flight failed')) return { exitCode, reason: error, stoppedEarly: true };
  return { exitCode, reason: error ? `${known.meaning}: ${error}` : known.meaning, stoppedEarly: known.stoppedEarly };
}

/** An ending loadgate decides itself, with the detail that explains it. */
export function loadgateRunEnd(name: ExitCodeName, detail: string): RunEnd {
  const { code, stoppedEarly } = exitCodes[name];
  return { exitCode: code, reason: redactText(detail), stoppedEarly };
}

export const captureNames = ['cpu', 'heap', 'allocs', 'goroutine', 'block', 'mutex', 'metrics-before', 'metrics-after', 'db'] as const;
export type CaptureName = (typeof captureNames)[number];

export interface CaptureOutcome {
  name: CaptureName;
  /** Relative to the run folder. */
  file: string;
  status: 'captured' | 'failed' | 'off' | 'skipped';
  /** Why it failed, was off or was skipped. */
  detail?: string;
  /** When it was taken (ISO time), for the /metrics snapshots whose changes are divided by the time between them. */
  at?: string;
}

// db is the reference service's GET /debug/db: the database's statistics at the end of the run.
const captureExtension = (name: CaptureName) => (name === 'db' ? 'json' : name.startsWith('metrics-') ? 'prom' : 'pb.gz');
export const captureFile = (name: CaptureName): string => `${runFiles.profiles}/${name}.${captureExtension(name)}`;

export interface RunMeta extends RunEnd {
  scenario: string;
  profile: string;
  startedAt?: string;
  endedAt?: string;
  gitCommit?: string;
  k6?: string;
  machine?: { cpus?: number; cpuModel?: string; memoryBytes?: number; platform?: string; node?: string; go?: string; note?: string };
  target?: {
    baseUrl?: string;
    identity?: unknown;
    startedByLoadgate?: boolean;
    args?: string[];
    /** The reference service's build: with a PGO profile (which one, as Go recorded it) or without. */
    pgo?: { pgo: 'on' | 'off'; profile?: string };
  };
  environment?: Record<string, string>;
  options?: unknown;
  captures?: CaptureOutcome[];
  /** The PostgreSQL and Redis loadgate started for the reference service (DB=postgres, CACHE=redis). */
  backends?: Array<{ name: string; version: string; address: string; unexpectedExit?: string }>;
  /** A distributed run: the k6 instances merged into this folder's summary.json. */
  instances?: InstanceRecord[];
  /** A distributed run: how its trends were merged (cli/distributed/sinks.ts decides). */
  merge?: MergeRecord;
}

export interface MergeRecord {
  /** exact: every sample kept; sketch: log-bucket histograms, percentiles within relativeError. */
  method: 'exact' | 'sketch';
  relativeError: number;
  /** Percentile thresholds whose observed value lies within relativeError of the limit. */
  nearLimit: string[];
  /** What the runners gave the merge: every raw sample, or aggregates reduced beside them (delivery.ts). */
  delivery: 'raw' | 'aggregate' | 'both';
}

export interface InstanceRecord {
  /** instance-0…, or the operator runner's name. */
  name: string;
  /** Its raw samples or its delivered aggregate, relative to the run folder when inside it. */
  rawFile?: string;
  aggregateFile?: string;
  samples: number;
  /** The instance's own end; its thresholds judged its share only, the merged summary judges the run. */
  exitCode?: number;
  reason?: string;
  executionSegment?: string;
}

function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    // A half-written file (k6 killed mid-write) counts as absent; the report says it is missing.
    return null;
  }
}

export const readSummary = (dir: string) => readJson<K6Summary>(join(dir, runFiles.summary));
export const readMeta = (dir: string) => readJson<RunMeta>(join(dir, runFiles.meta));

/** Only a merged distributed run writes summary.json itself; otherwise k6's handleSummary does. */
export function writeSummary(dir: string, summary: K6Summary): void {
  writeFileSync(join(dir, runFiles.summary), `${JSON.stringify(redactDeep(summary), null, 2)}\n`);
}

export function writeMeta(dir: string, meta: RunMeta): void {
  // Every field passes the one redaction, so a field added later cannot forget it.
  writeFileSync(join(dir, runFiles.meta), `${JSON.stringify(redactDeep(meta), null, 2)}\n`);
}
