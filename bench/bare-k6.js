// Bare k6: one GET of /api/v1/feed per iteration, no tags, checks or thresholds. It is the
// yardstick bench/bench.ts measures loadgate's own generator overhead against, and the k6 side of
// the wrk comparison. The executor comes from the environment:
//   BENCH_EXECUTOR=ramping-arrival-rate  BENCH_STAGES="5s:300,25s:300" (duration:requests per second)
//   BENCH_EXECUTOR=constant-arrival-rate BENCH_RATE=300 BENCH_DURATION=20s
//   BENCH_EXECUTOR=constant-vus          BENCH_VUS=16 BENCH_DURATION=10s
// The arrival-rate executors get the same per-minute targets and VU budget as loadgate's
// rampingArrivalRate (lib/options.ts), so the two runs differ only in what an iteration does.
import http from 'k6/http';

const baseUrl = (__ENV.BASE_URL || '').replace(/\/+$/, '');
// Loopback only, checked before any request exists.
const host = (baseUrl.match(/^https?:\/\/(\[[^\]]+\]|[^/:?#]+)/) || [])[1] || '';
if (!(/^127\.\d+\.\d+\.\d+$/.test(host) || host === 'localhost' || host === '[::1]')) {
  throw new Error(`bare-k6.js: BASE_URL="${baseUrl}" is not a loopback http(s) URL`);
}
const feedUrl = `${baseUrl}/api/v1/feed`;

const executor = __ENV.BENCH_EXECUTOR || 'ramping-arrival-rate';
const gracefulStop = '5s';

function positive(name, fallback) {
  const value = Number(__ENV[name] || fallback);
  if (!(value > 0)) throw new Error(`bare-k6.js: ${name}="${__ENV[name]}" is not a positive number`);
  return value;
}

/** Same VU budget as lib/options.ts: enough for the peak rate at 200 ms per iteration. */
function vuBudget(peakPerSec) {
  const maxVUs = Math.ceil((peakPerSec * 200) / 1000) + 5;
  return { preAllocatedVUs: Math.min(maxVUs, Math.max(2, Math.ceil(peakPerSec / 20))), maxVUs };
}

function scenario() {
  if (executor === 'constant-vus') {
    return { executor, vus: positive('BENCH_VUS', 16), duration: __ENV.BENCH_DURATION || '10s', gracefulStop };
  }
  if (executor === 'constant-arrival-rate') {
    const rate = positive('BENCH_RATE', 300);
    return { executor, rate: Math.round(rate * 60), timeUnit: '1m', duration: __ENV.BENCH_DURATION || '20s', ...vuBudget(rate), gracefulStop };
  }
  if (executor === 'ramping-arrival-rate') {
    const rate = positive('BENCH_RATE', 300);
    const stages = (__ENV.BENCH_STAGES || `5s:${rate},25s:${rate}`).split(',').map((pair) => {
      const [duration, perSec] = pair.split(':');
      if (!duration || !(Number(perSec) >= 0)) throw new Error(`bare-k6.js: BENCH_STAGES entry "${pair}" is not duration:rate`);
      return { duration, target: Math.round(Number(perSec) * 60) };
    });
    const peak = Math.max(60, ...stages.map((stage) => stage.target)) / 60;
    return { executor, startRate: 0, timeUnit: '1m', stages, ...vuBudget(peak), gracefulStop };
  }
  throw new Error(`bare-k6.js: BENCH_EXECUTOR="${executor}" is not one of ramping-arrival-rate, constant-arrival-rate, constant-vus`);
}

export const options = { scenarios: { bare: scenario() } };

export default function () {
  http.get(feedUrl);
}
