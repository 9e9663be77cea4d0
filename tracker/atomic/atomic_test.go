package atomic

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.xlsx")
	if err := WriteFile(p, []byte("one"), 0o640, false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("%q", b)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
			t.Errorf("mode %v", fi.Mode())
		}
	}
	// Not replaced unless asked.
	if err := WriteFile(p, []byte("two"), 0o640, false); !errors.Is(err, ErrExist) {
		t.Errorf("over a file: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Errorf("replaced: %q", b)
	}
	if err := WriteFile(p, []byte("two"), 0o640, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Errorf("not replaced: %q", b)
	}
	// A writer that fails leaves nothing behind, and the name as it was.
	boom := errors.New("disk full")
	err := Write(p, 0o640, true, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("err %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Errorf("after a failed write: %q", b)
	}
	// A file appearing while the new one is written is not replaced.
	q := filepath.Join(dir, "raced.csv")
	err = Write(q, 0o640, false, func(w io.Writer) error {
		return os.WriteFile(q, []byte("theirs"), 0o600)
	})
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("raced: %v", err)
	}
	if b, _ := os.ReadFile(q); string(b) != "theirs" {
		t.Errorf("raced file replaced: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
	// A folder that does not exist: the system's error.
	if err := WriteFile(filepath.Join(dir, "none", "x"), nil, 0o600, false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing folder: %v", err)
	}
}
