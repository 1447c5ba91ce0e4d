// Package metrics defines the target's Prometheus collectors. They are
// registered on a registry the caller owns, never the global default, so
// tests can build as many servers as they like in one process.
package metrics

import (
	"database/sql"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// latencyBuckets span 1ms..10s: the range between an in-memory hit and a
// request that has certainly blown its SLO.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .075, .1, .25, .5, 1, 2.5, 5, 10}

// Metrics holds every collector the target updates.
type Metrics struct {
	HTTPRequestDuration *prometheus.HistogramVec // route, method, code
	HTTPInFlight        prometheus.Gauge
	GRPCRequestDuration *prometheus.HistogramVec // method, code
	// EventIngestDuration covers ingestion over both protocols in one histogram, so one alert
	// rule (HighEventLatency) watches the event path whichever way events arrive.
	EventIngestDuration *prometheus.HistogramVec // protocol

	BufferSize prometheus.Gauge
	// BufferHighWater is the most events ever buffered at once: /metrics is read before and
	// after a run, when the buffer is drained, so only a high-water mark shows how full it got.
	BufferHighWater prometheus.Gauge
	BufferLimit     prometheus.Gauge
	EventsAccepted  prometheus.Counter
	EventsWritten   prometheus.Counter
	EventsRejected  prometheus.Counter
	Flushes         prometheus.Counter
	FlushDuration   prometheus.Histogram
	FlushRows       prometheus.Histogram
}

// NewRegistry returns a registry preloaded with the Go runtime and process
// collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// New creates the collectors and registers them on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		HTTPRequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    HTTPRequestDurationName,
			Help:    "HTTP request latency by route name, method and status code, including injected faults.",
			Buckets: latencyBuckets,
		}, []string{"route", "method", "code"}),
		HTTPInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: HTTPInFlightName,
			Help: "HTTP API requests currently being served.",
		}),
		GRPCRequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    GRPCRequestDurationName,
			Help:    "gRPC unary call latency by full method and status code.",
			Buckets: latencyBuckets,
		}, []string{"method", "code"}),
		EventIngestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    EventIngestDurationName,
			Help:    "Event batch ingestion latency by protocol (http, grpc), including injected faults.",
			Buckets: latencyBuckets,
		}, []string{"protocol"}),
		BufferSize: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: BufferSizeName,
			Help: "Events accepted but not yet written to the database.",
		}),
		BufferHighWater: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: BufferHighWaterName,
			Help: "The most events buffered at once since the service started.",
		}),
		BufferLimit: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: BufferLimitName,
			Help: "Maximum number of buffered events before batches are rejected.",
		}),
		EventsAccepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: EventsAcceptedName,
			Help: "Events acknowledged to clients (HTTP and gRPC).",
		}),
		EventsWritten: prometheus.NewCounter(prometheus.CounterOpts{
			Name: EventsWrittenName,
			Help: "Events whose effect has been committed to the database.",
		}),
		EventsRejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: EventsRejectedName,
			Help: "Events in valid batches refused because the buffer was full or shutting down.",
		}),
		Flushes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: FlushesName,
			Help: "Committed buffer flushes.",
		}),
		FlushDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    FlushDurationName,
			Help:    "Time to write one buffer flush transaction.",
			Buckets: latencyBuckets,
		}),
		FlushRows: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    FlushRowsName,
			Help:    "Aggregated (user, goal) rows upserted per flush.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10), // 1..262144
		}),
	}
	reg.MustRegister(
		m.HTTPRequestDuration, m.HTTPInFlight, m.GRPCRequestDuration, m.EventIngestDuration,
		m.BufferSize, m.BufferHighWater, m.BufferLimit, m.EventsAccepted, m.EventsWritten,
		m.EventsRejected, m.Flushes, m.FlushDuration, m.FlushRows,
	)
	// A vector shows up on /metrics only once it has a child; created up front, the event
	// latency family is visible before the first batch, so a monitor's first scrape finds it.
	for _, protocol := range []string{"http", "grpc"} {
		m.EventIngestDuration.WithLabelValues(protocol)
	}
	return m
}

