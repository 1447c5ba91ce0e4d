// Package cache is the service's optional Redis cache: feed pages, clip
// metadata and vote state, each with a TTL, invalidated by the writes that
// change them. Without a Redis URL the service runs uncached (None).
package cache

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"loadgate/service/internal/metrics"
)

// What is cached, the "kind" label of the hit and miss counters.
const (
	Feed = "feed"
	Clip = "clip"
	Vote = "vote"
)

// Cache is what the API uses. A failed cache call counts as a miss (Get)
// or is dropped (Set, Delete): the database stays the truth, so a cache
// outage slows requests down but fails none.
type Cache interface {
	Get(ctx context.Context, kind, key string) ([]byte, bool)
	Set(ctx context.Context, kind, key string, value []byte, ttl time.Duration)
	Delete(ctx context.Context, keys ...string)
	Close() error
}

// None caches nothing.
type None struct{}

func (None) Get(context.Context, string, string) ([]byte, bool)         { return nil, false }
func (None) Set(context.Context, string, string, []byte, time.Duration) {}
func (None) Delete(context.Context, ...string)                          {}
func (None) Close() error                                               { return nil }

// Redis caches in a Redis server.
type Redis struct {
	c                    *redis.Client
	logger               *slog.Logger
	hits, misses, errors *prometheus.CounterVec
	lastErrorLog         atomic.Int64
}

// Per-call budgets: a cache that answers slower than this is worse than none.
const (
	dialTimeout = time.Second
	ioTimeout   = 500 * time.Millisecond
)

// NewRedis connects to url (redis://host:port/db), checks the server
// answers and registers the target_cache_* metrics on reg.
func NewRedis(ctx context.Context, url string, reg prometheus.Registerer, logger *slog.Logger) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis URL %q: %w", url, err)
	}
	opts.DialTimeout = dialTimeout
	opts.ReadTimeout = ioTimeout
	opts.WriteTimeout = ioTimeout
	opts.MaxRetries = 1
	c := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis at %s does not answer: %w", opts.Addr, err)
	}
	r := newRedis(c, logger)
	reg.MustRegister(r.collectors()...)
	return r, nil
}

// newRedis builds the client's counters without touching the server, so the metric-name test
// can describe them.
func newRedis(c *redis.Client, logger *slog.Logger) *Redis {
	r := &Redis{
		c:      c,
		logger: logger,
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metrics.CacheHitsName, Help: "Cache lookups answered from the cache, by kind (feed, clip, vote).",
		}, []string{"kind"}),
		misses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metrics.CacheMissesName, Help: "Cache lookups that went to the database, by kind; failed lookups count here too.",
		}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metrics.CacheErrorsName, Help: "Cache calls that failed, by operation (get, set, delete).",
		}, []string{"op"}),
	}
	for _, kind := range []string{Feed, Clip, Vote} {
		r.hits.WithLabelValues(kind)
		r.misses.WithLabelValues(kind)
	}
	return r
}

// collectors is everything NewRedis registers.
func (r *Redis) collectors() []prometheus.Collector {
	return []prometheus.Collector{r.hits, r.misses, r.errors, &serverCollector{c: r.c}}
}

// failed counts the error and logs it at most once a second.
func (r *Redis) failed(op string, err error) {
	r.errors.WithLabelValues(op).Inc()
	now := time.Now().Unix()
	if last := r.lastErrorLog.Load(); now > last && r.lastErrorLog.CompareAndSwap(last, now) {
		r.logger.Warn("cache call failed; serving from the database", "op", op, "err", err)
	}
}

func (r *Redis) Get(ctx context.Context, kind, key string) ([]byte, bool) {
	b, err := r.c.Get(ctx, key).Bytes()
	switch {
	case err == nil:
		r.hits.WithLabelValues(kind).Inc()
		return b, true
	case !errors.Is(err, redis.Nil):
		r.failed("get", err)
	}
	r.misses.WithLabelValues(kind).Inc()
	return nil, false
}

func (r *Redis) Set(ctx context.Context, _, key string, value []byte, ttl time.Duration) {
	if err := r.c.Set(ctx, key, value, ttl).Err(); err != nil {
		r.failed("set", err)
	}
}

func (r *Redis) Delete(ctx context.Context, keys ...string) {
	if err := r.c.Del(ctx, keys...).Err(); err != nil {
		r.failed("delete", err)
	}
}

func (r *Redis) Close() error { return r.c.Close() }

// serverCollector reads the server's own figures at scrape time: memory in
// use and its limit, evictions and the number of keys.
type serverCollector struct{ c *redis.Client }

var (
	upDesc        = prometheus.NewDesc(metrics.CacheUpName, "1 when the cache server answered the scrape's INFO, else 0.", nil, nil)
	memoryDesc    = prometheus.NewDesc(metrics.CacheMemoryName, "Memory the cache server uses (INFO used_memory).", nil, nil)
	limitDesc     = prometheus.NewDesc(metrics.CacheMemoryLimitName, "The cache server's memory limit (maxmemory; 0 is none).", nil, nil)
	evictionsDesc = prometheus.NewDesc(metrics.CacheEvictionsName, "Keys the cache server evicted to stay under its memory limit.", nil, nil)
	keysDesc      = prometheus.NewDesc(metrics.CacheKeysName, "Keys in the cache's database.", nil, nil)
)

func (s *serverCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{upDesc, memoryDesc, limitDesc, evictionsDesc, keysDesc} {
		ch <- d
	}
}

func (s *serverCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	info, err := s.c.Info(ctx, "memory", "stats").Result()
	keys, kerr := s.c.DBSize(ctx).Result()
	if err != nil || kerr != nil {
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 0)
		return
	}
	fields := ParseInfo(info)
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(memoryDesc, prometheus.GaugeValue, fields["used_memory"])
	ch <- prometheus.MustNewConstMetric(limitDesc, prometheus.GaugeValue, fields["maxmemory"])
	ch <- prometheus.MustNewConstMetric(evictionsDesc, prometheus.CounterValue, fields["evicted_keys"])
	ch <- prometheus.MustNewConstMetric(keysDesc, prometheus.GaugeValue, float64(keys))
}

// ParseInfo reads the numeric fields of a Redis INFO reply.
func ParseInfo(info string) map[string]float64 {
	fields := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			fields[k] = f
		}
	}
	return fields
}
