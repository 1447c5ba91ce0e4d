// Facts about where a run ran (commit, machine, k6 version), recorded in meta.json so its numbers
// can be interpreted later.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
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
