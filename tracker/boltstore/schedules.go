package boltstore

import (
	"encoding/binary"
	"encoding/json"

	"gongkai/calendar"
	"gongkai/tracker"
)

func yearKey(y int) []byte {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], uint32(y))
	return k[:]
}

// Schedules returns the imported schedules, oldest year first.
func (s *Store) Schedules() (out []calendar.Schedule, err error) {
	err = s.View(func(tx tracker.Tx) error {
		out, err = tx.Schedules()
		return err
	})
	return out, err
}

// Schedules returns the imported schedules, oldest year first.
func (t *Tx) Schedules() ([]calendar.Schedule, error) {
	var out []calendar.Schedule
	b := t.tx.Bucket(bucketCalendar)
	if b == nil {
		return nil, nil // a file no writer has set up yet
	}
	err := b.ForEach(func(k, v []byte) error {
		var sc calendar.Schedule
		if err := json.Unmarshal(v, &sc); err != nil {
			return damaged("", "导入的放假安排", binary.BigEndian.Uint32(k), err)
		}
		out = append(out, sc)
		return nil
	})
	return out, err
}

// PutSchedule stores an imported schedule, replacing any of the same year.
func (t *Tx) PutSchedule(sc calendar.Schedule) error {
	v, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	return t.tx.Bucket(bucketCalendar).Put(yearKey(sc.Year), v)
}
