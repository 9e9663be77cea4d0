package app

import (
	"context"
	"strings"

	"gongkai/calendar"
	"gongkai/tracker"
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

// ImportCatalog replaces the catalogue in force with the file's.
func (l *Local) ImportCatalog(ctx context.Context, in FileInput) (*CatalogInfo, error) {
	c, err := tracker.ParseCatalog(in.Name, in.Data)
	if err != nil {
		return nil, err
	}
	err = l.write(ctx, func(u *unit) error { return u.ImportCatalog(c, in.Name) })
	if err != nil {
		return nil, err
	}
	info := catalogInfo(c)
	return &info, nil
}
