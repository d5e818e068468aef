// Command plenary-bench measures the real plenary binary over HTTP (`make bench`).
//
// In one run it builds ./cmd/plenary, starts a private PostgreSQL cluster in a temporary folder,
// runs `plenary serve --migrate --demo` on it (LOG_LEVEL=warn, so per-request logging does not
// dominate), and drives each scenario with a load generator of its own: C keep-alive connections
// sending requests back to back for a warm-up, then a measured window (or, for some scenarios,
// paced at a fixed rate, a few sequential requests, or one timed action). Pages are compared with
// a baseline served by a plain net/http server in this process (a static page of the same bytes,
// or one plain pgx statement per request). It prints a table with PASS or FAIL against each
// scenario's targets, and the figures behind them.
//
// It exits non-zero only when the setup fails (or on Ctrl-C); a missed target prints FAIL.
// Everything it starts is stopped and its temporary folder deleted, Ctrl-C included.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

type row struct {
	s      Scenario
	res    *Result
	err    error
	ratio  float64 // rps / baseline rps; 0 when none
	other  float64 // share of the machine's CPU used by other processes meanwhile; -1 unknown
	result string
}

// noisy is the share of the machine's CPU used by other processes above which a figure is
// flagged as disturbed.
const noisy = 0.10

func main() {
	os.Exit(run())
}

func run() int {
	conns := flag.Int("c", 32, "concurrent keep-alive connections")
	dur := flag.Duration("d", 10*time.Second, "measured duration of each scenario")
	warm := flag.Duration("warmup", 2*time.Second, "warm-up before each measured window")
	fastDB := flag.Bool("fast-db", false, "run PostgreSQL without fsync (durability off); default is a durable cluster like production")
	dbConns := flag.Int("db-conns", 20, "DB_MAX_CONNS of the binary, and size of the baselines' pgx pool")
	rounds := flag.Int("rounds", 3, "rounds in which a scenario with a ratio target and its baseline are measured alternately")
	filter := flag.String("run", "", "run only the scenarios whose name matches this regular expression (with their baselines)")
	keep := flag.Bool("keep", false, "keep the temporary folder (binary, database, logs)")
	smtpOn := flag.Bool("smtp", false, "have the binary send its mail over SMTP to a server in this process (which discards it) instead of keeping it in the portal")
	verbose := flag.Bool("v", false, "print the SQL statements the scenarios count (read from the PostgreSQL log)")
	flag.Parse()
	if *conns < 1 || *dur <= 0 || *warm < 0 || *dbConns < 2 || *rounds < 1 {
		fmt.Fprintln(os.Stderr, "plenary-bench: -c ≥ 1, -d > 0, -warmup ≥ 0, -db-conns ≥ 2 and -rounds ≥ 1")
		return 2
	}
	list, err := selectScenarios(scenarios(), *filter)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plenary-bench:", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	out := os.Stdout
	logf := func(format string, args ...any) {
		fmt.Fprintf(out, "  "+format+"\n", args...)
	}
	fmt.Fprintf(out, "plenary-bench %s\n", time.Now().Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(out, "machine: %s/%s, %s, NumCPU=%d, GOMAXPROCS=%d, %s\n", runtime.GOOS, runtime.GOARCH, cpuModel(),
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(out, "load: %d keep-alive connections, %s warm-up + %s measured per scenario; client, baselines, server and PostgreSQL share the machine\n",
		*conns, *warm, *dur)

	start := time.Now()
	e, err := Setup(ctx, Options{FastDB: *fastDB, DBMaxConns: *dbConns, Keep: *keep, SMTP: *smtpOn, Log: logf})
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "plenary-bench: interrupted")
			return 130
		}
		fmt.Fprintln(os.Stderr, "plenary-bench: setup:", err)
		return 1
	}
	defer e.Close()
	if *keep {
		defer fmt.Fprintf(out, "kept %s\n", e.tmp)
	}
	e.Conns, e.Warmup, e.Duration, e.Rounds, e.Verbose = *conns, *warm, *dur, *rounds, *verbose
	fmt.Fprintf(out, "server: plenary serve --migrate --demo at %s, LOG_LEVEL=warn (per-request logs off), DB_MAX_CONNS=%s, PostgreSQL %s (fast=%t), setup %.1f s\n",
		e.AppURL, e.AppConfig["DB_MAX_CONNS"], pgVersion(ctx, e), *fastDB, time.Since(start).Seconds())
	if e.SMTP != nil {
		fmt.Fprintf(out, "mail: sent over SMTP to %s (a server in this process that discards it)\n", e.SMTP.addr)
	} else {
		fmt.Fprintf(out, "mail: kept in the portal (no SMTP server; -smtp sends it)\n")
	}

	rows := make([]*row, 0, len(list))
	byName := map[string]*row{}
	for _, s := range list {
		r := &row{s: s}
		rows = append(rows, r)
		byName[s.Name] = r
		fmt.Fprintf(out, "running %s\n", s.Name)
		before := e.sampleCPU()
		var base *Scenario
		if b := byName[s.Baseline]; b != nil {
			base = &b.s
		}
		r.res, r.err = measure(ctx, e, s, base)
		r.other = otherCPU(before, e.sampleCPU())
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "plenary-bench: interrupted")
			return 130
		}
		if r.err != nil {
			logf("error: %v", r.err)
		} else {
			rate := "one action"
			if r.res.Elapsed > 0 {
				rate = fmt.Sprintf("%.0f rps", r.res.RPS())
			}
			logf("%s, p50 %s, p99 %s, %d errors, other processes %s of the CPU", rate, fmtDur(r.res.Percentile(0.50)),
				fmtDur(r.res.Percentile(0.99)), r.res.Errors, fmtShare(r.other))
		}
		judge(r, byName[s.Baseline])
	}
	fmt.Fprintln(out)
	printTable(out, rows)
	fmt.Fprintf(out, "total %.0f s\n", time.Since(start).Seconds())
	for _, r := range rows {
		if r.err != nil {
			return 1
		}
	}
	return 0
}

