package main

import (
	"context"
	"fmt"
)

// PostgreSQL's write-ahead log (pg_stat_wal, cluster-wide) holds a record for every row and
// index entry written, updated or deleted, and every commit: its size per request tells what a
// write-heavy figure costs PostgreSQL beyond its reads, and where that goes.

type walSample struct {
	ok                  bool
	records, fpi, bytes int64
}

func (e *Env) sampleWAL(ctx context.Context) walSample {
	pool, err := e.Pool(ctx)
	if err != nil {
		return walSample{}
	}
	var s walSample
	if err := pool.QueryRow(ctx, `SELECT wal_records, wal_fpi, wal_bytes::bigint FROM pg_stat_wal`).Scan(&s.records, &s.fpi, &s.bytes); err != nil {
		return walSample{}
	}
	s.ok = true
	return s
}

// walUse is the log written over some windows, and how many requests those sent.
type walUse struct {
	records, fpi, bytes int64
	requests            float64
	unknown             bool
}

// add counts the log written between a and b, in a window that sent requests requests.
func (u *walUse) add(a, b walSample, requests float64) {
	if !a.ok || !b.ok {
		u.unknown = true
		return
	}
	u.records += b.records - a.records
	u.fpi += b.fpi - a.fpi
	u.bytes += b.bytes - a.bytes
	u.requests += requests
}

// perRequest says the log written per request: records, of them full-page images, and bytes.
func (u walUse) perRequest() string {
	if u.unknown || u.requests <= 0 {
		return "not known"
	}
	return fmt.Sprintf("%.1f records (%.2f full-page images), %.2f KB", float64(u.records)/u.requests,
		float64(u.fpi)/u.requests, float64(u.bytes)/u.requests/1024)
}

// interleavedWAL is what Env.RunInterleaved reads of the log: where it started, and the
// baseline's share, measured in its first round (before any request of the load measured
// against it) and sent in all of them.
type interleavedWAL struct {
	start    walSample
	base     walUse
	baseSent float64
}

// walPerRequest says the log written per request of res (a result of RunInterleaved that sent
// sent requests, warm-ups included) and per request of its baseline: the log written from the
// start of the rounds until now (call it once the work the requests left behind, such as their
// mail, is done), less the baseline's rounds at the rate of its first.
func (e *Env) walPerRequest(ctx context.Context, res *Result, sent float64) string {
	w, end := res.wal, e.sampleWAL(ctx)
	if w.base.unknown || w.base.requests <= 0 || !w.start.ok || !end.ok {
		return "not known"
	}
	share := w.baseSent / w.base.requests
	own := walUse{requests: sent,
		records: end.records - w.start.records - int64(float64(w.base.records)*share),
		fpi:     end.fpi - w.start.fpi - int64(float64(w.base.fpi)*share),
		bytes:   end.bytes - w.start.bytes - int64(float64(w.base.bytes)*share)}
	return fmt.Sprintf("%s; baseline %s", own.perRequest(), w.base.perRequest())
}
