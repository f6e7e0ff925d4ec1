package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"legists/internal/source"
)

// Feed is a parsed feed, formats and versions unified.
type Feed struct {
	Title   string
	SiteURL string
	// Type is the format and version: "rss 2.0", "rss 1.0", "rss 0.91",
	// "atom 1.0", "atom 0.3", "json 1.1", ...
	Type  string
	Items []Item
}

// Item is one entry of a feed.
type Item struct {
	// GUID is the item's id; its link, or a hash of its title and date,
	// when it has none.
	GUID string
	// Link is the absolute URL of the item's page ("" when it has none).
	Link    string
	Title   string
	Author  string
	Summary string // HTML or text, as the feed gives it
	Content string // full content (content:encoded, atom:content, content_html)
	// Published and Updated are nil when the feed does not say.
	Published *time.Time
	Updated   *time.Time
}

// ErrNotFeed is returned for a document that is not RSS, Atom or JSON Feed.
var ErrNotFeed = errors.New("not an RSS, Atom or JSON feed")

// LooksLikeFeed reports whether a body (UTF-8 or not) is a feed rather
// than a web page: its root element is rss, RDF or feed, or it is a JSON
// object.
func LooksLikeFeed(body []byte) bool {
	head := body
	if len(head) > 4096 {
		head = head[:4096]
	}
	return gofeed.DetectFeedType(bytes.NewReader(head)) != gofeed.FeedTypeUnknown
}

// ParseFeed parses a feed fetched from base with the given Content-Type
// header. Relative links are resolved against the feed's address.
func ParseFeed(body []byte, contentType string, base *url.URL) (*Feed, error) {
	utf8Body, _ := DecodeXML(body, contentType)
	return parseUTF8Feed(utf8Body, base)
}

func parseUTF8Feed(body []byte, base *url.URL) (*Feed, error) {
	p := gofeed.NewParser()
	gf, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, ErrNotFeed
		}
		return nil, fmt.Errorf("feed: %w", err)
	}
	return convertFeed(gf, base), nil
}

func convertFeed(gf *gofeed.Feed, base *url.URL) *Feed {
	version := gf.FeedVersion
	if gf.FeedType == "json" {
		// "https://jsonfeed.org/version/1.1" -> "1.1"
		if i := strings.LastIndex(version, "/version/"); i >= 0 {
			version = version[i+len("/version/"):]
		}
		if version == "1" {
			version = "1.0"
		}
	}
	f := &Feed{
		Title: cleanTitle(gf.Title, gf.FeedType),
		Type:  strings.TrimSpace(gf.FeedType + " " + version),
	}
	if site := source.Resolve(base, gf.Link); site != "" {
		f.SiteURL = site
	}
	seen := map[string]bool{}
	for _, gi := range gf.Items {
		if gi == nil {
			continue
		}
		it := Item{
			Title:   cleanTitle(gi.Title, gf.FeedType),
			Summary: gi.Description,
			Content: gi.Content,
		}
		link := gi.Link
		if link == "" && len(gi.Links) > 0 {
			link = gi.Links[0]
		}
		if link == "" && isHTTPURL(gi.GUID) {
			link = gi.GUID
		}
		it.Link = source.Resolve(base, link)
		if _, err := source.ParseURL(it.Link); err != nil {
			it.Link = ""
		}
		it.Author = itemAuthors(gi, gf.FeedType)
		it.Published = validTime(gi.PublishedParsed)
		it.Updated = validTime(gi.UpdatedParsed)
		if it.Published == nil {
			it.Published = it.Updated
		}
		it.GUID = strings.TrimSpace(gi.GUID)
		if it.GUID == "" {
			it.GUID = it.Link
		}
		if it.GUID == "" {
			h := sha256.New()
			h.Write([]byte(it.Title + "\x00" + gi.Published + "\x00" + it.Summary))
			it.GUID = "sha256:" + hex.EncodeToString(h.Sum(nil))[:32]
		}
		if len(it.GUID) > 2000 {
			it.GUID = it.GUID[:2000]
		}
		if seen[it.GUID] {
			continue
		}
		seen[it.GUID] = true
		f.Items = append(f.Items, it)
	}
	return f
}

func isHTTPURL(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// validTime drops zero and absurd dates (before 1990 or more than two days
// ahead).
func validTime(t *time.Time) *time.Time {
	if t == nil || t.IsZero() || t.Year() < 1990 || t.After(time.Now().Add(48*time.Hour)) {
		return nil
	}
	v := t.UTC()
	return &v
}

// clean collapses white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// itemAuthors is every author of an item, in order, without repeats,
// joined by ", ".
func itemAuthors(gi *gofeed.Item, feedType string) string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		n = cleanTitle(n, feedType)
		if k := strings.ToLower(n); n != "" && !seen[k] {
			seen[k] = true
			names = append(names, n)
		}
	}
	for _, a := range gi.Authors {
		if a != nil {
			add(a.Name)
		}
	}
	if gi.Author != nil {
		add(gi.Author.Name)
	}
	if gi.DublinCoreExt != nil {
		for _, c := range gi.DublinCoreExt.Creator {
			add(c)
		}
	}
	return strings.Join(names, ", ")
}

// cleanTitle makes a title plain text, keeping every word of it. The XML
// parser has already decoded one level of entities. A JSON Feed title is
// plain text by its specification. RSS and Atom titles are text or HTML
// (Atom type="html", RSS by custom, often escaped twice), and which one is
// not reliably said: inline formatting tags (<b>, <em>, <a>, ...) are
// dropped and entities decoded once more, so "Harrow Lane &amp; Obuya"
// and "Why x&lt;y" read "Harrow Lane & Obuya" and "Why x<y"; anything else
// in angle brackets ("x<y and a>b", "<script>", "</example>") is text and
// stays. Pages escape titles again when they show them.
func cleanTitle(s, feedType string) string {
	if feedType == "json" || !strings.ContainsAny(s, "<&") {
		return clean(s)
	}
	t := stripInlineTags(s)
	if strings.TrimSpace(t) == "" {
		t = s // nothing but markup: keep it as text
	}
	return clean(html.UnescapeString(t))
}

// inlineTags are the HTML elements that format a line of text.
var inlineTags = map[string]bool{"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "big": true,
	"br": true, "cite": true, "code": true, "del": true, "dfn": true, "em": true, "font": true, "i": true,
	"ins": true, "kbd": true, "mark": true, "q": true, "s": true, "samp": true, "small": true, "span": true,
	"strike": true, "strong": true, "sub": true, "sup": true, "time": true, "tt": true, "u": true, "var": true, "wbr": true}

// stripInlineTags removes start and end tags of inlineTags; any other <
// is text.
func stripInlineTags(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		if n := inlineTagLen(s[i:]); n > 0 {
			s = s[i+n:]
			continue
		}
		b.WriteByte('<')
		s = s[i+1:]
	}
}

// inlineTagLen is the length of the inline tag s starts with, or 0.
func inlineTagLen(s string) int {
	j := 1
	if j < len(s) && s[j] == '/' {
		j++
	}
	k := j
	for k < len(s) && ('a' <= s[k]|0x20 && s[k]|0x20 <= 'z') {
		k++
	}
	if k == j || !inlineTags[strings.ToLower(s[j:k])] || k == len(s) {
		return 0
	}
	switch s[k] {
	case '>':
		return k + 1
	case ' ', '\t', '\n', '\r', '/':
		end := strings.IndexByte(s[k:], '>')
		if end < 0 || strings.IndexByte(s[k:k+end], '<') >= 0 {
			return 0
		}
		return k + end + 1
	}
	return 0
}
