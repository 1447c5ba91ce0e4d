// The parameters a sweep can vary, as data: how a value is checked, ordered and handed to the
// reference service (a flag, or its environment alone for the Go runtime's settings), and the
// order of the runs. Pure, so the unit tests exercise every refusal without starting anything.
import { SettingError } from '../../lib/config.ts';
import { durationToMs } from '../../lib/profiles.ts';
import { describeKind, sweepParameters, variable } from '../variables.ts';
import { serviceFlag } from '../../thresholds/service-contract.ts';

export interface Parameter {
  name: string;
  /** The valid values in words, as refusals and the README say them. */
  valid: string;
  /** The value's position on the chart's axis and in "smallest": undefined when it is not valid. */
  order(value: string): number | undefined;
  /** Flags for the reference service (after TARGET_ARGS, so the sweep's value wins). */
  flags(value: string): string[];
  /** Variables for the reference service's environment only (TARGET_ENV): never k6's. */
  serviceEnv(value: string): Record<string, string>;
  /** Variables for the run itself, so loadgate's own checks and thresholds follow the value. */
  runEnv(value: string): Record<string, string>;
  /** What "smaller" costs or saves, for the recommendation's sentence. */
  unit: 'ms' | 'count' | 'bytes' | 'percent' | 'value';
}

const decimal = /^(\d+(\.\d*)?|\.\d+)$/;

function durationMs(text: string, min: string, max: string): number | undefined {
  try {
    const ms = durationToMs(text);
    return ms >= durationToMs(min) && ms <= durationToMs(max) ? ms : undefined;
  } catch {
    return undefined;
  }
}

function integer(text: string, min: number, max: number): number | undefined {
  const value = Number(text);
  return /^\d+$/.test(text) && value >= min && value <= max ? value : undefined;
}

// Go's runtime reads these forms (runtime/debug.SetMemoryLimit's documentation); it stops at start
// on a malformed GOMEMLIMIT but silently ignores a malformed GOGC, so both are checked here.
const memoryUnits: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

