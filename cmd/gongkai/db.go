package main

import (
	"os"
	"os/user"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
)

// actor is who acts: --by, else the operating-system user.
func (e *env) actor(by string) string {
	if s := strings.TrimSpace(by); s != "" {
		return s
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if s := e.getenv("USER"); s != "" {
		return s
	}
	return "unknown"
}

// write runs fn in one read-write transaction on the database, creating it
// and loading the embedded catalogue on first use. Nothing is written when
// fn fails.
func (e *env) write(by string, fn func(ops *tracker.Ops, cal *calendar.Calendar) error) error {
	now, err := e.now()
	if err != nil {
		return err
	}
	path := e.dbPath()
	_, statErr := os.Stat(path)
	existed := statErr == nil
	s, err := e.openStore(false)
	if err != nil {
		return err
	}
	err = s.Update(func(tx tracker.Tx) error {
		cal, err := calendarOf(tx)
		if err != nil {
			return err
		}
		ops := &tracker.Ops{Tx: tx, Cal: cal, Clock: tracker.Clock{Now: now, Today: calendar.Today(now), By: e.actor(by)},
			LateAfter: e.config().LateLoggingDays}
		if have, err := tx.Catalog(); err != nil {
			return err
		} else if have == nil {
			if e.created, err = ops.Init(tracker.EmbeddedCatalog()); err != nil {
				return err
			}
		}
		return fn(ops, cal)
	})
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil && !existed {
		// A command that failed leaves no trace, not even the file it
		// would have created.
		os.Remove(path)
	}
	return err
}

// read runs fn in one read-only transaction on an existing database.
func (e *env) read(fn func(tx tracker.Tx, cal *calendar.Calendar) error) error {
	s, err := e.openExisting()
	if err != nil {
		return err
	}
	defer s.Close()
	return s.View(func(tx tracker.Tx) error {
		cal, err := calendarOf(tx)
		if err != nil {
			return err
		}
		return fn(tx, cal)
	})
}

// calendarOf builds the calendar in force: the embedded schedules and those
// imported into the database.
func calendarOf(tx tracker.Tx) (*calendar.Calendar, error) {
	imported, err := tx.Schedules()
	if err != nil {
		return nil, err
	}
	return calendar.New(imported...)
}
