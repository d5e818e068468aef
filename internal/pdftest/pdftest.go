// Package pdftest reads PDFs back for tests: their text with pdftotext, their QR codes with
// pdftoppm and zbarimg (poppler-utils, zbar-tools). A missing tool skips the test, except in CI
// (CI set), which must have them.
package pdftest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// Missing skips a test whose tools are not installed, except in CI, which must have them.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// Text returns a PDF's text, its spaces squeezed to one.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		Missing(t, "pdftotext not installed (apt-get install poppler-utils)")
	}
	cmd := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// QRCodes renders a PDF's first page at 200 dpi and decodes its QR codes with zbarimg.
func QRCodes(t testing.TB, pdf []byte) []string {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			Missing(t, tool+" not installed (apt-get install poppler-utils zbar-tools)")
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "200", "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", filepath.Join(dir, "page.png")).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 4 { // no code found
		return nil
	}
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.Fields(string(out))
}

// Image is one picture a PDF holds, as pdfimages lists it.
type Image struct {
	Page, Width, Height int
	// Type is pdfimages' type ("image", "mask", "smask"…).
	Type string
}

// Images lists a PDF's pictures with pdfimages -list (poppler-utils).
func Images(t testing.TB, pdf []byte) []Image {
	t.Helper()
	if _, err := exec.LookPath("pdfimages"); err != nil {
		Missing(t, "pdfimages not installed (apt-get install poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfimages", "-list", in).Output()
	if err != nil {
		t.Fatalf("pdfimages: %v", err)
	}
	var imgs []Image
	// Two heading lines, then: page num type width height color comp bpc enc interp object ID …
	for _, line := range strings.Split(string(out), "\n")[2:] {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		var im Image
		var err1, err2, err3 error
		im.Page, err1 = strconv.Atoi(f[0])
		im.Width, err2 = strconv.Atoi(f[3])
		im.Height, err3 = strconv.Atoi(f[4])
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("pdfimages: cannot read %q", line)
		}
		im.Type = f[2]
		imgs = append(imgs, im)
	}
	return imgs
}

// ReadingText returns a PDF's text in reading order (pdftotext without -layout): a paragraph's
// lines one after another, a right-to-left line in logical order.
func ReadingText(t testing.TB, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		Missing(t, "pdftotext not installed (apt-get install poppler-utils)")
	}
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// isBidiControl says whether r is one of the marks, embeddings and isolates of UAX #9.
func isBidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

func isArabic(r rune) bool {
	return r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0x08A0 && r <= 0x08FF ||
		r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF
}

// Plain is s without bidi controls: the marks pdftotext puts around runs, the catalogue's isolates.
func Plain(s string) string {
	return strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

// Words splits text into words at spaces, bidi controls and where Arabic meets another script
// (pdftotext marks an embedding there: "و2/13" reads as two words), each without the punctuation
// around it: pdftotext joins a full stop or a colon next to a left-to-right run to that run, at
// its other end, so that "2025." reads ".2025" in an Arabic line. Words and their order are what
// the tests compare.
func Words(s string) []string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if prev != 0 && isArabic(prev) != isArabic(r) {
			b.WriteRune(' ')
		}
		b.WriteRune(r)
		prev = r
	}
	var out []string
	for _, f := range strings.FieldsFunc(b.String(), func(r rune) bool { return unicode.IsSpace(r) || isBidiControl(r) }) {
		if f = strings.TrimFunc(f, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ContainsWords says whether the words of want appear in got one after another.
func ContainsWords(got, want []string) bool {
	for i := 0; i+len(want) <= len(got); i++ {
		if slices.Equal(got[i:i+len(want)], want) {
			return true
		}
	}
	return false
}
