package ingest

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"legists/internal/source"
)

// FeedLink is a feed a web page advertises.
type FeedLink struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
	// Type is the media type it is announced as (application/rss+xml,
	// application/atom+xml, application/feed+json), or "" for a feed found
	// at a common path.
	Type string `json:"type,omitempty"`
}

// feedTypes are the media types of <link rel="alternate"> that announce a
// feed.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/rdf+xml":   true,
	"application/json":      false, // too vague: many pages announce JSON APIs
}

// CommonFeedPaths are where sites that do not announce their feed usually
// keep it.
var CommonFeedPaths = []string{"/feed", "/rss", "/feed.xml", "/atom.xml", "/index.xml"}

// maxDiscoverTokens bounds the work on one page.
const maxDiscoverTokens = 200000

// DiscoverFeeds returns the feeds an HTML page (UTF-8) announces with
// <link rel="alternate" type="application/rss+xml|atom+xml|feed+json"
// href="...">, in document order, absolute (against base, or the page's
// <base href>), http(s) only, without repeats.
func DiscoverFeeds(page []byte, base *url.URL) []FeedLink {
	var out []FeedLink
	seen := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(page))
	z.SetMaxBuf(1 << 20)
	for range maxDiscoverTokens {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // the end, or a token too long
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		if (a != atom.Link && a != atom.Base) || !hasAttr {
			continue
		}
		attrs := map[string]string{}
		for {
			k, v, more := z.TagAttr()
			key := strings.ToLower(string(k))
			if _, dup := attrs[key]; !dup {
				attrs[key] = strings.TrimSpace(string(v))
			}
			if !more {
				break
			}
		}
		if a == atom.Base {
			if u, err := url.Parse(attrs["href"]); err == nil && attrs["href"] != "" {
				if base != nil {
					u = base.ResolveReference(u)
				}
				if u.IsAbs() {
					base = u
				}
			}
			continue
		}
		typ := strings.ToLower(strings.TrimSpace(strings.SplitN(attrs["type"], ";", 2)[0]))
		if !hasToken(attrs["rel"], "alternate") || !feedTypes[typ] || attrs["href"] == "" {
			continue
		}
		abs := source.Resolve(base, attrs["href"])
		u, err := source.ParseURL(abs)
		if err != nil {
			continue
		}
		if key := u.String(); !seen[key] {
			seen[key] = true
			out = append(out, FeedLink{URL: key, Title: clean(attrs["title"]), Type: typ})
		}
	}
	return out
}
