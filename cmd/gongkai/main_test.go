package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"gongkai/tracker"
	"gongkai/tracker/boltstore"
)

// TestMain lets the test binary act as the gongkai command in scripts: the
// same main, run as its own process with its own arguments, environment
// and exit status.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gongkai":          main,
		"gongkai-killable": killable,
		"holddb":           holdDB,
	})
}

// writingMark is the file gongkai-killable creates beside the database
// while it is inside a write transaction.
const writingMark = ".writing"

// killable, as a command: gongkai, whose write transactions, once their
// work is done and before they commit, create DB.writing and wait half a
// second, so that a test can kill the process at that very moment.
func killable() {
	wrapStore = func(s tracker.Store) tracker.Store { return slowCommit{s, os.Getenv(envDB) + writingMark} }
	main()
}

// slowCommit holds each write transaction open before it commits.
type slowCommit struct {
	tracker.Store
	mark string
}

func (s slowCommit) Update(fn func(tracker.Tx) error) error {
	return s.Store.Update(func(tx tracker.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if err := os.WriteFile(s.mark, nil, 0o600); err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond)
		return nil
	})
}

// holdDB, as a command in scripts: holddb PATH — open the database for
// writing, as another gongkai process would, create PATH.held, and keep
// the lock until PATH.release appears (at most a minute).
func holdDB() {
	path := os.Args[1]
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer s.Close()
	if err := os.WriteFile(path+".held", nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; i < 600; i++ {
		if _, err := os.Stat(path + ".release"); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitFor, in scripts: waitfor FILE — wait until FILE exists.
func waitFor(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfor FILE")
	}
	for i := 0; i < 600; i++ {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear", args[0])
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
		Cmds:          map[string]func(*testscript.TestScript, bool, []string){"waitfor": waitFor, "smtpd": smtpd},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
	})
}
