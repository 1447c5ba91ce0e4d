// `go tool pprof -top` as data: the report ranks functions from its table instead of shipping
// binary profiles a reader would have to open with Go installed.
import { execFileSync } from 'node:child_process';

export const profileNames = ['cpu', 'allocs', 'goroutine', 'block', 'mutex'] as const;
export type ProfileName = (typeof profileNames)[number];

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
}

const pprofRow = /^\s*(\S+)\s+([\d.]+)%\s+([\d.]+)%\s+(\S+)\s+([\d.]+)%\s+(.+?)\s*$/;

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
const topArgs: Record<ProfileName, { nodes: number; extra: string[] }> = {
  cpu: { nodes: 15, extra: [] },
  allocs: { nodes: 15, extra: ['-sample_index=alloc_space'] },
  goroutine: { nodes: 10, extra: [] },
  block: { nodes: 10, extra: [] },
  mutex: { nodes: 10, extra: [] },
};

/** Throws when `go tool pprof` fails; the error carries its stderr for the report to quote. */
export function pprofTop(path: string, name: ProfileName): PprofTop {
  const { nodes, extra } = topArgs[name];
  const text = execFileSync('go', ['tool', 'pprof', '-top', `-nodecount=${nodes}`, ...extra, path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return parsePprofTop(text);
}
