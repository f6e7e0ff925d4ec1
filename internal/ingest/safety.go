package ingest

import (
	"net/netip"
	"strings"
)

// linkLocalError is the refusal of a link-local or cloud metadata address,
// which no flag allows. It is an ErrBlockedAddress.
type linkLocalError struct{}

func (linkLocalError) Error() string {
	return "address not allowed: link-local and cloud metadata addresses are refused, with --allow-private too"
}

func (linkLocalError) Is(target error) bool { return target == ErrBlockedAddress }

// ErrLinkLocalAddress refuses a fetch of a link-local or cloud metadata
// address whatever FetchConfig.AllowPrivate says; errors.Is(err,
// ErrBlockedAddress) holds for it.
var ErrLinkLocalAddress error = linkLocalError{}

// metadataAddrs are cloud metadata services outside the link-local
// ranges: AWS's IPv6 endpoint (in the unique-local fc00::/7) and
// Alibaba's (in the shared 100.64.0.0/10).
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// AlwaysBlockedAddr reports whether ip is link-local (169.254.0.0/16,
// fe80::/10, link-local multicast) or a cloud metadata address
// (169.254.169.254, fd00:ec2::254, ...): addresses no fetch may reach, even
// with private addresses allowed. Mapped, NAT64 and 6to4 forms are judged
// by the IPv4 address inside.
func AlwaysBlockedAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if v4, ok := embeddedIPv4(ip); ok {
		return AlwaysBlockedAddr(v4)
	}
	if !ip.IsValid() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() {
		return true
	}
	for _, m := range metadataAddrs {
		if ip == m {
			return true
		}
	}
	return false
}

// AddrAllowed is the fetcher's decision for one address: never a
// link-local or metadata address; loopback and private addresses only
// when allowPrivate (local use and tests); otherwise public unicast only.
func AddrAllowed(ip netip.Addr, allowPrivate bool) error {
	if AlwaysBlockedAddr(ip) {
		return ErrLinkLocalAddress
	}
	if !allowPrivate && BlockedAddr(ip) {
		return ErrBlockedAddress
	}
	return nil
}

// hostAllowed is AddrAllowed for a URL's host or a dialed address's host:
// an IP literal is judged as such; "localhost" names count as loopback;
// other names pass here (the dialer judges the addresses they resolve to).
func hostAllowed(host string, allowPrivate bool) error {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		if allowPrivate {
			return nil
		}
		return ErrBlockedAddress
	}
	if i := strings.IndexByte(h, '%'); i >= 0 { // zone
		h = h[:i]
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return nil
	}
	return AddrAllowed(ip, allowPrivate)
}

// embeddedIPv4 returns the IPv4 address inside a NAT64 (64:ff9b::/96) or
// 6to4 (2002::/16) address.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	if nat64.Contains(ip) {
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	}
	if b[0] == 0x20 && b[1] == 0x02 {
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// blockedPrefixes are the networks a fetch may not reach unless private
// addresses are allowed: this host, private networks, link-local (where
// cloud metadata services live), shared and reserved ranges, multicast.
var blockedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network"
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // carrier-grade NAT (Alibaba's metadata is here)
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local, cloud metadata 169.254.169.254
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"192.88.99.0/24",  // 6to4 relay
		"192.168.0.0/16",  // private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, broadcast
		"::/128",          // unspecified
		"::1/128",         // loopback
		"64:ff9b:1::/48",  // local NAT64
		"100::/64",        // discard
		"2001:db8::/32",   // documentation
		"fc00::/7",        // unique local (AWS metadata fd00:ec2::254)
		"fe80::/10",       // link-local
		"fec0::/10",       // site-local (deprecated)
		"ff00::/8",        // multicast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// blockedIP reports whether host, an IP address literal or a
// "localhost" name, is one a fetch may not reach without private
// addresses allowed. Other names are judged after resolution, by the
// dialer.
func blockedIP(host string) bool { return hostAllowed(host, false) != nil }

// BlockedAddr reports whether ip is loopback, private, link-local, a
// metadata address or otherwise not a public unicast address. IPv4 mapped
// into IPv6 (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are
// judged by the IPv4 address inside.
func BlockedAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if v4, ok := embeddedIPv4(ip); ok {
		return BlockedAddr(v4)
	}
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
