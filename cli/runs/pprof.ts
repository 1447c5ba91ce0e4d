// `go tool pprof -top` as data: the report ranks functions from its table instead of shipping
// binary profiles a reader would have to open with Go installed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { LoadgateError } from '../exit-codes.ts';

export const pprofKinds = ['cpu', 'allocs', 'goroutine', 'block', 'mutex'] as const;
export type PprofKind = (typeof pprofKinds)[number];

export interface PprofRow {
  flat: string;
  flatPercent: number;
  sumPercent: number;
  cum: string;
  cumPercent: number;
  name: string;
}

export interface PprofTop {
  /** "Type", "Duration", "Time"… from the lines above the table. */
  header: Record<string, string>;
  /** The total the percentages refer to, e.g. "140ms" or "11". */
  total: string;
  rows: PprofRow[];
  /** Groups and idle-free block time read from the protobuf (cpu, allocs, block only). */
  grouped?: Grouped;
}

// Percentages go negative in a -diff_base table (make profile-compare).
const pprofRow = /^\s*(\S+)\s+(-?[\d.]+)%\s+(-?[\d.]+)%\s+(\S+)\s+(-?[\d.]+)%\s+(.+?)\s*$/;

export function parsePprofTop(text: string): PprofTop {
  const header: Record<string, string> = {};
  const rows: PprofRow[] = [];
  let total = '';
  let inTable = false;
  for (const line of text.split('\n')) {
    if (inTable) {
      const match = pprofRow.exec(line);
      if (match) {
        rows.push({
          flat: match[1],
          flatPercent: Number(match[2]),
          sumPercent: Number(match[3]),
          cum: match[4],
          cumPercent: Number(match[5]),
          name: match[6],
        });
      }
      continue;
    }
    const showing = /^Showing nodes accounting for .* of (.+) total/.exec(line);
    if (showing) total = showing[1];
    else if (/^\s*flat\s+flat%/.test(line)) inTable = true;
    else {
      const pair = /^([A-Z][A-Za-z ]*):\s+(.*)$/.exec(line);
      if (pair) header[pair[1]] = pair[2];
    }
  }
  return { header, total, rows };
}

// As many rows as the report's tables show; allocations rank by bytes allocated, not objects.
const topArgs: Record<PprofKind, { nodes: number; extra: string[] }> = {
  cpu: { nodes: 15, extra: [] },
  allocs: { nodes: 15, extra: ['-sample_index=alloc_space'] },
  goroutine: { nodes: 10, extra: [] },
  block: { nodes: 10, extra: [] },
  mutex: { nodes: 10, extra: [] },
};

