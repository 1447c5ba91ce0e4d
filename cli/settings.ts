// The settings module of the CLI and bench/: every reader of an environment variable, each refusing
// a bad value with one SettingError sentence (variable, value, valid values), and the only place
// besides cli/main.ts that touches process.env. The pure readers live in lib/config.ts because k6
// runs them too; the ones that look at the file system live here, away from k6's bundles.
import { accessSync, appendFileSync, constants, existsSync } from 'node:fs';
import { invalid, SettingError, text } from '../lib/config.ts';
import { describeKind, variable, type Env, type VariableName } from '../lib/variables.ts';
import { makeResultsDir } from './run-folder.ts';

export { SettingError, choice, duration, flag, invalid, list, numeric, text, url } from '../lib/config.ts';
export type { Env } from '../lib/variables.ts';

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
