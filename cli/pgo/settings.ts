// The variables the PGO commands read, refused the way lib/config.ts refuses: the variable, the
// value and the valid values, exit code 104 (cli/main.ts), before any build, folder or packet.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { list, SettingError, text, type Env } from '../settings.ts';

export const maxRuns = 30;
export const defaultRuns = 10;

/** RUNS for make pgo-verify: runs a side (make merge reads the same variable as a list of folders). */
export function runsSetting(env: Env): number {
  const given = text(env, 'RUNS', String(defaultRuns));
  const runs = Number(given);
  if (!/^\d+$/.test(given) || runs < 1 || runs > maxRuns) throw new SettingError(`RUNS="${given}" is not valid for make pgo-verify; valid values are: an integer from 1 to ${maxRuns} (runs a side)`);
  return runs;
}

/** A, B for make profile-compare: run folders, separated by commas. */
export function runFolders(env: Env, name: 'A' | 'B'): string[] {
  const folders = list(env, name);
  const valid = 'loadgate run folders, separated by commas, e.g. results/<stamp>-api-load-smoke';
  if (!folders.length) throw new SettingError(`${name} is not set; valid values are: ${valid}`);
  for (const folder of folders) {
    if (!existsSync(join(folder, 'meta.json'))) throw new SettingError(`${name}="${folder}" is not a loadgate run folder (no meta.json); valid values are: ${valid}`);
  }
  return folders;
}
