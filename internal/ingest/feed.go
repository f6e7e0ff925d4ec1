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
		Title: cleanTitle(gf.Title),
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
			Title:   cleanTitle(gi.Title),
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
		if len(gi.Authors) > 0 && gi.Authors[0] != nil {
			it.Author = clean(gi.Authors[0].Name)
		} else if gi.Author != nil {
			it.Author = clean(gi.Author.Name)
		}
		if it.Author == "" && gi.DublinCoreExt != nil && len(gi.DublinCoreExt.Creator) > 0 {
			it.Author = clean(gi.DublinCoreExt.Creator[0])
		}
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

// cleanTitle makes a feed title plain text. Titles are often HTML (Atom
// type="html", and many RSS feeds escape twice), so tags are dropped and
// entities decoded once: "Harrow Lane &amp; Obuya" reads "Harrow Lane &
// Obuya", and pages escape it again when they show it.
func cleanTitle(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = html.UnescapeString(stripTags(s))
	}
	return clean(s)
}

// stripTags removes anything between < and > that looks like a tag.
func stripTags(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 || i+1 >= len(s) || !(s[i+1] == '/' || s[i+1] == '!' || ('a' <= s[i+1]|0x20 && s[i+1]|0x20 <= 'z')) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		s = s[i+j+1:]
	}
}
