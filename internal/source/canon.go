package source

import (
	"errors"
	"net"
	"net/url"
	"sort"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// never the page: they are removed from canonical URLs. Keys are lower case;
// parameters starting with a prefix of trackingPrefixes go too.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true,
	"wbraid": true, "msclkid": true, "yclid": true, "twclid": true, "ttclid": true,
	"li_fat_id": true, "igshid": true, "igsh": true, "mc_cid": true, "mc_eid": true,
	"_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true, "__hstc": true,
	"__hssc": true, "__hsfp": true, "hsctatracking": true, "mkt_tok": true,
	"vero_id": true, "vero_conv": true, "oly_anon_id": true, "oly_enc_id": true,
	"rb_clickid": true, "s_cid": true, "ocid": true, "cmpid": true, "icid": true,
	"wt.mc_id": true, "wt_mc": true, "ref_src": true, "ref_url": true,
	"spm": true, "scid": true, "sr_share": true, "at_medium": true,
	"at_campaign": true, "at_custom1": true, "at_custom2": true,
	"at_custom3": true, "at_custom4": true, "ncid": true, "cid_source": true,
	"smid": true, "smtyp": true, "xtor": true, "__twitter_impression": true,
	"_branch_match_id": true, "ito": true, "taid": true, "mbid": true,
}

var trackingPrefixes = []string{"utm_", "pk_", "mtm_", "hsa_", "itm_", "ga_"}

// IsTrackingParam reports whether a query parameter only tracks a visit.
func IsTrackingParam(key string) bool {
	k := strings.ToLower(key)
	if trackingParams[k] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// ErrBadURL is returned for a URL that is not an absolute http(s) URL.
var ErrBadURL = errors.New("not an absolute http or https URL")

// ParseURL parses an absolute http or https URL, trimming surrounding space.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Hostname(), ".") == "" {
		return nil, ErrBadURL
	}
	return u, nil
}

// CanonicalURL returns the canonical form of an absolute http(s) URL: lower
// case scheme and host, no default port, no user info, no fragment, "/" for
// an empty path, tracking parameters (utm_*, fbclid, gclid, ...) removed and
// the remaining query sorted by key. Two links to the same page compare
// equal after it.
func CanonicalURL(raw string) (string, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return "", err
	}
	return canonical(u), nil
}

// Canonical is CanonicalURL for a parsed URL; u is not modified.
func Canonical(u *url.URL) string {
	c := *u
	c.Scheme = strings.ToLower(c.Scheme)
	return canonical(&c)
}

func canonical(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	host = strings.TrimRight(host, ".")
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	out := url.URL{Scheme: u.Scheme, Host: host, Path: u.Path, RawPath: u.RawPath}
	if out.Path == "" {
		out.Path = "/"
		out.RawPath = ""
	}
	if u.RawQuery != "" {
		out.RawQuery = cleanQuery(u.RawQuery)
	}
	return out.String()
}

// cleanQuery drops tracking parameters and sorts the rest by key, keeping
// the order of repeated keys and the original encoding of each pair.
func cleanQuery(raw string) string {
	type pair struct{ key, raw string }
	var kept []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if IsTrackingParam(key) {
			continue
		}
		kept = append(kept, pair{key, escapeQueryPart(part)})
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].key < kept[j].key })
	parts := make([]string, len(kept))
	for i, p := range kept {
		parts[i] = p.raw
	}
	return strings.Join(parts, "&")
}

// Resolve resolves ref against base and returns the absolute URL string,
// or "" when ref is empty or either is not a URL.
func Resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		r = base.ResolveReference(r)
	}
	if !r.IsAbs() {
		return ""
	}
	return r.String()
}

// escapeQueryPart percent-encodes the bytes that may not appear raw in a
// query, leaving valid escapes and characters as they were.
func escapeQueryPart(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		case c <= ' ' || c >= 0x7f || strings.IndexByte("\"#%<>\\^`{|}", c) >= 0:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
