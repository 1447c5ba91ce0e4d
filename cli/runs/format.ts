// How numbers and tables look in REPORT.md, in one place so every section agrees.

import { ms } from '../../lib/format.ts';

export { ms, percent, perSecond } from '../../lib/format.ts';
export const count = (value: number) => Math.round(value).toLocaleString('en-US');

export function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${unit === 0 ? scaled.toFixed(0) : scaled.toFixed(1)} ${units[unit]}`;
}

export function seconds(value: number): string {
  if (value < 1) return ms(value * 1000);
  return `${value.toFixed(value < 10 ? 2 : 1)} s`;
}

/** Markdown table cells must not break the row; pipes are the only character that can. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
export const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** `align` has one letter per column: l for text, r for numbers, c for marks. */
export function table(header: string[], rows: string[][], align = 'l'.repeat(header.length)): string[] {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map((_, i) => (align[i] === 'r' ? '---:' : align[i] === 'c' ? ':---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

export const mark = (ok: boolean) => (ok ? '✅' : '❌');
export const plural = (n: number, word: string) => `${count(n)} ${word}${Math.round(n) === 1 ? '' : 's'}`;
