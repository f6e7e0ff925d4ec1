package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"legists/internal/source"
)

// DetectOptions tune Detect.
type DetectOptions struct {
	// Pick chooses, from 1, among several feeds a page announces. Zero:
	// the only one, and a *SeveralFeedsError when there are more.
	Pick int
}

// SeveralFeedsError is returned when a page announces several feeds and
// none was picked: the caller lists them and asks for one.
type SeveralFeedsError struct {
	Page  string
	Feeds []FeedLink
}

func (e *SeveralFeedsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s announces %d feeds; pick one:", e.Page, len(e.Feeds))
	for i, f := range e.Feeds {
		fmt.Fprintf(&b, "\n  %d. %s", i+1, f.URL)
		if f.Title != "" {
			fmt.Fprintf(&b, " (%s)", f.Title)
		}
	}
	return b.String()
}

// ErrUnreadable is wrapped by Detect's errors for an answer that is
// neither a feed nor a readable page.
var ErrUnreadable = errors.New("neither a feed nor a readable page")

// Detect fetches src.URL and fills in what a subscription needs: its kind
// (feed or page), its title unless already set, the feed's site URL and
// type, and the new URL after a permanent redirect. A page that announces
// a feed (<link rel="alternate">), or a site's home page (path "/") with a
// feed at a common path (CommonFeedPaths), becomes a subscription to that feed: src.URL is
// the feed's. It refuses, wrapping ErrUnreadable, an empty answer, XML or
// JSON that is not a feed, a feed that does not parse or declares an
// unknown encoding, HTML served as XML, and a page with no readable
// article. `legists sources add` and the desk's Sources page call it.
func Detect(ctx context.Context, cfg FetchConfig, src *source.Source, opts DetectOptions) error {
	f := NewFetcher(cfg)
	defer f.Close()
	resp, err := f.Fetch(ctx, Request{URL: src.URL})
	if err != nil {
		return fmt.Errorf("cannot fetch %s to tell a feed from a page: %w", src.URL, err)
	}
	if resp.PermanentURL != "" {
		src.URL = resp.PermanentURL
	}
	base, _ := url.Parse(resp.URL)
	if err := detectFeed(resp, base, src); !errors.Is(err, errNotAFeed) {
		return err
	}
	mt := mediaType(resp.ContentType)
	htmlPage := isHTML(resp.ContentType, resp.Body)
	xmlDoc := strings.HasSuffix(mt, "xml") || bytes.HasPrefix(bytes.TrimSpace(resp.Body), []byte("<?xml"))
	switch {
	case isXMLType(mt) && looksHTML(resp.Body):
		return unreadable(src.URL, "it is an HTML page served as %s", mt)
	case !htmlPage && xmlDoc:
		return unreadable(src.URL, "it is an XML document (root <%s>) that is not an RSS, Atom or JSON feed", xmlRoot(resp.Body))
	case !htmlPage:
		return unreadable(src.URL, "its answer is %s, not a feed or an HTML page", describeType(mt))
	}
	page, _ := DecodeHTML(resp.Body, resp.ContentType)
	feeds := DiscoverFeeds(page, base)
	ex, exErr := Extract(resp.Body, resp.ContentType, base)
	if len(feeds) == 0 && (base.Path == "" || base.Path == "/") {
		feeds = probeCommonPaths(ctx, f, base)
	}
	if len(feeds) > 0 {
		pick := opts.Pick
		switch {
		case pick == 0 && len(feeds) > 1:
			return &SeveralFeedsError{Page: src.URL, Feeds: feeds}
		case pick == 0:
			pick = 1
		case pick > len(feeds):
			return fmt.Errorf("%s announces %d feed(s): there is no feed %d to pick", src.URL, len(feeds), pick)
		}
		return detectLinkedFeed(ctx, f, feeds[pick-1], src)
	}
	if opts.Pick > 0 {
		return fmt.Errorf("%s announces no feed: there is no feed %d to pick", src.URL, opts.Pick)
	}
	if exErr != nil {
		return unreadable(src.URL, "it announces no feed and has no readable article (%v)", exErr)
	}
	src.Kind = source.KindPage
	if src.Title == "" {
		src.Title = ex.Title
	}
	return nil
}

var errNotAFeed = errors.New("not a feed")

