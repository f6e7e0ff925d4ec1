// Package store keeps Legists' data in SQLite (the embedded default) or
// PostgreSQL, behind one interface. Each concern (briefs, firms, sources,
// subscribers, ...) lives in its own file; SQL is written once with ?
// placeholders and each dialect supplies what differs (placeholders,
// full-text search, migrations).
package store

import (
	"context"
	"errors"
	"time"

	"legists/internal/brief"
)

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// ErrInvalid is wrapped by every error about bad input (an empty slug, an
// unknown status, a malformed cursor, ...): errors.Is(err, ErrInvalid) means
// "the caller's fault", an HTTP 400, never a database problem.
var ErrInvalid = errors.New("invalid")

// SaveAction says what SaveBrief did.
type SaveAction string

// Save outcomes.
const (
	SaveCreated   SaveAction = "created"
	SaveUpdated   SaveAction = "updated"
	SaveUnchanged SaveAction = "unchanged"
)

// SaveOptions qualify a save.
type SaveOptions struct {
	// Author is recorded on the revision ("import" for the import command).
	Author string
	// Note is a free-text revision message.
	Note string
	// At, when set, is the time the save is recorded at (the brief's
	// creation or update time and its revision's), for content that comes
	// with a history of its own, such as the demo's briefs; default now.
	At time.Time
}

// SaveResult reports what a save did.
type SaveResult struct {
	Slug     string     `json:"slug"`
	Action   SaveAction `json:"action"`
	Revision int        `json:"revision"`
}

// Revision is one saved version of a brief. Every change keeps the earlier
// text.
type Revision struct {
	Number    int       `json:"number"`
	CreatedAt time.Time `json:"created_at"`
	Author    string    `json:"author"`
	Note      string    `json:"note,omitempty"`
	// Text is the brief in the editing format at that revision.
	Text string `json:"text"`
	// Hash is the hex SHA-256 of the brief's canonical JSON.
	Hash string `json:"hash"`
	// Brief is the brief as saved at that revision (its canonical JSON,
	// decoded), sources with their archived text included.
	Brief *brief.Brief `json:"brief,omitempty"`
}

// BriefFilter selects briefs for a listing. Zero fields do not filter.
// Dates apply to a brief's date: PublishedAt, or UpdatedAt when it has none;
// Since is inclusive and Until exclusive.
type BriefFilter struct {
	Status brief.Status // zero: every status
	Firm   string       // firm slug (a firm name is slugified first)
	Topic  string       // topic slug (a topic name is slugified first)
	Law    string       // slug of a legal instrument the brief cites (law.go)
	Since  time.Time
	Until  time.Time
	Limit  int // default DefaultLimit, at most MaxLimit
	// Cursor continues a listing where the previous page stopped.
	Cursor string
}

// Page sizes of listings and searches.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
)

// BriefPage is a page of a listing, newest first by PublishedAt (or
// UpdatedAt when unpublished). Briefs in listings and search hits carry their
// sources without the archived Text; GetBrief returns everything.
type BriefPage struct {
	Briefs []brief.Brief `json:"briefs"`
	// Next is the cursor of the following page, empty on the last.
	Next string `json:"next,omitempty"`
}

// SearchQuery is a full-text query over briefs with filters.
//
// Q is what a reader typed, in web-search syntax: words (all must match,
// stemmed), "quoted phrases", OR between alternatives and -word to exclude.
// Any text is accepted; nothing in it is a syntax error. A Q without any
// letter or digit matches every brief the filters let through, newest first.
// Title matches rank above body matches.
type SearchQuery struct {
	Q      string
	Firm   string // firm slug (a firm name is slugified first)
	Topic  string // topic slug (a topic name is slugified first)
	Since  time.Time
	Until  time.Time
	Status brief.Status // default: published
	Limit  int          // default DefaultLimit, at most MaxLimit
	Offset int
}

// SearchHit is one brief matched by a search.
type SearchHit struct {
	Brief brief.Brief `json:"brief"`
	// Snippet is plain text around the match; the matched terms are
	// wrapped in HighlightStart and HighlightEnd.
	Snippet string `json:"snippet"`
	// Rank is the relevance: higher is better; comparable only within one
	// result.
	Rank float64 `json:"rank"`
}

// Highlight markers in snippets: control characters that never occur in
// brief text, so a renderer can escape the snippet and then swap them for
// markup.
const (
	HighlightStart = "\x02"
	HighlightEnd   = "\x03"
)

// SearchResult is a page of hits and the total count.
type SearchResult struct {
	Hits []SearchHit `json:"hits"`
	// Total is the number of matches, counted up to a cap (1,000): with
	// more, Total is the cap and TotalCapped is set, and the hits end
	// at the cap.
	Total       int  `json:"total"`
	TotalCapped bool `json:"total_capped,omitempty"`
	// Suggestion, for a query that found nothing, is the query with its
	// words unknown to the index replaced by the nearest known ones
	// ("santcions" → "sanctions"); empty when there is none.
	Suggestion string `json:"suggestion,omitempty"`
}

// Store is everything Legists keeps. Both implementations pass the same
// test suite.
type Store interface {
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	Ping(ctx context.Context) error
	Close() error

	// SaveBrief creates or updates the brief with b.Slug in one
	// transaction, keeping the earlier text as a revision. Saving an
	// identical brief changes nothing. b is not modified; an empty Status
	// means draft; times are stored in UTC to the microsecond; sources are
	// kept in order of N. Bad input gives an error wrapping ErrInvalid.
	// See canonicalBrief for what "identical" means.
	SaveBrief(ctx context.Context, b *brief.Brief, opts SaveOptions) (SaveResult, error)
	// SaveBriefs is SaveBrief for many briefs in one transaction: all are
	// saved or none (much faster for imports; keep batches to a few
	// hundred, as the transaction holds SQLite's write lock).
	SaveBriefs(ctx context.Context, bs []*brief.Brief, opts SaveOptions) ([]SaveResult, error)
	GetBrief(ctx context.Context, slug string) (*brief.Brief, error)
	ListBriefs(ctx context.Context, f BriefFilter) (BriefPage, error)
	DeleteBrief(ctx context.Context, slug string) error
	Revisions(ctx context.Context, slug string) ([]Revision, error)
	SearchBriefs(ctx context.Context, q SearchQuery) (SearchResult, error)

	// Firms and topics: the directory and the taxonomy.
	UpsertFirms(ctx context.Context, firms []brief.Firm) error
	ListFirms(ctx context.Context) ([]brief.Firm, error)
	GetFirm(ctx context.Context, slug string) (*brief.Firm, error)
	UpsertTopics(ctx context.Context, topics []brief.Topic) error
	ListTopics(ctx context.Context) ([]brief.Topic, error)
	GetTopic(ctx context.Context, slug string) (*brief.Topic, error)

	// ---- Sources, articles and stories (issue 4; sources.go) ----
	SourceStore

	// ---- Editor's desk (issue 3; users.go, desk.go): users, sessions,
	// API tokens, audit log, scheduled publishing ----
	Desk

	// ---- Newsletter and events (issue 6; newsletter.go, events.go):
	// subscribers, the digest delivery ledger, events, settings ----
	Newsletter

	// ---- Legal instruments cited by briefs (issue 15; law.go) ----
	LawStore
}
