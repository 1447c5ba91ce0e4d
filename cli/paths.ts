// Where things live, resolved from the bundle's own location so the CLI works from any cwd.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../lib/variables.ts';
import { text } from './settings.ts';

/** dist/cli.mjs → the repository root; cli/*.ts under tsx → the same. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const scenarioBundle = (scenario: string) => resolve(projectRoot, 'dist', `${scenario}.js`);
/** The distributed runners' reducer and collector (cli/distributed/delivery-main.ts). */
export const deliveryBundle = resolve(projectRoot, 'dist', 'delivery.mjs');
export const serviceBinary = resolve(projectRoot, 'service', 'bin', 'loadgate-service');
/** K6 from the environment a command was given, else the pinned build. */
export const k6Binary = (env: Env) => text(env, 'K6') || resolve(projectRoot, '.bin', 'k6');
