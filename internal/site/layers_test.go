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
// bypass the use cases: s.db.X, called or passed as a function, in a method of *Server.
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

// TestHandlersCallUseCases keeps the handlers moved to the application layer there: they call
// the use-case services (s.svc), never the store's methods (s.db). The files not yet moved are
// counted and logged (go test -v), not failed: several helpers change them at once.
func TestHandlersCallUseCases(t *testing.T) {
	calls := storeCalls(t)
	moved := []string{"focal.go", "registration_list.go", "approve_all.go", "ical.go", "registration_edit.go",
		"colocated.go", "desk_staff.go", "desk_confirmation.go", "registration_cancel.go", "register.go",
		"membership_focal.go", "representations.go", "language.go", "mail_page.go",
		"secretariat_study_groups.go", "account_reset.go",
		// handlers-a
		"public.go", "me.go", "ops.go", "account.go", "middleware.go", "secretariat_registrations.go", "desk.go", "letter_settings.go",
		"secretariat_meetings.go", "secretariat_organisations.go", "visa.go", "visa_queue.go", // handlers-b
	}
	for _, name := range moved {
		got, ok := calls[name]
		if !ok {
			t.Errorf("%s: not found in the web layer", name)
		}
		if len(got) > 0 {
			t.Errorf("%s calls the store directly: s.db.%s", name, strings.Join(got, ", s.db."))
		}
	}
	total := 0
	var where []string
	for name, got := range calls {
		total += len(got)
		if len(got) > 0 {
			where = append(where, name)
		}
	}
	sort.Strings(where)
	t.Logf("%d direct calls of the store left, in %d files: %s", total, len(where), strings.Join(where, ", "))
}
