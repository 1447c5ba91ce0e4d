// scenarios/event-ingestion.ts with its load held at the peak for BENCH_HOLD (bench/hold.ts): same iterations,
// checks, metrics and thresholds. bench/bench.ts bundles it with build.mjs as dist/held-event-ingestion.js.
import { options as own } from '../../scenarios/event-ingestion.ts';
import { heldOptions } from '../hold.ts';

export * from '../../scenarios/event-ingestion.ts';
export { default } from '../../scenarios/event-ingestion.ts';
export const options = heldOptions(own);
