package boltstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"gongkai/tracker"
	"gongkai/tracker/app"
)

// File is the database as a command uses it when no server holds it: each
// transaction opens the file, and closes it when done, so that another
// process (a colleague's command, the daemon) can take its turn between
// two. Only Create makes the file: a View or an Update of a missing file is
// ENotFound, and of an empty one EDamaged, and neither creates anything.
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

// present says why there is no database at Path to use: none (ENotFound),
// an empty file (EDamaged: a copy that stopped, or a file made by hand),
// or one that cannot be looked at; nil when there is one.
func (f *File) present() error {
	fi, err := os.Stat(f.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return translate(f.Path, f.Options, &NotFoundError{Path: f.Path})
	case err != nil:
		return translate(f.Path, f.Options, openError(f.Path, err))
	case fi.Mode().IsRegular() && fi.Size() == 0:
		return translate(f.Path, f.Options, &OpenError{Path: f.Path, Damaged: true,
			Reason: "文件是空的（0 字节），不是 gongkai 的数据库：请从备份恢复；若是有意新建，运行 gongkai init"})
	}
	return nil
}

// Create makes the database when there is none (no file, or an empty
// one) and then runs first, the first write (which lays the catalogue);
// it reports whether it made the file. When first fails, a file it made
// is removed again, so that a failed init leaves no trace.
func (f *File) Create(first func() error) (bool, error) {
	if f.Exists() {
		return false, first()
	}
	_, statErr := os.Stat(f.Path)
	o := f.Options
	o.ReadOnly = false
	s, err := Open(f.Path, o)
	if err != nil {
		return false, err
	}
	if err := s.Close(); err != nil {
		return false, err
	}
	if err := first(); err != nil {
		if errors.Is(statErr, fs.ErrNotExist) {
			os.Remove(f.Path)
		}
		return false, err
	}
	return true, nil
}

// View runs fn in a read-only transaction of the file.
func (f *File) View(fn func(tracker.Tx) error) error {
	s, err := f.readOnly()
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
		if s, err = f.readOnly(); err != nil {
			return err
		}
	}
	defer s.Close()
	return s.View(fn)
}

// upgrade runs the migrations of a file opened to read.
func (f *File) upgrade() error {
	s, err := f.writable()
	if err != nil {
		if e := tracker.AsError(err); e != nil && e.Code == tracker.EInvalid && errors.Is(err, fs.ErrPermission) {
			e.Message = fmt.Sprintf("数据库 %s 由较早版本的 gongkai 写入，需要升级一次才能读取，但没有写这个文件的权限", f.Path)
		}
		return err
	}
	return s.Close()
}

// Update runs fn in a read-write transaction of the file.
func (f *File) Update(fn func(tracker.Tx) error) error {
	s, err := f.writable()
	if err != nil {
		return err
	}
	err = s.Update(fn)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// writable opens the file to write, upgrading it when it needs to be.
func (f *File) writable() (*Store, error) {
	if err := f.present(); err != nil {
		return nil, err
	}
	o := f.Options
	o.ReadOnly = false
	return Open(f.Path, o)
}

var _ app.Maintenance = (*File)(nil)

// readOnly opens the file to read as it is, without upgrading it: for
// backups and checks, which must not change what they vet.
func (f *File) readOnly() (*Store, error) {
	if err := f.present(); err != nil {
		return nil, err
	}
	o := f.Options
	o.ReadOnly = true
	return Open(f.Path, o)
}

// Backup writes a consistent copy of the database to dst (Store.Backup),
// whatever its schema: a newer gongkai's file is copied as it is.
func (f *File) Backup(dst string) error {
	return f.copying(func(s *Store) error { return s.Backup(dst) })
}

// BackupTo writes a consistent copy of the file to w.
func (f *File) BackupTo(w io.Writer) error {
	return f.copying(func(s *Store) error { return s.BackupTo(w) })
}

// copying runs fn on the file opened to be copied as it is, whatever its
// schema.
func (f *File) copying(fn func(s *Store) error) error {
	if err := f.present(); err != nil {
		return err
	}
	o := f.Options
	o.ReadOnly, o.AnySchema = true, true
	s, err := Open(f.Path, o)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// CheckFile checks the file as it is (Store.Check): every page and every
// record, and the indexes.
func (f *File) CheckFile(audit func(uint64, tracker.ReadEntry), event func(uint64, tracker.StoredHash)) (*app.FileCheck, error) {
	s, err := f.readOnly()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.CheckFile(audit, event)
}

// CheckFile checks the open file (Store.Check), in one read transaction:
// writers go on meanwhile.
func (s *Store) CheckFile(audit func(uint64, tracker.ReadEntry), event func(uint64, tracker.StoredHash)) (*app.FileCheck, error) {
	r, err := s.CheckWith(CheckHooks{Audit: audit, Event: event})
	if err != nil {
		return nil, err
	}
	fc := &app.FileCheck{Path: s.path, Current: SchemaVersion, Outdated: s.Outdated(),
		Events: r.Records(string(bucketEvents)), Open: r.Records(string(bucketOpen))}
	for _, p := range r.Problems {
		fc.Problems = append(fc.Problems, p.String())
		fc.Structural = fc.Structural || p.Bucket == ""
	}
	if r.Omitted > 0 {
		fc.Problems = append(fc.Problems, fmt.Sprintf("另有 %d 处问题未列出", r.Omitted))
	}
	if fc.SchemaVersion, err = s.SchemaVersion(); err != nil {
		return nil, err
	}
	return fc, nil
}

// Create runs first on the open file, which exists already: a Store is
// app.Maintenance for the process that holds the file (the server).
func (s *Store) Create(first func() error) (bool, error) { return false, first() }

// Inspect runs fn in a read transaction.
func (s *Store) Inspect(fn func(tracker.Tx) error) error { return s.View(fn) }

var _ app.Maintenance = (*Store)(nil)

// Inspect runs fn in a read transaction of the file as it is, without
// upgrading it.
func (f *File) Inspect(fn func(tracker.Tx) error) error {
	s, err := f.readOnly()
	if err != nil {
		return err
	}
	defer s.Close()
	return s.View(fn)
}

// DatabasePath is the database file's path (for the system status).
func (f *File) DatabasePath() string { return f.Path }
