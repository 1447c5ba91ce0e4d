// The run folder: <RESULTS_DIR>/<UTC timestamp>-<scenario>-<profile>/, created fresh for every run
// and never reused, with <RESULTS_DIR>/latest pointing at the newest.
import { existsSync, mkdirSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SettingError } from '../lib/config.ts';

export function utcStamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Creates the results folder one level at a time and returns null, or returns the sentence that
 * says why it cannot be. Not `mkdirSync(…, { recursive: true })`: node's recursive mkdir retries
 * forever under /proc (ENOENT on a parent that exists) and reports a file in the path as a bare
 * ENOTDIR.
 */
export function makeResultsDir(resultsDir: string, variable = 'RESULTS_DIR'): string | null {
  const refuse = (why: string) => `${variable}="${resultsDir}" cannot be created: ${why}; valid values are: a folder that exists or can be created`;
  const missing: string[] = [];
  let existing = resolve(resultsDir);
  while (!existsSync(existing)) {
    missing.unshift(existing);
    if (dirname(existing) === existing) break;
    existing = dirname(existing);
  }
  if (existsSync(existing) && !statSync(existing).isDirectory()) return refuse(`${existing} is a file, not a folder`);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return refuse(`${dirname(folder)} does not accept a new folder ${basename(folder)} (${code})`);
    }
  }
  return null;
}

export function createRunFolder(resultsDir: string, scenario: string, profile: string, now = new Date()): string {
  const unwritable = makeResultsDir(resultsDir);
  if (unwritable) throw new SettingError(unwritable);
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
