package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"gongkai/tracker"
)

// MinPassword is the shortest password taken, in characters (等保2.0
// 三级); MaxPassword the longest, so that hashing one costs a bounded
// time.
const (
	MinPassword = 8
	MaxPassword = 128
)

// CheckPassword applies the password policy to account name's new
// password: at least MinPassword characters from three of the four
// classes (lower case, upper case, digits, others), and not the account's
// name, forwards or backwards. The message never repeats the password.
func CheckPassword(name, password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return tracker.Invalid(tracker.FieldPassword, "密码不是有效的文字（UTF-8）")
	case n < MinPassword:
		return tracker.Invalid(tracker.FieldPassword, "密码太短：%d 个字符，至少 %d 个", n, MinPassword)
	case n > MaxPassword:
		return tracker.Invalid(tracker.FieldPassword, "密码太长：%d 个字符，至多 %d 个", n, MaxPassword)
	}
	var lower, upper, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsControl(r):
			return tracker.Invalid(tracker.FieldPassword, "密码中不能有控制字符")
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return tracker.Invalid(tracker.FieldPassword, "密码须包含小写字母、大写字母、数字、其他符号四类中的至少三类（现有 %d 类）", classes)
	}
	if name != "" {
		p, nm := strings.ToLower(password), strings.ToLower(name)
		if strings.Contains(p, nm) || strings.Contains(p, reverse(nm)) {
			return tracker.Invalid(tracker.FieldPassword, "密码不能包含账号名 %s（正写或倒写）", name)
		}
	}
	return nil
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// NewPassword returns a one-time password that meets the policy: 16
// characters from letters and digits that are not easily confused (no
// 0/O, 1/l/I), with a symbol, for the account to change at first login.
func NewPassword() string {
	const (
		lower  = "abcdefghijkmnpqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
		marks  = "-_!#%+="
	)
	all := lower + upper + digits
	for {
		b := make([]byte, 16)
		for i := range b {
			set := all
			switch i {
			case 0:
				set = upper
			case 7:
				set = marks
			case 15:
				set = digits
			}
			b[i] = set[randIndex(len(set))]
		}
		if p := string(b); CheckPassword("", p) == nil {
			return p
		}
	}
}

func randIndex(n int) int {
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < 256-256%n { // no modulo bias
			return int(b[0]) % n
		}
	}
}

// Params are argon2id's costs: memory in KiB, passes and lanes.
type Params struct {
	Memory  uint32
	Time    uint32
	Threads uint8
}

// DefaultParams are RFC 9106's second recommended choice: 64 MiB, three
// passes, and two lanes here (the machines are two-core).
var DefaultParams = Params{Memory: 64 << 10, Time: 3, Threads: 2}

// Hasher hashes passwords with argon2id, at most Parallel at once: each
// takes Params.Memory, and a storm of logins must not take the server's
// memory. A caller waits its turn or gives up with its context.
type Hasher struct {
	Params Params
	slots  chan struct{}
}

// DefaultParallel is how many passwords the server hashes at once: at
// DefaultParams, 128 MiB, 0.1–0.2 s each on a two-core machine.
const DefaultParallel = 2

// NewHasher returns a Hasher of p that hashes at most parallel at once.
func NewHasher(p Params, parallel int) *Hasher {
	return &Hasher{Params: p, slots: make(chan struct{}, max(1, parallel))}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return tracker.FieldErrorf(tracker.EBusy, tracker.FieldPassword, "登录的人太多，请稍后重试")
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns password's hash in the PHC string format, with a random
// salt: $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > 4*MaxPassword {
		return "", tracker.Invalid(tracker.FieldPassword, "密码太长")
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.Params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify reports whether password matches hash, a string Hash wrote (with
// whatever costs it was written with). A hash it cannot read is an error:
// the account's record is damaged.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, error) {
	var p Params
	var version int
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("密码散列的格式无法识别")
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("密码散列的版本 %q 无法识别", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory < 8 || p.Memory > 1<<21 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return false, fmt.Errorf("密码散列的参数 %q 无法识别", parts[3])
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 {
		return false, fmt.Errorf("密码散列已损坏")
	}
	if len(password) > 4*MaxPassword {
		return false, nil
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewToken returns a new CLI token, to show once, and the hash to keep
// in its place. A token is 32 random bytes: hashing it once with SHA-256
// is enough, as it cannot be guessed.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = "gk_" + base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token)
}

// TokenHash is how a token is kept and looked up.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
