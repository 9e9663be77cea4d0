package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"gongkai/tracker"
	"gongkai/tracker/access"
)

func (l *Local) maintenance() (Maintenance, error) {
	if l.cfg.Maintenance == nil {
		return nil, tracker.Errorf(tracker.EUnavailable, "这个数据库不支持备份和检查")
	}
	return l.cfg.Maintenance, nil
}

// Dump writes the database's records as lines of JSON.
func (l *Local) Dump(ctx context.Context, bucket string, w io.Writer) error {
	if _, err := authorize(ctx, access.OpDump); err != nil {
		return err
	}
	m, err := l.maintenance()
	if err != nil {
		return err
	}
	return m.Dump(w, bucket)
}

// Backup writes a consistent copy of the database to dst.
func (l *Local) Backup(ctx context.Context, dst string) error {
	if _, err := authorize(ctx, access.OpBackup); err != nil {
		return err
	}
	m, err := l.maintenance()
	if err != nil {
		return err
	}
	if err := m.Backup(dst); err != nil {
		return err
	}
	l.recordBackup(ctx, dst)
	return nil
}

// BackupTo writes a consistent copy of the database to w: the server's
// download of a backup.
func (l *Local) BackupTo(ctx context.Context, w io.Writer) error {
	if _, err := authorize(ctx, access.OpBackup); err != nil {
		return err
	}
	m, err := l.maintenance()
	if err != nil {
		return err
	}
	if err := m.BackupTo(w); err != nil {
		return err
	}
	l.recordBackup(ctx, "下载（"+source(ctx)+"）")
	return nil
}

// Check checks the database's file structure, its schema, its records,
// its audit chain and the events against it. It returns what it found
// even with an error, which names the damage (EDamaged).
func (l *Local) Check(ctx context.Context) (*CheckResult, error) {
	if _, err := authorize(ctx, access.OpCheck); err != nil {
		return nil, err
	}
	m, err := l.maintenance()
	if err != nil {
		return nil, err
	}
	// The audit chain and the events' binding, checked as the file's
	// records are read: each record decoded once.
	var (
		chain tracker.AuditChecker
		bind  tracker.EventBinder
		broke error
	)
	fc, err := m.CheckFile(func(key uint64, r tracker.ReadEntry) {
		switch {
		case broke != nil:
		case r.AuditEntry == nil:
			broke = &tracker.AuditProblem{Key: key, Message: fmt.Sprintf("审计日志第 %d 个位置的记录无法读取：记录被改动", key)}
		default:
			if p := chain.NextHashed(key, r.AuditEntry, r.Hash); p != nil {
				broke = p
				return
			}
			bind.Bind(r.Binds)
		}
	}, bind.Found)
	if err != nil {
		return nil, err
	}
	r := &CheckResult{Path: fc.Path, SchemaVersion: fc.SchemaVersion, Current: fc.Current, Outdated: fc.Outdated,
		FileProblems: fc.Problems, Events: fc.Events, Open: fc.Open, Audit: chain.Head()}
	if fc.SchemaVersion == 0 && !fc.Structural {
		return r, tracker.Errorf(tracker.EDamaged, "数据库 %s 没有数据格式版本（meta 桶），不是完整的 gongkai 数据库", fc.Path)
	}
	var found []string
	if n := len(fc.Problems); n > 0 {
		found = append(found, fmt.Sprintf("有 %d 处记录或索引损坏（见上）", n))
	}
	switch {
	case broke != nil:
		found = append(found, damaged(broke).Error())
	case !fc.Structural:
		r.EventBinding = bind.Result()
		if err := r.EventBinding.Damage(); err != nil {
			found = append(found, err.Error())
		}
		err := m.Inspect(func(tx tracker.Tx) error {
			c, err := tx.Catalog()
			if c != nil {
				info := catalogInfo(c)
				r.Catalog = &info
			}
			return err
		})
		if err != nil {
			return r, err
		}
	}
	if len(found) > 0 {
		msg := fmt.Sprintf("数据库 %s：%s", fc.Path, strings.Join(found, "；"))
		if !strings.Contains(msg, "请从备份恢复") {
			msg += "。请从备份恢复"
		}
		return r, tracker.Errorf(tracker.EDamaged, "%s", msg)
	}
	return r, nil
}
