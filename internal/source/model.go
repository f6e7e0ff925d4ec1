// Package source is the domain of Legists' news intake: the sources an
// editor subscribes to (feeds and single pages), the articles read from them,
// and the stories that group articles about the same event. It canonicalises
// URLs, fingerprints text for near-duplicate detection (SimHash), clusters
// articles into stories (incremental TF-IDF cosine) and reads and writes
// OPML subscription lists. It imports no database, network or web code.
package source

import (
	"fmt"
	"strings"
	"time"

	"legists/internal/brief"
)

// Kind says how a source is read.
type Kind string

// Source kinds.
const (
	// KindFeed is an RSS (0.9x, 1.0, 2.0), Atom (0.3, 1.0) or JSON Feed
	// (1.0, 1.1) document whose items link to articles.
	KindFeed Kind = "feed"
	// KindPage is a single web page that is itself the article.
	KindPage Kind = "page"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindFeed || k == KindPage }

// Status is a source's state as shown to an operator.
type Status string

// Source states, derived from the polling fields (see Source.State).
const (
	StatusPending Status = "pending" // never polled
	StatusOK      Status = "ok"      // the last poll succeeded
	StatusError   Status = "error"   // the last poll failed; backing off
	StatusRunning Status = "running" // claimed by a worker whose lease has not expired
)

// DefaultInterval is how often a source is polled unless it says otherwise.
const DefaultInterval = 15 * time.Minute

// Source is a subscription: a feed or a single page.
type Source struct {
	ID   int64  `json:"id"`
	URL  string `json:"url"`
	Kind Kind   `json:"kind"`
	// Title is the feed's or page's title, from the last successful poll
	// or from an OPML import.
	Title string `json:"title"`
	// SiteURL is the web site the feed belongs to, when it says.
	SiteURL string `json:"site_url,omitempty"`
	// FeedType is the detected format and version, "rss 2.0", "atom 1.0",
	// "json 1.1", ...; empty for pages.
	FeedType string `json:"feed_type,omitempty"`
	// IntervalSeconds is the polling period; zero means DefaultInterval.
	IntervalSeconds int `json:"interval_seconds,omitempty"`
	// FetchPages says whether the pages its items link to are fetched;
	// empty: as the ingest run says (--fetch-pages).
	FetchPages FetchPages `json:"fetch_pages,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	// Conditional GET validators from the last answer with content.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`

	LastPolledAt  *time.Time `json:"last_polled_at,omitempty"`
	LastSuccessAt *time.Time `json:"last_success_at,omitempty"`
	// LastStatus is the HTTP status of the last poll (0: no answer).
	LastStatus int `json:"last_status,omitempty"`
	// LastError is the error of the last failed poll; cleared by a
	// success.
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	// ErrorCount is the number of consecutive failed polls; the backoff
	// grows with it.
	ErrorCount int `json:"error_count"`
	// NextPollAt is when the source is due again.
	NextPollAt time.Time `json:"next_poll_at"`
	// ClaimedUntil is the lease of the worker polling the source now; a
	// lease that has passed is void (its worker died), so a source can
	// never stay "running".
	ClaimedUntil *time.Time `json:"claimed_until,omitempty"`

	// ArticleCount is filled by listings: articles stored from the source.
	ArticleCount int `json:"article_count"`
	// Status is State at the time the source was read from the store.
	Status Status `json:"status"`
}

// FetchPages says when the page an item links to is fetched for its text.
type FetchPages string

// Page fetching policies.
const (
	// FetchPagesDefault (on a source): as the ingest run says.
	FetchPagesDefault FetchPages = ""
	// FetchPagesAuto fetches the page unless the item carries its full
	// text in the feed.
	FetchPagesAuto FetchPages = "auto"
	// FetchPagesAlways fetches every item's page.
	FetchPagesAlways FetchPages = "always"
	// FetchPagesNever keeps the feed's own text.
	FetchPagesNever FetchPages = "never"
)

