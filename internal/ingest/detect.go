package ingest

import (
	"context"
	"fmt"
	"net/url"

	"legists/internal/source"
)

// Detect fetches src.URL once and fills in what a subscription needs: its
// kind (feed or page) unless already set, its title unless already set, the
// feed's site URL and type, and the new URL after a permanent redirect.
// `legists sources add` and the desk's Sources page call it before storing
// a source whose kind the user did not give.
func Detect(ctx context.Context, cfg FetchConfig, src *source.Source) error {
	f := NewFetcher(cfg)
	defer f.Close()
	resp, err := f.Fetch(ctx, Request{URL: src.URL})
	if err != nil {
		return fmt.Errorf("cannot fetch %s to tell a feed from a page: %w", src.URL, err)
	}
	base, _ := url.Parse(resp.URL)
	if resp.PermanentURL != "" {
		src.URL = resp.PermanentURL
	}
	if LooksLikeFeed(resp.Body) {
		feed, err := ParseFeed(resp.Body, resp.ContentType, base)
		if err != nil {
			return fmt.Errorf("%s looks like a feed but does not parse: %w", src.URL, err)
		}
		src.Kind = source.KindFeed
		if src.Title == "" {
			src.Title = feed.Title
		}
		src.SiteURL, src.FeedType = feed.SiteURL, feed.Type
		return nil
	}
	src.Kind = source.KindPage
	if src.Title == "" {
		if ex, err := Extract(resp.Body, resp.ContentType, base); err == nil {
			src.Title = ex.Title
		}
	}
	return nil
}
