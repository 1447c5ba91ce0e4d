// The run folder: <RESULTS_DIR>/<UTC timestamp>-<scenario>-<profile>/, created fresh for every run
// and never reused, with <RESULTS_DIR>/latest pointing at the newest.
import { existsSync, mkdirSync, renameSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';

export function utcStamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function createRunFolder(resultsDir: string, scenario: string, profile: string, now = new Date()): string {
  mkdirSync(resultsDir, { recursive: true });
  const base = join(resultsDir, `${utcStamp(now)}-${scenario}-${profile}`);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  mkdirSync(join(dir, 'profiles'), { recursive: true });
  pointLatestAt(resultsDir, dir);
  return dir;
}

/** Swaps the link atomically so a reader never sees `latest` missing. */
function pointLatestAt(resultsDir: string, dir: string): void {
  const temporary = join(resultsDir, `.latest-${process.pid}`);
  symlinkSync(basename(dir), temporary);
  renameSync(temporary, join(resultsDir, 'latest'));
}
