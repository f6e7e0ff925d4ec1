package clientaddr

import (
	"net/http/httptest"
	"testing"
)

func TestFunc(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:4000"
	r.Header.Add("X-Forwarded-For", "198.51.100.7, 203.0.113.9")
	if got := Func(false)(r); got != "127.0.0.1" {
		t.Errorf("untrusted proxy: %q, want the peer", got)
	}
	if got := Func(true)(r); got != "203.0.113.9" {
		t.Errorf("trusted proxy: %q, want the address the proxy appended", got)
	}
	r.Header.Set("X-Forwarded-For", "not an address")
	if got := Func(true)(r); got != "127.0.0.1" {
		t.Errorf("garbage header: %q, want the peer", got)
	}
	r.RemoteAddr = "no port"
	if got := Peer(r); got != "no port" {
		t.Errorf("Peer without port: %q", got)
	}
}

func TestKey(t *testing.T) {
	if Key("2001:db8:1:2:3:4:5:6") != Key("2001:db8:1:2:ffff::1") || Key("2001:db8:1:2::1") != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 /64: %q", Key("2001:db8:1:2::1"))
	}
	if Key("192.0.2.1") != "192.0.2.1" || Key("x") != "x" {
		t.Error("IPv4 or other keys changed")
	}
}
