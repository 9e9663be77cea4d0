package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gongkai/calendar"
	"gongkai/config"
	"gongkai/tracker/boltstore"
)

// env is what a command may touch of the outside world; tests give their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	dbFlag     string         // --db
	configFlag string         // --config
	cfg        *config.Config // loaded before a command runs
	created    bool           // the last write set up a new database
}

// Environment variable naming the configuration file.
const envConfig = "GONGKAI_CONFIG"

// loadConfig reads the configuration: --config, else GONGKAI_CONFIG, else
// ./gongkai.toml when present, else the built-in defaults.
func (e *env) loadConfig() (*config.Config, error) {
	path, _ := config.Find(e.configFlag, e.getenv(envConfig))
	return config.Load(path)
}

// config returns the configuration, the defaults when none was loaded.
func (e *env) config() *config.Config {
	if e.cfg == nil {
		return config.Default()
	}
	return e.cfg
}

// Environment variables gongkai reads.
const (
	envDB  = "GONGKAI_DB"
	envNow = "GONGKAI_NOW"
)

// now returns the current instant: GONGKAI_NOW when set (an RFC 3339 time,
// or a date meaning noon of that day in Asia/Shanghai), else the clock.
func (e *env) now() (time.Time, error) {
	v := e.getenv(envNow)
	if v == "" {
		return time.Now(), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return time.Time{}, &inputError{fmt.Sprintf("环境变量 %s 的值 %q 无效：应为 RFC 3339 时间（如 2026-11-02T09:00:00+08:00）或日期 YYYY-MM-DD", envNow, v)}
	}
	return d.Start().Add(12 * time.Hour), nil
}

// today returns today's date in Asia/Shanghai.
func (e *env) today() (calendar.Date, error) {
	t, err := e.now()
	if err != nil {
		return calendar.Date{}, err
	}
	return calendar.Today(t), nil
}

// dbPath finds the database: --db, then GONGKAI_DB, then the
// configuration file's database, then ./gongkai.db.
func (e *env) dbPath() string {
	switch {
	case e.dbFlag != "":
		return e.dbFlag
	case e.getenv(envDB) != "":
		return e.getenv(envDB)
	}
	return e.config().Database
}

// openStore opens the database for one operation. A read-only open of a
// missing file returns a *boltstore.NotFoundError.
func (e *env) openStore(readOnly bool) (*boltstore.Store, error) {
	path := e.dbPath()
	mode, _ := e.config().Mode() // checked when the configuration was loaded
	s, err := boltstore.Open(path, boltstore.Options{ReadOnly: readOnly, Mode: mode})
	if errors.Is(err, boltstore.ErrBusy) {
		return nil, &busyError{path: path}
	}
	return s, err
}

// noDatabase reports whether there is no database yet: no file, or an empty
// one (made by touch, say) that nobody has written to.
func (e *env) noDatabase() bool {
	fi, err := os.Stat(e.dbPath())
	return errors.Is(err, os.ErrNotExist) || (err == nil && fi.Mode().IsRegular() && fi.Size() == 0)
}

// openExisting opens the database to read, or says it does not exist.
func (e *env) openExisting() (*boltstore.Store, error) {
	if e.noDatabase() {
		return nil, &boltstore.NotFoundError{Path: e.dbPath()}
	}
	return e.openStore(true)
}

// loadCalendar returns the calendar in force: the embedded schedules and
// those imported into the database, when there is one. Reading never
// creates a database.
func (e *env) loadCalendar() (*calendar.Calendar, error) {
	imported, err := e.importedSchedules()
	if err != nil {
		return nil, err
	}
	return calendar.New(imported...)
}

func (e *env) importedSchedules() ([]calendar.Schedule, error) {
	if e.noDatabase() {
		return nil, nil
	}
	s, err := e.openStore(true)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Schedules()
}
