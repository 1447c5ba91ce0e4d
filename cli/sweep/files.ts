// The names of the files in a sweep folder, for the sweep that writes them and the optimization log
// that reads them.
export const sweepFiles = { markdown: 'SWEEP.md', json: 'sweep.json', chart: 'sweep.svg', runs: 'runs' } as const;
