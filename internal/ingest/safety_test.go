package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"legists/internal/ingest/ingesttest"
)

// The address decision: link-local and metadata addresses are refused
// whatever the flag; loopback and private ones only without it.
func TestAddrAllowed(t *testing.T) {
	always := []string{"169.254.169.254", "169.254.0.1", "169.254.255.255", "fe80::1", "fe80::a9fe:a9fe", "febf::1",
		"fd00:ec2::254", "100.100.100.200", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "224.0.0.251", "ff02::1"}
	for _, s := range always {
		for _, allow := range []bool{false, true} {
			if err := AddrAllowed(netip.MustParseAddr(s), allow); !errors.Is(err, ErrLinkLocalAddress) || !errors.Is(err, ErrBlockedAddress) {
				t.Errorf("%s (allow private %v): %v, want refused as link-local or metadata", s, allow, err)
			}
		}
	}
	private := []string{"127.0.0.1", "::1", "10.0.0.1", "192.168.1.1", "172.16.0.1", "fd00::1", "100.64.0.1", "::ffff:127.0.0.1"}
	for _, s := range private {
		if err := AddrAllowed(netip.MustParseAddr(s), false); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("%s without the flag: %v", s, err)
		}
		if err := AddrAllowed(netip.MustParseAddr(s), true); err != nil {
			t.Errorf("%s with --allow-private: %v, want allowed", s, err)
		}
	}
	for _, s := range []string{"93.184.216.34", "2606:4700:4700::1111"} {
		for _, allow := range []bool{false, true} {
			if err := AddrAllowed(netip.MustParseAddr(s), allow); err != nil {
				t.Errorf("public %s: %v", s, err)
			}
		}
	}
	for host, want := range map[string]error{"[fe80::1%25eth0]": ErrLinkLocalAddress, "fe80::1%eth0": ErrLinkLocalAddress,
		"169.254.169.254": ErrLinkLocalAddress, "localhost": nil, "[::1]": nil, "example.org": nil} {
		if err := hostAllowed(host, true); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Errorf("host %s with the flag: %v, want %v", host, err, want)
		}
	}
}

// With --allow-private, the fetcher still refuses link-local and metadata
// addresses: the dialer before it connects (Control runs before the
// connect call, so no packet leaves this host), and the redirect policy
// before it follows a loopback server's redirect there. Loopback is still
// reached.
func TestFetchRefusesLinkLocalWithAllowPrivate(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	f := NewFetcher(FetchConfig{AllowPrivate: true, Timeout: 2 * time.Second})
	defer f.Close()
	ctx := context.Background()
	if _, err := f.Fetch(ctx, Request{URL: srv.URLOf("/feeds/rss2.xml")}); err != nil {
		t.Fatalf("loopback with --allow-private: %v", err)
	}
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest/meta-data/",
		"http://[fe80::1]/", "http://169.254.1.1:8080/x", "http://[::ffff:169.254.169.254]/"} {
		_, err := f.Fetch(ctx, Request{URL: u})
		if !errors.Is(err, ErrLinkLocalAddress) {
			t.Errorf("%s with --allow-private: %v, want the link-local refusal", u, err)
		}
	}
	// A redirect from loopback to the metadata service.
	req, _ := http.NewRequest("GET", "http://169.254.169.254/latest/meta-data/", nil)
	prev, _ := http.NewRequest("GET", srv.URLOf("/"), nil)
	if err := f.checkRedirect(req, []*http.Request{prev}); !errors.Is(err, ErrLinkLocalAddress) {
		t.Errorf("redirect to the metadata address with --allow-private: %v", err)
	}
}
