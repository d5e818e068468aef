package site_test

// The meeting page while slow clients download:
//
//	go test ./internal/site -run '^$' -bench 'MeetingPageDuringSlowDownloads' -benchtime 1x
//
// The p99 of the meeting page as a signed-in member sees it (built for each request, never from
// the cache) is measured alone, then while 200 clients download a 40 MB document at 1 KB/s,
// in rounds that alternate the two so that both see the machine in the same minutes. The goal:
// with the downloads, at most 2x the p99 without.

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plenary/internal/pgtest"
	"plenary/internal/site"
)

func BenchmarkMeetingPageDuringSlowDownloads(b *testing.B) {
	const (
		rounds   = 5
		requests = 400
		slow     = 200
		size     = 40 << 20
	)
	ts := newDocSiteOpts(b, pgtest.New(b), beforeTheDeadlines, func(o *site.Options) { o.DocumentMaxBytes = 64 << 20 }, nil, true)
	member := ts.browserB(b, "focal.ms@plenary.test")
	if code := (benchFixture{ts}).post(member, size); code != http.StatusSeeOther {
		b.Fatalf("posting the file: status %d", code)
	}
	reader := ts.browserB(b, "delegate.sm@plenary.test")
	p99 := func() time.Duration {
		times := make([]time.Duration, 0, requests)
		for range requests {
			start := time.Now()
			resp, err := reader.Get(ts.srv.URL + letterPath)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("meeting page: status %d", resp.StatusCode)
			}
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		return times[len(times)*99/100]
	}
	// downloads starts the slow clients and returns once every one is receiving; stop ends them.
	downloads := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		c := &http.Client{Jar: member.Jar, Transport: slowTransportB()}
		var wg sync.WaitGroup
		var going atomic.Int64
		for range slow {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.srv.URL+docsPath+"/C1/file", nil)
				resp, err := c.Do(req)
				if err != nil {
					return
				}
				defer resp.Body.Close()
				going.Add(1)
				buf := make([]byte, 1<<10)
				for {
					if _, err := io.ReadFull(resp.Body, buf); err != nil {
						return
					}
					select {
					case <-ctx.Done():
						return
					case <-time.After(time.Second):
					}
				}
			}()
		}
		deadline := time.Now().Add(time.Minute)
		for going.Load() < slow {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d slow downloads started", going.Load(), slow)
			}
			time.Sleep(20 * time.Millisecond)
		}
		// Past the first pieces each reads.
		time.Sleep(2 * time.Second)
		return func() { cancel(); wg.Wait() }
	}
	p99()
	var alone, loaded []time.Duration
	for i := 0; i < b.N; i++ {
		for range rounds {
			alone = append(alone, p99())
			stop := downloads()
			loaded = append(loaded, p99())
			stop()
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	var ratios []float64
	for i := range alone {
		ratios = append(ratios, float64(loaded[i])/float64(alone[i]))
		b.Logf("round %d: p99 %.2f ms alone, %.2f ms with %d slow downloads: %.2fx", i+1, ms(alone[i]), ms(loaded[i]), slow, ratios[i])
	}
	slices.Sort(alone)
	slices.Sort(loaded)
	slices.Sort(ratios)
	b.ReportMetric(ms(alone[len(alone)/2]), "p99-ms-alone")
	b.ReportMetric(ms(loaded[len(loaded)/2]), "p99-ms-with-slow-downloads")
	b.ReportMetric(ratios[len(ratios)/2], "x-of-alone")
}
