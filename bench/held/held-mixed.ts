// scenarios/mixed.ts with its load held at the peak for BENCH_HOLD (bench/hold.ts): same iterations,
// checks, metrics and thresholds. bench/bench.ts bundles it with build.mjs as dist/held-mixed.js.
import { options as own } from '../../scenarios/mixed.ts';
import { heldOptions } from '../hold.ts';

export * from '../../scenarios/mixed.ts';
export { default } from '../../scenarios/mixed.ts';
export const options = heldOptions(own);
