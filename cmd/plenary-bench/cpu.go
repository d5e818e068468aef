package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The benchmark shares the machine with whatever else runs on it (builds, other test suites),
// which makes its figures swing. cpuSample measures how much of the machine's CPU went to
// processes outside the benchmark (this process, the binary, our PostgreSQL server and its
// backends) during a scenario, so the report can say when a figure was disturbed. Linux only;
// elsewhere it reports nothing.

type cpuSample struct {
	ok          bool
	busy, total uint64         // machine-wide, from /proc/stat, in clock ticks
	ours        map[int]uint64 // CPU time of our processes, by pid
	roles       map[int]string // "bench", "app", "postgres" or "kernel", by pid
}

// ownPIDs is this process, the binary and the PostgreSQL server with all its children, plus the
// kernel's threads (which carry, among others, the loopback traffic of the benchmark).
func (e *Env) ownPIDs() []int {
	pids := []int{os.Getpid()}
	if e.app != nil && e.app.Process != nil {
		pids = append(pids, e.app.Process.Pid)
	}
	pm := -1
	if e.cluster != nil {
		if b, err := os.ReadFile(filepath.Join(e.cluster.Dir, "postmaster.pid")); err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			if n, err := strconv.Atoi(strings.TrimSpace(first)); err == nil {
				pm = n
				pids = append(pids, pm)
			}
		}
	}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if f, ok := procStat(pid); ok && (f.ppid == pm || f.ppid == kthreadd || pid == kthreadd) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// kthreadd is the parent of every kernel thread.
const kthreadd = 2

type procFields struct {
	ppid int
	cpu  uint64 // utime + stime
}

// procStat reads /proc/pid/stat.
func procStat(pid int) (procFields, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procFields{}, false
	}
	// The command name is in parentheses and may hold spaces: fields start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procFields{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
	if len(f) < 13 {
		return procFields{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	return procFields{ppid: ppid, cpu: ut + st}, true
}

func (e *Env) sampleCPU() cpuSample {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuSample{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return cpuSample{}
	}
	var v [8]uint64
	for i := range v {
		v[i], _ = strconv.ParseUint(f[i+1], 10, 64)
	}
	// user nice system idle iowait irq softirq steal. Interrupts serve mostly our loopback
	// traffic and count as neither ours nor others'; steal (the hypervisor's other guests)
	// counts as others'.
	s := cpuSample{ok: true, ours: map[int]uint64{}, roles: map[int]string{}}
	s.busy = v[0] + v[1] + v[2] + v[7]
	s.total = s.busy + v[3] + v[4] + v[5] + v[6]
	app := -1
	if e.app != nil && e.app.Process != nil {
		app = e.app.Process.Pid
	}
	for _, pid := range e.ownPIDs() {
		p, ok := procStat(pid)
		if !ok {
			continue
		}
		s.ours[pid] = p.cpu
		switch {
		case pid == os.Getpid():
			s.roles[pid] = "bench"
		case pid == app:
			s.roles[pid] = "app"
		case pid == kthreadd || p.ppid == kthreadd:
			s.roles[pid] = "kernel"
		default:
			s.roles[pid] = "postgres"
		}
	}
	return s
}

// clockTicks is USER_HZ, the unit of /proc's CPU times (100 on every Linux platform Go runs on).
const clockTicks = 100

// cpuSplit is the CPU time the binary, PostgreSQL (server and backends) and this process (load
// client, baselines) used between a and b; ok is false when unknown.
func cpuSplit(a, b cpuSample) (app, pg, bench time.Duration, ok bool) {
	if !a.ok || !b.ok {
		return 0, 0, 0, false
	}
	for pid, t := range b.ours {
		d := time.Duration(t-min(t, a.ours[pid])) * time.Second / clockTicks
		switch b.roles[pid] {
		case "app":
			app += d
		case "postgres":
			pg += d
		case "bench":
			bench += d
		}
	}
	return app, pg, bench, true
}

// cpuPerRequest describes cpuSplit per request, for a note.
func cpuPerRequest(a, b cpuSample, requests float64) string {
	var u cpuUse
	u.add(a, b)
	return u.perRequest(requests)
}

// cpuUse sums cpuSplit over several windows.
type cpuUse struct {
	app, pg, bench time.Duration
	unknown        bool
}

func (u *cpuUse) add(a, b cpuSample) {
	app, pg, bench, ok := cpuSplit(a, b)
	u.app, u.pg, u.bench, u.unknown = u.app+app, u.pg+pg, u.bench+bench, u.unknown || !ok
}

// perRequest describes the use per request, for a note.
func (u cpuUse) perRequest(requests float64) string {
	if u.unknown || requests <= 0 {
		return "unknown"
	}
	per := func(d time.Duration) string { return fmtDur(time.Duration(float64(d) / requests)) }
	return fmt.Sprintf("binary %s, PostgreSQL %s, bench process (load client, baseline server) %s", per(u.app), per(u.pg), per(u.bench))
}

// otherCPU is the share of the machine's CPU capacity used outside the benchmark between a and
// b, or -1 when unknown.
func otherCPU(a, b cpuSample) float64 {
	if !a.ok || !b.ok || b.total <= a.total {
		return -1
	}
	var ours uint64
	for pid, t := range b.ours {
		ours += t - min(t, a.ours[pid]) // a process started in between counts whole
	}
	busy := b.busy - a.busy
	if ours >= busy {
		return 0
	}
	return float64(busy-ours) / float64(b.total-a.total)
}
