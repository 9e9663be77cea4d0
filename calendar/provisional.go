package calendar

import (
	"cmp"
	"slices"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// Festival names used in estimates.
const (
	nameNewYear      = "元旦"
	nameSpring       = "春节"
	nameQingming     = "清明节"
	nameLabour       = "劳动节"
	nameDragonBoat   = "端午节"
	nameMidAutumn    = "中秋节"
	nameNational     = "国庆节"
	substituteSuffix = "补休"
)

// qingmingIndex is the place of 清明 in lunar-go's table of solar terms.
const qingmingIndex = 8

// Estimate returns the days off that 全国年节及纪念日放假办法 (2024 revision,
// in force from 2025-01-01) gives in year when no notice is known: 元旦
// 1 day, 春节 4 (除夕 and 正月初一至初三), 清明 1 (the solar-term day),
// 劳动节 2 (May 1–2), 端午 1, 中秋 1, 国庆 3 (Oct 1–3). A holiday on a
// Saturday or Sunday, or on the same day as another holiday, gives a day
// off on the next working day (第六条), named "…补休". An estimate has
// no make-up workdays: those are the notice's choice and cannot be foreseen.
//
// Lunar dates and the solar term come from github.com/6tail/lunar-go.
func Estimate(year int) []ScheduleDay {
	ly := lunar.NewLunarYear(year)
	lunarDay := func(month, day int) Date {
		s := lunar.NewSolarFromJulianDay(ly.GetMonth(month).GetFirstJulianDay())
		return DateOf(s.GetYear(), time.Month(s.GetMonth()), s.GetDay()).AddDays(day - 1)
	}
	qm := lunar.NewSolarFromJulianDay(ly.GetJieQiJulianDays()[qingmingIndex])
	spring := lunarDay(1, 1)

	legal := []ScheduleDay{
		{DateOf(year, time.January, 1), nameNewYear, true},
		{spring.AddDays(-1), nameSpring, true}, // 除夕: the last day of the 12th month, 29th or 30th
		{spring, nameSpring, true},
		{spring.AddDays(1), nameSpring, true},
		{spring.AddDays(2), nameSpring, true},
		{DateOf(qm.GetYear(), time.Month(qm.GetMonth()), qm.GetDay()), nameQingming, true},
		{DateOf(year, time.May, 1), nameLabour, true},
		{DateOf(year, time.May, 2), nameLabour, true},
		{lunarDay(5, 5), nameDragonBoat, true},
		{DateOf(year, time.October, 1), nameNational, true},
		{DateOf(year, time.October, 2), nameNational, true},
		{DateOf(year, time.October, 3), nameNational, true},
		{lunarDay(8, 15), nameMidAutumn, true}, // after 国庆, so that a shared day reads 国庆节、中秋节
	}
	slices.SortStableFunc(legal, func(a, b ScheduleDay) int { return cmp.Compare(a.Date.n, b.Date.n) })

	off := make(map[Date]bool, len(legal)+4)
	for _, h := range legal {
		off[h.Date] = true
	}
	out := make([]ScheduleDay, 0, len(legal)+4)
	at := make(map[Date]int, len(legal)) // where a day off already is in out
	for _, h := range legal {
		k, dup := at[h.Date]
		switch {
		case dup:
			// Two holidays on one day: the day carries both names.
			out[k].Name += "、" + h.Name
		default:
			at[h.Date] = len(out)
			out = append(out, h)
			if !h.Date.IsWeekend() {
				continue
			}
		}
		// 第六条: the next working day that is neither a weekend nor
		// already a day off becomes a day off in its place.
		sub := h.Date.AddDays(1)
		for sub.IsWeekend() || off[sub] {
			sub = sub.AddDays(1)
		}
		off[sub] = true
		at[sub] = len(out)
		out = append(out, ScheduleDay{Date: sub, Name: h.Name + substituteSuffix, Off: true})
	}
	slices.SortFunc(out, func(a, b ScheduleDay) int { return cmp.Compare(a.Date.n, b.Date.n) })
	return out
}
