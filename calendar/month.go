package calendar

import (
	"strconv"
	"time"
)

// MonthGrid is a month as a wall calendar shows it, for every front end.
type MonthGrid struct {
	// Weeks run from Monday to Sunday. A cell is the day of the month and
	// its marks: "1 国庆" (a day off, its holiday's short name), "10 班" (a
	// make-up workday), "5 清明*" (provisional); "" outside the month.
	Weeks [][7]string
	// Holidays are the month's days off and make-up workdays, by holiday.
	Holidays []HolidayDays
}

// Month returns month m of year y as a grid. In a provisional year, where
// every day is provisional, only the estimated days off are marked *; in an
// official year every provisional day is (the last days of a December
// before a year whose notice is not known).
func (c *Calendar) Month(y int, m time.Month) (MonthGrid, error) {
	info, err := c.Year(y)
	if err != nil {
		return MonthGrid{}, err
	}
	var g MonthGrid
	var week [7]string
	first, n := DateOf(y, m, 1), DaysIn(y, m)
	days := make([]Day, 0, n)
	for i := range n {
		d := first.AddDays(i)
		day, err := c.Day(d)
		if err != nil {
			return MonthGrid{}, err
		}
		days = append(days, day)
		cell := strconv.Itoa(d.Day())
		switch day.Kind {
		case DayOff:
			cell += " " + ShortHolidayName(day.Name)
		case Makeup:
			cell += " 班"
		}
		if day.Provisional && (day.Kind == DayOff || info.Official) {
			cell += "*"
		}
		col := (int(d.Weekday()) + 6) % 7 // Monday first
		week[col] = cell
		if col == 6 || i == n-1 {
			g.Weeks = append(g.Weeks, week)
			week = [7]string{}
		}
	}
	g.Holidays = Holidays(days)
	return g, nil
}
