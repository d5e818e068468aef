package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Scenario is one measurement, one row of the report.
//
// Most scenarios are a steady stream of requests: Setup prepares what they need (data, sign-ins,
// a baseline server) and returns a Load, which RunLoad drives with Env.Conns connections. A
// scenario that is not such a stream sets Run instead and returns its own Result: a paced run
// (RunPaced), a few sequential requests (RunSequential), one timed action, or a stream whose
// result a later scenario needs. A Result may carry Notes (further figures for the report) and
// Failures (checks other than the targets, such as rows that should exist).
//
// To add one, append it to scenarios(). The registration scenarios (registration.go) show each
// kind: the registration submit by signed-in delegates at the peak rate against a baseline of one
// plain INSERT per request (Env.PoolBaseline), then paced at half the peak; a focal point
// approving 1,000 pending registrations in one action; the lists and exports with 10,000
// registrations, with their number of SQL statements counted at two sizes
// (Env.CaptureStatements).
type Scenario struct {
	Name string
	// Baseline is the Name of the scenario this one's rps is compared with; it must come
	// earlier in the list. Empty for a baseline.
	Baseline string
	// Setup prepares a load scenario.
	Setup func(ctx context.Context, e *Env) (*Load, error)
	// Run measures a scenario that is not a stream of requests; used instead of Setup.
	Run func(ctx context.Context, e *Env) (*Result, error)
	// Targets are the pass marks; a scenario without targets is only reported.
	Targets Targets
}

// Targets are the pass marks of a scenario. Zero fields are not checked; a scenario with targets
// also fails on any error.
type Targets struct {
	// MinRatio is the least rps as a fraction of the baseline's rps.
	MinRatio float64
	// MaxP99 is the largest 99th-percentile latency.
	MaxP99 time.Duration
	// MaxLatency is the largest latency of any request: for scenarios of one or a few
	// requests, such as an action or a download.
	MaxLatency time.Duration
}

func (t Targets) any() bool { return t.MinRatio > 0 || t.MaxP99 > 0 || t.MaxLatency > 0 }

func (t Targets) String() string {
	s := ""
	if t.MinRatio > 0 {
		s += fmt.Sprintf("rps ≥ %.0f%% of baseline", t.MinRatio*100)
	}
	if t.MaxP99 > 0 {
		if s != "" {
			s += ", "
		}
		s += "p99 ≤ " + fmtTarget(t.MaxP99)
	}
	if t.MaxLatency > 0 {
		if s != "" {
			s += ", "
		}
		s += "every request ≤ " + fmtTarget(t.MaxLatency)
	}
	return s
}

// fmtTarget writes a duration target: "100 ms", "2 s".
func fmtTarget(d time.Duration) string {
	if d >= time.Second && d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return strings.TrimSuffix(strings.TrimSuffix(fmtDur(d), ".0 ms"), " ms") + " ms"
}

// The meeting of the seed letter.
const seedMeeting = "sg13-wp-2025-07"

// Public pages, at 32 connections.
var publicPageTargets = Targets{MinRatio: 0.50, MaxP99: 20 * time.Millisecond}

// scenarios is every measurement, in the order run and printed.
func scenarios() []Scenario {
	var list []Scenario
	list = append(list, visitorPage("meeting page", "/meetings/"+seedMeeting, publicPageTargets)...)
	list = append(list, visitorPage("agenda page", "/meetings/"+seedMeeting+"/agenda", publicPageTargets)...)
	// The same meeting page in Arabic (right to left, isolated values, CLDR dates) must keep the
	// English page's ratio to its baseline: the same targets, against the Arabic page's bytes.
	list = append(list, visitorPageIn("meeting page in Arabic", "/meetings/"+seedMeeting, "ar", publicPageTargets)...)
	// The room screen (issue 13): at least half the static page's throughput. The seed meeting is
	// over, so its screen is the short "no more sessions" page; it is cached like the others.
	list = append(list, visitorPage("room screen", "/meetings/"+seedMeeting+"/screen", Targets{MinRatio: 0.50})...)
	list = append(list, registrationScenarios()...)
	return list
}

// visitorPage is a GET of path by a visitor (no cookie), preceded by its baseline: a static page
// of the same bytes.
func visitorPage(label, path string, t Targets) []Scenario {
	base := staticBaseline(label, path)
	return []Scenario{base, {
		Name:     "GET " + path,
		Baseline: base.Name,
		Targets:  t,
		Setup: func(ctx context.Context, e *Env) (*Load, error) {
			return &Load{Addr: e.AppAddr, Request: same(Request{Path: path})}, nil
		},
	}}
}

// visitorPageIn is visitorPage for a visitor who chose the language lang (its cookie), with a
// baseline of the bytes of the page in that language.
func visitorPageIn(label, path, lang string, t Targets) []Scenario {
	header := http.Header{"Cookie": {"lang=" + lang}}
	base := Scenario{
		Name: "baseline: static " + label,
		Setup: func(ctx context.Context, e *Env) (*Load, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.AppURL+path, nil)
			if err != nil {
				return nil, err
			}
			req.Header = header.Clone()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return nil, err
			}
			if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`lang="`+lang+`"`)) {
				return nil, fmt.Errorf("GET %s in %s: status %d, or not in %s", path, lang, resp.StatusCode, lang)
			}
			addr, err := e.StaticPage(body)
			if err != nil {
				return nil, err
			}
			return &Load{Addr: addr, Request: same(Request{Path: path, Header: header})}, nil
		},
	}
	return []Scenario{base, {
		Name:     "GET " + path + " (" + lang + ")",
		Baseline: base.Name,
		Targets:  t,
		Setup: func(ctx context.Context, e *Env) (*Load, error) {
			return &Load{Addr: e.AppAddr, Request: same(Request{Path: path, Header: header})}, nil
		},
	}}
}

// staticBaseline fetches path from the binary once, then serves those exact bytes from a plain
// net/http server in this process.
func staticBaseline(label, path string) Scenario {
	return Scenario{
		Name: "baseline: static " + label,
		Setup: func(ctx context.Context, e *Env) (*Load, error) {
			body, _, err := e.Get(ctx, path)
			if err != nil {
				return nil, err
			}
			addr, err := e.StaticPage(body)
			if err != nil {
				return nil, err
			}
			return &Load{Addr: addr, Request: same(Request{Path: path})}, nil
		},
	}
}

// same gives every connection the same request.
func same(r Request) func(context.Context, int) (Request, error) {
	return func(context.Context, int) (Request, error) { return r, nil }
}
