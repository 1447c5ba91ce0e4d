// The variables only the distributed commands read (INSTANCES, PARALLELISM, RUNS, the cloud's),
// checked against their entries in lib/variables.ts with the message every bad value gets there:
// the variable, the value and the valid values.
import { ConfigError } from '../../lib/config.ts';
import { describeKind, parseBoolean, variable, type Env, type VariableName } from '../../lib/variables.ts';

function refuse(name: VariableName, value: string): never {
  throw new ConfigError(`${name}="${value}" is not valid; valid values are: ${describeKind(variable(name).kind)}`);
}

const valueOf = (env: Env, name: VariableName): string | undefined => env[name]?.trim() || undefined;

export function integerSetting(env: Env, name: VariableName): number {
  const value = valueOf(env, name) ?? variable(name).default;
  const { kind } = variable(name);
  const parsed = Number(value);
  if (kind.type !== 'integer' || !/^\d+$/.test(value) || parsed < kind.min || parsed > kind.max) refuse(name, value);
  return parsed;
}

/** Undefined when unset and without a default. */
export function optionalInteger(env: Env, name: VariableName): number | undefined {
  return valueOf(env, name) === undefined && variable(name).default === '' ? undefined : integerSetting(env, name);
}

export function booleanSetting(env: Env, name: VariableName): boolean {
  const value = valueOf(env, name) ?? variable(name).default;
  return parseBoolean(value) ?? refuse(name, value);
}

export function listSetting(env: Env, name: VariableName): string[] {
  return (valueOf(env, name) ?? variable(name).default)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** LOADGATE_CLOUD_DISTRIBUTION as k6's options.cloud.distribution: load zones with whole percents adding up to 100. */
export function cloudDistribution(env: Env): Record<string, { loadZone: string; percent: number }> {
  const pairs = listSetting(env, 'LOADGATE_CLOUD_DISTRIBUTION');
  const distribution: Record<string, { loadZone: string; percent: number }> = {};
  for (const pair of pairs) {
    const [zone, percent] = pair.split('=').map((part) => part.trim());
    if (!/^[a-z0-9-]+(:[a-z0-9-]+)+$/.test(zone ?? '') || !/^\d+$/.test(percent ?? '') || Number(percent) === 0 || distribution[zone]) {
      refuse('LOADGATE_CLOUD_DISTRIBUTION', valueOf(env, 'LOADGATE_CLOUD_DISTRIBUTION') ?? '');
    }
    distribution[zone] = { loadZone: zone, percent: Number(percent) };
  }
  const total = Object.values(distribution).reduce((sum, zone) => sum + zone.percent, 0);
  if (total !== 100) refuse('LOADGATE_CLOUD_DISTRIBUTION', valueOf(env, 'LOADGATE_CLOUD_DISTRIBUTION') ?? '');
  return distribution;
}
