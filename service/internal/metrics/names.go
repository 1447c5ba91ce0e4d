package metrics

// The name of every metric family the target exports. The collectors use these constants and
// `loadgate-service -metrics` prints All, so the TypeScript side (thresholds/service-contract.ts)
// can check by test that the names it reads are the names the service writes.
const (
	HTTPRequestDurationName = "target_http_request_duration_seconds"
	HTTPInFlightName        = "target_http_requests_in_flight"
	GRPCRequestDurationName = "target_grpc_request_duration_seconds"
	EventIngestDurationName = "target_event_ingest_duration_seconds"
	BufferSizeName          = "target_event_buffer_size"
	BufferHighWaterName     = "target_event_buffer_high_water"
	BufferLimitName         = "target_event_buffer_limit"
	EventsAcceptedName      = "target_events_accepted_total"
	EventsWrittenName       = "target_events_written_total"
	EventsRejectedName      = "target_events_rejected_total"
	FlushesName             = "target_buffer_flushes_total"
	FlushDurationName       = "target_buffer_flush_duration_seconds"
	FlushRowsName           = "target_buffer_flush_rows"

	DBConnectionsInUseName = "target_db_connections_in_use"
	DBConnectionsIdleName  = "target_db_connections_idle"
	DBConnectionsOpenName  = "target_db_connections_open"
	DBConnectionsMaxName   = "target_db_connections_max"
	DBWaitCountName        = "target_db_wait_count_total"
	DBWaitDurationName     = "target_db_wait_duration_seconds_total"
	DBAcquireDurationName  = "target_db_acquire_duration_seconds"
	DBConnectionHeldName   = "target_db_connection_held_seconds_total"
	DBQueriesName          = "target_db_queries_total"
	DBQueryDurationName    = "target_db_query_duration_seconds"

	CacheHitsName        = "target_cache_hits_total"
	CacheMissesName      = "target_cache_misses_total"
	CacheErrorsName      = "target_cache_errors_total"
	CacheUpName          = "target_cache_up"
	CacheMemoryName      = "target_cache_memory_bytes"
	CacheMemoryLimitName = "target_cache_memory_limit_bytes"
	CacheEvictionsName   = "target_cache_evictions_total"
	CacheKeysName        = "target_cache_keys"
)

// Family is one exported metric family as -metrics prints it.
type Family struct {
	Name string `json:"name"`
	Type string `json:"type"` // counter, gauge or histogram
}

// All lists every family above with its Prometheus type (a test checks it against the collectors).
var All = []Family{
	{HTTPRequestDurationName, "histogram"},
	{HTTPInFlightName, "gauge"},
	{GRPCRequestDurationName, "histogram"},
	{EventIngestDurationName, "histogram"},
	{BufferSizeName, "gauge"},
	{BufferHighWaterName, "gauge"},
	{BufferLimitName, "gauge"},
	{EventsAcceptedName, "counter"},
	{EventsWrittenName, "counter"},
	{EventsRejectedName, "counter"},
	{FlushesName, "counter"},
	{FlushDurationName, "histogram"},
	{FlushRowsName, "histogram"},
	{DBConnectionsInUseName, "gauge"},
	{DBConnectionsIdleName, "gauge"},
	{DBConnectionsOpenName, "gauge"},
	{DBConnectionsMaxName, "gauge"},
	{DBWaitCountName, "counter"},
	{DBWaitDurationName, "counter"},
	{DBAcquireDurationName, "histogram"},
	{DBConnectionHeldName, "counter"},
	{DBQueriesName, "counter"},
	{DBQueryDurationName, "histogram"},
	{CacheHitsName, "counter"},
	{CacheMissesName, "counter"},
	{CacheErrorsName, "counter"},
	{CacheUpName, "gauge"},
	{CacheMemoryName, "gauge"},
	{CacheMemoryLimitName, "gauge"},
	{CacheEvictionsName, "counter"},
	{CacheKeysName, "gauge"},
}
