package tracker

import (
	"slices"
	"strings"
)

// CatalogDiff is what importing a catalogue changes: matters added,
// removed and changed, by 序号.
type CatalogDiff struct {
	Added   []Matter       `json:"added"`
	Removed []Matter       `json:"removed"`
	Changed []MatterChange `json:"changed"`
}

// MatterChange is a matter in both catalogues whose columns differ.
type MatterChange struct {
	Old, New Matter
	// Fields are the columns that differ, in Chinese, in the catalogue's
	// order: 名称, 公开内容（要素）, 公开依据, 公开时限, 公开主体, 公开渠道和载体,
	// 公开对象, 公开方式, 公开层级.
	Fields []string `json:"fields"`
}

// TimeLimitChanged reports whether the change moves the 公开时限 (in
// working days): the deadlines of events logged since would differ.
func (c MatterChange) TimeLimitChanged() bool { return c.Old.TimeLimitDays != c.New.TimeLimitDays }

// ChannelsChanged reports whether the channels required changed.
func (c MatterChange) ChannelsChanged() bool { return !slices.Equal(c.Old.Channels, c.New.Channels) }

// Empty reports whether the catalogues hold the same matters alike.
func (d CatalogDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// DiffCatalogs compares the catalogue in force, old (nil: none), with
// new.
func DiffCatalogs(old, new *Catalog) CatalogDiff {
	var d CatalogDiff
	before := map[int]Matter{}
	if old != nil {
		for _, m := range old.Matters {
			before[m.Seq] = m
		}
	}
	seen := map[int]bool{}
	for _, m := range new.Matters {
		seen[m.Seq] = true
		o, ok := before[m.Seq]
		if !ok {
			d.Added = append(d.Added, m)
			continue
		}
		if f := matterFields(o, m); len(f) > 0 {
			d.Changed = append(d.Changed, MatterChange{Old: o, New: m, Fields: f})
		}
	}
	if old != nil {
		for _, m := range old.Matters {
			if !seen[m.Seq] {
				d.Removed = append(d.Removed, m)
			}
		}
	}
	return d
}

// matterFields names the columns in which a and b differ.
func matterFields(a, b Matter) []string {
	var out []string
	for _, f := range []struct {
		name string
		same bool
	}{
		{"名称", a.Name() == b.Name()},
		{"公开内容（要素）", slices.Equal(a.Elements, b.Elements)},
		{"公开依据", slices.Equal(a.Basis, b.Basis)},
		{"公开时限", a.TimeLimitDays == b.TimeLimitDays && strings.TrimSpace(a.TimeLimit) == strings.TrimSpace(b.TimeLimit)},
		{"公开主体", a.Subject == b.Subject},
		{"公开渠道和载体", slices.Equal(a.Channels, b.Channels)},
		{"公开对象", a.Audience == b.Audience},
		{"公开方式", a.Mode == b.Mode},
		{"公开层级", slices.Equal(a.Levels, b.Levels)},
	} {
		if !f.same {
			out = append(out, f.name)
		}
	}
	return out
}
