package calendar

import "time"

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
