// Where a regression's time went: the base and head rounds' CPU and allocation profiles, each scaled
// to cost per request (cli/runs/profiles.ts, as make profile-compare reads them), and the functions
// whose own (flat) cost per request grew most from base to head.
import { noiseLabel } from '../runs/ranks.ts';
import { formatCost, kinds, readProfiledRun, type Kind, type ProfiledRun } from '../runs/profiles.ts';

export interface Growth {
  kind: Kind;
  function: string;
  /** Mean over the side's rounds, per request: ns of CPU or bytes allocated. */
  base: number;
  head: number;
  noise: string;
}

export interface Cause {
  growth: Growth[];
  /** Why there is no list, when there is none. */
  missing?: string;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function growthOf(kind: Kind, base: ProfiledRun[], head: ProfiledRun[], top: number): Growth[] {
  const names = new Set([...base, ...head].flatMap((run) => [...run.functions[kind].keys()]));
  const values = (runs: ProfiledRun[], name: string) => runs.map((run) => run.functions[kind].get(name) ?? 0);
  return [...names]
    .map((name) => ({ kind, function: name, base: mean(values(base, name)), head: mean(values(head, name)), noise: noiseLabel(values(base, name), values(head, name)) }))
    .filter((g) => g.head > g.base)
    .sort((a, b) => b.head - b.base - (a.head - a.base))
    .slice(0, top);
}

export function findCause(baseFolders: string[], headFolders: string[], top = 3): Cause {
  try {
    const base = baseFolders.map(readProfiledRun);
    const head = headFolders.map(readProfiledRun);
    return { growth: (Object.keys(kinds) as Kind[]).flatMap((kind) => growthOf(kind, base, head, top)) };
  } catch (error) {
    return { growth: [], missing: (error as Error).message };
  }
}

export function causeMarkdown(cause: Cause): string[] {
  if (!cause.growth.length) return [`No profile comparison: ${cause.missing ?? 'no function cost more per request on head'}.`];
  return [
    '| profile | function | base, per request | head, per request | growth | noise |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...cause.growth.map((g) => `| ${kinds[g.kind].label} | \`${g.function}\` | ${formatCost(g.base, kinds[g.kind].unit)} | ${formatCost(g.head, kinds[g.kind].unit)} | +${formatCost(g.head - g.base, kinds[g.kind].unit)} | ${g.noise} |`),
  ];
}
