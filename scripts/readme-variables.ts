// Writes the README's variables table from lib/variables.ts, between its marker comments.
// A unit test fails whenever README.md and the table disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeKind, variables, type Variable } from '../lib/variables.ts';

export const regenerateCommand = 'node --import tsx scripts/readme-variables.ts';
export const readmePath = resolve(import.meta.dirname, '..', 'README.md');
const begin = '<!-- variables:begin -->';
const end = '<!-- variables:end -->';

/** What the README shows as the default: the literal value, or how it is worked out. */
export function defaultCell(entry: Variable): string {
  return entry.defaultText ?? (entry.default === '' ? '' : `\`${entry.default}\``);
}

export function variablesTable(): string {
  const rows = (variables as readonly Variable[])
    .filter((entry) => !entry.internal)
    .map((entry) => {
      const names = [entry.alias, entry.name].filter(Boolean).map((name) => `\`${name}\``).join(' or ');
      const meaning = entry.secret ? `${entry.meaning} (a secret: never recorded)` : entry.meaning;
      return `| ${names} | ${defaultCell(entry)} | ${describeKind(entry.kind)} | ${meaning} |`;
    });
  return [
    `<!-- generated from lib/variables.ts by: ${regenerateCommand} -->`,
    '| variable | default | valid values | meaning |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** `readme` with the text between the markers replaced by the current table. */
export function withVariablesTable(readme: string): string {
  const start = readme.indexOf(begin);
  const stop = readme.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`README.md needs ${begin} and ${end} around the variables table`);
  return `${readme.slice(0, start + begin.length)}\n${variablesTable()}\n${readme.slice(stop)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(readmePath, withVariablesTable(readFileSync(readmePath, 'utf8')));
}
