package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plenary/internal/pgtest"
)

// startKillable runs `plenary serve --migrate --demo` like serveWith, and returns its address
// and a function that kills it with SIGKILL (and waits for it to be gone).
func startKillable(t *testing.T, bin string, vars map[string]string) (string, func()) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--migrate", "--demo")
	env := []string{}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "DATABASE_") || strings.HasPrefix(name, "DB_") || strings.HasPrefix(name, "S3_") ||
			strings.Contains(",ADDR,DATA_DIR,BASE_URL,SMTP_URL,LOG_LEVEL,METRICS_ADDR,UPLOAD_LEASE,MAIL_LEASE,FILES_STORE,", ","+name+",") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "ADDR=127.0.0.1:0", "DATA_DIR="+t.TempDir(), "LOG_LEVEL=info")
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errs lockedBuffer
	cmd.Stderr = &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := runningAt.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urlc <- m[1]:
				default:
				}
			}
		}
		_ = cmd.Wait()
		close(exited)
	}()
	var once sync.Once
	kill := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
	}
	t.Cleanup(func() {
		kill()
		if t.Failed() {
			t.Logf("server stderr (last 6000 bytes):\n%s", tail(errs.String(), 6000))
		}
	})
	select {
	case u := <-urlc:
		return u, kill
	case <-exited:
		t.Fatalf("the server exited before serving:\n%s", errs.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("the server did not start within 90 s:\n%s", errs.String())
	}
	return "", kill
}

// uploadForm is a contribution's form with a file of size bytes, the file streamed from body.
func uploadForm(org int64, title, name string, body io.Reader) (io.Reader, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for _, kv := range [][2]string{{"type", "C"}, {"title", title}, {"sources", strconv.FormatInt(org, 10)}, {"questions", "Q20/13"}} {
		_ = mw.WriteField(kv[0], kv[1])
	}
	_, _ = mw.CreateFormFile("file", name)
	return io.MultiReader(&head, strings.NewReader("%PDF-1.7\n"), body, strings.NewReader("\r\n--"+mw.Boundary()+"--\r\n")),
		mw.FormDataContentType()
}

// The portal is killed (SIGKILL) while uploads are being received and stored: after a restart,
// what was being stored is removed once its lease runs out (no pending file, no object nothing
// names, no file no document has), no document was half recorded, the numbers have no gap, and
// the next document takes the next number.
func TestKilledMidUploadLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary: not with -short")
	}
	t.Parallel()
	ctx := context.Background()
	root := moduleRoot(t)
	dbURL := pgtest.EmptyURL(t)
	bin := build(t, root)
	vars := map[string]string{"DATABASE_URL": dbURL, "UPLOAD_LEASE": "4s"}
	base, kill := startKillable(t, bin, vars)
	conn := connect(t, dbURL)
	_, slug := demoMeeting(t, conn)
	var org int64
	if err := conn.QueryRow(ctx, `SELECT id FROM organisations WHERE name = $1`, "China (People's Republic of)").Scan(&org); err != nil {
		t.Fatal(err)
	}
	docs := "/meetings/" + slug + "/documents"
	post := func(c *client, title string, size int64) (*http.Response, error) {
		body, ctype := uploadForm(org, title, "c.pdf", io.LimitReader(rand.NewChaCha8([32]byte{byte(size)}), size))
		req, _ := http.NewRequest(http.MethodPost, c.base+docs+"/new", body)
		req.Header.Set("Content-Type", ctype)
		return c.c.Do(req)
	}
	focal := newClient(t, base)
	focal.login("focal.ms@plenary.test", demoPassword)
	for i := range 3 {
		resp, err := post(focal, fmt.Sprintf("Before %d", i), 64<<10)
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("document %d before the kill: %v %v", i+1, resp, err)
		}
		resp.Body.Close()
	}

	// Uploads of 20 MB at full speed, started one after another, and one trickling in: the
	// portal is killed as soon as one of them is being stored.
	var posted atomic.Int64
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 150 * time.Millisecond)
			if resp, err := post(focal, fmt.Sprintf("During %d", i), 20<<20); err == nil {
				if resp.StatusCode == http.StatusSeeOther {
					posted.Add(1)
				}
				resp.Body.Close()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		body, ctype := uploadForm(org, "Trickling", "t.pdf", &trickle{ctx: ctx, started: &atomic.Int64{}})
		req, _ := http.NewRequest(http.MethodPost, base+docs+"/new", body)
		req.Header.Set("Content-Type", ctype)
		if resp, err := focal.c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	var pending, objects int
	waitUntil(t, "an upload being stored", 60*time.Second, func() bool {
		err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM blobs WHERE pending_until IS NOT NULL), (SELECT count(*) FROM blob_objects)`).Scan(&pending, &objects)
		return err == nil && pending > 0
	})
	kill()
	wg.Wait()
	var documents int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&documents); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed with %d files pending, %d objects stored, %d documents (%d posted during the uploads)", pending, objects, documents, posted.Load())

	// Restarted: the sweep removes what the killed process was storing once its lease is out.
	base, _ = startKillable(t, bin, vars)
	leftovers := func() (pendingFiles, unnamedObjects, unusedFiles int) {
		err := conn.QueryRow(ctx, `SELECT
				(SELECT count(*) FROM blobs WHERE pending_until IS NOT NULL),
				(SELECT count(*) FROM blob_objects o WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.key = o.key)),
				(SELECT count(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM document_files f WHERE f.blob_key = b.key))`).
			Scan(&pendingFiles, &unnamedObjects, &unusedFiles)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	waitUntil(t, "the abandoned uploads removed", 30*time.Second, func() bool {
		p, u, f := leftovers()
		return p == 0 && u == 0 && f == 0
	})
	var n, last, files int
	if err := conn.QueryRow(ctx, `SELECT count(*), COALESCE(max(number), 0),
			(SELECT count(*) FROM document_files f JOIN documents d ON d.id = f.document_id)
		FROM documents WHERE doc_type = 'C'`).Scan(&n, &last, &files); err != nil {
		t.Fatal(err)
	}
	if n != last || files != n {
		t.Errorf("after the kill: %d contributions numbered up to %d with %d files; want no gap and a file each", n, last, files)
	}
	again := newClient(t, base)
	again.login("focal.ms@plenary.test", demoPassword)
	resp, err := post(again, "After the restart", 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := docs + "/C" + strconv.Itoa(n+1); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("after the restart: status %d, Location %q; want %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}
