// LOADGATE_SECRET_SOURCE as k6 gets it: always a file, never the secrets themselves on k6's command
// line (which every local user can read with ps). An inline mock source is written to a 0600 file
// in a private temporary folder for the run and removed after it; a file source must exist before
// anything starts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The file a `file=` source names: `file=path` or `file=name=x,filename=path`. */
export function secretSourceFile(source: string): string | null {
  if (!source.startsWith('file=')) return null;
  const options = source.slice('file='.length);
  return /(?:^|,)filename=([^,]+)/.exec(options)?.[1] ?? options;
}

/** The refusal for a secret source that cannot work, before a folder, a process or a packet exists. */
export function secretSourceRefusal(source: string): string | null {
  const file = secretSourceFile(source);
  if (file !== null && !existsSync(file)) {
    return `LOADGATE_SECRET_SOURCE names the file ${file}, which does not exist; valid values are: file=<path to an existing file of name=value lines>, or mock=<name>=<value>,…`;
  }
  return null;
}

/** k6's --secret-source flag for a source, and how to clean up after the run. */
export function secretSourceFlag(source: string): { flags: string[]; cleanUp: () => void } {
  if (!source) return { flags: [], cleanUp: () => {} };
  if (!source.startsWith('mock=')) return { flags: [`--secret-source=${source}`], cleanUp: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-secrets-'));
  const file = join(dir, 'secrets.txt');
  const lines = source.slice('mock='.length).split(',').map((pair) => pair.trim()).filter(Boolean);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { flags: [`--secret-source=file=${file}`], cleanUp: () => rmSync(dir, { recursive: true, force: true }) };
}