// ParseFetchPages reads auto, always or never ("" is FetchPagesDefault).
func ParseFetchPages(s string) (FetchPages, error) {
	switch f := FetchPages(strings.ToLower(strings.TrimSpace(s))); f {
	case FetchPagesDefault, FetchPagesAuto, FetchPagesAlways, FetchPagesNever:
		return f, nil
	}
	return "", fmt.Errorf("fetch pages %q: want auto, always or never", s)
}

// Interval is the polling period: IntervalSeconds or DefaultInterval.
func (s *Source) Interval() time.Duration {
	if s.IntervalSeconds <= 0 {
		return DefaultInterval
	}
	return time.Duration(s.IntervalSeconds) * time.Second
}

// State derives the operator-facing status at time now.
func (s *Source) State(now time.Time) Status {
	switch {
	case s.ClaimedUntil != nil && s.ClaimedUntil.After(now):
		return StatusRunning
	case s.LastPolledAt == nil:
		return StatusPending
	case s.LastError != "":
		return StatusError
	}
	return StatusOK
}

// Backoff is the delay before retrying a source that has failed n times in
// a row (n >= 1): one minute doubled per failure, at most a day.
func Backoff(n int) time.Duration {
	const base, max = time.Minute, 24 * time.Hour
	if n < 1 {
		n = 1
	}
	if n > 20 {
		return max
	}
	d := base << (n - 1)
	if d > max {
		d = max
	}
	return d
}

// PageBackoff is the delay before fetching again an article page that has
// failed n times in a row (n >= 1): Backoff(n) times five, from five
// minutes to a day, so that a dead host costs one timeout now and then
// rather than one per poll.
func PageBackoff(n int) time.Duration { return min(5*Backoff(n), 24*time.Hour) }

// PollResult is what one poll of a source learnt; the store writes it and
// releases the source's claim in the same statement.
type PollResult struct {
	// At is when the poll started.
	At time.Time
	// Status is the HTTP status (0 when no answer came).
	Status int
	// OK is true for an answer with content or a 304.
	OK bool
	// Err describes the failure when !OK.
	Err string
	// NewURL is set when a permanent redirect moved the source.
	NewURL string
	// Title, SiteURL and FeedType update the source when not empty.
	Title    string
	SiteURL  string
	FeedType string
	// ETag and LastModified replace the stored validators when OK (an
	// empty value clears it, a 304 keeps the old ones: set KeepValidators).
	ETag           string
	LastModified   string
	KeepValidators bool
	// NextPollAt is when the source is due again (backoff included).
	NextPollAt time.Time
	// Interrupted: the run stopped (its deadline or a shutdown) before the
	// source answered. The claim is released and the source is due again
	// at NextPollAt; its status, validators and error count stay as they
	// were, since the source did nothing wrong.
	Interrupted bool
}

