package notify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gongkai/tracker"
)

// EMLDir writes each message as an .eml file into a folder, for an office
// without a mail server (or before one is configured).
type EMLDir struct {
	Dir string
}

var _ Transport = EMLDir{}

// Name says where messages go.
func (t EMLDir) Name() string { return "文件夹 " + t.Dir }

// Send writes the message as NAME.eml, atomically: a file is there whole
// or not at all.
func (t EMLDir) Send(_ context.Context, msg Outgoing) error {
	if err := os.MkdirAll(t.Dir, 0o750); err != nil {
		return &SendError{Setup: true, Err: fmt.Errorf("无法创建文件夹：%s；请让运行 gongkai 的用户可以写入，或在配置中设 outbox_dir", tracker.OSProblem(err))}
	}
	// The id makes the name unique; the key, less its trailing hash, says
	// what the message is.
	base := msg.Key
	if i := strings.LastIndex(base, "/"); i > 0 && strings.HasPrefix(base, "digest/") {
		base = base[:i]
	}
	name := fmt.Sprintf("%06d-%s.eml", msg.ID, safeName(base))
	tmp := filepath.Join(t.Dir, "."+name+".part")
	if err := os.WriteFile(tmp, msg.Raw, 0o640); err != nil {
		os.Remove(tmp)
		return &SendError{Setup: true, Err: fmt.Errorf("无法写入：%s；请让运行 gongkai 的用户可以写入，或在配置中设 outbox_dir", tracker.OSProblem(err))}
	}
	if err := os.Rename(tmp, filepath.Join(t.Dir, name)); err != nil {
		os.Remove(tmp)
		return &SendError{Setup: true, Err: fmt.Errorf("无法写入：%s；请让运行 gongkai 的用户可以写入，或在配置中设 outbox_dir", tracker.OSProblem(err))}
	}
	return nil
}

func safeName(key string) string {
	r := strings.NewReplacer("/", "_", "\\", "_", ":", "_", "@", "-at-", " ", "_")
	s := r.Replace(key)
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
