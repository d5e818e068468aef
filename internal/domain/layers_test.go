package domain_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestInnerLayersImportNoAdapter keeps the layers apart: the domain and the views know nothing
// of the store, HTTP or SQL. The views take view models and read models (domain types), never
// internal/postgres types; the domain is pure rules. Every Go file of the two packages, the
// generated views and the tests included, is scanned.
func TestInnerLayersImportNoAdapter(t *testing.T) {
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..")
	forbidden := []string{"plenary/internal/postgres", "net/http", "database/sql", "github.com/jackc/pgx"}
	dirs := []string{"internal/domain", "web/view"}
	seen := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files found (%v)", dir, err)
		}
		for _, path := range files {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			seen++
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if p == bad || strings.HasPrefix(p, bad+"/") {
						t.Errorf("%s imports %s", filepath.Join(dir, filepath.Base(path)), p)
					}
				}
			}
		}
	}
	if seen < 50 {
		t.Fatalf("only %d files scanned: the scan does not look where the code is", seen)
	}
}
