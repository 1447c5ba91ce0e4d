// Which profile a Go binary was built with, read from the binary itself (`go version -m` prints the
// build settings Go embeds, `-pgo=<path>` among them), so meta.json cannot claim a build it lacks.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { projectRoot } from '../paths.ts';

export interface PgoBuild {
  pgo: 'on' | 'off';
  /** The profile the compiler used, as Go recorded it. */
  profile?: string;
}

/** The reference service's main package, where `-pgo=auto` looks for default.pgo. */
export const servicePgoFile = join(projectRoot, 'service', 'cmd', 'loadgate-service', 'default.pgo');

/** The binaries `make pgo-verify` compares, built by the Makefile with -pgo=off and -pgo=auto. */
export const verifyBinaries = {
  off: join(projectRoot, 'service', 'bin', 'pgo-off', 'loadgate-service'),
  on: join(projectRoot, 'service', 'bin', 'pgo-on', 'loadgate-service'),
} as const;

export function parseBuildInfo(text: string): PgoBuild {
  const match = /^\s*build\s+-pgo=(\S.*)$/m.exec(text);
  return match && match[1].trim() !== 'off' ? { pgo: 'on', profile: match[1].trim() } : { pgo: 'off' };
}

/** Null when the binary is missing or carries no Go build information. */
export function pgoBuild(binary: string): PgoBuild | null {
  try {
    return parseBuildInfo(execFileSync('go', ['version', '-m', binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }));
  } catch {
    return null;
  }
}

export const describeBuild = (build: PgoBuild | null) => (!build ? 'unknown' : build.pgo === 'on' ? `PGO on (${build.profile})` : 'PGO off');

/** The folder -pgo=auto reads default.pgo from, for messages. */
export const servicePgoFolder = dirname(servicePgoFile);
