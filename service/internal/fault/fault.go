// Package fault injects latency and errors into named routes so load
// tests can prove their thresholds and alerts actually fire. Everything is
// off unless configured by flags, per-request headers (opt-in) or the
// runtime control endpoint on the debug listener.
package fault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"loadgate/service/internal/route"
)

// Header names for per-request faults (also gRPC metadata keys, lower-cased).
const (
	HeaderDelay     = "X-Fault-Delay"
	HeaderErrorRate = "X-Fault-Error-Rate"
)

// MaxDelay bounds injected delays so a typo cannot hang a test run.
const MaxDelay = 60 * time.Second

// ErrInjected is the error a route returns when a fault fires.
var ErrInjected = errors.New("injected fault")

// MaxCPU bounds the CPU a request may be made to burn.
const MaxCPU = time.Second

// Rule is the fault applied to one route.
type Rule struct {
	Delay     time.Duration
	ErrorRate float64
	// CPU is time spent computing on the request's goroutine: a slowdown that, unlike Delay,
	// shows in CPU profiles (as burnCPU), the way a slower piece of code would. Flags only.
	CPU time.Duration
}

func (r Rule) validate() error {
	if r.Delay < 0 || r.Delay > MaxDelay {
		return fmt.Errorf("delay %s out of range 0..%s", r.Delay, MaxDelay)
	}
	if r.CPU < 0 || r.CPU > MaxCPU {
		return fmt.Errorf("CPU time %s out of range 0..%s", r.CPU, MaxCPU)
	}
	if !(r.ErrorRate >= 0 && r.ErrorRate <= 1) { // also rejects NaN
		return fmt.Errorf("error rate %v out of range 0..1", r.ErrorRate)
	}
	return nil
}

// Table maps route names to rules. Tables handed to an Injector are never
// mutated afterwards.
type Table map[string]Rule

// CheckRoute returns an error naming the bad route and the valid ones.
func CheckRoute(name string) error {
	if slices.Contains(route.All, name) {
		return nil
	}
	return fmt.Errorf("unknown route %q (valid routes: %s)", name, strings.Join(route.All, ", "))
}

// Injector decides and applies faults. It is safe for concurrent use.
type Injector struct {
	flags   Table
	headers bool
	runtime atomic.Pointer[Table]
	float   func() float64
	sleep   func(context.Context, time.Duration) error
}

// NewInjector uses flagRules as the base table; headers enables the
// per-request X-Fault-* headers.
func NewInjector(flagRules Table, headers bool) *Injector {
	in := &Injector{
		flags:   cloneTable(flagRules),
		headers: headers,
		float:   rand.Float64,
		sleep:   sleepCtx,
	}
	empty := Table{}
	in.runtime.Store(&empty)
	return in
}

func cloneTable(t Table) Table {
	out := make(Table, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

// HeadersEnabled reports whether per-request header faults apply.
func (in *Injector) HeadersEnabled() bool { return in.headers }

// Runtime returns a copy of the runtime table.
func (in *Injector) Runtime() Table { return cloneTable(*in.runtime.Load()) }

// SetRuntime validates and atomically replaces the runtime table, which
// overrides flag rules route by route.
func (in *Injector) SetRuntime(t Table) error {
	for route, r := range t {
		if err := CheckRoute(route); err != nil {
			return err
		}
		if err := r.validate(); err != nil {
			return fmt.Errorf("route %s: %w", route, err)
		}
	}
	c := cloneTable(t)
	in.runtime.Store(&c)
	return nil
}

// Rule resolves the rule for one request: runtime table over flags, then
// headers (when enabled) override each field they set. get reads a header
// or metadata value; it may be nil.
func (in *Injector) Rule(route string, get func(string) string) (Rule, error) {
	r, ok := (*in.runtime.Load())[route]
	if !ok {
		r = in.flags[route]
	}
	if !in.headers || get == nil {
		return r, nil
	}
	if v := get(HeaderDelay); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return Rule{}, fmt.Errorf("invalid %s %q: %w", HeaderDelay, v, err)
		}
		r.Delay = d
	}
	if v := get(HeaderErrorRate); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return Rule{}, fmt.Errorf("invalid %s %q: %w", HeaderErrorRate, v, err)
		}
		r.ErrorRate = f
	}
	if err := r.validate(); err != nil {
		return Rule{}, fmt.Errorf("invalid fault headers: %w", err)
	}
	return r, nil
}

// Apply sleeps for the rule's delay and then fails with ErrInjected at the
// rule's error rate. A cancelled ctx ends the delay early with ctx's
// error.
func (in *Injector) Apply(ctx context.Context, r Rule) error {
	if r.CPU > 0 {
		burnCPU(r.CPU)
	}
	if r.Delay > 0 {
		if err := in.sleep(ctx, r.Delay); err != nil {
			return err
		}
	}
	if r.ErrorRate > 0 && in.float() < r.ErrorRate {
		return ErrInjected
	}
	return nil
}

