// meta.json: everything needed to interpret a run's numbers later, and why the run ended.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { failedThresholds, firedAlerts, type K6Summary } from '../lib/summary/model.ts';
import { splitArgs } from './service.ts';

/** k6's exit codes, in words (go.k6.io/k6/errext/exitcodes). */
const k6ExitReasons: Record<number, string> = {
  0: 'passed',
  97: 'cloud test failed',
  99: 'SLO failed',
  100: 'setup timed out',
  101: 'teardown timed out',
  102: 'timed out',
  103: 'k6 engine error',
  104: 'invalid configuration',
  105: 'interrupted',
  107: 'script error',
  108: 'aborted by the script',
  109: 'k6 crashed',
  110: 'marked as failed by the script',
};

export function exitReason(exitCode: number, summary: K6Summary | null): string {
  if (exitCode === 99 && summary) {
    const aborting = firedAlerts(summary).filter((alert) => alert.aborting);
    if (aborting.length) return `aborted by alert ${aborting.map((a) => a.name).join(', ')}`;
    const failed = failedThresholds(summary).map((t) => `${t.metric} ${t.expression}`);
    if (failed.length) return `SLO failed: ${failed.join('; ')}`;
  }
  return k6ExitReasons[exitCode] ?? `k6 exited with code ${exitCode}`;
}

const secretLooking = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH/i;

/** Command-line flags with the value of any credential-looking flag (-token-secret x) hidden. */
export function redactArgs(args: string[]): string[] {
  return args.map((arg, i) => {
    const [flag, inlineValue] = arg.split(/=(.*)/s);
    if (inlineValue !== undefined && flag.startsWith('-') && secretLooking.test(flag)) return `${flag}=(redacted)`;
    const previous = args[i - 1] ?? '';
    return previous.startsWith('-') && !previous.includes('=') && secretLooking.test(previous) ? '(redacted)' : arg;
  });
}

/** Variables worth recording; anything that looks like a credential is left out on purpose. */
export function recordedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([name, value]) => value !== undefined && /^(LOADGATE_|K6_|BASE_URL$|PROFILE$|PROTOCOL$|RESULTS_DIR$|TARGET_ARGS$)/.test(name))
      .filter(([name]) => !secretLooking.test(name))
      .map(([name, value]) => [name, name === 'TARGET_ARGS' ? redactArgs(splitArgs(value as string)).join(' ') : (value as string)]),
  );
}

function quietly(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return 'unknown';
  }
}

export function gitCommit(cwd: string): string {
  const commit = quietly('git', ['-C', cwd, 'rev-parse', 'HEAD']);
  const dirty = quietly('git', ['-C', cwd, 'status', '--porcelain', '--untracked-files=no']);
  return commit === 'unknown' ? commit : `${commit}${dirty && dirty !== 'unknown' ? ' (with uncommitted changes)' : ''}`;
}

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    platform: `${process.platform}/${process.arch}`,
    node: process.version,
    go: quietly('go', ['env', 'GOVERSION']),
    note: 'the load generator and the target share these cores',
  };
}

export function k6Version(k6: string): string {
  return quietly(k6, ['version']).split('\n')[0];
}