// Article is one piece of news read from a source, archived with its
// readable text.
type Article struct {
	ID int64 `json:"id"`
	// SourceID is the source it came from; 0 once that source was removed.
	SourceID int64 `json:"source_id,omitempty"`
	// GUID is the feed item's identifier (its link when it has none; the
	// page URL for a page source).
	GUID string `json:"guid"`
	// URL is the link as the feed gave it; CanonicalURL is the page's own
	// canonical address with tracking parameters removed. Articles are
	// unique on CanonicalURL.
	URL          string `json:"url"`
	CanonicalURL string `json:"canonical_url"`
	Title        string `json:"title"`
	Publisher    string `json:"publisher,omitempty"`
	Author       string `json:"author,omitempty"`
	Language     string `json:"language,omitempty"`
	Excerpt      string `json:"excerpt,omitempty"`
	// PublishedAt and ModifiedAt come from the feed or the page's metadata.
	PublishedAt *time.Time `json:"published_at,omitempty"`
	ModifiedAt  *time.Time `json:"modified_at,omitempty"`
	// FetchedAt is when the text was archived; UpdatedAt when the row last
	// changed.
	FetchedAt time.Time `json:"fetched_at"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// HTML is the readable article, sanitised; Text the same as plain text.
	// Both are omitted from listings.
	HTML string `json:"html,omitempty"`
	Text string `json:"text,omitempty"`
	// FullText is false when the page could not be read and Text is the
	// feed's summary.
	FullText bool `json:"full_text"`
	// ContentHash is the hex SHA-256 of Text.
	ContentHash string `json:"content_hash"`
	// SimHash is the 64-bit fingerprint of Text (see SimHash).
	SimHash Fingerprint `json:"simhash"`
	// DuplicateOf is the first copy of this text when the article is a
	// near-duplicate (a reprint under another URL).
	DuplicateOf *int64 `json:"duplicate_of,omitempty"`
	// StoryID is the story the article was clustered into.
	StoryID *int64 `json:"story_id,omitempty"`
	// PageErrors counts the failed fetches of the article's page in a row;
	// PageRetryAt is when the page may be fetched again (nil: whenever a
	// poll lists the item). See PageBackoff.
	PageErrors  int        `json:"page_errors,omitempty"`
	PageRetryAt *time.Time `json:"page_retry_at,omitempty"`
}

// BriefSource is the article as source number n of a brief: its canonical
// URL, title, publisher, fetch time, archived text and content hash.
func (a *Article) BriefSource(n int) brief.Source {
	fetched := a.FetchedAt
	return brief.Source{N: n, URL: a.CanonicalURL, Title: a.Title, Publisher: a.Publisher,
		FetchedAt: &fetched, Text: a.Text, ContentHash: a.ContentHash}
}

// Time is the article's time on a timeline: published, else fetched.
func (a *Article) Time() time.Time {
	if a.PublishedAt != nil && !a.PublishedAt.IsZero() {
		return *a.PublishedAt
	}
	return a.FetchedAt
}

// SaveOutcome says what saving an article did.
type SaveOutcome string

// Save outcomes.
const (
	// SavedNew: a new article was stored.
	SavedNew SaveOutcome = "new"
	// SavedUpdated: the same GUID or canonical URL was known and its text
	// or metadata changed.
	SavedUpdated SaveOutcome = "updated"
	// SavedUnchanged: known, nothing changed.
	SavedUnchanged SaveOutcome = "unchanged"
	// SavedDuplicate: the text is a copy of an article already stored
	// under another URL; the copy is recorded with DuplicateOf set.
	SavedDuplicate SaveOutcome = "duplicate"
)

// SaveResult reports what saving an article did.
type SaveResult struct {
	Outcome SaveOutcome `json:"outcome"`
	ID      int64       `json:"id"`
	// DuplicateOf is the first copy when Outcome is SavedDuplicate.
	DuplicateOf int64 `json:"duplicate_of,omitempty"`
	// Distance is the Hamming distance to that copy.
	Distance int `json:"distance,omitempty"`
}

// Story groups articles about the same event.
type Story struct {
	ID int64 `json:"id"`
	// Title is the headline of the story's first article.
	Title string `json:"title"`
	// Terms are the story's most weighty terms, best first.
	Terms []string `json:"terms,omitempty"`
	// FirstSeen and LastSeen bound its articles' times.
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// ArticleCount counts its articles, near-duplicates excluded.
	ArticleCount int `json:"article_count"`
	// Articles (oldest first) and Timeline are filled by GetStory, and
	// by listings that ask for them.
	Articles []ArticleSummary `json:"articles,omitempty"`
	Timeline []TimelineEntry  `json:"timeline,omitempty"`
}

// ArticleSummary is an article without its text, for listings.
type ArticleSummary struct {
	ID           int64      `json:"id"`
	SourceID     int64      `json:"source_id,omitempty"`
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	Title        string     `json:"title"`
	Publisher    string     `json:"publisher,omitempty"`
	Author       string     `json:"author,omitempty"`
	Excerpt      string     `json:"excerpt,omitempty"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
	FetchedAt    time.Time  `json:"fetched_at"`
	ContentHash  string     `json:"content_hash"`
	DuplicateOf  *int64     `json:"duplicate_of,omitempty"`
	StoryID      *int64     `json:"story_id,omitempty"`
}

