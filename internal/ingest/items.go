package ingest

import (
	"context"
	"fmt"
	"legists/internal/source"
	"legists/internal/store"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"
)

// A feed's items: each stored, its linked page fetched (as the source's
// page policy says) and extracted, titles cleaned.

// pollItems stores a feed's items, fetching their pages with a small pool.
func (p *Poller) pollItems(ctx context.Context, src source.Source, feed *Feed, c *source.IngestCounts, log *slog.Logger) {
	var mu sync.Mutex
	// At most PagesPerSource pages of the feed are fetched at once; an
	// item whose page is in waits for the store without holding a fetch
	// (up to savesPerFetch items a fetch slot), so that the next pages
	// come in while the store commits.
	sem := make(chan struct{}, savesPerFetch*p.cfg.PagesPerSource)
	fetching := make(chan struct{}, p.cfg.PagesPerSource)
	var wg sync.WaitGroup
	publisher := feed.Title
	for start := 0; start < len(feed.Items) && ctx.Err() == nil; start += lookupBatch {
		items := feed.Items[start:min(start+lookupBatch, len(feed.Items))]
		// What is known of these items, in one query.
		keys := make([]store.ArticleKey, len(items))
		for i, it := range items {
			keys[i] = store.ArticleKey{GUID: it.GUID, Link: it.Link}
		}
		known, err := p.st.FindArticles(ctx, src.ID, keys)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			log.Error("ingest: lookup failed", "items", len(items), "err", err)
			mu.Lock()
			for range items {
				c.Items++
				c.PageFailed()
			}
			mu.Unlock()
			continue
		}
		for i, it := range items {
			if ctx.Err() != nil {
				break
			}
			mu.Lock()
			c.Items++
			mu.Unlock()
			sem <- struct{}{}
			wg.Add(1)
			go func(it Item, known *source.Article) {
				defer func() { <-sem; wg.Done() }()
				var local source.IngestCounts
				p.pollItem(ctx, src, publisher, it, known, fetching, &local, log)
				mu.Lock()
				c.Add(local)
				mu.Unlock()
			}(it, known[i])
		}
	}
	wg.Wait()
}

// lookupBatch is the number of a feed's items looked up in the store at
// once.
const lookupBatch = 500

// savesPerFetch is how many of a feed's items may be in hand (fetched or
// waiting to be) for each page fetched at once.
const savesPerFetch = 4

// fetchPolicy is the source's page policy, else the run's.
func (p *Poller) fetchPolicy(src source.Source) source.FetchPages {
	if src.FetchPages != source.FetchPagesDefault {
		return src.FetchPages
	}
	return p.cfg.FetchPages
}

// pollItem stores one item, known the article already stored for it (nil
// for a new one).
func (p *Poller) pollItem(ctx context.Context, src source.Source, publisher string, it Item, known *source.Article, fetching chan struct{}, c *source.IngestCounts, log *slog.Logger) {
	policy := p.fetchPolicy(src)
	now := p.cfg.Now()
	if known != nil {
		changed := it.Updated != nil && it.Updated.After(known.FetchedAt)
		if !changed {
			if known.FullText || it.Link == "" || policy == source.FetchPagesNever {
				return
			}
			if known.PageRetryAt != nil && now.Before(*known.PageRetryAt) {
				return // its page failed lately: backing off
			}
		}
	}
	feedHTML, feedText := HTMLToText(firstNonEmpty(it.Content, it.Summary))
	a := &source.Article{
		SourceID: src.ID, GUID: it.GUID, URL: it.Link, CanonicalURL: it.Link, Title: it.Title,
		Publisher: publisher, Author: it.Author, PublishedAt: it.Published, ModifiedAt: it.Updated,
		FetchedAt: now, HTML: feedHTML, Text: feedText,
	}
	if known != nil {
		a.ID = known.ID // the store looks it up before anything else
	}
	if a.Title == "" {
		a.Title = TitleFromText(feedText)
	}
	if a.Publisher == "" {
		if u, err := url.Parse(it.Link); err == nil {
			a.Publisher = u.Hostname()
		}
	}
	fullInFeed := p.cfg.FeedContentWords > 0 && len(strings.Fields(feedText)) >= p.cfg.FeedContentWords
	if it.Link == "" || policy == source.FetchPagesNever || (policy == source.FetchPagesAuto && fullInFeed) {
		// The feed's own text: no page to fetch, or none wanted.
		a.FullText = fullInFeed
		a.Excerpt = excerpt(feedText)
		if a.Text == "" {
			a.Text = a.Title
		}
		if it.Link == "" {
			c.NoLink++
		}
		p.save(ctx, a, c, log)
		return
	}
	fetching <- struct{}{}
	resp, err := p.fetch.Fetch(ctx, Request{URL: it.Link, Accept: acceptFor(source.KindPage)})
	if err == nil && !isHTML(resp.ContentType, resp.Body) {
		err = fmt.Errorf("%s: not an HTML page (%s)", resp.URL, resp.ContentType)
	}
	if err == nil {
		base, _ := url.Parse(resp.URL)
		var full *source.Article
		full, err = p.pageArticle(src, resp, base, a)
		if err == nil {
			a = full
		}
	}
	<-fetching
	if err != nil {
		if ctx.Err() != nil {
			return // interrupted: the next run reads the item again
		}
		// Keep the item with the feed's text; its page is tried again
		// after a backoff, at the first poll that lists it then.
		c.PageFailed()
		a.PageErrors = 1
		if known != nil {
			a.PageErrors = known.PageErrors + 1
		}
		retry := now.Add(source.PageBackoff(a.PageErrors))
		a.PageRetryAt = &retry
		log.Warn("ingest: article page failed; keeping the feed's text", "link", it.Link, "err", err,
			"errors_in_a_row", a.PageErrors, "next", retry)
		if a.Text == "" {
			a.Text = a.Title
		}
		a.Excerpt = excerpt(a.Text)
	}
	p.save(ctx, a, c, log)
}

