// Writes the README's generated tables (variables from lib/variables.ts, exit codes from
// cli/record.ts) between their marker comments. A unit test fails whenever README.md and the data disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exitCodesMarkdown } from '../cli/record.ts';
import { describeKind, variables, type Variable } from '../lib/variables.ts';

export const regenerateCommand = 'make readme';
export const readmePath = resolve(import.meta.dirname, '..', 'README.md');

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
    '| variable | default | valid values | meaning |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

const sections: Array<{ name: string; source: string; render: () => string }> = [
  { name: 'variables', source: 'lib/variables.ts', render: variablesTable },
  { name: 'exit-codes', source: 'cli/record.ts', render: exitCodesMarkdown },
];

/** `readme` with the text between each pair of markers replaced by what its data renders now. */
export function withGeneratedSections(readme: string): string {
  let text = readme;
  for (const { name, source, render } of sections) {
    const begin = `<!-- ${name}:begin -->`;
    const end = `<!-- ${name}:end -->`;
    const start = text.indexOf(begin);
    const stop = text.indexOf(end);
    if (start < 0 || stop < start) throw new Error(`README.md needs ${begin} and ${end} around the ${name} table`);
    text = `${text.slice(0, start + begin.length)}\n<!-- generated from ${source} by: ${regenerateCommand} -->\n${render()}\n${text.slice(stop)}`;
  }
  return text;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(readmePath, withGeneratedSections(readFileSync(readmePath, 'utf8')));
}
