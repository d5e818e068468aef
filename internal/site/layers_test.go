package site_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// storeUses lists, per file of the web layer (tests left out) that imports the store's package
// (internal/postgres), what it names of it (an import for its side effects only counts too).
func storeUses(t *testing.T) map[string][]string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	files, err := filepath.Glob(filepath.Join(filepath.Dir(here), "*.go"))
	if err != nil || len(files) < 30 {
		t.Fatalf("%d files found (%v): the scan does not look where the code is", len(files), err)
	}
	out := map[string][]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		// The name the file gives the store's package, if it imports it.
		pkg := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "plenary/internal/postgres" {
				pkg = "postgres"
				if imp.Name != nil {
					pkg = imp.Name.Name
				}
			}
		}
		name := filepath.Base(path)
		if pkg == "" {
			continue
		}
		out[name] = []string{}
		if f, err = parser.ParseFile(token.NewFileSet(), path, src, 0); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == pkg {
				out[name] = append(out[name], pkg+"."+sel.Sel.Name)
			}
			return true
		})
		if len(out[name]) == 0 {
			out[name] = []string{"nothing named: imported for its side effects"}
		}
	}
	return out
}

// TestHandlersCallUseCases keeps the web layer on the application layer: no file of it (tests
// left out) imports the store's package, not even for the sessions (site.SessionStore is an
// interface; the account read with a session is service.SessionAccount). Handlers call the use cases
// (s.svc, service.Services), whose types and the domain's they show; the store's adapter is wired
// to them in internal/app, and which of its errors mean the database is away is asked of the use
// cases (Health). There is no store in *Server to call.
func TestHandlersCallUseCases(t *testing.T) {
	uses := storeUses(t)
	var where []string
	for name, got := range uses {
		where = append(where, name)
		t.Errorf("%s imports the store's package (internal/postgres): %s", name, strings.Join(got, ", "))
	}
	sort.Strings(where)
	if len(where) > 0 {
		t.Logf("files of the web layer that use the store: %s", strings.Join(where, ", "))
	}
}
