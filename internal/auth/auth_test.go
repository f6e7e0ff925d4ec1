package auth

import (
	"strings"
	"testing"

	"legists/internal/brief"
)

func TestPasswordHash(t *testing.T) {
	old := DefaultParams
	DefaultParams = Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	defer func() { DefaultParams = old }()
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %s", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("no salt")
	}
	if ok, err := VerifyPassword(h, "correct horse battery"); !ok || err != nil {
		t.Errorf("verify: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword(h, "correct horse batterY"); ok {
		t.Error("wrong password accepted")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=18$m=1024,t=1,p=1$AA$AA", "$argon2id$v=19$m=0,t=1,p=1$AA$AA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AA"} {
		if _, err := VerifyPassword(bad, "x"); err != ErrBadHash {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// Hashes made with other parameters still verify.
	DefaultParams = Params{Memory: 2048, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	if ok, _ := VerifyPassword(h, "correct horse battery"); !ok {
		t.Error("old parameters")
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) < 40 {
		t.Errorf("tokens %q %q", a, b)
	}
	if HashToken(a) == HashToken(b) || len(HashToken(a)) != 64 {
		t.Error("hash")
	}
	if !Equal("x", "x") || Equal("", "") || Equal("x", "y") {
		t.Error("Equal")
	}
}

func TestRoles(t *testing.T) {
	cases := []struct {
		r    brief.Role
		p    Permission
		want bool
	}{
		{brief.RoleAuthor, PermWrite, true}, {brief.RoleAuthor, PermPublish, false}, {brief.RoleAuthor, PermAdmin, false},
		{brief.RoleEditor, PermPublish, true}, {brief.RoleEditor, PermAdmin, false},
		{brief.RoleAdmin, PermAdmin, true}, {"", PermWrite, false},
	}
	for _, c := range cases {
		if got := Can(c.r, c.p); got != c.want {
			t.Errorf("Can(%s, %d) = %v", c.r, c.p, got)
		}
	}
}
