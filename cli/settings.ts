// The settings module of the CLI and bench/: every reader of an environment variable, each refusing
// a bad value with one SettingError sentence (variable, value, valid values), and the only place
// besides cli/main.ts that touches process.env. The pure readers are lib/config.ts's, which k6 runs
// over the scenarios' variables; here they read the whole table (cli/variables.ts). The ones that
// look at the file system live here too, away from k6's bundles.
import { accessSync, appendFileSync, constants, existsSync } from 'node:fs';
import { invalid, SettingError, settingReaders } from '../lib/config.ts';
import type { Env } from '../lib/variables.ts';
import { makeResultsDir } from './run-folder.ts';
import { describeKind, variable, type VariableName } from './variables.ts';

export { SettingError, invalid } from '../lib/config.ts';
export type { Env } from '../lib/variables.ts';

export const { text, choice, flag, numeric, duration, url, list } = settingReaders(variable);

/**
 * The environment of a program that has no cli/main.ts to hand it down: bench/'s scripts, and the
 * default of helpers the tests call directly. Commands use the `env` main.ts gives them.
 */
export const hostEnvironment = (): Env => process.env;

/** A file or folder that must exist; '' when unset without a default. */
export function existingPath(env: Env, name: VariableName): string {
  const path = text(env, name);
  if (path && !existsSync(path)) throw invalid(name, path, `${describeKind(variable(name).kind)} that exists`);
  return path;
}

/** A folder that exists or is created now, one level at a time, and can be written to. */
export function writableFolder(env: Env, name: VariableName): string {
  const folder = text(env, name);
  const unwritable = makeResultsDir(folder, name);
  if (unwritable) throw new SettingError(unwritable);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw invalid(name, folder, 'a folder this user can write to');
  }
  return folder;
}

/** GitHub Actions' page of the job: `report` and `gate` append their Markdown when it is set. */
export function appendStepSummary(env: Env, markdown: string): void {
  const file = text(env, 'GITHUB_STEP_SUMMARY');
  if (file) appendFileSync(file, markdown);
}
