package boltstore

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"gongkai/calendar"
	"gongkai/tracker"
)

// Reminder marks are kept compactly: a reminder run rewrites those of
// every open event with a stage due, a hundred thousand of them on a busy
// day, inside its write transaction, and their bytes are what that
// transaction writes. The value is
//
//	0x04, then for each deadline (in order) 16 bytes: the deadline, the
//	last officers' stage, the last supervisors' stage, the day
//	supervisors were last told, each a day as a signed 32-bit count
//	(big-endian, 0 for none)
//
// Marks written before are still read: with 0x03, 12 bytes a deadline
// (without the day supervisors were told); as JSON ({"sent":{…}}).
const (
	tagMarks   = 0x04
	tagMarksV3 = 0x03
)

// encodeMarks returns st as stored.
func encodeMarks(st tracker.ReminderState) []byte {
	b := make([]byte, 1, 1+16*len(st.Sent))
	b[0] = tagMarks
	for _, d := range slices.SortedFunc(maps.Keys(st.Sent), calendar.Date.Compare) {
		m := st.Sent[d]
		for _, day := range []calendar.Date{d, m.Officers, m.Supervisors, m.SupervisorsTold} {
			b = binary.BigEndian.AppendUint32(b, uint32(int32(day.Sub(calendar.Date{}))))
		}
	}
	return b
}

// decodeMarks reads marks as stored, compact or JSON.
func decodeMarks(v []byte) (tracker.ReminderState, error) {
	var st tracker.ReminderState
	if len(v) == 0 || v[0] != tagMarks && v[0] != tagMarksV3 {
		err := DecodeValue(v, &st)
		return st, err
	}
	size := 16
	if v[0] == tagMarksV3 {
		size = 12
	}
	if (len(v)-1)%size != 0 {
		return st, fmt.Errorf("提醒记录的长度 %d 不对", len(v))
	}
	day := func(b []byte) calendar.Date { return calendar.Date{}.AddDays(int(int32(binary.BigEndian.Uint32(b)))) }
	for b := v[1:]; len(b) > 0; b = b[size:] {
		if st.Sent == nil {
			st.Sent = map[calendar.Date]tracker.Marks{}
		}
		m := tracker.Marks{Officers: day(b[4:]), Supervisors: day(b[8:])}
		if size == 16 {
			m.SupervisorsTold = day(b[12:])
		}
		st.Sent[day(b)] = m
	}
	return st, nil
}

// marksJSON is marks as JSON, for dump.
func marksJSON(v []byte) ([]byte, error) {
	st, err := decodeMarks(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(st)
}
