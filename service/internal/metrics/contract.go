package metrics

import (
	"regexp"

	"github.com/prometheus/client_golang/prometheus"
)

// describedName pulls the family name out of a Desc: client_golang keeps it unexported and
// prints it as fqName: "…" (tests use this to hold All to the real collectors).
var describedName = regexp.MustCompile(`fqName: "([^"]+)"`)

// DescribedNames is the family name of every Desc the collectors describe.
func DescribedNames(cs ...prometheus.Collector) []string {
	ch := make(chan *prometheus.Desc, 64)
	go func() {
		for _, c := range cs {
			c.Describe(ch)
		}
		close(ch)
	}()
	var names []string
	for d := range ch {
		if m := describedName.FindStringSubmatch(d.String()); m != nil {
			names = append(names, m[1])
		}
	}
	return names
}