// detectFeed fills src from a feed answer; errNotAFeed when it is none.
func detectFeed(resp *Response, base *url.URL, src *source.Source) error {
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		return unreadable(src.URL, "the answer is empty (%d bytes)", len(resp.Body))
	}
	if enc := xmlDeclaredEncoding(resp.Body); enc != "" && canonicalCharset(enc) == "" && bomEncoding(resp.Body) == "" {
		return unreadable(src.URL, "its XML declaration names encoding %q, which is not a known character encoding", enc)
	}
	utf8Body, _ := DecodeXML(resp.Body, resp.ContentType)
	isJSON := bytes.HasPrefix(bytes.TrimSpace(utf8Body), []byte("{"))
	if !LooksLikeFeed(utf8Body) || (isJSON && !bytes.Contains(utf8Body, []byte("jsonfeed.org/version"))) {
		if mt := mediaType(resp.ContentType); isJSON || strings.Contains(mt, "json") {
			return unreadable(src.URL, "it is JSON (%s) but not a JSON Feed", mt)
		}
		return errNotAFeed
	}
	feed, err := parseUTF8Feed(utf8Body, base)
	if err != nil {
		return unreadable(src.URL, "it looks like a feed but does not parse: %v", err)
	}
	src.Kind = source.KindFeed
	if src.Title == "" {
		src.Title = feed.Title
	}
	src.SiteURL, src.FeedType = feed.SiteURL, feed.Type
	return nil
}

// detectLinkedFeed subscribes src to a feed a page pointed to.
func detectLinkedFeed(ctx context.Context, f *Fetcher, link FeedLink, src *source.Source) error {
	resp, err := f.Fetch(ctx, Request{URL: link.URL, Accept: acceptFor(source.KindFeed)})
	if err != nil {
		return fmt.Errorf("%s announces the feed %s, which cannot be fetched: %w", src.URL, link.URL, err)
	}
	page := src.URL
	src.URL = link.URL
	if resp.PermanentURL != "" {
		src.URL = resp.PermanentURL
	}
	base, _ := url.Parse(resp.URL)
	if err := detectFeed(resp, base, src); err != nil {
		if errors.Is(err, errNotAFeed) {
			return unreadable(link.URL, "%s announces it as its feed, but it is not one", page)
		}
		return err
	}
	return nil
}

// probeCommonPaths looks for a feed at the site's CommonFeedPaths, and
// returns the first found.
func probeCommonPaths(ctx context.Context, f *Fetcher, page *url.URL) []FeedLink {
	for _, p := range CommonFeedPaths {
		u := &url.URL{Scheme: page.Scheme, Host: page.Host, Path: p}
		resp, err := f.Fetch(ctx, Request{URL: u.String(), Accept: acceptFor(source.KindFeed)})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			continue
		}
		body, _ := DecodeXML(resp.Body, resp.ContentType)
		if LooksLikeFeed(body) {
			return []FeedLink{{URL: resp.URL}}
		}
	}
	return nil
}

func unreadable(u, format string, args ...any) error {
	return fmt.Errorf("%s is %w: %s", u, ErrUnreadable, fmt.Sprintf(format, args...))
}

func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	return mt
}

func describeType(mt string) string {
	if mt == "" {
		return "of no declared type"
	}
	return mt
}

// isXMLType: a media type of XML that is not XHTML.
func isXMLType(mt string) bool {
	return (mt == "text/xml" || mt == "application/xml" || strings.HasSuffix(mt, "+xml")) && mt != "application/xhtml+xml"
}

// looksHTML: the body starts like an HTML document.
func looksHTML(body []byte) bool {
	head := bytes.ToLower(body[:min(len(body), 1024)])
	return bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype html")) ||
		bytes.Contains(head, []byte("<head")) || bytes.Contains(head, []byte("<body"))
}

// xmlRoot is the name of the first element of an XML document ("?" when
// none is found).
func xmlRoot(body []byte) string {
	s := body[:min(len(body), 4096)]
	for {
		i := bytes.IndexByte(s, '<')
		if i < 0 || i+1 >= len(s) {
			return "?"
		}
		s = s[i+1:]
		if s[0] == '?' || s[0] == '!' {
			continue
		}
		end := bytes.IndexAny(s, " \t\r\n/>")
		if end <= 0 {
			return "?"
		}
		return string(s[:end])
	}
}
