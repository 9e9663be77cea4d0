package boltstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// File is the database as a command uses it when no server holds it: each
// transaction opens the file, and closes it when done, so that another
// process (a colleague's command, the daemon) can take its turn between
// two. A View of a missing or empty file is ENotFound and creates nothing;
// an Update creates the file, and removes it again when its transaction
// fails, so that a failed command leaves no trace.
type File struct {
	Path    string
	Options Options
}

var _ tracker.Store = (*File)(nil)

// Exists reports whether there is a database at Path: a file that is not
// empty (an empty one, made by touch say, holds nothing yet).
func (f *File) Exists() bool {
	fi, err := os.Stat(f.Path)
	return err == nil && !(fi.Mode().IsRegular() && fi.Size() == 0)
}

// View runs fn in a read-only transaction of the file.
func (f *File) View(fn func(tracker.Tx) error) error {
	if !f.Exists() {
		if _, err := os.Stat(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return translate(f.Path, f.Options, openError(f.Path, err))
		}
		return translate(f.Path, f.Options, &NotFoundError{Path: f.Path})
	}
	o := f.Options
	o.ReadOnly = true
	s, err := Open(f.Path, o)
	if err != nil {
		return err
	}
	if s.Outdated() {
		// Written by an older gongkai: its indexes are built (once, for
		// good) before anything is read through them.
		s.Close()
		if err := f.upgrade(); err != nil {
			return err
		}
		if s, err = Open(f.Path, o); err != nil {
			return err
		}
	}
	defer s.Close()
	return s.View(fn)
}

// upgrade runs the migrations of a file opened to read.
func (f *File) upgrade() error {
	o := f.Options
	o.ReadOnly = false
	s, err := Open(f.Path, o)
	if err != nil {
		if e := tracker.AsError(err); e != nil && e.Code == tracker.EInvalid && errors.Is(err, fs.ErrPermission) {
			e.Message = fmt.Sprintf("数据库 %s 由较早版本的 gongkai 写入，需要升级一次才能读取，但没有写这个文件的权限", f.Path)
		}
		return err
	}
	return s.Close()
}

// Update runs fn in a read-write transaction of the file, creating it when
// missing.
func (f *File) Update(fn func(tracker.Tx) error) error {
	_, statErr := os.Stat(f.Path)
	existed := statErr == nil
	o := f.Options
	o.ReadOnly = false
	s, err := Open(f.Path, o)
	if err != nil {
		return err
	}
	err = s.Update(fn)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil && !existed {
		os.Remove(f.Path)
	}
	return err
}

var _ app.Maintenance = (*File)(nil)

// Backup writes a consistent copy of the database to dst, a file that must
// not exist yet, in a read transaction: writers carry on meanwhile. The
// copy is written beside dst and renamed when complete.
func (f *File) Backup(dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return tracker.Invalid(tracker.FieldFile, "备份文件 %q 已存在：请换一个文件名，或先移走旧文件", dst)
	}
	if fi, err := os.Stat(filepath.Dir(dst)); err != nil || !fi.IsDir() {
		return tracker.Invalid(tracker.FieldFile, "备份文件 %q 所在的文件夹不存在", dst)
	}
	if !f.Exists() {
		return translate(f.Path, f.Options, &NotFoundError{Path: f.Path})
	}
	o := f.Options
	o.ReadOnly = true
	s, err := Open(f.Path, o)
	if err != nil {
		return err
	}
	defer s.Close()
	tmp := dst + ".part"
	err = s.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(tmp, 0o600) })
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return &tracker.Error{Code: tracker.EUnavailable, Field: tracker.FieldFile, Message: fmt.Sprintf("备份到 %s：%v", dst, err), Err: err}
	}
	return nil
}

// CheckFile runs bbolt's consistency check over every page and reads the
// schema version.
func (f *File) CheckFile() (*app.FileCheck, error) {
	if !f.Exists() {
		return nil, translate(f.Path, f.Options, &NotFoundError{Path: f.Path})
	}
	o := f.Options
	o.ReadOnly = true
	s, err := Open(f.Path, o)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	fc := &app.FileCheck{Path: f.Path, Current: SchemaVersion}
	s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			fc.Problems = append(fc.Problems, err.Error())
		}
		return nil
	})
	if len(fc.Problems) > 0 {
		return fc, nil
	}
	fc.SchemaVersion, err = s.SchemaVersion()
	return fc, err
}
