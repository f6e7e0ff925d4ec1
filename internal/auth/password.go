// Package auth is the editor's desk's security: argon2id password hashes,
// login sessions kept in the store behind an HttpOnly cookie, per-session
// CSRF tokens, per-user API tokens, roles and a login throttle.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters. The defaults follow RFC 9106's
// second recommendation scaled to a small server: 64 MiB, 3 passes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// DefaultParams hash new passwords. Tests may lower them.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// ErrBadHash is returned for a stored hash that is not argon2id PHC.
var ErrBadHash = errors.New("auth: malformed password hash")

// HashPassword returns an argon2id hash of pw in PHC string format:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<key>. It waits for a hashing slot
// (see Hashing) and returns ErrBusy when none frees up in time.
func HashPassword(pw string) (string, error) {
	release, err := Hashing.Acquire()
	if err != nil {
		return "", err
	}
	defer release()
	return hashPassword(pw)
}

// hashPassword is HashPassword without waiting for a slot.
func hashPassword(pw string) (string, error) {
	p := DefaultParams
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	returnHashMemory(p.Memory) // before the next hash takes the slot
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the PHC-encoded hash, in time
// independent of where the two differ. Like HashPassword it runs in a
// hashing slot, and returns ErrBusy when none frees up in time.
func VerifyPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, ErrBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 {
		return false, ErrBadHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	if m > maxMemory || t > maxTime || len(want) > 128 {
		return false, ErrBadHash
	}
	release, err := Hashing.Acquire()
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	returnHashMemory(m)
	release()
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Bounds on the parameters of a stored hash, so that a tampered row cannot
// make one login allocate gigabytes.
const (
	maxMemory = 1 << 20 // KiB: 1 GiB
	maxTime   = 20
)

// dummyHash is verified against when a login names an unknown user, so
// that unknown and known emails take the same time. It is made once per
// Manager, outside the hashing slots, so that a busy server cannot leave
// it empty (and unknown emails fast).
var dummyHash = func() string {
	h, _ := hashPassword("legists-dummy-password")
	return h
}

// NewToken returns a random URL-safe token carrying 256 bits.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is how session and API tokens are kept: hex SHA-256.
func HashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return len(a) > 0 && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
