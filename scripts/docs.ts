// Writes every generated section of the README and docs/ between its marker comments, each from the
// data it describes: the command table from the Makefile (what `make help` prints), variables,
// exit codes, run-folder files, profiles, SLOs and alert rules from their tables, the benchmark
// table from the committed docs/figures/bench.json. A unit test fails whenever a page and its data disagree.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult } from '../bench/bench.ts';
import { benchHeader, benchTable, gateSplitsTable, sizingTable } from '../bench/render.ts';
import type { GateSplits } from '../bench/gate-splits.ts';
import { exitCodesMarkdown } from '../cli/exit-codes.ts';
import { peakLevel, profileDurationMs, profiles, type ProfileName } from '../lib/profiles.ts';
import { runFiles } from '../lib/run-files.ts';
import { describeKind, variables, type Variable } from '../cli/variables.ts';
import { alertRules, promql } from '../thresholds/alerts.ts';
import { referenceEndpoints, serviceObjectives } from '../thresholds/reference-endpoints.ts';

export const regenerateCommand = 'make docs';
export const projectRoot = resolve(import.meta.dirname, '..');
const benchFigures = 'docs/figures/bench.json';
const gateSplitsFigures = 'docs/figures/gate-splits.json';

/** What the docs show as the default: the literal value, or how it is worked out. */
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
  return ['| variable | default | valid values | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** The Makefile's user-facing targets: `name: deps ## what it does`, as `make help` prints them. */
export function makeTargets(makefile = readFileSync(resolve(projectRoot, 'Makefile'), 'utf8')): Array<{ target: string; help: string }> {
  return [...makefile.matchAll(/^([a-z0-9-]+):[^\n]*?## (.+)$/gm)].map((match) => ({ target: match[1], help: match[2].trim() }));
}

function commandsTable(): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return ['| command | what it does |', '|---|---|', ...makeTargets().map(({ target, help }) => `| \`make ${target}\` | ${escape(help)} |`)].join('\n');
}

/** What each file of a run folder holds; typed by the names' own keys, so a new file needs a line. */
const runFileMeanings: Record<keyof typeof runFiles, string> = {
  summary: "k6's end-of-test data, untouched",
  summaryText: 'the human summary: endpoints against their targets, alerts, every threshold',
  junit: 'one test case per threshold; a failing one carries the observed value',
  meta: 'git commit, k6 version, machine, target identity, resolved options, start/end, exit code and the reason in words',
  report: "the performance report, filled from this run's numbers and profiles",
  dashboard: 'the k6 web-dashboard export (the same dashboard is live while a run goes at a terminal)',
  k6Log: "k6's log, one JSON object per line",
  serviceLog: "the reference service's log (when loadgate started it)",
  profiles: '`cpu.pb.gz` over the steady state; heap, allocs, goroutine, block and mutex at the end; `/metrics` before and after',
};

function runFilesTable(): string {
  const rows = (Object.keys(runFiles) as Array<keyof typeof runFiles>).map((key) => `| \`${runFiles[key]}${key === 'profiles' ? '/' : ''}\` | ${runFileMeanings[key]} |`);
  return ['| file | what it holds |', '|---|---|', ...rows].join('\n');
}

function profilesTable(): string {
  const minutes = (ms: number) => (ms < 60_000 ? `${ms / 1000} s` : `${+(ms / 60_000).toFixed(1)} min`);
  const rows = (Object.keys(profiles) as ProfileName[]).map((name) => {
    const profile = profiles[name];
    const stages = profile.stages.map((stage) => `${stage.duration} → ${+(stage.level * 100).toFixed(1)}%`).join(', ');
    return `| \`${name}\` | ${minutes(profileDurationMs(profile))} | ${+(peakLevel(profile) * 100).toFixed(1)}% | ${stages} | ${profile.description} |`;
  });
  return ['| profile | length | peak, of the baseline peak | stages (duration → level) | what it is for |', '|---|---:|---:|---|---|', ...rows].join('\n');
}

function slosTable(): string {
  const rows = Object.entries(referenceEndpoints).map(([name, spec]) => {
    const targets = Object.entries(spec.slo as unknown as Record<string, number>)
      .map(([stat, ms]) => `${stat} ${ms} ms`)
      .join(', ');
    return `| \`${name}\` | ${spec.label} | \`${spec.method} ${spec.path}\` | ${targets} |`;
  });
  return [
    '| endpoint | label | route | latency targets |',
    '|---|---|---|---|',
    ...rows,
    '',
    `Run-wide: failed requests under ${serviceObjectives.maxErrorRate * 100}%, checks over ${serviceObjectives.minCheckRate * 100}%, and at least ${serviceObjectives.minMixedThroughputRps} requests/s for mixed at the baseline profile.`,
  ].join('\n');
}

function alertsTable(): string {
  const rows = alertRules.map((rule) => `| ${rule.name} | ${rule.severity} | \`${promql(rule).replace(/\|/g, '\\|')}\` for ${rule.for} | ${rule.summary} |`);
  return ['| rule | severity | fires when | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

function publishedBench(): BenchResult | null {
  const file = resolve(projectRoot, benchFigures);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResult) : null;
}

const noBench = `No published benchmark yet: run \`make bench\`, then \`make docs\`.`;

function benchSection(): string {
  const result = publishedBench();
  return result ? [...benchHeader(result), '', ...benchTable(result)].join('\n') : noBench;
}

function sizingSection(): string {
  const result = publishedBench();
  return result ? sizingTable(result).join('\n') : noBench;
}

function gateSplitsSection(): string {
  return gateSplitsTable(JSON.parse(readFileSync(resolve(projectRoot, gateSplitsFigures), 'utf8')) as GateSplits).join('\n');
}

interface Section {
  name: string;
  source: string;
  render: () => string;
}

/** Every generated page and its sections. */
export const generatedPages: Array<{ file: string; sections: Section[] }> = [
  { file: 'README.md', sections: [{ name: 'commands', source: 'Makefile', render: commandsTable }] },
  { file: 'docs/variables.md', sections: [{ name: 'variables', source: 'cli/variables.ts', render: variablesTable }] },
  {
    file: 'docs/runs.md',
    sections: [
      { name: 'run-files', source: 'lib/run-files.ts', render: runFilesTable },
      { name: 'exit-codes', source: 'cli/exit-codes.ts', render: exitCodesMarkdown },
    ],
  },
  {
    file: 'docs/scenarios.md',
    sections: [
      { name: 'profiles', source: 'lib/profiles.ts', render: profilesTable },
      { name: 'slos', source: 'thresholds/reference-endpoints.ts', render: slosTable },
      { name: 'alerts', source: 'thresholds/alerts.ts', render: alertsTable },
    ],
  },
  { file: 'docs/benchmarks.md', sections: [{ name: 'bench', source: benchFigures, render: benchSection }] },
  { file: 'docs/distributed.md', sections: [{ name: 'sizing', source: benchFigures, render: sizingSection }] },
  { file: 'docs/gate.md', sections: [{ name: 'gate-splits', source: gateSplitsFigures, render: gateSplitsSection }] },
];

/** `page` with the text between each pair of markers replaced by what its data renders now. */
export function withGeneratedSections(page: string, sections: Section[], file: string): string {
  let text = page;
  for (const { name, source, render } of sections) {
    const begin = `<!-- ${name}:begin -->`;
    const end = `<!-- ${name}:end -->`;
    const start = text.indexOf(begin);
    const stop = text.indexOf(end);
    if (start < 0 || stop < start) throw new Error(`${file} needs ${begin} and ${end} around the ${name} section`);
    text = `${text.slice(0, start + begin.length)}\n<!-- generated from ${source} by: ${regenerateCommand} -->\n${render()}\n${text.slice(stop)}`;
  }
  return text;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const { file, sections } of generatedPages) {
    const path = resolve(projectRoot, file);
    writeFileSync(path, withGeneratedSections(readFileSync(path, 'utf8'), sections, file));
  }
}
