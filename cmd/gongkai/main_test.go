package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the gongkai command in scripts: the
// same main, run as its own process with its own arguments, environment
// and exit status.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gongkai": main,
	})
}

// TestScripts runs testdata/script/*.txtar: end-to-end sessions of the
// command as a person would type them. $REF is the official reference data.
func TestScripts(t *testing.T) {
	ref, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "reference"))
	if err != nil {
		t.Fatal(err)
	}
	if v := os.Getenv("GONGKAI_REFERENCE"); v != "" {
		ref = v
	}
	if _, err := os.Stat(filepath.Join(ref, "holiday-cn", "2026.json")); err != nil {
		t.Fatalf("reference data not found in %s (set GONGKAI_REFERENCE): %v", ref, err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			e.Setenv("REF", ref)
			return nil
		},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
	})
}
