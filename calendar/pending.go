package calendar

import (
	"fmt"
	"time"
)

// NoticeSeasonStart is the month from which next year's notice is awaited:
// the State Council usually publishes it between late October and early
// December.
const NoticeSeasonStart = time.November

// Pending says which years an officer should import a notice for, as of
// today: this year when it is still provisional (deadlines may be wrong
// now), and from November next year when it is still provisional
// (deadlines that cross New Year are estimates). A zero means nothing is
// pending.
func (c *Calendar) Pending(today Date) (thisYear, nextYear int) {
	y := today.Year()
	if info, err := c.Year(y); err == nil && !info.Official {
		thisYear = y
	}
	if today.Month() >= NoticeSeasonStart {
		if info, err := c.Year(y + 1); err == nil && !info.Official {
			nextYear = y + 1
		}
	}
	return thisYear, nextYear
}

// ThisYearPending and NextYearPending say, for people, what Pending found
// for a year; they name no command, which each front end adds.
func ThisYearPending(year int) string {
	return fmt.Sprintf("今年（%d 年）的放假安排仍是暂估，期限可能有误", year)
}

// NextYearPending: see ThisYearPending.
func NextYearPending(year int) string {
	return fmt.Sprintf("%d 年的放假安排尚未导入，跨年期限目前为暂估", year)
}
