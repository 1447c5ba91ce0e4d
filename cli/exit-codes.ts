// Every exit code loadgate ends with, and the two errors that carry one to cli/main.ts, the one
// place that turns an error into an exit: SettingError (a bad setting, 104, thrown by lib/config.ts
// and cli/settings.ts) and LoadgateError (any other ending loadgate knows, with its code's name).
import { SettingError } from '../lib/config.ts';

interface ExitCodeEntry {
  code: number;
  /** Who sets it: k6 itself (go.k6.io/k6/errext/exitcodes of the pinned k6) or loadgate's CLI. */
  source: 'k6' | 'loadgate';
  meaning: string;
  /** The run ended before its schedule did, so its figures cover only part of it. */
  stoppedEarly: boolean;
}

const entry = (code: number, source: ExitCodeEntry['source'], meaning: string, stoppedEarly = false): ExitCodeEntry => ({ code, source, meaning, stoppedEarly });

/** Every exit code a run can end with. docs/runs.md's table is generated from this one (scripts/docs.ts). */
export const exitCodes = {
  passed: entry(0, 'k6', 'passed: every threshold held'),
  regression: entry(1, 'loadgate', 'the regression gate found a regression (gate.md names endpoint, metric, baseline, current value and bound), or a run it was to compare failed'),
  badCommandLine: entry(2, 'loadgate', 'bad command line (unknown command or scenario, nothing started), or the gate cannot compare: no or corrupt baseline, another scenario, profile or machine, an endpoint missing on one side'),
  serviceFailed: entry(3, 'loadgate', 'the reference service, or the PostgreSQL or Redis started for it, could not start (its own error is quoted)', true),
  k6Failed: entry(4, 'loadgate', 'k6 could not be started or died without an exit code', true),
  mergeFailed: entry(5, 'loadgate', 'the raw samples or delivered aggregates of a distributed run could not be merged (the file and line, or the runner that delivered nothing, are named)'),
  serviceDied: entry(6, 'loadgate', 'the reference service died during the run; k6 was stopped at once (its exit code or signal and last log line are quoted)', true),
  cloudTestFailed: entry(97, 'k6', 'the cloud test run failed'),
  cloudProgressLost: entry(98, 'k6', 'k6 could not get the cloud test run’s progress'),
  thresholdsFailed: entry(99, 'k6', 'an SLO threshold failed, or a critical alert aborted the run'),
  setupTimeout: entry(100, 'k6', 'setup() timed out', true),
  teardownTimeout: entry(101, 'k6', 'teardown() timed out'),
  timeout: entry(102, 'k6', 'timed out', true),
  stoppedFromApi: entry(103, 'k6', 'stopped through k6’s REST API', true),
  invalidConfig: entry(104, 'k6', 'invalid configuration (a bad setting of any command, named with its value and the valid values) or a host off the allow-list, refused before anything started'),
  interrupted: entry(105, 'k6', 'interrupted by a signal (Ctrl-C)', true),
  restApiFailed: entry(106, 'k6', 'k6’s REST API could not start', true),
  scriptError: entry(107, 'k6', 'script error, or the pre-flight refused the target: it is down or does not serve the scenario’s routes (the reason names each route and its status)', true),
  scriptAborted: entry(108, 'k6', 'aborted by the script (test.abort())', true),
  k6Panic: entry(109, 'k6', 'k6 crashed (a Go panic)', true),
  markedFailed: entry(110, 'k6', 'marked as failed by the script'),
} as const satisfies Record<string, ExitCodeEntry>;

export type ExitCodeName = keyof typeof exitCodes;

/** The exit-code table of docs/runs.md. */
export function exitCodesMarkdown(): string {
  const rows = Object.values(exitCodes).map((e) => `| \`${e.code}\` | ${e.source} | ${e.meaning} |`);
  return ['| code | set by | meaning |', '|---:|---|---|', ...rows].join('\n');
}

export function exitCodeEntry(code: number): ExitCodeEntry | undefined {
  return Object.values(exitCodes).find((e) => e.code === code);
}

/** A command ends with a known code: the sentence says why and what to do, for the terminal. */
export class LoadgateError extends Error {
  constructor(
    readonly code: ExitCodeName,
    sentence: string,
  ) {
    super(sentence);
    this.name = 'LoadgateError';
  }
}

/** The exit code an error ends a command with; undefined for an error nobody expected. */
export function exitCodeOf(error: unknown): number | undefined {
  if (error instanceof SettingError) return exitCodes.invalidConfig.code;
  if (error instanceof LoadgateError) return exitCodes[error.code].code;
  return undefined;
}

/** A refusal given as a code and a sentence (cli/run.ts's check) as the error that carries it to main.ts. */
export function refusalError(exitCode: number, sentence: string): SettingError | LoadgateError {
  if (exitCode === exitCodes.invalidConfig.code) return new SettingError(sentence);
  const name = (Object.keys(exitCodes) as ExitCodeName[]).find((key) => exitCodes[key].code === exitCode) ?? 'badCommandLine';
  return new LoadgateError(name, sentence);
}

/** How an entry point ends on an error: its sentence, then its code (SettingError 104, LoadgateError its own, else 2). */
export function exitWith(error: unknown, program: string): never {
  process.stderr.write(`${program}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(exitCodeOf(error) ?? exitCodes.badCommandLine.code);
}

/** bench/'s scripts read their settings at the top, outside any command: refused as main.ts refuses. */
export function orExit<T>(read: () => T, program: string): T {
  try {
    return read();
  } catch (error) {
    return exitWith(error, program);
  }
}
