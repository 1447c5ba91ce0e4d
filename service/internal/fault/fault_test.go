package fault

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"loadgate/service/internal/route"
)

func TestFlagsRejectUnknownRouteAndListValid(t *testing.T) {
	tbl := Table{}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(DelayFlag{tbl}, "fault-delay", "")
	fs.Var(ErrorRateFlag{tbl}, "fault-error-rate", "")

	err := fs.Parse([]string{"-fault-delay", "nope=1s"})
	if err == nil || !strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), "challenge_progress") {
		t.Fatalf("unhelpful error: %v", err)
	}
	for _, bad := range [][]string{
		{"-fault-delay", "feed=soon"},
		{"-fault-delay", "feed"},
		{"-fault-error-rate", "vote=2"},
		{"-fault-error-rate", "vote=x"},
	} {
		if err := fs.Parse(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if err := fs.Parse([]string{"-fault-delay", "feed=50ms", "-fault-error-rate", "vote=0.1", "-fault-delay", "vote=1ms"}); err != nil {
		t.Fatal(err)
	}
	want := Table{route.Feed: {Delay: 50 * time.Millisecond}, route.Vote: {Delay: time.Millisecond, ErrorRate: 0.1}}
	if len(tbl) != len(want) || tbl[route.Feed] != want[route.Feed] || tbl[route.Vote] != want[route.Vote] {
		t.Fatalf("table %+v", tbl)
	}
}

func TestRulePrecedence(t *testing.T) {
	hdr := http.Header{}
	hdr.Set(HeaderDelay, "7ms")

	off := NewInjector(Table{route.Feed: {Delay: time.Second}}, false)
	if r, _ := off.Rule(route.Feed, hdr.Get); r.Delay != time.Second {
		t.Fatalf("headers applied while disabled: %+v", r)
	}

	in := NewInjector(Table{route.Feed: {Delay: time.Second, ErrorRate: 0.5}}, true)
	if err := in.SetRuntime(Table{route.Feed: {Delay: 2 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	if r, _ := in.Rule(route.Feed, nil); r != (Rule{Delay: 2 * time.Second}) {
		t.Fatalf("runtime should replace the flag rule: %+v", r)
	}
	if r, _ := in.Rule(route.Feed, hdr.Get); r.Delay != 7*time.Millisecond {
		t.Fatalf("header should override delay: %+v", r)
	}
	hdr.Set(HeaderErrorRate, "lots")
	if _, err := in.Rule(route.Feed, hdr.Get); err == nil {
		t.Fatal("bad header accepted")
	}
	if err := in.SetRuntime(Table{"bogus": {}}); err == nil {
		t.Fatal("unknown runtime route accepted")
	}
}

func TestApply(t *testing.T) {
	in := NewInjector(nil, false)
	if err := in.Apply(context.Background(), Rule{ErrorRate: 1}); err != ErrInjected {
		t.Fatalf("rate 1: %v", err)
	}
	if err := in.Apply(context.Background(), Rule{ErrorRate: 0}); err != nil {
		t.Fatalf("rate 0: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := in.Apply(ctx, Rule{Delay: time.Hour}); err == nil {
		t.Fatal("cancelled delay should return ctx error")
	}
}

func TestControlHandler(t *testing.T) {
	in := NewInjector(nil, false)
	h := ControlHandler(in)
	do := func(method, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/debug/faults", strings.NewReader(body)))
		return rec
	}
	if rec := do("PUT", `{"feed":{"delay":"600ms","error_rate":0.25}}`); rec.Code != 200 {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	if r := in.Runtime()[route.Feed]; r != (Rule{Delay: 600 * time.Millisecond, ErrorRate: 0.25}) {
		t.Fatalf("runtime %+v", r)
	}
	if rec := do("GET", ""); !strings.Contains(rec.Body.String(), `"600ms"`) {
		t.Fatalf("GET: %s", rec.Body)
	}
	rec := do("PUT", `{"fed":{"delay":"1s"}}`)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "comments_list") {
		t.Fatalf("bad route: %d %s", rec.Code, rec.Body)
	}
	if rec := do("PUT", `{}`); rec.Code != 200 || len(in.Runtime()) != 0 {
		t.Fatalf("clear: %d %v", rec.Code, in.Runtime())
	}
}

func TestCPUFlagBurnsBeforeAnswering(t *testing.T) {
	table := Table{}
	if err := (CPUFlag{T: table}).Set("feed=20ms"); err != nil {
		t.Fatal(err)
	}
	if err := (CPUFlag{T: table}).Set("feed=2s"); err == nil {
		t.Fatal("2s accepted; the bound is 1s")
	}
	in := NewInjector(table, false)
	rule, _ := in.Rule("feed", nil)
	start := time.Now()
	if err := in.Apply(context.Background(), rule); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 20*time.Millisecond {
		t.Fatalf("feed=20ms answered after %s", took)
	}
}
