// A run's service profiles scaled to cost per request served: each run's CPU and allocation profile
// is scaled so its samples add up to that run's CPU seconds and allocated bytes (between the
// /metrics captures) over the requests the service counted. make profile-compare and the gate's
// cause section (cli/gate/cause.ts) read runs through here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProfile } from './pprof.ts';
import { captureFile } from '../record.ts';
import { serviceCost, type ServiceCost } from './cost.ts';
import { unreadableRun } from './figures.ts';

export const kinds = {
  cpu: { capture: 'cpu', sampleType: 'cpu', perRequest: (c: ServiceCost) => c.cpuPerRequest * 1e9, unit: 'ns', label: 'CPU per request' },
  allocs: { capture: 'allocs', sampleType: 'alloc_space', perRequest: (c: ServiceCost) => c.bytesPerRequest, unit: 'B', label: 'allocated bytes per request' },
} as const;
export type Kind = keyof typeof kinds;

export interface ProfiledRun {
  folder: string;
  cost: ServiceCost;
  /** Per function: flat value per request (ns of CPU, bytes allocated). */
  functions: Record<Kind, Map<string, number>>;
}

export function profileBytes(folder: string, kind: Kind): Uint8Array {
  const file = join(folder, captureFile(kinds[kind].capture));
  if (!existsSync(file)) throw unreadableRun(`${folder} has no ${captureFile(kinds[kind].capture)}: comparing profiles needs runs with profiles (PROFILE_CAPTURE on)`);
  return readFileSync(file);
}

export function readProfiledRun(folder: string): ProfiledRun {
  const cost = serviceCost(folder);
  const functions = {} as ProfiledRun['functions'];
  for (const kind of Object.keys(kinds) as Kind[]) {
    const decoded = decodeProfile(profileBytes(folder, kind), kinds[kind].sampleType);
    const scale = decoded.total ? kinds[kind].perRequest(cost) / decoded.total : 0;
    const flat = new Map<string, number>();
    for (const s of decoded.samples) if (s.stack.length) flat.set(s.stack[0], (flat.get(s.stack[0]) ?? 0) + s.value * scale);
    functions[kind] = flat;
  }
  return { folder, cost, functions };
}


/** ns of CPU or bytes, in the unit that keeps 1–4 digits. */
export function formatCost(value: number, unit: string): string {
  const abs = Math.abs(value);
  if (unit === 'ns') return abs >= 1e6 ? `${(value / 1e6).toFixed(2)} ms` : abs >= 1e3 ? `${(value / 1e3).toFixed(1)} µs` : `${value.toFixed(0)} ns`;
  return abs >= 1 << 20 ? `${(value / (1 << 20)).toFixed(2)} MiB` : abs >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${value.toFixed(0)} B`;
}
