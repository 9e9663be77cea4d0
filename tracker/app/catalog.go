package app

import (
	"context"
	"fmt"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
	"gongkai/tracker/access"
)

func catalogInfo(c *tracker.Catalog) CatalogInfo {
	if c == nil {
		return CatalogInfo{}
	}
	return CatalogInfo{Name: c.Name, Version: c.Version, Matters: len(c.Matters)}
}

// catalogIn returns the catalogue in force in tx.
func catalogIn(tx tracker.Tx) (*tracker.Catalog, error) {
	c, err := tx.Catalog()
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, tracker.FieldErrorf(tracker.ENotFound, tracker.FieldCatalog, "数据库中还没有公开目录：请先初始化数据库")
	}
	return c, nil
}

// Matters lists the catalogue's matters whose names contain the search
// text (spaces ignored).
func (l *Local) Matters(ctx context.Context, q MatterQuery) (*MatterList, error) {
	if _, err := authorize(ctx, access.OpMatters); err != nil {
		return nil, err
	}
	out := &MatterList{Matters: []tracker.Matter{}}
	err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		c, err := catalogIn(tx)
		if err != nil {
			return err
		}
		out.Catalog = catalogInfo(c)
		text := strings.Join(strings.Fields(q.Search), "")
		for _, m := range c.Matters {
			if text == "" || strings.Contains(m.Level1+m.Level2+m.Level3, text) {
				out.Matters = append(out.Matters, m)
			}
		}
		return nil
	})
	return out, err
}

// Matter finds one matter.
func (l *Local) Matter(ctx context.Context, query string) (*MatterDetail, error) {
	if _, err := authorize(ctx, access.OpMatters); err != nil {
		return nil, err
	}
	var out *MatterDetail
	err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error {
		c, err := catalogIn(tx)
		if err != nil {
			return err
		}
		m, err := tracker.FindMatter(c, query)
		if err != nil {
			return err
		}
		out = &MatterDetail{Catalog: catalogInfo(c), Matter: *m}
		return nil
	})
	return out, err
}

// ImportCatalog replaces the catalogue in force with the file's, or, dry,
// says what it would change. The comparison and the import happen in one
// transaction: what was compared is what is replaced.
func (l *Local) ImportCatalog(ctx context.Context, in CatalogImportInput) (*CatalogImportResult, error) {
	if _, err := authorize(ctx, access.OpImportCatalog); err != nil {
		return nil, err
	}
	c, err := tracker.ParseCatalog(in.Name, in.Data)
	if err != nil {
		return nil, err
	}
	out := &CatalogImportResult{After: catalogInfo(c), DryRun: in.DryRun, Kept: []KeptEvents{}}
	compare := func(tx tracker.Tx) error {
		old, err := tx.Catalog()
		if err != nil {
			return err
		}
		out.Before, out.Diff = catalogInfo(old), tracker.DiffCatalogs(old, c)
		out.Kept, err = keptEvents(tx, out.Diff)
		return err
	}
	if in.DryRun {
		err := l.read(func(tx tracker.Tx, _ *calendar.Calendar) error { return compare(tx) })
		return out, err
	}
	err = l.write(ctx, func(u *unit) error {
		if err := compare(u.Tx); err != nil {
			return err
		}
		if len(out.Kept) > 0 && !in.Force {
			return tracker.FieldErrorf(tracker.EConflict, tracker.FieldForce,
				"导入会删去已有事件的事项，或改变其公开时限（见上）：这些事件保留登记时的事项信息和期限。核对无误后，确认导入")
		}
		return u.ImportCatalog(c, in.Name)
	})
	if err != nil {
		if tracker.ErrorCode(err) == tracker.EConflict {
			return out, err // the comparison, for the refusal to show
		}
		return nil, err
	}
	out.Applied = true
	return out, nil
}

// keptEvents finds the events of the matters diff removes or whose 公开时限
// it changes, by matter.
func keptEvents(tx tracker.Tx, diff tracker.CatalogDiff) ([]KeptEvents, error) {
	why := map[int]*KeptEvents{}
	var order []int
	add := func(m tracker.Matter, reason string) {
		why[m.Seq] = &KeptEvents{Matter: m.Seq, Name: m.Name(), Why: reason, Events: []uint64{}}
		order = append(order, m.Seq)
	}
	for _, m := range diff.Removed {
		add(m, "从目录中删去")
	}
	for _, ch := range diff.Changed {
		if ch.TimeLimitChanged() {
			add(ch.Old, fmt.Sprintf("公开时限 %d → %d 个工作日", ch.Old.TimeLimitDays, ch.New.TimeLimitDays))
		}
	}
	if len(why) == 0 {
		return []KeptEvents{}, nil
	}
	err := tx.Events(func(e *tracker.Event) error {
		if k := why[e.Matter]; k != nil {
			k.Events = append(k.Events, e.ID)
		}
		return nil
	})
	out := []KeptEvents{}
	for _, seq := range order {
		if k := why[seq]; len(k.Events) > 0 {
			out = append(out, *k)
		}
	}
	return out, err
}