// DBStatsCollector exports database/sql pool statistics, read at scrape
// time so they are never stale. Pools are labelled by name because the
// store keeps separate read and write pools.
type DBStatsCollector struct {
	pools map[string]*sql.DB

	inUse, idle, open, max, waitCount, waitDuration *prometheus.Desc
}

// NewDBStatsCollector reports on the given pools, keyed by pool label.
func NewDBStatsCollector(pools map[string]*sql.DB) *DBStatsCollector {
	labels := []string{"pool"}
	return &DBStatsCollector{
		pools:        pools,
		inUse:        prometheus.NewDesc(DBConnectionsInUseName, "Connections currently in use.", labels, nil),
		idle:         prometheus.NewDesc(DBConnectionsIdleName, "Idle connections.", labels, nil),
		open:         prometheus.NewDesc(DBConnectionsOpenName, "Open connections (in use + idle).", labels, nil),
		max:          prometheus.NewDesc(DBConnectionsMaxName, "Maximum open connections (MaxOpenConns).", labels, nil),
		waitCount:    prometheus.NewDesc(DBWaitCountName, "Connection requests that had to wait.", labels, nil),
		waitDuration: prometheus.NewDesc(DBWaitDurationName, "Total time spent waiting for a connection.", labels, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *DBStatsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.inUse, c.idle, c.open, c.max, c.waitCount, c.waitDuration} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *DBStatsCollector) Collect(ch chan<- prometheus.Metric) {
	for name, db := range c.pools {
		s := db.Stats()
		ch <- prometheus.MustNewConstMetric(c.inUse, prometheus.GaugeValue, float64(s.InUse), name)
		ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.Idle), name)
		ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(s.OpenConnections), name)
		ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxOpenConnections), name)
		ch <- prometheus.MustNewConstMetric(c.waitCount, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(c.waitDuration, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
	}
}

// DB records what the store measures about its database use; it
// implements store.Observer.
type DB struct {
	acquire       *prometheus.HistogramVec // pool
	held          *prometheus.CounterVec   // pool
	queries       *prometheus.CounterVec   // route
	queryDuration *prometheus.HistogramVec // query
}

// NewDB creates the database-use collectors and registers them on reg.
func NewDB(reg prometheus.Registerer) *DB {
	d := &DB{
		acquire: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: DBAcquireDurationName,
			Help: "Time a statement waited for a pool connection, including dialling a new one.",
			// From an idle connection handed over (microseconds) to a pool exhausted for a second.
			Buckets: []float64{.00001, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"pool"}),
		held: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: DBConnectionHeldName,
			Help: "Connection-seconds connections were held out of the pool; its rate is the average number in use.",
		}, []string{"pool"}),
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: DBQueriesName,
			Help: `Statements run on behalf of each route ("none": start-up and the event flusher); per request, it shows N+1 patterns.`,
		}, []string{"route"}),
		queryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: DBQueryDurationName,
			Help: "Time of each named statement on its connection, rows read included.",
			// 10 ms is a bucket edge: the report counts statements slower than that.
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"query"}),
	}
	reg.MustRegister(d.acquire, d.held, d.queries, d.queryDuration)
	return d
}

func (d *DB) Acquired(pool string, wait time.Duration) {
	d.acquire.WithLabelValues(pool).Observe(wait.Seconds())
}

func (d *DB) Released(pool string, held time.Duration) {
	d.held.WithLabelValues(pool).Add(held.Seconds())
}

func (d *DB) Queried(route, query string, took time.Duration) {
	if route == "" {
		route = "none"
	}
	d.queries.WithLabelValues(route).Inc()
	d.queryDuration.WithLabelValues(query).Observe(took.Seconds())
}
