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

// sessionNames are what the web layer may take from the store's package: its session store
// (given to scs by site.New) and the account a session was read with.
var sessionNames = map[string]bool{"SessionStore": true, "WithSessionAccount": true, "SessionAccountOf": true, "SessionAccount": true}

// storeUses lists, per file of the web layer (tests left out), what it names of the store's
// package (internal/postgres) beyond its sessions: a type or a function (postgres.DB, the store
// itself, counts).
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
		out[name] = nil
		if pkg == "" {
			continue
		}
		if f, err = parser.ParseFile(token.NewFileSet(), path, src, 0); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == pkg && !sessionNames[sel.Sel.Name] {
				out[name] = append(out[name], sel.Sel.Name)
			}
			return true
		})
	}
	return out
}

// TestHandlersCallUseCases keeps the web layer on the application layer: no file of it (tests
// left out) names anything of the store's package but its sessions. Handlers call the use cases
// (s.svc, service.Services), whose types and the domain's they show; the store's adapter is wired
// to them in internal/app, and which of its errors mean the database is away is asked of the use
// cases (Health). There is no store in *Server to call.
func TestHandlersCallUseCases(t *testing.T) {
	uses := storeUses(t)
	var where []string
	for name, got := range uses {
		if len(got) > 0 {
			where = append(where, name)
			t.Errorf("%s uses the store's package directly: postgres.%s", name, strings.Join(got, ", postgres."))
		}
	}
	sort.Strings(where)
	if len(where) > 0 {
		t.Logf("files of the web layer that use the store: %s", strings.Join(where, ", "))
	}
}