/** Throws when `go tool pprof` fails; the error carries its stderr for the report to quote. */
export function pprofTop(path: string, name: PprofKind, ownModule: string | null = null): PprofTop {
  const { nodes, extra } = topArgs[name];
  const text = execFileSync('go', ['tool', 'pprof', '-top', `-nodecount=${nodes}`, ...extra, path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { ...parsePprofTop(text), grouped: groupedAnalysis(path, name, ownModule) };
}

// ------------------------------------------------------------------------------ grouped hot spots
// The bottleneck section groups costs the way a baseline analysis does, from the protobuf itself
// (pprof-format, DataDog's maintained decoder) rather than from `-top` text, which has already cut
// the long tail and cannot see stacks.

/** One sample's value and its stack as function names, leaf first (inlined frames included). */
export interface StackSample {
  value: number;
  stack: string[];
}

export interface DecodedProfile {
  sampleType: string;
  unit: string;
  samples: StackSample[];
  total: number;
  durationSeconds: number;
}

/** The sample type each profile's analysis reads: CPU time, bytes allocated, time blocked. */
export const groupedSampleType = { cpu: 'cpu', allocs: 'alloc_space', block: 'delay' } as const;

export function decodeProfile(data: Uint8Array, sampleType: string): DecodedProfile {
  // Go writes profiles gzipped; `go tool pprof -proto` too. Both forms are accepted.
  const raw = data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data;
  const profile = Profile.decode(raw);
  const strings = profile.stringTable.strings;
  const types = profile.sampleType.map((t) => strings[Number(t.type)]);
  const index = types.indexOf(sampleType);
  if (index < 0) throw new LoadgateError('badCommandLine', `the profile has no "${sampleType}" samples (it has ${types.join(', ') || 'none'})`);
  const functions = new Map(profile.function.map((f) => [Number(f.id), strings[Number(f.name)]]));
  // A location lists its inlined functions innermost first, so the flattened stack stays leaf first.
  const locations = new Map(profile.location.map((l) => [Number(l.id), l.line.map((line) => functions.get(Number(line.functionId)) ?? '?')]));
  const samples = profile.sample.map((s) => ({ value: Number(s.value[index]), stack: s.locationId.flatMap((id) => locations.get(Number(id)) ?? ['?']) }));
  return {
    sampleType,
    unit: strings[Number(profile.sampleType[index].unit)],
    samples,
    total: samples.reduce((sum, s) => sum + s.value, 0),
    durationSeconds: Number(profile.durationNanos) / 1e9,
  };
}

export const readProfileFile = (path: string, sampleType: string) => decodeProfile(readFileSync(path), sampleType);

/**
 * The groups, as data. Walking a stack from its leaf, the first frame that matches a group decides:
 * runtime helpers (mallocgc, memmove, map access), syscall, bufio, strconv and the like match none,
 * so their cost goes to whoever called them (json.Marshal's allocations are JSON encoding's). GC
 * work and the scheduler match "GC and runtime" wherever they run. Order matters only for ties.
 */
export const hotSpotGroups = [
  { name: 'JSON encoding', patterns: [/^encoding\/json/, /^github\.com\/(goccy\/go-json|json-iterator|bytedance\/sonic|mailru\/easyjson)/] },
  {
    name: 'database driver',
    // The cache client sits here too: like the driver, it is I/O the handler waits on.
    patterns: [/^database\/sql/, /^github\.com\/jackc\//, /^modernc\.org\//, /^github\.com\/(mattn\/go-sqlite3|lib\/pq|go-sql-driver|redis\/go-redis)/],
  },
  { name: 'HTTP stack', patterns: [/^net\/http/, /^net\.|^net\/(netip|textproto|url)/, /^crypto\/tls/, /^golang\.org\/x\/net\/http2/, /^google\.golang\.org\/grpc/, /^mime/] },
  {
    name: 'GC and runtime',
    patterns: [
      /^runtime\.(gc\w*|scan\w*|markroot\w*|greyobject|findObject|sweepone|bgsweep|bgscavenge|bulkBarrier\w*|wbBuf\w*|\(\*gcWork\)\.\w+|\(\*gcControllerState\)\.\w+|\(\*mspan\)\.sweep|\(\*sweepLocked\)\.sweep)$/,
      /^runtime\.(schedule|findRunnable|park_m|mcall|goexit\w*|futex\w*|usleep|osyield|notesleep|notewakeup|netpoll\w*|epollwait|stealWork|runqgrab|wakep|startm|stopm|mstart\w*|sysmon|retake|morestack|newstack|copystack|suspendG|preempt\w*|asyncPreempt\w*|systemstack|gopark|goready|ready|procyield|semasleep|semawakeup|nanotime\w*)$/,
    ],
  },
  // The module's own packages are added per run (ownCodePattern): the table's `module`, or the one main.main calls.
  { name: "the application's own code", patterns: [/^main\./] },
  // Watching the service costs too: the metrics scrapes and the profiler itself, kept apart so they
  // are not mistaken for the HTTP stack that serves them.
  { name: 'metrics and profiling', patterns: [/^github\.com\/prometheus\//, /^runtime\/pprof\./, /^net\/http\/pprof\./, /^runtime\/metrics\./] },
] as const;

export type HotSpotGroup = (typeof hotSpotGroups)[number]['name'] | 'other libraries and the standard library';
const otherGroup = 'other libraries and the standard library' as const;
const runtimeFrame = /^(runtime|internal\/runtime(\/[\w/]+)?|internal\/bytealg)\./;

const ownCodeGroup = "the application's own code" as const;

// Top-level packages of Go's standard library: a path starting with one of them is not a module of the team's.
const standardLibrary = new Set(
  'archive bufio bytes cmp compress container context crypto database debug embed encoding errors expvar flag fmt go hash html image index internal io iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings sync syscall testing text time unicode unique unsafe weak'.split(' '),
);

/** The module a function belongs to, by Go's naming: github.com/org/repo/… → github.com/org/repo, loadgate/service/… → loadgate/service. */
export function moduleOf(fn: string): string | null {
  const slash = fn.lastIndexOf('/');
  const pkg = slash < 0 ? fn.split('.')[0] : fn.slice(0, slash + fn.slice(slash).indexOf('.'));
  const parts = pkg.split('/');
  if (parts.length < 2 || standardLibrary.has(parts[0])) return null;
  return parts.slice(0, parts[0].includes('.') ? 3 : 2).join('/');
}

/**
 * The main module: what main.main calls, weighted by samples. Stacks through main.main are the
 * program's start-up and its main goroutine, so the allocation profile (the service's whole life)
 * nearly always holds some; a CPU profile of steady load may hold none, and then null.
 */
export function mainModule(profile: DecodedProfile): string | null {
  const weights = new Map<string, number>();
  for (const sample of profile.samples) {
    const main = sample.stack.indexOf('main.main');
    if (main < 1) continue;
    const module = sample.stack.slice(0, main).reverse().map(moduleOf).find((m) => m !== null);
    if (module) weights.set(module, (weights.get(module) ?? 0) + sample.value);
  }
  return [...weights].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** The group of a stack (leaf first) and the frame that decided it; `ownModule` joins the application's own code. */
export function groupOf(stack: string[], ownModule: string | null = null): { group: HotSpotGroup; frame: string } {
  for (const frame of stack) {
    if (ownModule && (frame.startsWith(`${ownModule}/`) || frame.startsWith(`${ownModule}.`))) return { group: ownCodeGroup, frame };
    const group = hotSpotGroups.find((g) => g.patterns.some((p) => p.test(frame)));
    if (group) return { group: group.name, frame };
  }
  const leaf = stack[0] ?? '?';
  if (stack.length && stack.every((frame) => runtimeFrame.test(frame))) return { group: 'GC and runtime', frame: leaf };
  return { group: otherGroup, frame: stack.find((frame) => !runtimeFrame.test(frame)) ?? leaf };
}

export interface GroupShare {
  group: HotSpotGroup;
  value: number;
  share: number;
  /** The group's heaviest functions: in each stack, the frame that put it in the group. */
  top: Array<{ name: string; value: number }>;
}

export function groupShares(profile: DecodedProfile, topCount = 3, ownModule: string | null = null): GroupShare[] {
  const byGroup = new Map<HotSpotGroup, { value: number; functions: Map<string, number> }>();
  for (const sample of profile.samples) {
    if (!sample.value) continue;
    const { group, frame } = groupOf(sample.stack, ownModule);
    const entry = byGroup.get(group) ?? { value: 0, functions: new Map() };
    entry.value += sample.value;
    entry.functions.set(frame, (entry.functions.get(frame) ?? 0) + sample.value);
    byGroup.set(group, entry);
  }
  const groups: HotSpotGroup[] = [...hotSpotGroups.map((g) => g.name), otherGroup];
  return groups.map((group) => {
    const entry = byGroup.get(group);
    const top = [...(entry?.functions ?? [])].sort((a, b) => b[1] - a[1]).slice(0, topCount).map(([name, value]) => ({ name, value }));
    return { group, value: entry?.value ?? 0, share: profile.total ? (entry?.value ?? 0) / profile.total : 0, top };
  });
}

/**
 * Idle waits, left out of the block analysis: the profiler's own sleep, and goroutines parked in a
 * select or a channel receive outside any request (a flusher's ticker loop, an idle worker). The
 * same select inside a request (database/sql waiting for a connection) is contention and stays.
 */
export const idleWait = {
  profiler: [/^runtime\/pprof\./, /^net\/http\/pprof\./, /^time\.Sleep$/],
  parked: /^runtime\.(selectgo|chanrecv[12]?|block)$/,
  servingRequest: [/^net\/http\.\(\*conn\)\.serve$/, /^google\.golang\.org\/grpc\.\(\*Server\)\.(handleStream|processUnaryRPC|processStreamingRPC)$/],
};

export function isIdleWait(stack: string[]): boolean {
  if (stack.some((frame) => idleWait.profiler.some((p) => p.test(frame)))) return true;
  return idleWait.parked.test(stack[0] ?? '') && !stack.some((frame) => idleWait.servingRequest.some((p) => p.test(frame)));
}

export interface BlockAnalysis {
  /** Nanoseconds blocked, idle waits excluded. */
  contended: number;
  idle: number;
  /** Where requests waited: the first frame outside runtime and sync, heaviest first. */
  top: Array<{ name: string; value: number }>;
}

export function blockAnalysis(profile: DecodedProfile, topCount = 3): BlockAnalysis {
  let idle = 0;
  const waiters = new Map<string, number>();
  for (const sample of profile.samples) {
    if (isIdleWait(sample.stack)) {
      idle += sample.value;
      continue;
    }
    const waiter = sample.stack.find((f) => !runtimeFrame.test(f) && !/^sync\./.test(f)) ?? sample.stack[0] ?? '?';
    waiters.set(waiter, (waiters.get(waiter) ?? 0) + sample.value);
  }
  const contended = [...waiters.values()].reduce((a, b) => a + b, 0);
  const top = [...waiters].sort((a, b) => b[1] - a[1]).slice(0, topCount).map(([name, value]) => ({ name, value }));
  return { contended, idle, top };
}

/** What the bottleneck section reads from the protobufs; each part says why when it is absent. */
export interface Grouped {
  groups?: GroupShare[];
  block?: BlockAnalysis;
  /** The module counted as the application's own code, or null when neither declared nor found. */
  ownModule?: string | null;
  error?: string;
}

function groupedAnalysis(path: string, name: PprofKind, ownModule: string | null): Grouped | undefined {
  if (name !== 'cpu' && name !== 'allocs' && name !== 'block') return undefined;
  try {
    const decoded = readProfileFile(path, groupedSampleType[name]);
    return name === 'block' ? { block: blockAnalysis(decoded) } : { groups: groupShares(decoded, 3, ownModule), ownModule };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
