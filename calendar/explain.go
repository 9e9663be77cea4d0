package calendar

// Step is one day passed while counting working days.
type Step struct {
	Day
	// Ordinal is the working day's place in the count (1, 2, … going
	// forward; -1, -2, … going backward); 0 for a day skipped.
	Ordinal int
}

// Counted reports whether the step counted as a working day.
func (s Step) Counted() bool { return s.Ordinal != 0 }

// Explain is AddWorkdays with the days it passed, in order: from just after
// d to the result going forward, from just before d back to the result
// going backward, from d to the result when n = 0.
func (c *Calendar) Explain(d Date, n int) (result Date, provisional bool, steps []Step, err error) {
	result, provisional, err = c.AddWorkdays(d, n)
	if err != nil {
		return Date{}, false, nil, err
	}
	step, cur := 1, d.AddDays(1)
	switch {
	case n < 0:
		step, cur = -1, d.AddDays(-1)
	case n == 0:
		cur = d
	}
	steps = make([]Step, 0, abs(result.Sub(d))+1)
	count := 0
	for {
		day, err := c.Day(cur)
		if err != nil {
			return Date{}, false, nil, err
		}
		s := Step{Day: day}
		if day.Workday() {
			count += step
			s.Ordinal = count
		}
		steps = append(steps, s)
		if cur == result {
			return result, provisional, steps, nil
		}
		cur = cur.AddDays(step)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
