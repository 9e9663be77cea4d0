// Package atomic writes files whole or not at all: what gongkai writes for
// people to keep (backups, reports, workbooks) never holds half of itself
// under its name, whatever stops the writer (a full disk, a kill, a power
// cut), and never replaces a file it was not told to.
package atomic

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExist is returned when path is taken and replacing it was not asked
// for, including by a file that appeared while the new one was written.
// It is fs.ErrExist too.
var ErrExist error = existError{}

type existError struct{}

func (existError) Error() string        { return "file exists" }
func (existError) Is(target error) bool { return target == fs.ErrExist }

// Write creates the file path with what fill writes, in mode: into a
// temporary file beside it, synced to disk, then given the name, and the
// folder synced so that the name is durable too. Without replace, a file
// at path is never replaced: a hard link fails when the name is taken, and
// only where the file system has no hard links is the last moment
// unguarded. On any failure the temporary file is removed and path is as
// it was. Errors are the system's (wrapped in *fs.PathError and the like),
// or ErrExist.
func Write(path string, mode fs.FileMode, replace bool, fill func(io.Writer) error) (err error) {
	if !replace {
		if _, err := os.Lstat(path); err == nil {
			return &fs.PathError{Op: "create", Path: path, Err: ErrExist}
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	err = fill(tmp)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := place(tmp.Name(), path, replace); err != nil {
		return err
	}
	// The new name, durable. Windows cannot sync a folder; there the
	// rename is on disk already.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteFile is Write of data.
func WriteFile(path string, data []byte, mode fs.FileMode, replace bool) error {
	return Write(path, mode, replace, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// place gives the finished file tmp the name path.
func place(tmp, path string, replace bool) error {
	if !replace {
		err := os.Link(tmp, path)
		switch {
		case err == nil:
			os.Remove(tmp) // in place; a stray temporary file is only untidy
			return nil
		case errors.Is(err, fs.ErrExist):
			return &fs.PathError{Op: "create", Path: path, Err: ErrExist}
		}
	}
	return os.Rename(tmp, path)
}
