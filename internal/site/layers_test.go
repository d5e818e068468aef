package site_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// storeCalls lists, per file of the web layer (tests left out), the uses of the store that
// bypass the use cases: s.db.X, called or passed as a function, or s.db itself handed on, in a
// method of *Server.
func storeCalls(t *testing.T) map[string][]string {
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
		f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		name := filepath.Base(path)
		out[name] = nil
		ast.Inspect(f, func(n ast.Node) bool {
			method, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			// The store itself handed on (a service given s.db to read with) counts too.
			if recv, ok := method.X.(*ast.Ident); ok && recv.Name == "s" && method.Sel.Name == "db" {
				out[name] = append(out[name], "(the store itself)")
			}
			if field, ok := method.X.(*ast.SelectorExpr); ok && field.Sel.Name == "db" {
				if recv, ok := field.X.(*ast.Ident); ok && recv.Name == "s" {
					out[name] = append(out[name], method.Sel.Name)
				}
			}
			return true
		})
	}
	return out
}

// TestHandlersCallUseCases keeps the web layer on the application layer: no handler (no method
// of *Server, in any file but the tests) calls or passes a method of the store (s.db.X), nor hands
// the store itself on (s.db); they
// call the use-case services (s.svc). The store is still handed to the web layer for its
// sessions (scs) and the files' PostgreSQL backend, which site.New sets up.
func TestHandlersCallUseCases(t *testing.T) {
	calls := storeCalls(t)
	var where []string
	for name, got := range calls {
		if len(got) > 0 {
			where = append(where, name)
			t.Errorf("%s calls the store directly: s.db.%s", name, strings.Join(got, ", s.db."))
		}
	}
	sort.Strings(where)
	if len(where) > 0 {
		t.Logf("files of the web layer that call the store: %s", strings.Join(where, ", "))
	}
}
