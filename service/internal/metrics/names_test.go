package metrics

import (
	"slices"
	"testing"
)

// All is what -metrics prints; every family these collectors describe must be in it, so a
// collector renamed or added without All fails here, and All fails the TypeScript side's test.
func TestAllHoldsEveryDescribedFamily(t *testing.T) {
	reg := NewRegistry()
	m := New(reg)
	d := NewDB(reg)
	described := DescribedNames(
		m.HTTPRequestDuration, m.HTTPInFlight, m.GRPCRequestDuration, m.EventIngestDuration,
		m.BufferSize, m.BufferHighWater, m.BufferLimit, m.EventsAccepted, m.EventsWritten,
		m.EventsRejected, m.Flushes, m.FlushDuration, m.FlushRows,
		d.acquire, d.held, d.queries, d.queryDuration, NewDBStatsCollector(nil),
	)
	if len(described) != 23 {
		t.Fatalf("described %d families, want 23: %v", len(described), described)
	}
	for _, name := range described {
		if !slices.ContainsFunc(All, func(f Family) bool { return f.Name == name }) {
			t.Errorf("%s is exported but not in metrics.All", name)
		}
	}
}

func TestAllNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range All {
		if seen[f.Name] {
			t.Errorf("%s twice in All", f.Name)
		}
		seen[f.Name] = true
		if f.Type != "counter" && f.Type != "gauge" && f.Type != "histogram" {
			t.Errorf("%s has type %q", f.Name, f.Type)
		}
	}
}
