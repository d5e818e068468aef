package site_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"plenary/internal/pgtest"
)

// Issue 11 §7: a form refused for another field keeps its file on the server and says so
// ("already attached: name, size"); sent again without choosing the file, it posts that file.
// The kept file is its owner's alone, and used once.
func TestARefusedFormKeepsItsFile(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ts := newDocSite(t, db, beforeTheDeadlines, 0)
	fx := docFixture{t, ts}
	b := fx.as("focal.ms@plenary.test")
	body := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte("contribution "), 1000)...)

	// No Question: refused, the file kept.
	f := contribution(fx.org(china), "Proposed modifications to Y.CNAO")
	f.Del("questions")
	p := b.postMultipart(docsPath+"/new", f, &docFile{"Y.CNAO proposal.pdf", bytes.NewReader(body)})
	wantStatus(t, p, 422)
	d := p.doc(t)
	if got := text(testid(d, "error-questions")); got != "Enter at least one Question." {
		t.Errorf("message beside the Questions: %q", got)
	}
	if got := text(testid(d, "doc-attached")); !strings.HasPrefix(got, "Already attached: Y.CNAO proposal.pdf, 13 KB.") {
		t.Errorf("the kept file is named %q", got)
	}
	key, _ := d.Find(`input[type="hidden"][name="attached"]`).Attr("value")
	if key == "" {
		t.Fatal("the form does not carry the kept file")
	}
	if _, req := d.Find(`input[type="file"]`).Attr("required"); req {
		t.Error("the file field is still required although a file is attached")
	}
	if v, _ := d.Find(`input[name="title"]`).Attr("value"); v != "Proposed modifications to Y.CNAO" {
		t.Errorf("the title typed is lost: %q", v)
	}

	// Another account cannot post it.
	other := fx.as("focal.sm@plenary.test")
	g := contribution(fx.org(networks), "Someone else's file")
	g.Set("attached", key)
	p = other.postMultipart(docsPath+"/new", g, nil)
	wantStatus(t, p, 422)
	if got := text(testid(p.doc(t), "error-file")); got != "The file you attached before is no longer kept: choose it again." {
		t.Errorf("another account's use of the kept file: %q", got)
	}

	// Fixed and sent again without the file: posted with it.
	f.Set("questions", "Q20/13")
	f.Set("attached", key)
	wantRedirect(t, b.postMultipart(docsPath+"/new", f, nil), docsPath+"/C1")
	got := b.get(docsPath + "/C1/file")
	wantStatus(t, got, 200)
	sum := sha256.Sum256(body)
	if h := sha256.Sum256([]byte(got.body)); h != sum {
		t.Errorf("the posted file is not the one attached (%d bytes)", len(got.body))
	}
	if cd := got.Header.Get("Content-Disposition"); !strings.Contains(cd, "Y.CNAO%20proposal.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	var sha string
	if err := db.Pool.QueryRow(context.Background(), `SELECT b.sha256 FROM document_files f JOIN blobs b ON b.key = f.blob_key`).Scan(&sha); err != nil || sha != hex.EncodeToString(sum[:]) {
		t.Errorf("recorded SHA-256 %s (%v)", sha, err)
	}
	// Used once: the same key again is refused.
	f.Set("title", "Twice")
	p = b.postMultipart(docsPath+"/new", f, nil)
	wantStatus(t, p, 422)
	if got := text(testid(p.doc(t), "error-file")); got != "The file you attached before is no longer kept: choose it again." {
		t.Errorf("the kept file used twice: %q", got)
	}
	if n := fx.count("documents"); n != 1 {
		t.Errorf("%d documents, want 1", n)
	}
}

// A file name with a right-to-left override or other format characters is stored and sent back
// without them: "report\u202Efdp.exe" would show as "reportexe.pdf".
func TestFileNamesLoseFormatCharacters(t *testing.T) {
	t.Parallel()
	ts := newDocSite(t, pgtest.New(t), beforeTheDeadlines, 0)
	fx := docFixture{t, ts}
	b := fx.as("focal.ms@plenary.test")
	name := "report\u202E\u2066fdp\u200B.txt"
	wantRedirect(t, b.postMultipart(docsPath+"/new", contribution(fx.org(china), "Bidi"), &docFile{name, strings.NewReader("plain text\n")}), docsPath+"/C1")
	p := b.get(docsPath + "/C1")
	wantStatus(t, p, 200)
	if strings.ContainsAny(p.body, "\u202E\u2066\u200B") {
		t.Error("the document's page shows the format characters")
	}
	if !strings.Contains(p.body, "reportfdp.txt") {
		t.Error("the document's page does not show the cleaned name reportfdp.txt")
	}
	f := b.get(docsPath + "/C1/file")
	if cd := f.Header.Get("Content-Disposition"); cd != `attachment; filename="reportfdp.txt"; filename*=UTF-8''reportfdp.txt` {
		t.Errorf("Content-Disposition %q", cd)
	}
}