// measure runs a scenario; a stream of requests with a ratio target is measured in rounds
// alternating with its baseline's stream (RunInterleaved).
func measure(ctx context.Context, e *Env, s Scenario, base *Scenario) (*Result, error) {
	if s.Run != nil {
		return s.Run(ctx, e)
	}
	l, err := s.Setup(ctx, e)
	if err != nil {
		return nil, err
	}
	if s.Targets.MinRatio > 0 && base != nil && base.Setup != nil {
		bl, err := base.Setup(ctx, e)
		if err != nil {
			return nil, err
		}
		return e.RunInterleaved(ctx, bl, l)
	}
	return RunLoad(ctx, l, e.Conns, e.Warmup, e.Duration)
}

// judge compares a row with its baseline and its targets.
func judge(r, base *row) {
	if r.err != nil {
		r.result = "ERROR: " + r.err.Error()
		return
	}
	switch {
	case r.res.Baseline != nil && r.res.Baseline.RPS() > 0:
		r.ratio = r.res.RPS() / r.res.Baseline.RPS()
	case base != nil && base.res != nil && base.res.RPS() > 0:
		r.ratio = r.res.RPS() / base.res.RPS()
	}
	t := r.s.Targets
	if !t.any() && len(r.res.Failures) == 0 {
		r.result = "-"
		if r.res.Errors > 0 {
			r.result = "errors: " + r.res.FirstErr
		}
		return
	}
	var miss []string
	if t.MinRatio > 0 {
		switch {
		case r.ratio == 0:
			miss = append(miss, "no baseline")
		case r.ratio < t.MinRatio:
			miss = append(miss, fmt.Sprintf("rps %.0f%% < %.0f%% of baseline", r.ratio*100, t.MinRatio*100))
		}
	}
	if t.MaxP99 > 0 && r.res.Percentile(0.99) > t.MaxP99 {
		miss = append(miss, fmt.Sprintf("p99 %s > %s", fmtDur(r.res.Percentile(0.99)), fmtDur(t.MaxP99)))
	}
	if t.MaxLatency > 0 && r.res.Max() > t.MaxLatency {
		miss = append(miss, fmt.Sprintf("slowest %s > %s", fmtDur(r.res.Max()), fmtDur(t.MaxLatency)))
	}
	if len(r.res.Latencies) == 0 && (t.MaxP99 > 0 || t.MaxLatency > 0) {
		miss = append(miss, "no response measured")
	}
	if r.res.Errors > 0 {
		miss = append(miss, fmt.Sprintf("%d errors (%s)", r.res.Errors, r.res.FirstErr))
	}
	miss = append(miss, r.res.Failures...)
	if len(miss) == 0 {
		r.result = "PASS"
	} else {
		r.result = "FAIL: " + strings.Join(miss, "; ")
	}
	if o := max(r.other, base.otherOrZero()); o > noisy {
		if len(miss) == 0 {
			r.result += ":"
		}
		r.result += fmt.Sprintf(" (disturbed: other processes used %s of the CPU; rerun on a quiet machine)", fmtShare(o))
	}
}