// TitleFromText is the title of an item that has none: the first words of
// its text, at most titleWords of them or 80 characters, with an ellipsis
// when cut.
func TitleFromText(text string) string {
	const titleWords, titleRunes = 12, 80
	first, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	words := strings.Fields(first)
	var b strings.Builder
	cut := false
	for i, w := range words {
		if i == titleWords || utf8.RuneCountInString(b.String())+1+utf8.RuneCountInString(w) > titleRunes {
			cut = true
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	if b.Len() == 0 && len(words) > 0 {
		r := []rune(words[0])
		b.WriteString(string(r[:min(len(r), titleRunes)]))
		cut = len(r) > titleRunes || len(words) > 1
	}
	if cut {
		b.WriteString("…")
	}
	return b.String()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func excerpt(text string) string {
	para, _, _ := strings.Cut(text, "\n")
	r := []rune(para)
	if len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return para
}

func isHTML(contentType string, body []byte) bool {
	ct := strings.ToLower(contentType)
	if strings.Contains(ct, "html") {
		return true
	}
	if ct == "" || strings.HasPrefix(ct, "text/plain") || strings.HasPrefix(ct, "application/octet-stream") {
		head := strings.ToLower(string(body[:min(len(body), 512)]))
		return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html")
	}
	return false
}

// pageArticle builds an article from a fetched page; item carries what the
// feed said (nil for a page source).
func (p *Poller) pageArticle(src source.Source, resp *Response, base *url.URL, item *source.Article) (*source.Article, error) {
	ex, err := Extract(resp.Body, resp.ContentType, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", resp.URL, err)
	}
	a := &source.Article{SourceID: src.ID, FetchedAt: p.cfg.Now(), FullText: true}
	if item != nil {
		cp := *item
		a = &cp
		a.FullText = true
	} else {
		a.GUID = src.URL
		a.URL = src.URL
	}
	a.CanonicalURL = firstNonEmpty(ex.Canonical, resp.URL)
	a.HTML, a.Text = ex.HTML, ex.Text
	if a.Title == "" {
		a.Title = ex.Title
	}
	if ex.SiteName != "" {
		a.Publisher = ex.SiteName
	} else if a.Publisher == "" {
		a.Publisher = base.Hostname()
	}
	if ex.Byline != "" {
		a.Author = ex.Byline
	}
	a.Language = ex.Language
	a.Excerpt = ex.Excerpt
	if a.PublishedAt == nil {
		a.PublishedAt = ex.Published
	}
	if a.ModifiedAt == nil {
		a.ModifiedAt = ex.Modified
	}
	if a.Title == "" {
		a.Title = TitleFromText(a.Text)
	}
	if a.Title == "" {
		a.Title = a.CanonicalURL
	}
	return a, nil
}

// save stores an article, counts the outcome and clusters a new article.
func (p *Poller) save(ctx context.Context, a *source.Article, c *source.IngestCounts, log *slog.Logger) {
	r, err := p.st.SaveArticle(ctx, a)
	if err != nil {
		if ctx.Err() == nil {
			c.PageFailed()
			log.Error("ingest: cannot store article", "url", a.URL, "guid", a.GUID, "err", err)
		}
		return
	}
	switch r.Outcome {
	case source.SavedNew:
		p.cfg.Observer.ArticleSaved("new")
		c.New++
		a.ID = r.ID
		if err := p.cluster(ctx, a); err != nil && ctx.Err() == nil {
			log.Error("ingest: clustering failed", "article", r.ID, "err", err)
		}
	case source.SavedDuplicate:
		p.cfg.Observer.ArticleSaved("duplicate")
		c.Duplicates++
		log.Debug("ingest: near-duplicate", "article", r.ID, "of", r.DuplicateOf, "distance", r.Distance)
	case source.SavedUpdated:
		p.cfg.Observer.ArticleSaved("updated")
		c.Updated++
	}
}
