package e2e_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"plenary/internal/blob"
	"plenary/internal/blob/s3blob"
	"plenary/internal/pgtest"
	"plenary/internal/s3test"
)

// runCLI runs the binary with args and the environment vars (and none of the caller's
// portal settings), and returns what it printed.
func runCLI(t *testing.T, bin string, vars map[string]string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	env := []string{}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "DATABASE_") || strings.HasPrefix(name, "S3_") || name == "FILES_STORE" || name == "DATA_DIR" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	cmd.Env = append(env, "DATA_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func sha(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// The portal with its files in a real S3 server (SeaweedFS): uploads go there, downloads come
// back whole and in ranges, revisions keep each file, the archive holds the latest of each and
// leaves out a withdrawn document; `plenary files move` takes every file to PostgreSQL and back,
// each checked by SHA-256, while the portal keeps serving them; with PRESIGN_TTL a member is sent,
// after the access check, to a presigned address of the object.
func TestFilesInObjectStorage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary and an S3 server: not with -short")
	}
	t.Parallel()
	ctx := context.Background()
	srv := s3test.Start(t)
	root := moduleRoot(t)
	dbURL := pgtest.EmptyURL(t)
	bin := build(t, root)
	vars := map[string]string{"DATABASE_URL": dbURL}
	for _, kv := range srv.Env("portal") {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	base, _ := startKillable(t, bin, vars)
	conn := connect(t, dbURL)
	_, slug := demoMeeting(t, conn)
	var org int64
	if err := conn.QueryRow(ctx, `SELECT id FROM organisations WHERE name = $1`, "China (People's Republic of)").Scan(&org); err != nil {
		t.Fatal(err)
	}
	docs := "/meetings/" + slug + "/documents"
	focal := newClient(t, base)
	focal.login("focal.ms@plenary.test", demoPassword)
	send := func(path, title, name string, content []byte) {
		t.Helper()
		body, ctype := uploadForm(org, title, name, bytes.NewReader(content))
		if title == "" {
			body, ctype = revisionForm(name, content)
		}
		req, _ := http.NewRequest(http.MethodPost, base+path, body)
		req.Header.Set("Content-Type", ctype)
		resp, err := focal.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: status %d", path, resp.StatusCode)
		}
	}
	// uploadForm puts "%PDF-1.7\n" before the content.
	withHead := func(b []byte) []byte { return append([]byte("%PDF-1.7\n"), b...) }
	large := make([]byte, 3<<20+123)
	_, _ = io.ReadFull(rand.NewChaCha8([32]byte{5}), large)
	send(docs+"/new", "Large", "large.pdf", large)
	send(docs+"/new", "Small", "small.pdf", []byte("small"))
	send(docs+"/new", "To withdraw", "gone.pdf", []byte("withdrawn later"))
	rev1 := []byte("%PDF-1.7\nthe first revision")
	send(docs+"/C1/revisions", "", "rev1.pdf", rev1)
	want := map[string][]byte{"/C1/rev/0": withHead(large), "/C1/rev/1": rev1, "/C1/file": rev1, "/C2/file": withHead([]byte("small"))}

	backends := func() map[string]int {
		rows, err := conn.Query(ctx, `SELECT backend, count(*) FROM blobs GROUP BY backend`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var b string
			var n int
			if err := rows.Scan(&b, &n); err != nil {
				t.Fatal(err)
			}
			out[b] = n
		}
		return out
	}
	s3, err := s3blob.New(srv.Config("portal"))
	if err != nil {
		t.Fatal(err)
	}
	inBucket := func() int {
		n := 0
		if err := s3.List(ctx, "", func(blob.Info) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var pgObjects int
	countPG := func() int {
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM blob_objects`).Scan(&pgObjects); err != nil {
			t.Fatal(err)
		}
		return pgObjects
	}
	if got := backends(); got["s3"] != 4 || got["postgres"] != 0 || inBucket() != 4 || countPG() != 0 {
		t.Fatalf("files by backend %v, %d objects in the bucket, %d in PostgreSQL; want the 4 files in S3", got, inBucket(), countPG())
	}

	download := func(when string) {
		t.Helper()
		for path, body := range want {
			a := focal.must(http.MethodGet, docs+path, nil, http.StatusOK)
			if sha(body) != sha([]byte(a.body)) {
				t.Errorf("%s, %s: %d bytes, not the %d posted", when, path, len(a.body), len(body))
			}
		}
		// A range across S3's and the portal's pieces.
		req, _ := http.NewRequest(http.MethodGet, base+docs+"/C1/rev/0", nil)
		req.Header.Set("Range", "bytes=1048570-2097160")
		resp, err := focal.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, withHead(large)[1048570:2097161]) {
			t.Errorf("%s, range: status %d, %d bytes", when, resp.StatusCode, len(got))
		}
		// The archive: the latest file of each posted document.
		a := focal.must(http.MethodGet, docs+".zip", nil, http.StatusOK)
		zr, err := zip.NewReader(strings.NewReader(a.body), int64(len(a.body)))
		if err != nil {
			t.Fatalf("%s, archive: %v", when, err)
		}
		var names []string
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, err := io.ReadAll(rc) // checks the CRC-32 recorded at upload
			if err != nil {
				t.Errorf("%s, archive, %s: %v", when, f.Name, err)
			}
			if f.Name == "SG13-C1-Rev.1.pdf" && !bytes.Equal(b, rev1) {
				t.Errorf("%s, archive: C1 is not its latest revision", when)
			}
			names = append(names, f.Name)
		}
		sort.Strings(names)
		if strings.Join(names, " ") != "SG13-C1-Rev.1.pdf SG13-C2.pdf" {
			t.Errorf("%s, archive holds %v; want C1's revision and C2 (C3 is withdrawn)", when, names)
		}
	}

	// C3 is withdrawn by the secretariat: it leaves the archive.
	sec := newClient(t, base)
	sec.login("secretariat@plenary.test", demoPassword)
	sec.must(http.MethodPost, docs+"/C3/withdraw", nil, http.StatusSeeOther)
	download("in S3")

	// Every file to PostgreSQL, while the portal runs; then back.
	out, err := runCLI(t, bin, vars, "files", "move", "--to", "postgres")
	if err != nil {
		t.Fatalf("files move --to postgres: %v\n%s", err, out)
	}
	if !strings.Contains(out, "moved 4 file(s)") || !strings.Contains(out, "SHA-256 checked") {
		t.Errorf("files move --to postgres said:\n%s", out)
	}
	if got := backends(); got["postgres"] != 4 || got["s3"] != 0 || inBucket() != 0 || countPG() != 4 {
		t.Fatalf("after the move to PostgreSQL: %v, %d objects left in the bucket, %d in PostgreSQL", got, inBucket(), countPG())
	}
	download("moved to PostgreSQL")
	// Run again, it has nothing to do.
	if out, err := runCLI(t, bin, vars, "files", "move", "--to", "postgres"); err != nil || !strings.Contains(out, "moved 0 file(s)") {
		t.Errorf("files move --to postgres again: %v\n%s", err, out)
	}
	out, err = runCLI(t, bin, vars, "files", "move", "--to", "s3")
	if err != nil {
		t.Fatalf("files move --to s3: %v\n%s", err, out)
	}
	if got := backends(); got["s3"] != 4 || inBucket() != 4 || countPG() != 0 {
		t.Fatalf("after the move back to S3: %v, %d objects in the bucket, %d in PostgreSQL", got, inBucket(), countPG())
	}
	download("moved back to S3")
	if out, err := runCLI(t, bin, vars, "files", "status"); err != nil || !strings.Contains(out, "files in s3: 4") || !strings.Contains(out, "files in postgres: 0") {
		t.Errorf("files status: %v\n%s", err, out)
	}

	// A second instance with presigned addresses: a member is sent, after the access check, to a
	// short-lived address of the object, which serves it as an attachment; a visitor is sent to
	// sign in, never to the object.
	presigned := map[string]string{"PRESIGN_TTL": "60s"}
	for k, v := range vars {
		presigned[k] = v
	}
	base2, _ := startKillable(t, bin, presigned)
	member := newClient(t, base2)
	member.login("focal.ms@plenary.test", demoPassword)
	a := member.must(http.MethodGet, docs+"/C1/rev/0", nil, http.StatusFound)
	if !strings.HasPrefix(a.location, vars["S3_ENDPOINT"]+"/") || !strings.Contains(a.location, "X-Amz-Signature=") {
		t.Fatalf("a member is sent to %q, want a presigned address of the S3 server", a.location)
	}
	resp, err := http.Get(a.location)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, withHead(large)) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("the presigned address: status %d, %d bytes, Content-Disposition %q", resp.StatusCode, len(got), resp.Header.Get("Content-Disposition"))
	}
	if v := newClient(t, base2).must(http.MethodGet, docs+"/C1/rev/0", nil, http.StatusSeeOther); !strings.HasPrefix(v.location, "/login?next=") {
		t.Errorf("a visitor is sent to %q, want the sign-in page", v.location)
	}
}

// revisionForm is the form of a new revision: its file alone.
func revisionForm(name string, content []byte) (io.Reader, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}
