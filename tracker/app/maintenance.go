package app

import (
	"context"

	"gongkai/calendar"
	"gongkai/tracker"
)

func (l *Local) maintenance() (Maintenance, error) {
	if l.cfg.Maintenance == nil {
		return nil, tracker.Errorf(tracker.EUnavailable, "这个数据库不支持备份和检查")
	}
	return l.cfg.Maintenance, nil
}

// Backup writes a consistent copy of the database to dst.
func (l *Local) Backup(ctx context.Context, dst string) error {
	m, err := l.maintenance()
	if err != nil {
		return err
	}
	return m.Backup(dst)
}

// Check checks the database's file structure, its schema, its records,
// its audit chain and the events against it. It returns what it found
// even with an error, which names the damage (EDamaged).
func (l *Local) Check(ctx context.Context) (*CheckResult, error) {
	m, err := l.maintenance()
	if err != nil {
		return nil, err
	}
	fc, err := m.CheckFile()
	if err != nil {
		return nil, err
	}
	r := &CheckResult{Path: fc.Path, SchemaVersion: fc.SchemaVersion, Current: fc.Current, FileProblems: fc.Problems}
	if len(fc.Problems) > 0 {
		return r, tracker.Errorf(tracker.EDamaged, "数据库 %s 的文件结构有 %d 处错误，请从备份恢复", fc.Path, len(fc.Problems))
	}
	if fc.SchemaVersion == 0 {
		return r, tracker.Errorf(tracker.EDamaged, "数据库 %s 没有数据格式版本（meta 桶），不是完整的 gongkai 数据库", fc.Path)
	}
	err = l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		c, err := tx.Catalog()
		if err != nil {
			return err
		}
		if c != nil {
			info := catalogInfo(c)
			r.Catalog = &info
		}
		r.Audit, r.EventBinding, err = verifyRecords(tx, nil, func(e *tracker.Event) {
			r.Events++
			if e != nil && e.State == tracker.Open {
				r.Open++
			}
		})
		return err
	})
	return r, damaged(err)
}
