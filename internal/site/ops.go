package site

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 200 only when the database answers; otherwise it says since when it is away.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.svc.Health.Ready(ctx); err != nil {
		now := time.Now()
		s.awaySince.CompareAndSwap(0, now.UnixNano())
		since := time.Unix(0, s.awaySince.Load())
		s.log.Warn("readyz: database unreachable", "err", err, "since", since)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "database away since %s (%s): the public pages already seen are served as they were last\n",
			since.UTC().Format(time.RFC3339), now.Sub(since).Round(time.Second))
		return
	}
	s.awaySince.Store(0)
	_, _ = w.Write([]byte("ready\n"))
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// series holds the counter and histogram of each (route, method, status) seen, so that a
	// request finds them with one map read instead of hashing its labels twice.
	series sync.Map // seriesKey → requestSeries
}

type seriesKey struct {
	route, method string
	status        int
}

type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// metricMethod bounds the method label: a client may send any word as its method.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

func (m *metrics) of(route, method string, status int) requestSeries {
	k := seriesKey{route, method, status}
	if v, ok := m.series.Load(k); ok {
		return v.(requestSeries)
	}
	v, _ := m.series.LoadOrStore(k, requestSeries{
		count:    m.requests.WithLabelValues(route, method, strconv.Itoa(status)),
		duration: m.duration.WithLabelValues(route, method),
	})
	return v.(requestSeries)
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plenary_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "plenary_http_request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// wrap counts every request by its route pattern (not its path, which would be unbounded).
func (m *metrics) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		// The router fills in the routing context it finds in the request (it makes and recycles
		// its own otherwise, out of our sight), so the pattern can be read once it has run.
		rctx := chi.NewRouteContext()
		if routes, ok := next.(chi.Routes); ok {
			rctx.Routes = routes
		}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rctx)))
		route := "unmatched"
		if p := rctx.RoutePattern(); p != "" {
			route = p
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		series := m.of(route, metricMethod(r.Method), sw.status)
		series.count.Inc()
		series.duration.Observe(time.Since(start).Seconds())
	})
}
