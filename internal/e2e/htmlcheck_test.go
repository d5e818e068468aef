package e2e_test

// The Nu HTML Checker (vnu.jar from npm's vnu-jar, run by the machine's Java) checks the HTML of
// every page that the browser tests check with axe, as the server sent it: the browser's DOM
// would hide what its parser repaired (a duplicate attribute is dropped there, for one).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// htmlChecker is the checker's web service, started once per test process on a free loopback
// port (it takes some seconds to read its schemas) and killed with the process.
var htmlChecker struct {
	once  sync.Once
	ready chan struct{}
	url   string
	err   error
}

// startHTMLChecker starts the checker in the background; checkHTML waits for it.
func startHTMLChecker(root string) {
	htmlChecker.once.Do(func() {
		htmlChecker.ready = make(chan struct{})
		go func() {
			defer close(htmlChecker.ready)
			htmlChecker.url, htmlChecker.err = runHTMLChecker(root)
		}()
	})
}

func runHTMLChecker(root string) (string, error) {
	jar := filepath.Join(root, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	if _, err := os.Stat(jar); err != nil {
		return "", fmt.Errorf("the Nu HTML Checker is not installed (%v): run `npm ci` at the module root", err)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("no Java runtime for the Nu HTML Checker (Debian: apt-get install default-jre-headless)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	started := make(chan error, 1)
	up := make(chan struct{})
	var log lockedBuffer
	go func() {
		// The checker dies with this thread, which lives as long as the test process: the
		// goroutine keeps it locked and never returns while the checker runs.
		runtime.LockOSThread()
		// One garbage-collector thread and the quick compiler only: the checker shares the
		// machine with the browser, the server and PostgreSQL, and must not slow them.
		cmd := exec.Command(java, "-Xmx512m", "-Xss2m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Dnu.validator.servlet.bind-address=127.0.0.1",
			"-cp", jar, "nu.validator.servlet.Main", fmt.Sprint(port))
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		out, err := cmd.StdoutPipe()
		if err != nil {
			started <- err
			return
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		sc := bufio.NewScanner(out)
		once := false
		for sc.Scan() {
			fmt.Fprintln(&log, sc.Text())
			if !once && strings.Contains(sc.Text(), "Checker service started") {
				once = true
				close(up)
			}
		}
		_ = cmd.Wait()
		select {}
	}()
	if err := <-started; err != nil {
		return "", fmt.Errorf("start the Nu HTML Checker: %v", err)
	}
	select {
	case <-up:
		return fmt.Sprintf("http://127.0.0.1:%d/?out=json", port), nil
	case <-time.After(3 * time.Minute):
		return "", fmt.Errorf("the Nu HTML Checker did not start within 3 minutes:\n%s", tail(log.String(), 4000))
	}
}

// vnuMessage is one message of the checker's JSON answer.
type vnuMessage struct {
	Type     string `json:"type"`
	SubType  string `json:"subType"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
	LastLine int    `json:"lastLine"`
}

// htmlErrors sends a page's HTML to the checker and returns its errors.
func htmlErrors(t *testing.T, html []byte) []vnuMessage {
	t.Helper()
	if htmlChecker.ready == nil {
		t.Fatal("startHTMLChecker was not called (axeSource calls it)")
	}
	select {
	case <-htmlChecker.ready:
	case <-time.After(4 * time.Minute):
		t.Fatal("the Nu HTML Checker is still starting after 4 minutes")
	}
	if htmlChecker.err != nil {
		requireOrSkip(t, "%v", htmlChecker.err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, htmlChecker.url, bytes.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/html; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("Nu HTML Checker: %v", err)
	}
	defer resp.Body.Close()
	var res struct {
		Messages []vnuMessage `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatalf("Nu HTML Checker's answer: %v", err)
	}
	var errs []vnuMessage
	for _, m := range res.Messages {
		if m.Type == "error" || m.Type == "non-document-error" {
			errs = append(errs, m)
		}
	}
	return errs
}

// documents remembers, for each tab, the request of the page it shows, so that its HTML can be
// read back as the server sent it.
var documents sync.Map // *chromedp.Context → *tracked

type tracked struct {
	mu  sync.Mutex
	id  network.RequestID
	url string
}

// trackDocuments starts following the tab's page loads, once per tab; open and submit call it
// before they navigate.
func (b tab) trackDocuments() {
	b.t.Helper()
	c := chromedp.FromContext(b.ctx)
	if c == nil {
		b.t.Fatal("trackDocuments: not a chromedp context")
	}
	tr := &tracked{}
	if _, loaded := documents.LoadOrStore(c, tr); loaded {
		return
	}
	err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*network.EventResponseReceived); ok && e.Type == network.ResourceTypeDocument && e.Response != nil {
			tr.mu.Lock()
			tr.id, tr.url = e.RequestID, e.Response.URL
			tr.mu.Unlock()
		}
	})
	if err != nil {
		b.t.Fatalf("follow the tab's pages: %v", err)
	}
}

// checkHTML runs the Nu HTML Checker on the HTML of the page the tab shows, as the server sent
// it, and fails on any error.
func (b tab) checkHTML(name string) {
	b.t.Helper()
	v, ok := documents.Load(chromedp.FromContext(b.ctx))
	if !ok {
		b.t.Errorf("HTML check of %s: the tab's pages are not followed (open a page with b.open first)", name)
		return
	}
	tr := v.(*tracked)
	tr.mu.Lock()
	id, u := tr.id, tr.url
	tr.mu.Unlock()
	loc := run(b, "read the location", chromedp.Location())
	if strip(u) != strip(loc) {
		b.t.Errorf("HTML check of %s: the last page loaded is %s, the tab shows %s", name, u, loc)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	body, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
	if err != nil {
		b.t.Errorf("HTML check of %s: read the page as sent: %v", name, err)
		return
	}
	html := body.Body
	if body.Base64encoded {
		b.t.Errorf("HTML check of %s: the page came base64-encoded", name)
		return
	}
	b.reportHTML(name, html)
}

func (b tab) reportHTML(name string, html []byte) {
	b.t.Helper()
	lines := strings.Split(string(html), "\n")
	for _, m := range htmlErrors(b.t, html) {
		line := ""
		if m.LastLine > 0 && m.LastLine <= len(lines) {
			line = strings.TrimSpace(lines[m.LastLine-1])
			if len(line) > 300 {
				line = line[:300] + "…"
			}
		}
		b.t.Errorf("HTML (Nu checker) on %s: %s\n    at line %d: %s", name, m.Message, m.LastLine, line)
	}
}

// strip drops the fragment of an address.
func strip(u string) string {
	u, _, _ = strings.Cut(u, "#")
	return u
}
