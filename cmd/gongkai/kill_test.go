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

// Processes killed at random moments while logging events: every event a
// process acknowledged (exit 0) is there afterwards, the file is
// consistent, and the audit chain holds.
func TestKilledMidWriteLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs 60 processes")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	env := append(os.Environ(), "GONGKAI_DB="+filepath.Join(dir, "g.db"), "GONGKAI_NOW=2026-11-20T10:00:00+08:00")
	run := func(args ...string) *exec.Cmd {
		c := exec.Command(bin, args...)
		c.Env = env
		return c
	}
	if out, err := run("init").CombinedOutput(); err != nil {
		t.Fatalf("init: %v %s", err, out)
	}
	r := rand.New(rand.NewPCG(5, 6))
	acked := map[string]bool{}
	killed := 0
	for i := 0; i < 60; i++ {
		summary := fmt.Sprintf("事件-%d", i)
		c := run("log", "3", "--changed", "--summary", summary, "--date", "2026-11-02")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		// Every other process is left to finish, so that some are
		// acknowledged whatever the machine's speed; the others are killed
		// at a random moment of their run (which takes some 20–30 ms).
		if i%2 == 1 {
			time.Sleep(time.Duration(r.IntN(60000)) * time.Microsecond)
			c.Process.Kill()
		}
		if err := c.Wait(); err == nil {
			acked[summary] = true
		} else {
			killed++
		}
	}
	t.Logf("%d acknowledged, %d killed", len(acked), killed)
	if len(acked) < 30 {
		t.Fatalf("only %d of the 30 processes left alone finished", len(acked))
	}

	if out, err := run("check").CombinedOutput(); err != nil {
		t.Fatalf("check after kills: %v\n%s", err, out)
	}
	out, err := run("events", "--format", "json").Output()
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
}
