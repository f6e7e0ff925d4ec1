package ingest

import (
	"net/netip"
	"strings"
)

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

// blockedIP reports whether host, an IP address literal, is one a fetch may
// not reach. Names are not resolved here (the dialer checks the resolved
// addresses); a name that is not an IP literal is blocked only when it is
// "localhost" or ends in ".localhost".
func blockedIP(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	if i := strings.IndexByte(h, '%'); i >= 0 { // zone
		h = h[:i]
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	return BlockedAddr(ip)
}

// BlockedAddr reports whether ip is loopback, private, link-local, a
// metadata address or otherwise not a public unicast address. IPv4 mapped
// into IPv6 (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are
// judged by the IPv4 address inside.
func BlockedAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		if netip.MustParsePrefix("64:ff9b::/96").Contains(ip) {
			return BlockedAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		}
		// 6to4 (2002::/16) embeds an IPv4 address in bits 16-48.
		if b[0] == 0x20 && b[1] == 0x02 {
			return BlockedAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
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
