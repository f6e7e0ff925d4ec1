// Package clientaddr finds the address of the client behind a request. It
// is the one place that decides whether a reverse proxy's header is
// believed: the desk's login throttle, the audit log and the newsletter's
// rate limits all ask it, so they agree on who the client is.
package clientaddr

import (
	"net"
	"net/http"
	"strings"
)

// Peer is the connection's remote address, without the port.
func Peer(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Forwarded is the client address for a site behind one reverse proxy: the
// address the proxy appended to X-Forwarded-For (the last entry of the
// last header), else the peer address. Use it only behind such a proxy:
// without one, the header is the client's to forge.
func Forwarded(r *http.Request) string {
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		parts := strings.Split(xff[len(xff)-1], ",")
		if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
			return ip.String()
		}
	}
	return Peer(r)
}

// Func returns the client-address function for the trusted-proxy setting:
// Forwarded when the site is behind a reverse proxy it trusts, Peer
// otherwise.
func Func(trustProxy bool) func(*http.Request) string {
	if trustProxy {
		return Forwarded
	}
	return Peer
}

// Key is the rate-limit key of a client address: IPv6 addresses by their
// /64 (one line usually holds a whole /64), others as they are.
func Key(ip string) string {
	p := net.ParseIP(ip)
	if p == nil || p.To4() != nil {
		return ip
	}
	return p.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