func (r *row) otherOrZero() float64 {
	if r == nil {
		return 0
	}
	return r.other
}

func printTable(w io.Writer, rows []*row) {
	// Names are padded here so that they align left while the figures align right.
	width := len("scenario")
	for _, r := range rows {
		width = max(width, len(r.s.Name))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-len(s)) }
	verdict := func(r *row) string { return strings.SplitN(r.result, ":", 2)[0] }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tbody\trps\tp50\tp90\tp99\tmax\terrors\tvs baseline\tother CPU\tresult\t\n", pad("scenario"))
	for _, r := range rows {
		if r.res == nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t-\t%s\t%s\t\n", pad(r.s.Name), fmtShare(r.other), verdict(r))
			continue
		}
		ratio := "-"
		if r.ratio > 0 {
			ratio = fmt.Sprintf("%.0f%%", r.ratio*100)
		}
		rps := "-" // one action, not a rate
		if r.res.Elapsed > 0 {
			rps = fmt.Sprintf("%.0f", r.res.RPS())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t\n", pad(r.s.Name), fmtBytes(r.res.BodyBytes), rps,
			fmtDur(r.res.Percentile(0.50)), fmtDur(r.res.Percentile(0.90)), fmtDur(r.res.Percentile(0.99)),
			fmtDur(r.res.Max()), r.res.Errors, ratio, fmtShare(r.other), verdict(r))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nother CPU: share of the machine's CPU used outside the benchmark (other builds and tests, hypervisor steal) during the scenario;\n"+
		"above %.0f%% the figures are disturbed.\n\n", noisy*100)
	for _, r := range rows {
		var notes []string
		if r.res != nil {
			notes = r.res.Notes
		}
		if r.s.Targets.any() || r.err != nil || len(notes) > 0 {
			target := ""
			if r.s.Targets.any() {
				target = " (targets: " + r.s.Targets.String() + ")"
			}
			fmt.Fprintf(w, "%-5s %s%s\n", verdict(r), r.s.Name, target)
			if _, detail, ok := strings.Cut(r.result, ": "); ok {
				fmt.Fprintf(w, "      %s\n", detail)
			}
			for _, n := range notes {
				fmt.Fprintf(w, "      · %s\n", n)
			}
		}
	}
}

func selectScenarios(all []Scenario, pattern string) ([]Scenario, error) {
	if pattern == "" {
		return all, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("-run: %w", err)
	}
	want := map[string]bool{}
	baseline := map[string]string{}
	for _, s := range all {
		baseline[s.Name] = s.Baseline
	}
	for _, s := range all {
		if re.MatchString(s.Name) {
			// The baseline, its baseline, and so on.
			for n := s.Name; n != "" && !want[n]; n = baseline[n] {
				want[n] = true
			}
		}
	}
	var list []Scenario
	for _, s := range all {
		if want[s.Name] {
			list = append(list, s)
		}
	}
	if len(list) == 0 {
		return nil, errors.New("-run matches no scenario")
	}
	return list, nil
}

func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.0f ms", ms)
	}
}

func fmtShare(f float64) string {
	if f < 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f%%", f*100)
}

func fmtBytes(n int) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1000)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func pgVersion(ctx context.Context, e *Env) string {
	p, err := e.Pool(ctx)
	if err != nil {
		return "?"
	}
	var v string
	if err := p.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "?"
	}
	return v
}
