package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gongkai/calendar"
	"gongkai/config"
	"gongkai/notify"
	"gongkai/tracker"
	"gongkai/tracker/access"
	"gongkai/tracker/app"
	"gongkai/tracker/boltstore"
)

// env is what a command may touch of the outside world; tests give their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// bulk: the command writes much in one transaction (an import), and
	// the database is opened for it (boltstore.Options.Bulk).
	bulk bool
	// tty is standard error when it is a terminal, where progress is
	// shown (a line rewritten with a carriage return, which stderr's safe
	// writer would escape); nil otherwise.
	tty io.Writer
	// termWidth is standard output's width when it is a terminal (0
	// otherwise: nothing is cut); wide: --wide, show every column whole.
	termWidth int
	wide      bool

	dbFlag     string         // --db
	configFlag string         // --config
	cfg        *config.Config // loaded before a command runs
	svc        app.Service    // built on first use

	// held is the database the server holds open; nil: opened for each
	// operation. realClock: the server's, which ignores GONGKAI_NOW.
	held      *boltstore.Store
	realClock bool

	serverFlag string  // --server
	tgt        *target // where operations run, found on first use
	// noRemote: this command runs on the file whatever is running (the
	// server itself).
	noRemote bool
	// prompt asks a person at a terminal (without echo when secret); nil
	// when standard input is not one.
	prompt func(label string, secret bool) (string, error)
}

// Environment variables gongkai reads.
const (
	envConfig = "GONGKAI_CONFIG"
	envDB     = "GONGKAI_DB"
	envNow    = "GONGKAI_NOW"
)

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

// clock returns the operation clock: GONGKAI_NOW fixed when set (an RFC
// 3339 time, or a date meaning noon of that day in Asia/Shanghai), else
// the machine's.
func (e *env) clock() (func() time.Time, error) {
	v := e.getenv(envNow)
	if v == "" || e.realClock {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		d, err := calendar.ParseDate(v)
		if err != nil {
			return nil, inputErrorf("环境变量 %s 的值 %q 无效：应为 RFC 3339 时间（如 2026-11-02T09:00:00+08:00）或日期 YYYY-MM-DD", envNow, v)
		}
		t = d.Start().Add(12 * time.Hour)
	}
	return func() time.Time { return t }, nil
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

// service returns the operations, over the database file opened for each
// one.
func (e *env) service() (app.Service, error) {
	if e.svc != nil {
		return e.svc, nil
	}
	if e.held == nil && !e.noRemote {
		t, err := e.target()
		if err != nil {
			return nil, err
		}
		if t.kind != targetFile {
			e.svc = t.client()
			return e.svc, nil
		}
	}
	now, err := e.clock()
	if err != nil {
		return nil, err
	}
	e.svc = e.newService(now)
	return e.svc, nil
}

// newService returns the operations on the clock now.
func (e *env) newService(now func() time.Time) *app.Local {
	cfg := e.config()
	mode, _ := cfg.Mode()             // checked when the configuration was loaded
	wait, _ := cfg.LockWaitDuration() // likewise
	path := e.dbPath()
	file := &boltstore.File{Path: path, Options: boltstore.Options{Mode: mode, Timeout: wait, Bulk: e.bulk, Upgrading: func() {
		fmt.Fprintf(e.stderr, "gongkai: 数据库 %s 由较早版本的 gongkai 写入，正在升级格式（只需一次；数据多时要几分钟，中途中断不会丢失数据，下次接着升级）……\n", path)
	}}}
	var store tracker.Store = file
	var maint app.Maintenance = file
	if e.held != nil {
		store, maint = e.held, e.held
	}
	if wrapStore != nil {
		store = wrapStore(store)
	}
	lock := access.Lockout{After: cfg.Server.LockoutAfter, For: time.Duration(cfg.Server.LockoutMinutes) * time.Minute}
	return app.NewLocal(app.Config{
		Store:       store,
		Maintenance: maint,
		Lockout:     lock,
		Now:         now,
		Settings:    settings(cfg),
		Renderer:    notify.Renderer{PublicURL: cfg.Server.PublicURL},
		Delivery: func(store tracker.Store) (app.Deliverer, error) {
			return e.sender(store, now)
		},
	})
}

// sender delivers the outbox, recording each step in store; it names
// itself by host and process in the messages it claims.
func (e *env) sender(store tracker.Store, now func() time.Time) (app.Deliverer, error) {
	host, _ := os.Hostname()
	return notify.DelivererFor(e.config(), e.dbPath(), e.getenv, store, now, fmt.Sprintf("%s/%d", host, os.Getpid()))
}

// wrapStore, when tests set it, wraps the database of every operation.
var wrapStore func(tracker.Store) tracker.Store

// settings are the office's rules from the configuration.
func settings(cfg *config.Config) app.Settings {
	s := app.Settings{
		LateAfter: cfg.LateLoggingDays,
		Reminders: tracker.ReminderRules{Before: cfg.Reminders.Before, OnDueDay: cfg.Reminders.OnDueDay,
			OverdueEvery: cfg.Reminders.OverdueEvery, EscalateAfter: cfg.Reminders.EscalateAfter,
			EscalateEvery: cfg.Reminders.EscalateEvery},
		Recipients: app.Recipients{Officers: cfg.Recipients.Officers, Supervisors: cfg.Recipients.Supervisors},
	}
	for _, ow := range cfg.Recipients.Owners {
		s.Recipients.Owners = append(s.Recipients.Owners, tracker.Owner{Level1: ow.Level1, Emails: ow.Emails})
	}
	return s
}

// byUsage describes --by, the option of every command that writes.
const byUsage = "操作人（默认为系统用户名）"

// ctx returns command c's context with who acts: its --by, else the
// operating-system user.
func (e *env) ctx(c *cobra.Command) context.Context {
	by, _ := c.Flags().GetString("by") // "" for a command without --by
	return app.WithActor(c.Context(), e.actor(by))
}

// call runs one operation of the service for command c: op is a method of
// app.Service (app.Service.Log), in its input.
func call[In, Out any](c *cobra.Command, e *env, op func(app.Service, context.Context, In) (Out, error), in In) (Out, error) {
	svc, err := e.service()
	if err != nil {
		var none Out
		return none, err
	}
	return op(svc, e.ctx(c), in)
}

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

// printDelivery says what a pass over the outbox did.
func (e *env) printDelivery(d *app.Delivery) {
	if d == nil || d.Sent+d.Retrying+d.Failed == 0 {
		return
	}
	fmt.Fprintf(e.stdout, "投递（%s）：成功 %d 封", d.Transport, d.Sent)
	if d.Retrying > 0 {
		fmt.Fprintf(e.stdout, "，稍后重试 %d 封", d.Retrying)
	}
	if d.Failed > 0 {
		fmt.Fprintf(e.stdout, "，失败 %d 封（见 gongkai outbox）", d.Failed)
	}
	fmt.Fprintln(e.stdout, "。")
}

// loadCalendar returns the calendar in force: the embedded schedules and
// those imported into the database, when there is one. Reading never
// creates a database.
func (e *env) loadCalendar() (*calendar.Calendar, error) {
	if _, err := e.clock(); err != nil {
		// The calendar does not depend on today: a command that was told
		// the day (--as-of) works whatever GONGKAI_NOW says.
		e.svc = e.newService(time.Now)
	}
	svc, err := e.service()
	if err != nil {
		return nil, err
	}
	return svc.Calendar(app.WithActor(context.Background(), e.actor("")))
}
