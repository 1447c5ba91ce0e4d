// `make pgo`: run a scenario with CPU profiles over its steady state (chunked and merged, see
// capture.ts), check the result reads as a profile, and write it where `go build -pgo=auto` finds
// it: default.pgo in the service's main package (PGO_OUT for another Go service).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseRunConfig } from '../run-config.ts';
import { k6Environment } from '../environment.ts';
import { projectRoot } from '../paths.ts';
import { captureFile, readMeta } from '../record.ts';
import { readProfileFile } from '../runs/pprof.ts';
import { runK6, runScenario, say } from '../run.ts';
import { servicePgoFile } from './build.ts';
import { captureCpuChunks } from './capture.ts';
import { SettingError } from '../settings.ts';

function outputFile(env: NodeJS.ProcessEnv): string {
  const out = env.PGO_OUT?.trim();
  if (env.BASE_URL?.trim() && !out) {
    throw new SettingError(`PGO_OUT is not set: with BASE_URL="${env.BASE_URL}" the profile is another service's, not the reference service's; valid values are: a path, such as ../your-service/cmd/api/default.pgo`);
  }
  const file = out || servicePgoFile;
  if (!existsSync(dirname(file)) || !statSync(dirname(file)).isDirectory()) {
    throw new SettingError(`PGO_OUT="${file}" is not valid: the folder ${dirname(file)} does not exist; valid values are: a path in an existing folder, normally the main package's default.pgo`);
  }
  return file;
}

export async function pgoCommand(scenarioArgument: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  const scenario = (scenarioArgument || env.SCENARIO || '').trim();
  if (!scenario) throw new SettingError('SCENARIO is not set; usage: make pgo SCENARIO=<name> [PROFILE=…] (a scenario under load like production: api-load or mixed at baseline)');
  const out = outputFile(env);
  // The run refuses a bad scenario or setting itself, before any folder or packet.
  const code = await runScenario(scenario, { ...env, PROFILE_CAPTURE: 'on' }, runK6, { captureCpu: captureCpuChunks });
  const latest = join(parseRunConfig(k6Environment(env)).resultsDir, 'latest');
  const folder = existsSync(latest) ? realpathSync(latest) : null;
  const meta = folder ? readMeta(folder) : null;
  if (!folder || !meta || meta.scenario !== basename(scenario).replace(/\.ts$/, '')) return code || 1;
  const cpu = meta.captures?.find((c) => c.name === 'cpu');
  if (cpu?.status !== 'captured') {
    say(`no CPU profile to write: ${cpu?.detail ?? 'none was captured'}; ${out} is unchanged`);
    return code || 1;
  }
  const profile = join(folder, captureFile('cpu'));
  try {
    // What the compiler will read: `go tool pprof` must accept it, and it must hold samples.
    execFileSync('go', ['tool', 'pprof', '-top', '-nodecount=1', profile], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    const { total } = readProfileFile(profile, 'cpu');
    if (!total) throw new Error('it holds no CPU samples: the service was idle while it was recorded');
  } catch (error) {
    say(`${captureFile('cpu')} of ${folder} is not a usable profile (${(error as { stderr?: string }).stderr?.trim() || String(error)}); ${out} is unchanged`);
    return code || 1;
  }
  if (code !== 0) say(`the run did not pass (${meta.reason}); its profile still shows where the CPU went under this load, so it is written anyway`);
  copyFileSync(profile, out);
  const shown = relative(projectRoot, out).startsWith('..') ? out : relative(projectRoot, out);
  process.stdout.write(
    [
      `wrote ${shown} (${cpu.detail ?? 'CPU profile'}, from ${folder})`,
      'commit it, so every build uses it (go build -pgo=auto; PGO=off builds without):',
      `  git add ${shown} && git commit -m "default.pgo from ${meta.scenario} at ${meta.profile}" -- ${shown}`,
      'then measure the gain with: make pgo-verify',
      '',
    ].join('\n'),
  );
  return 0;
}
