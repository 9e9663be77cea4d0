package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"gongkai/tracker"
)

// buildBinary builds gongkai into a temporary folder.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gongkai")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Processes killed while logging events: every event a process
// acknowledged (exit 0) is there afterwards, every event of a process
// killed inside its write transaction is not, the file is consistent, and
// the audit chain holds. A third of the processes are left to finish, a
// third killed at a random moment, and a third killed once they are inside
// their write transaction, before it commits (gongkai-killable marks that
// moment and holds it open), so that the test fails if no kill landed
// mid-write.
func TestKilledMidWriteLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs 60 processes")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	env := append(os.Environ(), "GONGKAI_DB="+db, "GONGKAI_NOW=2026-11-20T10:00:00+08:00")
	run := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(name, args...)
		c.Env = env
		return c
	}
	if out, err := run(bin, "init").CombinedOutput(); err != nil {
		t.Fatalf("init: %v %s", err, out)
	}
	r := rand.New(rand.NewPCG(5, 6))
	acked, lost := map[string]bool{}, map[string]bool{}
	midWrite := 0
	for i := 0; i < 60; i++ {
		summary := fmt.Sprintf("事件-%d", i)
		name := bin
		if i%3 == 2 {
			name = "gongkai-killable"
		}
		c := run(name, "log", "3", "--changed", "--summary", summary, "--date", "2026-11-02")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 1: // at a random moment of its run (some 20–30 ms)
			time.Sleep(time.Duration(r.IntN(60000)) * time.Microsecond)
			c.Process.Kill()
		case 2: // inside its write transaction
			if waitForFile(db + writingMark) {
				c.Process.Kill()
				midWrite++
				lost[summary] = true
			}
		}
		if err := c.Wait(); err == nil {
			acked[summary] = true
			delete(lost, summary)
		}
		os.Remove(db + writingMark)
	}
	t.Logf("%d acknowledged, %d killed mid-write", len(acked), midWrite)
	if len(acked) < 20 {
		t.Fatalf("only %d of the 20 processes left alone finished", len(acked))
	}
	if midWrite == 0 {
		t.Fatal("no process was killed inside its write transaction")
	}

	if out, err := run(bin, "check").CombinedOutput(); err != nil {
		t.Fatalf("check after kills: %v\n%s", err, out)
	}
	out, err := run(bin, "events", "--format", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var events []tracker.EventView
	if err := json.Unmarshal(out, &events); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, e := range events {
		have[e.Summary] = true
	}
	for s := range acked {
		if !have[s] {
			t.Errorf("acknowledged event %q is missing", s)
		}
	}
	for s := range lost {
		if have[s] {
			t.Errorf("event %q of a process killed before its commit was stored", s)
		}
	}
}

// waitForFile waits until path exists, for at most 10 seconds.
func waitForFile(path string) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return true
		}
	}
	return false
}
