package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

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
// classes (lower case, upper case, digits, others), and not containing
// the account's name, forwards, backwards or without its separators.
// Characters that show nothing (format characters such as U+200B, and
// combining marks, which count with the letter they sit on) add no
// length. The password is taken in its NFC form, as Hash and Verify take
// it, so that one typed on another system matches. The message never
// repeats the password.
func CheckPassword(name, password string) error {
	if !utf8.ValidString(password) {
		return tracker.Invalid(tracker.FieldPassword, "密码不是有效的文字（UTF-8）")
	}
	password = norm.NFC.String(password)
	n := 0
	var lower, upper, digit, other bool
	for _, r := range password {
		switch {
		case !unicode.IsGraphic(r):
			return tracker.Invalid(tracker.FieldPassword, "密码中不能有控制字符或不可见字符")
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc):
			continue // part of the character before it
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
		n++
	}
	switch {
	case n < MinPassword:
		return tracker.Invalid(tracker.FieldPassword, "密码太短：%d 个字符，至少 %d 个", n, MinPassword)
	case utf8.RuneCountInString(password) > MaxPassword:
		return tracker.Invalid(tracker.FieldPassword, "密码太长：至多 %d 个字符", MaxPassword)
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
	p := strings.ToLower(password)
	bare := strings.NewReplacer(".", "", "_", "", "-", "").Replace(strings.ToLower(name))
	for _, nm := range []string{strings.ToLower(name), bare} {
		if utf8.RuneCountInString(nm) >= 3 && (strings.Contains(p, nm) || strings.Contains(p, reverse(nm))) {
			return tracker.Invalid(tracker.FieldPassword, "密码不能包含账号名 %s（正写、倒写或去掉 . _ - 后）", name)
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

// Bounds on the costs a Hasher takes and a stored hash may name: 8 KiB
// to 1 GiB, 1 to 16 passes and lanes.
const (
	minMemory, maxMemory = 8, 1 << 20
	maxTime, maxThreads  = 16, 16
)

func (p Params) valid() bool {
	return p.Memory >= minMemory && p.Memory <= maxMemory && p.Memory >= 8*uint32(p.Threads) &&
		p.Time >= 1 && p.Time <= maxTime && p.Threads >= 1 && p.Threads <= maxThreads
}

// DefaultParams are RFC 9106's second recommended choice: 64 MiB, three
// passes, and two lanes here (the machines are two-core).
var DefaultParams = Params{Memory: 64 << 10, Time: 3, Threads: 2}

// DefaultParallel is how many passwords the server hashes at once: at
// DefaultParams, 128 MiB, 0.1–0.2 s each on a two-core machine.
const DefaultParallel = 2

// Hasher hashes passwords with argon2id, at most Parallel at once: each
// takes Params.Memory, and a storm of logins must not take the server's
// memory. A caller waits its turn or gives up with its context. Make one
// with NewHasher.
type Hasher struct {
	params Params
	slots  chan struct{}
	dummy  struct {
		once sync.Once
		hash string
	}
}

// NewHasher returns a Hasher of p that hashes at most parallel at once;
// p must be within the bounds above.
func NewHasher(p Params, parallel int) (*Hasher, error) {
	if !p.valid() {
		return nil, fmt.Errorf("argon2id 参数无效：内存 %d KiB、%d 遍、%d 路", p.Memory, p.Time, p.Threads)
	}
	return &Hasher{params: p, slots: make(chan struct{}, max(1, parallel))}, nil
}

// Params are the costs new hashes are written with.
func (h *Hasher) Params() Params { return h.params }

func (h *Hasher) acquire(ctx context.Context) error {
	busy := tracker.FieldErrorf(tracker.EBusy, tracker.FieldPassword, "登录的人太多，请稍后重试")
	if h.slots == nil {
		return fmt.Errorf("Hasher not made by NewHasher")
	}
	if ctx.Err() != nil {
		return busy
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return busy
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns password's hash (its NFC form) in the PHC string format,
// with a random salt: $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>.
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
	p := h.params
	key := argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.Memory, p.Threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify reports whether password matches hash, a string Hash wrote. A
// hash written with other costs is verified with its own, up to four
// times this Hasher's memory and passes: a stored hash naming more (a
// damaged or forged record) is an error, not hours of work for the
// server. A hash it cannot read is an error too.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, error) {
	p, salt, want, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	if p.Memory > 4*h.params.Memory || p.Time > 4*h.params.Time {
		return false, fmt.Errorf("密码散列的参数（内存 %d KiB、%d 遍）超出本服务器允许的范围", p.Memory, p.Time)
	}
	if len(password) > 4*MaxPassword {
		return false, nil
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// VerifyNone costs what Verify costs and matches nothing: a login to an
// account that does not exist, or is disabled or locked, takes as long
// as one with a wrong password, and tells nothing by its time.
func (h *Hasher) VerifyNone(ctx context.Context, password string) error {
	h.dummy.once.Do(func() {
		h.dummy.hash, _ = h.Hash(context.Background(), NewPassword())
	})
	_, err := h.Verify(ctx, h.dummy.hash, password)
	return err
}

// parseHash reads $argon2id$v=19$m=…,t=…,p=…$salt$hash strictly.
func parseHash(hash string) (p Params, salt, key []byte, err error) {
	bad := func(what string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("密码散列的%s无法识别", what)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("格式")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("版本")
	}
	costs := strings.Split(parts[3], ",")
	if len(costs) != 3 {
		return bad("参数")
	}
	var v [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		num, ok := strings.CutPrefix(costs[i], name)
		if !ok {
			return bad("参数")
		}
		if v[i], err = strconv.ParseUint(num, 10, 32); err != nil {
			return bad("参数")
		}
	}
	if v[2] > maxThreads {
		return bad("参数")
	}
	p = Params{Memory: uint32(v[0]), Time: uint32(v[1]), Threads: uint8(v[2])}
	if !p.valid() {
		return bad("参数")
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	key, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(key) < 16 || len(key) > 64 {
		return bad("内容")
	}
	return p, salt, key, nil
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
