package boltstore

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"
	bolt "go.etcd.io/bbolt"

	"gongkai/calendar"
	"gongkai/tracker"
)

// TestWriteDictV2 is how dict_v2.bin was written, once:
//
//	GONGKAI_WRITE_DICT=1 go test ./tracker/boltstore -run WriteDictV2
//
// It runs a staff flow on the embedded catalogue (events logged, disclosed,
// amended, waived, retracted, reopened) and makes the dictionary of the
// binary bodies of its records and the names of every matter, the most
// repeated last (S2 reaches the end of a dictionary with the shortest
// offsets). Run again, it would write another dictionary:
// TestDictionariesAreFrozen then fails.
func TestWriteDictV2(t *testing.T) {
	if os.Getenv("GONGKAI_WRITE_DICT") == "" {
		t.Skip("writes dict_v2.bin, which never changes")
	}
	s, _ := tempStore(t)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, calendar.Shanghai)
	clk := tracker.Clock{Now: now, Today: calendar.Today(now), By: "张三", Real: now}
	cat := tracker.EmbeddedCatalog()
	summaries := []string{"调整办理材料和办理时限", "新增申请条件", "更新办事指南", "公布年度标准", "调整办理流程"}
	err := s.Update(func(tx tracker.Tx) error {
		ops := &tracker.Ops{Tx: tx, Cal: calendar.Default(), Clock: clk}
		if _, err := ops.Init(cat); err != nil {
			return err
		}
		for i := range 12 {
			m := cat.Matters[i*7%len(cat.Matters)]
			kind := tracker.Changed
			if i%4 == 3 {
				kind = tracker.Formed
			}
			ev, err := ops.Log(fmt.Sprint(m.Seq), tracker.LogRequest{Kind: kind, Date: calendar.DateOf(2026, 11, 2+i),
				Summary: summaries[i%len(summaries)], Ref: fmt.Sprintf("章人社字〔2026〕%d号", 10+i)})
			if err != nil {
				return err
			}
			day := calendar.DateOf(2026, 11, 18)
			switch i % 6 {
			case 0, 1:
				_, err = ops.Disclose(ev.ID, nil, true, day, fmt.Sprintf("https://www.zgq.gov.cn/zgqrsj/c1000%d/2026-11/18/content_%d.shtml", i, 9000+i), "")
			case 2:
				if _, err = ops.Disclose(ev.ID, []tracker.Channel{tracker.Web}, false, day, "https://www.zgq.gov.cn/zgqrsj/gkml/index.shtml", ""); err == nil {
					_, err = ops.Retract(ev.ID, tracker.Web, "链接填错，撤回后重新登记")
				}
			case 3:
				_, err = ops.Waive(ev.ID, "属于依申请公开事项，不主动公开")
			case 4:
				summary := summaries[(i+1)%len(summaries)]
				_, err = ops.Amend(ev.ID, "", tracker.Amendment{Summary: &summary, Reason: "摘要填写有误"})
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := range cat.Matters {
		names = append(names, cat.Matters[i].Name())
	}
	data := []byte(strings.Join(names, "\n"))
	err = s.db.View(func(tx *bolt.Tx) error {
		for _, b := range []struct {
			name []byte
			tag  byte
		}{{bucketAudit, tagAudit}, {bucketEvents, tagEvent}} {
			err := tx.Bucket(b.name).ForEach(func(k, v []byte) error {
				body, err := unpack(b.tag, v)
				if err != nil {
					return err
				}
				data = append(data, *body...)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > s2.MaxDictSize {
		data = data[len(data)-s2.MaxDictSize:]
	}
	d := s2.MakeDict(data, nil)
	if d == nil {
		t.Fatal("no dictionary made")
	}
	if err := os.WriteFile("dict_v2.bin", d.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("dict_v2.bin: %d bytes of names and records", len(data))
}
