package cache

import (
	"slices"
	"testing"

	"github.com/redis/go-redis/v9"

	"loadgate/service/internal/metrics"
)

// The cache's families are in metrics.All (what -metrics prints); describing needs no server.
func TestCacheFamiliesAreInMetricsAll(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	described := metrics.DescribedNames(newRedis(c, nil).collectors()...)
	if len(described) != 8 {
		t.Fatalf("described %d cache families, want 8: %v", len(described), described)
	}
	for _, name := range described {
		if !slices.ContainsFunc(metrics.All, func(f metrics.Family) bool { return f.Name == name }) {
			t.Errorf("%s is exported but not in metrics.All", name)
		}
	}
}
