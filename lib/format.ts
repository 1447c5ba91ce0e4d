// How numbers read wherever loadgate prints them (terminal, summary.txt, JUnit, REPORT.md), so a
// value shows the same digits everywhere. Pure and tiny: k6 bundles it into every VU.

/** Two decimals below 100 ms where they matter, one above where they are noise. */
export const milliseconds = (value: number) => (value < 100 ? value.toFixed(2) : value.toFixed(1));
export const ms = (value: number) => `${milliseconds(value)} ms`;
export const percent = (ratio: number) => `${(ratio * 100).toFixed(2)}%`;
export const perSecond = (value: number) => `${value.toFixed(1)}/s`;