// burnSink keeps the compiler from dropping burnCPU's arithmetic.
var burnSink atomic.Uint64

// burnCPU computes for d of wall time.
//
//go:noinline
func burnCPU(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	burnSink.Store(x)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// DelayFlag is a repeatable flag.Value parsing route=duration into t.
type DelayFlag struct{ T Table }

func (f DelayFlag) String() string {
	return formatFlag(f.T, func(r Rule) string { return r.Delay.String() })
}

// Set implements flag.Value.
func (f DelayFlag) Set(s string) error {
	return setDuration(f.T, s, func(r *Rule, d time.Duration) { r.Delay = d })
}

// setDuration parses route=duration and stores it into that route's rule with set.
func setDuration(t Table, s string, set func(*Rule, time.Duration)) error {
	route, val, err := splitRoute(s)
	if err != nil {
		return err
	}
	d, err := time.ParseDuration(val)
	if err != nil {
		return fmt.Errorf("bad duration %q for route %s", val, route)
	}
	r := t[route]
	set(&r, d)
	if err := r.validate(); err != nil {
		return err
	}
	t[route] = r
	return nil
}

// CPUFlag is a repeatable flag.Value parsing route=duration (CPU burned per request) into t.
type CPUFlag struct{ T Table }

func (f CPUFlag) String() string {
	return formatFlag(f.T, func(r Rule) string { return r.CPU.String() })
}

// Set implements flag.Value.
func (f CPUFlag) Set(s string) error {
	return setDuration(f.T, s, func(r *Rule, d time.Duration) { r.CPU = d })
}

// ErrorRateFlag is a repeatable flag.Value parsing route=rate into t.
type ErrorRateFlag struct{ T Table }

func (f ErrorRateFlag) String() string {
	return formatFlag(f.T, func(r Rule) string { return strconv.FormatFloat(r.ErrorRate, 'g', -1, 64) })
}

// Set implements flag.Value.
func (f ErrorRateFlag) Set(s string) error {
	route, val, err := splitRoute(s)
	if err != nil {
		return err
	}
	rate, err := strconv.ParseFloat(val, 64)
	if err != nil {
		return fmt.Errorf("bad error rate %q for route %s", val, route)
	}
	r := f.T[route]
	r.ErrorRate = rate
	if err := r.validate(); err != nil {
		return err
	}
	f.T[route] = r
	return nil
}

func splitRoute(s string) (name, val string, err error) {
	name, val, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("%q is not route=value (valid routes: %s)", s, strings.Join(route.All, ", "))
	}
	if err := CheckRoute(name); err != nil {
		return "", "", err
	}
	return name, val, nil
}

func formatFlag(t Table, f func(Rule) string) string {
	var parts []string
	for _, name := range route.All {
		if r, ok := t[name]; ok {
			parts = append(parts, name+"="+f(r))
		}
	}
	return strings.Join(parts, ",")
}

// ruleJSON is the wire form of a rule on /debug/faults.
type ruleJSON struct {
	Delay     string  `json:"delay"`
	ErrorRate float64 `json:"error_rate"`
}

// ControlHandler serves GET and PUT for the runtime table. It belongs on
// the debug listener only: anyone who can reach it can degrade the API.
//
// PUT body: {"feed":{"delay":"600ms","error_rate":0}, ...}; it replaces
// the whole runtime table, so {} clears it.
func ControlHandler(in *Injector) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/faults", func(w http.ResponseWriter, r *http.Request) {
		writeTable(w, in.Runtime())
	})
	mux.HandleFunc("PUT /debug/faults", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]ruleJSON
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			writeErr(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
			return
		}
		t := Table{}
		for route, rj := range body {
			if err := CheckRoute(route); err != nil {
				writeErr(w, http.StatusBadRequest, err.Error())
				return
			}
			var r Rule
			if rj.Delay != "" {
				d, err := time.ParseDuration(rj.Delay)
				if err != nil {
					writeErr(w, http.StatusBadRequest, fmt.Sprintf("route %s: bad delay %q", route, rj.Delay))
					return
				}
				r.Delay = d
			}
			r.ErrorRate = rj.ErrorRate
			t[route] = r
		}
		if err := in.SetRuntime(t); err != nil {
			writeErr(w, http.StatusBadRequest, err.Error())
			return
		}
		writeTable(w, in.Runtime())
	})
	return mux
}

func writeTable(w http.ResponseWriter, t Table) {
	out := make(map[string]ruleJSON, len(t))
	for route, r := range t {
		out[route] = ruleJSON{Delay: r.Delay.String(), ErrorRate: r.ErrorRate}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func writeErr(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
