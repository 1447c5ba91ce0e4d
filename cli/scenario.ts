// Which scenario a command line names: one of scenarios/*.ts by name, or a team's own scenario
// file anywhere in the repository by path, bundled into dist/ on the way.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { projectRoot } from './paths.ts';

export function scenarioNames(): string[] {
  return readdirSync(resolve(projectRoot, 'scenarios'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3))
    .sort();
}

/** The name a scenario's bundle and run folders use, or the sentence that refuses the argument. */
export function resolveScenario(argument: string): { scenario: string } | { sentence: string } {
  if (!argument.endsWith('.ts')) {
    const known = scenarioNames();
    return known.includes(argument) ? { scenario: argument } : { sentence: `unknown scenario "${argument}"; valid scenarios are: ${known.join(', ')}, or a path to a scenario file (.ts)` };
  }
  const file = resolve(argument);
  if (!existsSync(file)) return { sentence: `scenario file ${argument} does not exist` };
  const inside = relative(projectRoot, file);
  if (inside.startsWith('..')) return { sentence: `scenario file ${argument} is outside ${projectRoot}; its imports of lib/ and thresholds/ would not resolve` };
  const scenario = basename(file, '.ts');
  if (scenarioNames().includes(scenario) && inside !== `scenarios/${scenario}.ts`) {
    return { sentence: `scenario file ${argument} has the name of the built-in scenario "${scenario}"; rename the file` };
  }
  try {
    execFileSync(process.execPath, ['build.mjs', inside], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    return { sentence: `scenario file ${argument} does not bundle: ${String((error as { stderr?: string }).stderr ?? error).trim()}` };
  }
  return { scenario };
}