// Summary returns a without its text.
func (a *Article) Summary() ArticleSummary {
	return ArticleSummary{
		ID: a.ID, SourceID: a.SourceID, URL: a.URL, CanonicalURL: a.CanonicalURL,
		Title: a.Title, Publisher: a.Publisher, Author: a.Author, Excerpt: a.Excerpt,
		PublishedAt: a.PublishedAt, FetchedAt: a.FetchedAt, ContentHash: a.ContentHash,
		DuplicateOf: a.DuplicateOf, StoryID: a.StoryID,
	}
}

// TimelineEntry is one dated event of a story: an article appearing.
type TimelineEntry struct {
	At        time.Time `json:"at"`
	ArticleID int64     `json:"article_id"`
	Title     string    `json:"title"`
	Publisher string    `json:"publisher,omitempty"`
	URL       string    `json:"url"`
	// Duplicate marks a reprint of an earlier entry.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Timeline builds a story's timeline from its articles, oldest first.
func Timeline(articles []ArticleSummary) []TimelineEntry {
	out := make([]TimelineEntry, 0, len(articles))
	for _, a := range articles {
		at := a.FetchedAt
		if a.PublishedAt != nil && !a.PublishedAt.IsZero() {
			at = *a.PublishedAt
		}
		out = append(out, TimelineEntry{At: at, ArticleID: a.ID, Title: a.Title,
			Publisher: a.Publisher, URL: a.CanonicalURL, Duplicate: a.DuplicateOf != nil})
	}
	sortTimeline(out)
	return out
}

// IngestCounts are the contract's counts of an ingest run (the Ingest JSON
// shape), extended with updated, skipped and items.
type IngestCounts struct {
	// Sources polled.
	Sources int `json:"sources"`
	// Fetched: sources that answered with content.
	Fetched int `json:"fetched"`
	// NotModified: sources that answered 304.
	NotModified int `json:"not_modified"`
	// New articles stored.
	New int `json:"new"`
	// Duplicates: items recognised as copies of an article already stored.
	Duplicates int `json:"duplicates"`
	// Errors: sources or items that failed, FeedErrors + PageErrors (the
	// contract's figure).
	Errors int `json:"errors"`
	// FeedErrors: sources whose fetch or feed failed (the source backs
	// off).
	FeedErrors int `json:"feed_errors"`
	// PageErrors: items whose page could not be fetched or read (kept
	// with the feed's text; the page backs off) or that could not be
	// stored.
	PageErrors int `json:"page_errors"`
	// NoLink: items stored without an http(s) link (known by their GUID
	// or their text), counted in New, Updated or Duplicates as well.
	NoLink int `json:"no_link"`
	// Updated: known articles whose text or metadata changed.
	Updated int `json:"updated"`
	// Items read from feeds (known or not).
	Items int `json:"items"`
	// Skipped: due sources left alone because another live worker holds
	// them.
	Skipped int `json:"skipped"`
}

// FeedFailed counts a failed source.
func (c *IngestCounts) FeedFailed() { c.FeedErrors++; c.Errors++ }

// PageFailed counts an item whose page failed or that was not stored.
func (c *IngestCounts) PageFailed() { c.PageErrors++; c.Errors++ }

// Add adds o to c.
func (c *IngestCounts) Add(o IngestCounts) {
	c.Sources += o.Sources
	c.Fetched += o.Fetched
	c.NotModified += o.NotModified
	c.New += o.New
	c.Duplicates += o.Duplicates
	c.Errors += o.Errors
	c.FeedErrors += o.FeedErrors
	c.PageErrors += o.PageErrors
	c.NoLink += o.NoLink
	c.Updated += o.Updated
	c.Items += o.Items
	c.Skipped += o.Skipped
}
