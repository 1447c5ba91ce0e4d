// Event ingestion: batches of challenge events at a target event rate over HTTP or gRPC, and an
// end-to-end probe that measures how long an acknowledged event takes to become visible.
import { sleep } from 'k6';
import exec from 'k6/execution';
import { createApi, type IngestEvent } from '../lib/api.ts';
import { dataset, uniqueMark, vuRandom } from '../lib/data.ts';
import { sendEvents } from '../lib/ingest.ts';
import { e2eTimeouts, e2eVisible, eventE2eLatency, eventsAccepted, ingestRejected } from '../lib/metrics.ts';
import { rampingArrivalRate, scheduledIterations } from '../lib/options.ts';
import { msToDuration, profileDurationMs } from '../lib/profiles.ts';
import { expectJson } from '../lib/request.ts';
import { defineScenario } from '../lib/scenario.ts';
import { endpointThresholds } from '../thresholds/objectives.ts';
import { referenceEndpoints } from '../thresholds/reference-endpoints.ts';

const goals = dataset.challenges * dataset.goalsPerChallenge;
/** How long a probe waits for its event before counting a timeout. */
const visibilityDeadlineMs = (flushIntervalMs: number) => flushIntervalMs + 5_000;

const scenario = defineScenario('event-ingestion', { table: referenceEndpoints }, (config, table) => {
  const batchesPerSec = config.eventsPerSec / config.batchSize;
  return {
    // Over gRPC, batches bypass the HTTP route; the probe's progress reads always use HTTP.
    endpoints: config.protocol === 'http' ? ['events_ingest', 'challenge_progress'] : ['challenge_progress'],
    load: {
      ingest: rampingArrivalRate(config.profile, batchesPerSec, 'ingest'),
      e2e_probe: {
        executor: 'constant-vus',
        exec: 'probe',
        vus: 1,
        duration: msToDuration(profileDurationMs(config.profile)),
        gracefulStop: msToDuration(visibilityDeadlineMs(config.flushIntervalMs)),
      },
    },
    thresholds: {
      ...(config.protocol === 'grpc' ? endpointThresholds(table, ['events_ingest'], 'grpc') : {}),
      // Visible within one flush interval plus a second, or the buffer is falling behind.
      [eventE2eLatency.name]: [`p(95)<${config.flushIntervalMs + 1000}`],
      [e2eVisible.name]: ['count>0'],
      [ingestRejected.name]: [
        'rate<0.01',
        ...(config.profile.abortOnDegradation ? [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '10s' }] : []),
      ],
      [eventsAccepted.name]: ['count>0'],
    },
    scheduledIterations: scheduledIterations(config.profile, batchesPerSec),
  };
});
const { config } = scenario;
export const { options, setup, alertMonitor, handleSummary } = scenario;
export default scenario.refuseShortcut;
const api = createApi(scenario.request);
const random = vuRandom(config.seed);

// Arrival-rate iterations never sleep: the executor alone paces the batches.
export function ingest(): void {
  const mark = uniqueMark();
  const events: IngestEvent[] = [];
  for (let i = 0; i < config.batchSize; i++) {
    events.push({
      event_id: `${mark}-${i}`,
      user_id: 1 + Math.floor(random() * dataset.loadUserCeiling),
      goal_id: 1 + Math.floor(random() * goals),
      delta: 1,
    });
  }
  sendEvents(config, api, events);
}

interface Progress {
  challenges: Array<{ goals: Array<{ goal_id: number; last_event_id: string }> }>;
}

function markVisible(progress: Progress | null, goalId: number, mark: string): boolean {
  return Boolean(progress?.challenges.some((c) => c.goals.some((g) => g.goal_id === goalId && g.last_event_id === mark)));
}

/** Sends one marked event for a user the load never touches and polls until it shows. */
export function probe(): void {
  const userId = dataset.loadUserCeiling + 1 + (exec.vu.idInTest % (dataset.users - dataset.loadUserCeiling));
  const goalId = 1 + Math.floor(random() * goals);
  const mark = `probe-${uniqueMark()}`;
  const sentAt = Date.now();
  if (sendEvents(config, api, [{ event_id: mark, user_id: userId, goal_id: goalId, delta: 1 }]) !== 'accepted') {
    sleep(1);
    return;
  }
  while (Date.now() - sentAt < visibilityDeadlineMs(config.flushIntervalMs)) {
    if (markVisible(expectJson<Progress>(api.challengeProgress(userId), 200, 'challenge progress'), goalId, mark)) {
      eventE2eLatency.add(Date.now() - sentAt);
      e2eVisible.add(1);
      sleep(0.5);
      return;
    }
    sleep(0.05);
  }
  e2eTimeouts.add(1);
}
