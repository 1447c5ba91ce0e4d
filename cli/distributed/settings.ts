// The distributed commands' settings that need more than cli/settings.ts's readers (the cloud's),
// checked against their entries in cli/variables.ts with the message every bad value gets there:
// the variable, the value and the valid values.
import type { Env } from '../../lib/variables.ts';
import { describeKind, variable, type VariableName } from '../variables.ts';
import { invalid, list, numeric } from '../settings.ts';

function refuse(name: VariableName, value: string): never {
  throw invalid(name, value, describeKind(variable(name).kind));
}

const valueOf = (env: Env, name: VariableName): string | undefined => env[name]?.trim() || undefined;

/** Undefined when unset and without a default. */
export function optionalInteger(env: Env, name: VariableName): number | undefined {
  return valueOf(env, name) === undefined && variable(name).default === '' ? undefined : numeric(env, name);
}

/** LOADGATE_CLOUD_DISTRIBUTION as k6's options.cloud.distribution: load zones with whole percents adding up to 100. */
export function cloudDistribution(env: Env): Record<string, { loadZone: string; percent: number }> {
  const pairs = list(env, 'LOADGATE_CLOUD_DISTRIBUTION');
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
