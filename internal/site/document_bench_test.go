package site_test

// Benchmarks of the documents:
//
//	go test ./internal/site -run '^$' -bench 'Document' -benchtime 20x
//
// BenchmarkDocumentList renders a page of the list of a meeting holding 1,000 documents (the
// budget is 50 ms a page); BenchmarkDocumentDownload fetches a 50 MB file from each backend
// (PostgreSQL, S3) through the whole web layer and, in the same run, the same bytes from disk by
// net/http's file server, and reports the first's throughput as a share of the second's (the goal
// is at least 50 %).

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"plenary/internal/app"
	"plenary/internal/blob"
	"plenary/internal/blob/pgblob"
	"plenary/internal/blob/s3blob"
	"plenary/internal/pgtest"
	"plenary/internal/s3test"
	"plenary/internal/seed"
	"plenary/internal/service"
	"plenary/internal/site"
)

// benchDocuments fills the letter's meeting with n documents of every type, with Questions,
// sources and a file each, straight in SQL (posting them one by one would measure the upload).
func benchDocuments(b *testing.B, ts *testSite, n int) {
	b.Helper()
	ctx := context.Background()
	_, err := ts.db.Pool.Exec(ctx, `
		WITH m AS (SELECT id, study_group_id FROM meetings WHERE slug = $1),
		c AS (INSERT INTO blob_objects (key, size, chunk_size) VALUES ('documents/bench', 9, 1048576) RETURNING id, key),
		bl AS (INSERT INTO blobs (key, backend, size, sha256, crc32) VALUES ('documents/bench', 'postgres', 9, repeat('a', 64), 0) RETURNING key),
		ch AS (INSERT INTO blob_chunks (object_id, n, data) SELECT id, 0, '%PDF-1.7 '::bytea FROM c),
		d AS (
			INSERT INTO documents (meeting_id, study_group_id, study_period, doc_type, number, td_suffix, ls_direction, ls_purpose,
				title, working_party_id, state, late, submitted_at)
			SELECT m.id, m.study_group_id, '2025-2028', t.type, g.i,
				CASE WHEN t.type = 'TD' THEN 'WP' || (1 + g.i % 4) END,
				CASE WHEN t.type = 'LS' THEN 'incoming' END, CASE WHEN t.type = 'LS' THEN 'action' END,
				'Proposed modifications to draft Recommendation number ' || g.i || ' on ' || t.type,
				(SELECT id FROM working_parties w WHERE w.study_group_id = m.study_group_id AND w.number = 1 + g.i % 4),
				'posted', g.i % 7 = 0, now() - g.i * interval '1 minute'
			FROM m, generate_series(1, $2::int / 4) g(i), (VALUES ('C'), ('TD'), ('LS'), ('R')) t(type)
			RETURNING id, number)
		, f AS (INSERT INTO document_files (document_id, revision, blob_key, file_name, content_type, uploaded_at)
			SELECT d.id, 0, bl.key, 'document-' || d.number || '.pdf', 'application/pdf', now() FROM d, bl)
		, s AS (INSERT INTO document_sources (document_id, organisation_id, position)
			SELECT d.id, o.id, 1 FROM d, (SELECT id FROM organisations ORDER BY id LIMIT 1) o)
		INSERT INTO document_questions (document_id, question_id)
			SELECT d.id, q.id FROM d JOIN questions q ON q.number = 1 + d.number % 23
			JOIN m ON q.study_group_id = m.study_group_id`, letterSlug, n)
	if err != nil {
		b.Fatal(err)
	}
	var got int
	if err := ts.db.Pool.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&got); err != nil || got != n {
		b.Fatalf("%d documents (%v), want %d", got, err, n)
	}
	if _, err := ts.db.Pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDocumentList measures one page (100 lines) of the list of 1,000 documents, as a
// signed-in member sees it (never cached), for the first and the last page, filtered and searched.
func BenchmarkDocumentList(b *testing.B) {
	ts := newDocSiteTB(b, pgtest.New(b), beforeTheDeadlines, 0)
	benchDocuments(b, ts, 1000)
	member := ts.browserB(b, "focal.ms@plenary.test")
	for _, q := range []string{"", "?page=10", "?sort=date&page=5", "?type=C&wp=wp2", "?q=number+99&sort=title"} {
		b.Run("query="+q, func(b *testing.B) {
			var worst time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				resp, err := member.Get(ts.srv.URL + docsPath + q)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
				worst = max(worst, time.Since(start))
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
			b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
		})
	}
}

