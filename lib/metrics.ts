// Every custom metric, declared once at module top level as k6 requires (init context only).
import { Counter, Rate, Trend } from 'k6/metrics';
import { alertMetricName, monitorScrapesMetric } from '../thresholds/keys.ts';
import { eventMetrics } from '../thresholds/keys.ts';

/** One sample each time an alert rule starts firing, tagged `alert` and `severity`. */
export const alertsFired = new Counter(alertMetricName);
/** Each scrape of the alert monitor: true when read and evaluated. */
export const monitorScrapesRead = new Rate(monitorScrapesMetric);
/** From sending a marked event to seeing it in the user's progress. */
export const eventE2eLatency = new Trend(eventMetrics.e2eLatency, true);
/** Events the target acknowledged (HTTP 202 or gRPC OK). */
export const eventsAccepted = new Counter(eventMetrics.accepted);
/** Share of ingestion batches the target refused because its buffer was full. */
export const ingestRejected = new Rate(eventMetrics.rejected);
/** Probes whose event became visible: a Trend cannot carry a count>0 guard, this counter can. */
export const e2eVisible = new Counter(eventMetrics.e2eVisible);
/** Probes whose event never became visible within the probe's deadline. */
export const e2eTimeouts = new Counter(eventMetrics.e2eTimeouts);
