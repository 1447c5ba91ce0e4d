// Whether a multi-instance run was aborted. One k6 stops the whole test when an abortOnFail
// threshold fails; across instances each k6 judges only its own share, so an instance can stop while
// the others run on, and the merged samples can fail a threshold no instance failed on its own.
// Either way the merged run is an aborted run (exit 99, stoppedEarly), never "passed".
import { failedThresholds, type K6Summary } from '../../lib/summary/model.ts';
import { type RunEnd } from '../record.ts';
import { exitCodes } from '../exit-codes.ts';
import { abortingThresholds, type ThresholdOption } from './thresholds.ts';

export interface InstanceVerdict {
  name: string;
  summary: K6Summary | null;
}

const describe = (failed: Array<{ metric: string; expression: string }>) => failed.map((t) => `${t.metric} ${t.expression}`).join('; ');

/**
 * The abort, if any: first an instance whose own abortOnFail threshold failed (it stopped early, so
 * the merged figures miss the rest of its share), then an abortOnFail threshold failing on the merged
 * summary (the verdict one k6 running the whole load would have reached). Null when neither.
 */
export function abortEnd(thresholds: Record<string, ThresholdOption[]> | undefined, instances: InstanceVerdict[], merged: K6Summary | null): RunEnd | null {
  const aborting = abortingThresholds(thresholds ?? {});
  if (!aborting.size) return null;
  const abortingOf = (summary: K6Summary | null) => (summary ? failedThresholds(summary).filter((t) => aborting.get(t.metric)?.has(t.expression)) : []);
  const stopped = instances.map((instance) => ({ name: instance.name, failed: abortingOf(instance.summary) })).filter((instance) => instance.failed.length);
  if (stopped.length) {
    const why = stopped.map((instance) => `${instance.name} aborted on its abortOnFail threshold ${describe(instance.failed)}`);
    return { exitCode: exitCodes.thresholdsFailed.code, reason: `aborted: ${why.join('; ')} (the merged figures lack what it did not run)`, stoppedEarly: true };
  }
  const failed = abortingOf(merged);
  if (!failed.length) return null;
  return { exitCode: exitCodes.thresholdsFailed.code, reason: `aborted: the abortOnFail threshold ${describe(failed)} failed on the merged samples of ${instances.map((i) => i.name).join(', ')}`, stoppedEarly: true };
}
