// scenarios/api-load.ts with its load held at the peak for BENCH_HOLD (bench/hold.ts): same iterations,
// checks, metrics and thresholds. bench/bench.ts bundles it with build.mjs as dist/held-api-load.js.
import { options as own } from '../../scenarios/api-load.ts';
import { heldOptions } from '../hold.ts';

export * from '../../scenarios/api-load.ts';
export { default } from '../../scenarios/api-load.ts';
export const options = heldOptions(own);