// BenchmarkDocumentDownload fetches a 50 MB document through the whole web layer from each
// backend (PostgreSQL, and a real S3 server: SeaweedFS), alternately with the same 50 MB from
// disk by net/http's file server, and reports both throughputs and their ratio.
func BenchmarkDocumentDownload(b *testing.B) {
	for _, backend := range []string{"postgres", "s3"} {
		b.Run("backend="+backend, func(b *testing.B) { benchDownload(b, backend, false) })
	}
	// With PRESIGN_TTL the member is sent, after the access check, to a presigned address of the
	// S3 server: the figure is the whole download, the portal's answer and redirect included.
	b.Run("backend=s3-presigned", func(b *testing.B) { benchDownload(b, "s3", true) })
}

func benchDownload(b *testing.B, backend string, presign bool) {
	const size = 50 << 20
	db := pgtest.New(b)
	pg := pgblob.New(db.Pool)
	stores := blob.NewStores(pg)
	var s3 *s3blob.Store
	if backend == "s3" {
		srv := s3test.Start(b)
		var err error
		if s3, err = s3blob.New(srv.Config("bench")); err != nil {
			b.Fatal(err)
		}
		stores = blob.NewStores(s3, pg)
	}
	ts := newDocSiteOpts(b, db, beforeTheDeadlines, func(o *site.Options) {
		o.DocumentMaxBytes = 64 << 20
		if presign {
			o.PresignTTL = time.Minute
		}
	}, func(so *app.ServiceOptions) { so.Files = service.NewFiles(stores, db, nil, 4) }, false)
	member := ts.browserB(b, "focal.ms@plenary.test")
	// The member's downloads follow the redirect to the presigned address (and are refused one
	// without presigning: the answer must be the file itself).
	downloader := &http.Client{Jar: member.Jar}
	if !presign {
		downloader = member
	}
	// Post the file through the site, as a member would.
	fx := benchFixture{ts}
	if code := fx.post(member, size); code != http.StatusSeeOther {
		b.Fatalf("posting the file: status %d", code)
	}
	var stored, key string
	if err := db.Pool.QueryRow(context.Background(), `SELECT backend, key FROM blobs`).Scan(&stored, &key); err != nil || stored != backend {
		b.Fatalf("the file is stored in %q (%v), want %s", stored, err, backend)
	}
	// The S3 server itself, asked directly (a presigned address), for comparison.
	direct := ""
	if s3 != nil {
		u, err := s3.PresignGet(context.Background(), key, "attachment", "application/pdf", time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		direct = u.String()
	}
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "c.pdf"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, randomPDF(size)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	disk := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer disk.Close()
	plain := &http.Client{}

	fetch := func(c *http.Client, url string) time.Duration {
		start := time.Now()
		resp, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != size || resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d bytes, status %d, %v", url, n, resp.StatusCode, err)
		}
		return time.Since(start)
	}
	fetch(downloader, ts.srv.URL+docsPath+"/C1/file")
	fetch(plain, disk.URL+"/c.pdf")
	var fromStore, fromDisk, fromServer time.Duration
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fromStore += fetch(downloader, ts.srv.URL+docsPath+"/C1/file")
		b.StopTimer()
		fromDisk += fetch(plain, disk.URL+"/c.pdf")
		if direct != "" {
			fromServer += fetch(plain, direct)
		}
		b.StartTimer()
	}
	mbps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(mbps(fromStore), backend+"-MB/s")
	b.ReportMetric(mbps(fromDisk), "disk-MB/s")
	b.ReportMetric(100*fromDisk.Seconds()/fromStore.Seconds(), "%-of-disk")
	if direct != "" {
		b.ReportMetric(mbps(fromServer), "s3-server-direct-MB/s")
	}
}

// browserB signs in with a plain client, for benchmarks.
func (ts *testSite) browserB(b *testing.B, email string) *http.Client {
	b.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(ts.srv.URL+"/login", url.Values{"email": {email}, "password": {seed.DemoPassword}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("login as %s: status %d", email, resp.StatusCode)
	}
	return c
}

type benchFixture struct{ ts *testSite }

// post posts a contribution of size bytes and returns the status.
func (fx benchFixture) post(c *http.Client, size int64) int {
	var org int64
	if err := fx.ts.db.Pool.QueryRow(context.Background(), `SELECT id FROM organisations WHERE name = $1`, china).Scan(&org); err != nil {
		panic(err)
	}
	body, ctype := multipartBody(contribution(strconv.FormatInt(org, 10), "Large"), &docFile{"c.pdf", randomPDF(size)})
	req, err := http.NewRequest(http.MethodPost, fx.ts.srv.URL+docsPath+"/new", body)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := c.Do(req)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
