// Every custom metric, declared once at module top level as k6 requires (init context only).
import { Counter, Rate, Trend } from 'k6/metrics';
import { alertMetricName } from '../thresholds/alerts.ts';

/** One sample each time an alert rule starts firing, tagged `alert` and `severity`. */
export const alertsFired = new Counter(alertMetricName);
/** From sending a marked event to seeing it in the user's progress. */
export const eventE2eLatency = new Trend('loadgate_event_e2e_latency', true);
/** Events the target acknowledged (HTTP 202 or gRPC OK). */
export const eventsAccepted = new Counter('loadgate_events_accepted');
/** Share of ingestion batches the target refused because its buffer was full. */
export const ingestRejected = new Rate('loadgate_ingest_rejected');
/** Probes whose event became visible: a Trend cannot carry a count>0 guard, this counter can. */
export const e2eVisible = new Counter('loadgate_event_e2e_visible');
/** Probes whose event never became visible within the probe's deadline. */
export const e2eTimeouts = new Counter('loadgate_event_e2e_timeouts');
