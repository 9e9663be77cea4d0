// Package calendar is mainland China's working-day calendar, exact to the
// day from 2007-01-01 to 2099-12-31, and the civil-date type gongkai uses
// everywhere.
//
// A working day is Monday to Friday, minus the days off that the State
// Council General Office's notices (放假安排通知) name for the year, plus
// the weekend make-up workdays (调休上班) they name. The notices of
// 2007–2027 are embedded as data (schedules/*.json, documented in
// schedules/README.md), each year citing its notices; a year published
// later is imported (ParseImport, from holiday-cn JSON or iCalendar) and
// stored by the caller. A year with no notice is estimated from
// 全国年节及纪念日放假办法 (Estimate) and is provisional, as are the last
// days of the December before it; every answer says whether it rests on a
// provisional day.
//
// The rules are expressed as github.com/rickar/cal/v2 holidays and a
// business calendar (Calendar.Business), then compiled into a day index:
// IsWorkday, AddWorkdays and WorkdaysBetween take constant time and
// allocate nothing.
//
// It imports no package of gongkai's.
//
// # Caveats
//
// Counting follows 民法典第二百零一条: the start day never counts, whatever
// it is; AddWorkdays(d, 1) of a Saturday is the Monday after, not the
// Monday "as day 0".
//
// Dates are civil dates: no time of day, no zone. Conversions from an
// instant (Today) and to one (Date.Start, Date.End) use Asia/Shanghai,
// never the machine's zone; the zone data is compiled in.
//
// New costs about half a millisecond: it compiles the years up to the one
// after the last official year. The first question that reaches past them
// compiles the rest of the range, about 35 ms, most of it the lunar
// calendar of the estimated decades. Build one Calendar per process or per
// database read, not per question.
package calendar
