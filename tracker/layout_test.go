package tracker

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The layout of DESIGN.md: dependencies point inwards, and the packages
// that are no adapter import none. Each package may import only the
// module's packages listed for it (test files aside); bbolt only the
// store.
func TestLayout(t *testing.T) {
	allowed := map[string][]string{
		"calendar":          {},
		"config":            {},
		"tracker":           {"calendar"},
		"tracker/atomic":    {},
		"tracker/access":    {"tracker", "calendar"},
		"tracker/app":       {"tracker", "calendar", "tracker/access"},
		"tracker/boltstore": {"tracker", "calendar", "tracker/app", "tracker/atomic", "tracker/access"},
		"tracker/ledger":    {"tracker", "calendar", "tracker/app"},
		"tracker/api":       {"tracker", "calendar", "tracker/app", "tracker/access", "tracker/atomic"},
		"tracker/web":       {"tracker", "calendar", "tracker/app", "tracker/access"},
		// Tests' only: chromium for the pages and the mails.
		"tracker/web/browsertest": {},
		"notify":                  {"tracker", "calendar", "tracker/app", "config"},
		"cmd/gongkai":             nil, // everything
	}
	root := ".."
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		pkg, _ := filepath.Rel(root, filepath.Dir(path))
		pkg = filepath.ToSlash(pkg)
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("%s: package %s is not in the layout (DESIGN.md): add it to this test with what it may import", path, pkg)
			return nil
		}
		seen[pkg] = true
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "go.etcd.io/bbolt" || strings.HasPrefix(p, "go.etcd.io/bbolt/") {
				if pkg != "tracker/boltstore" {
					t.Errorf("%s imports bbolt: only tracker/boltstore may", path)
				}
			}
			own, isOwn := strings.CutPrefix(p, "gongkai/")
			if !isOwn || ok == nil {
				continue
			}
			if own == "cmd/gongkai" || !slices.Contains(ok, own) {
				t.Errorf("%s imports %s: %s may import only %v of the module", path, p, pkg, ok)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 8 {
		t.Errorf("only %d packages seen: %v", len(seen), seen)
	}
}
