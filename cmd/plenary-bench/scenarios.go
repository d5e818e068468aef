package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Scenario is one measurement, one row of the report.
//
// Most scenarios are a steady stream of requests: Setup prepares what they need (data, sign-ins,
// a baseline server) and returns a Load, which RunLoad drives with Env.Conns connections. A
// scenario that is not a stream (for example a focal point approving 1,000 pending
// registrations at once) sets Run instead and returns its own Result.
//
// To add one, append it to scenarios(). Examples of what the registration work will add:
//
//   - registration submit by signed-in delegates: Setup creates Env.Conns delegate accounts
//     (Env.Pool), signs each in once (Env.Login), and returns a Load with Expect 303 whose
//     Request(ctx, conn) is a POST with conn's session cookie (Session.Header) and a Body func;
//     its Baseline is a scenario whose Setup returns the address of Env.PoolBaseline doing one
//     plain INSERT per request.
//   - list pages with 10,000 registrations: Setup inserts them through Env.Pool, signs in a
//     focal point or the secretariat, and returns a GET Load with the cookie; its Baseline is
//     staticBaseline of the same page, as for the visitor pages below.
//   - a focal point approving 1,000 pending registrations: Run signs in, inserts the
//     registrations, times the bulk approval and returns a Result with one latency.
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
}

func (t Targets) any() bool { return t.MinRatio > 0 || t.MaxP99 > 0 }

func (t Targets) String() string {
	s := ""
	if t.MinRatio > 0 {
		s += fmt.Sprintf("rps ≥ %.0f%% of baseline", t.MinRatio*100)
	}
	if t.MaxP99 > 0 {
		if s != "" {
			s += ", "
		}
		s += "p99 ≤ " + strings.TrimSuffix(strings.TrimSuffix(fmtDur(t.MaxP99), ".0 ms"), " ms") + " ms"
	}
	return s
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
