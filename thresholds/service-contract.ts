// The reference service's half of the Go↔TS contract: the metric families it exports and the
// flags loadgate passes it, with the defaults loadgate documents. Go defines them
// (service/internal/metrics/names.go, the flag set in cmd/loadgate-service/run.go) and the binary
// prints them (-metrics, -flags); test/unit/service-contract.test.ts fails when this file and the
// built binary disagree, so a metric renamed in Go cannot leave a report section "not captured".
// Pure data: bundled into k6 by thresholds/alerts.ts and lib/variables.ts.

/** Every metric family the reference service exports, by what it measures. */
export const targetMetric = {
  httpRequestDuration: 'target_http_request_duration_seconds',
  httpInFlight: 'target_http_requests_in_flight',
  grpcRequestDuration: 'target_grpc_request_duration_seconds',
  eventIngestDuration: 'target_event_ingest_duration_seconds',
  bufferSize: 'target_event_buffer_size',
  bufferHighWater: 'target_event_buffer_high_water',
  bufferLimit: 'target_event_buffer_limit',
  eventsAccepted: 'target_events_accepted_total',
  eventsWritten: 'target_events_written_total',
  eventsRejected: 'target_events_rejected_total',
  flushes: 'target_buffer_flushes_total',
  flushDuration: 'target_buffer_flush_duration_seconds',
  flushRows: 'target_buffer_flush_rows',
  dbConnectionsInUse: 'target_db_connections_in_use',
  dbConnectionsIdle: 'target_db_connections_idle',
  dbConnectionsOpen: 'target_db_connections_open',
  dbConnectionsMax: 'target_db_connections_max',
  dbWaitCount: 'target_db_wait_count_total',
  dbWaitDuration: 'target_db_wait_duration_seconds_total',
  dbAcquireDuration: 'target_db_acquire_duration_seconds',
  dbConnectionHeld: 'target_db_connection_held_seconds_total',
  dbQueries: 'target_db_queries_total',
  dbQueryDuration: 'target_db_query_duration_seconds',
  cacheHits: 'target_cache_hits_total',
  cacheMisses: 'target_cache_misses_total',
  cacheErrors: 'target_cache_errors_total',
  cacheUp: 'target_cache_up',
  cacheMemory: 'target_cache_memory_bytes',
  cacheMemoryLimit: 'target_cache_memory_limit_bytes',
  cacheEvictions: 'target_cache_evictions_total',
  cacheKeys: 'target_cache_keys',
} as const;

export type TargetMetric = (typeof targetMetric)[keyof typeof targetMetric];

/** A histogram's series: `<family>_count`, `_sum` or `_bucket`. */
export function histogramSeries(family: TargetMetric, part: 'count' | 'sum' | 'bucket'): string {
  return `${family}_${part}`;
}

interface ServiceFlag {
  flag: string;
  /** The service's default, where loadgate documents or relies on it (lib/variables.ts, cli/variables.ts). */
  default?: string;
}

/** The reference service's flags that loadgate passes or documents. */
export const serviceFlag = {
  addr: { flag: '-addr' },
  grpcAddr: { flag: '-grpc-addr' },
  debugAddr: { flag: '-debug-addr' },
  blockProfileRate: { flag: '-block-profile-rate' },
  mutexProfileFraction: { flag: '-mutex-profile-fraction' },
  bufferFlushInterval: { flag: '-buffer-flush-interval', default: '1s' },
  bufferSizeLimit: { flag: '-buffer-size-limit', default: '100000' },
  dbMaxOpenConns: { flag: '-db-max-open-conns', default: '8' },
  dbConnMaxLifetime: { flag: '-db-conn-max-lifetime', default: '30m' },
  dbConnMaxIdleTime: { flag: '-db-conn-max-idle-time', default: '5m' },
  faultDelay: { flag: '-fault-delay' },
  version: { flag: '-version' },
} as const satisfies Record<string, ServiceFlag>;