function memoryBytes(text: string): number | undefined {
  if (text === 'off') return Number.POSITIVE_INFINITY;
  const match = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/.exec(text);
  if (!match) return undefined;
  const bytes = Number(match[1]) * memoryUnits[match[2] ?? 'B'];
  // Below a few MiB the service cannot even seed its database; the runtime would thrash, not fail.
  return bytes >= 16 * 2 ** 20 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

const flushKind = variable('LOADGATE_FLUSH_INTERVAL').kind as { type: 'duration'; min: string; max: string };
const poolKind = variable('DB_MAX_OPEN_CONNS').kind as { type: 'integer'; min: number; max: number };

export const parameters: Record<(typeof sweepParameters)[number], Parameter> = {
  BUFFER_FLUSH_INTERVAL: {
    name: 'BUFFER_FLUSH_INTERVAL',
    valid: describeKind(flushKind),
    order: (value) => durationMs(value, flushKind.min, flushKind.max),
    flags: (value) => [serviceFlag.bufferFlushInterval.flag, value],
    serviceEnv: () => ({}),
    // The scenario's e2e threshold is the interval plus a second: it must know the interval.
    runEnv: (value) => ({ BUFFER_FLUSH_INTERVAL: value }),
    unit: 'ms',
  },
  BUFFER_SIZE_LIMIT: {
    name: 'BUFFER_SIZE_LIMIT',
    valid: 'an integer from 1 to 100000000 (events)',
    order: (value) => integer(value, 1, 100_000_000),
    flags: (value) => [serviceFlag.bufferSizeLimit.flag, value],
    serviceEnv: () => ({}),
    runEnv: () => ({}),
    unit: 'count',
  },
  DB_MAX_OPEN_CONNS: {
    name: 'DB_MAX_OPEN_CONNS',
    valid: describeKind(poolKind),
    order: (value) => integer(value, poolKind.min, poolKind.max),
    flags: (value) => [serviceFlag.dbMaxOpenConns.flag, value],
    serviceEnv: () => ({}),
    // Recorded in meta.json and in the report's pool section as the run's pool size.
    runEnv: (value) => ({ DB_MAX_OPEN_CONNS: value }),
    unit: 'count',
  },
  GOGC: {
    name: 'GOGC',
    valid: 'an integer from 1 to 100000 (percent heap growth between collections), or off',
    order: (value) => (value === 'off' ? Number.POSITIVE_INFINITY : integer(value, 1, 100_000)),
    flags: () => [],
    serviceEnv: (value) => ({ GOGC: value }),
    runEnv: () => ({}),
    unit: 'percent',
  },
  GOMEMLIMIT: {
    name: 'GOMEMLIMIT',
    valid: 'a size from 16MiB with the unit B, KiB, MiB, GiB or TiB (such as 256MiB), or off',
    order: memoryBytes,
    flags: () => [],
    serviceEnv: (value) => ({ GOMEMLIMIT: value }),
    runEnv: () => ({}),
    unit: 'bytes',
  },
};

export const parameterNames: readonly string[] = sweepParameters;

// A value goes into a shell command (SWEEP_CMD), so only characters no shell treats specially.
const plainValue = /^[A-Za-z0-9._:+/-]+$/;

/** A parameter of another service, restarted by SWEEP_CMD: numbers are ordered, words keep their order. */
export function customParameter(name: string): Parameter {
  return {
    name,
    valid: 'letters, digits and . _ : + / - (no spaces or shell characters)',
    order: (value) => (plainValue.test(value) ? (decimal.test(value) ? Number(value) : Number.NaN) : undefined),
    flags: () => [],
    serviceEnv: () => ({}),
    runEnv: (value) => ({ [name]: value }),
    unit: 'value',
  };
}

/** PARAM as given, checked: a reference-service parameter, or any name when SWEEP_CMD restarts another service. */
export function parameterFor(name: string | undefined, sweepCmd: boolean): Parameter {
  const given = (name ?? '').trim();
  if (!given) throw new SettingError(`PARAM is not set; name the parameter to vary: ${parameterNames.join(', ')} (or any name with SWEEP_CMD)`);
  if (given in parameters) return parameters[given as keyof typeof parameters];
  if (sweepCmd && /^[A-Za-z_][A-Za-z0-9_]*$/.test(given)) return customParameter(given);
  throw new SettingError(
    sweepCmd
      ? `PARAM="${given}" is not a valid name; use letters, digits and underscores, such as WORKERS`
      : `PARAM="${given}" is not a parameter the reference service understands; valid parameters are: ${parameterNames.join(', ')}; to vary another service's setting, set SWEEP_CMD to the command that restarts it with {value}`,
  );
}

/** VALUES checked item by item: none empty, none repeated, every one valid for the parameter. */
export function parseValues(text: string | undefined, parameter: Parameter): string[] {
  const given = (text ?? '').trim();
  if (!given) throw new SettingError(`VALUES is empty; give the values of ${parameter.name} to run, separated by commas, such as ${example(parameter)}`);
  const values = given.split(',').map((value) => value.trim());
  const blank = values.findIndex((value) => value === '');
  if (blank >= 0) throw new SettingError(`VALUES="${given}" is malformed: item ${blank + 1} is empty; separate the values of ${parameter.name} by single commas, such as ${example(parameter)}`);
  for (const value of values) {
    if (parameter.order(value) === undefined) throw new SettingError(`VALUES: "${value}" is not a valid ${parameter.name}; valid values are: ${parameter.valid}`);
  }
  const repeated = values.find((value, i) => values.indexOf(value) !== i);
  if (repeated !== undefined) throw new SettingError(`VALUES="${given}" names ${repeated} twice; each value runs REPEAT times already`);
  return values;
}

function example(parameter: Parameter): string {
  const examples: Record<string, string> = {
    BUFFER_FLUSH_INTERVAL: '0.5s,1s,2s,5s',
    BUFFER_SIZE_LIMIT: '1000,10000,100000',
    DB_MAX_OPEN_CONNS: '2,4,8,16',
    GOGC: '50,100,200,off',
    GOMEMLIMIT: '64MiB,256MiB,off',
  };
  return examples[parameter.name] ?? '1,2,4';
}

/** Values from smallest to largest, where the parameter orders them; words keep the given order. */
export function sortedValues(values: string[], parameter: Parameter): string[] {
  const orders = values.map((value) => parameter.order(value)!);
  if (orders.some(Number.isNaN)) return [...values];
  return values.map((value, i) => ({ value, order: orders[i] })).sort((a, b) => a.order - b.order).map(({ value }) => value);
}

export interface PlannedRun {
  value: string;
  /** 1-based. */
  repetition: number;
}

/**
 * Every value once per repetition, the direction reversed on every other repetition (a b c, c b a,
 * a b c…): a slow drift of the machine then lands on every value alike instead of on the last one.
 */
export function runPlan(values: string[], repeat: number): PlannedRun[] {
  const plan: PlannedRun[] = [];
  for (let repetition = 1; repetition <= repeat; repetition++) {
    const order = repetition % 2 === 1 ? values : [...values].reverse();
    for (const value of order) plan.push({ value, repetition });
  }
  return plan;
}

/** SWEEP_CMD with the value put in; the value was checked against shell characters. */
export function commandFor(template: string, value: string): string {
  return template.replaceAll('{value}', value);
}
