package auth

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// MinPasswordLen is the fewest characters (not bytes) a password may have.
const MinPasswordLen = 12

// MaxPasswordLen bounds a password, in bytes, so that no one hashes a
// megabyte.
const MaxPasswordLen = 1024

// commonPasswordsFile is zxcvbn's list of the 30,000 most common
// passwords (MIT licence; see gen_common_passwords.go for the source and
// how the file is made).
//
//go:embed common_passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 30000)
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			m[line] = struct{}{}
		}
	}
	return m
})

// IsCommonPassword reports whether pw, ignoring case, is in the shipped
// list of common passwords.
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(pw)]
	return ok
}

// CheckPassword says why pw may not be a password, or returns nil: it
// needs at least MinPasswordLen characters (counted as characters, so
// "é" is one), valid UTF-8, at most MaxPasswordLen bytes, and must not be
// a common password.
func CheckPassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return fmt.Errorf("the password is not valid UTF-8 text")
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Errorf("the password must have at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return fmt.Errorf("the password must have at most %d bytes", MaxPasswordLen)
	case IsCommonPassword(pw):
		return fmt.Errorf("that password is one of the most common ones; choose another")
	}
	return nil
}
