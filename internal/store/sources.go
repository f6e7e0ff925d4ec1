package store

// Sources, articles and stories (issue 4, migration 00002_sources). The
// domain types live in internal/source; the methods are declared in the
// SourceStore interface, which Store embeds.
//
// For the web routes:
//
//	GET /api/v1/articles       -> ListArticles(ctx, ArticleFilter{...}) -> ArticlePage
//	GET /api/v1/articles/{id}  -> GetArticle(ctx, id)                   -> *source.Article (with html and text)
//	GET /api/v1/stories        -> ListStories(ctx, StoryFilter{...})    -> StoryPage
//	GET /api/v1/stories/{id}   -> GetStory(ctx, id)                     -> *source.Story (articles and timeline)
//	editor's desk "start a brief from a story": GetStory for the list,
//	then ListArticles(ctx, ArticleFilter{StoryID: id, WithText: true}) for
//	the archived texts to cite.
//
// All structs marshal to JSON as they are (see the json tags in
// internal/source).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"legists/internal/source"
)

// SourceStore keeps sources, their polling state, articles and stories.
type SourceStore interface {
	// AddSource subscribes to s.URL (s.Kind feed or page). It returns
	// the stored source; ErrConflict when the URL is already subscribed
	// (the existing source is returned with it); ErrInvalid for a URL that
	// is not absolute http(s) or an unknown kind. A new source is due at
	// once.
	AddSource(ctx context.Context, s source.Source) (*source.Source, error)
	GetSource(ctx context.Context, id int64) (*source.Source, error)
	// GetSourceByURL finds a source by its URL as stored (exact, then
	// canonical form).
	GetSourceByURL(ctx context.Context, url string) (*source.Source, error)
	// ListSources returns every source in order of id, with ArticleCount.
	ListSources(ctx context.Context) ([]source.Source, error)
	// RemoveSource unsubscribes. Its articles stay archived (their
	// SourceID becomes 0): briefs may cite them.
	RemoveSource(ctx context.Context, id int64) error

	// DueSources lists sources whose NextPollAt has come (every source
	// when all is true), claimed or not, soonest first.
	DueSources(ctx context.Context, now time.Time, all bool) ([]source.Source, error)
	// ClaimSource takes a lease on a source until `until` for owner,
	// unless another owner holds an unexpired lease. It reports whether
	// the lease was taken.
	ClaimSource(ctx context.Context, id int64, owner string, now, until time.Time) (bool, error)
	// RenewClaim extends owner's lease; false if owner no longer holds it.
	RenewClaim(ctx context.Context, id int64, owner string, until time.Time) (bool, error)
	// FinishPoll records a poll's outcome and releases owner's lease.
	// A NewURL that another source already has is ignored.
	FinishPoll(ctx context.Context, id int64, owner string, r source.PollResult) error

	// FindArticles returns, for each of a source's feed items (keys), the
	// article known by the source's GUID, else by the canonical form of
	// its link (as canonical URL, or as link: the first such article), in
	// one query: the result is parallel to keys, nil where none is known.
	// Text and HTML are not loaded.
	FindArticles(ctx context.Context, sourceID int64, keys []ArticleKey) ([]*source.Article, error)
	// SaveArticle stores an article idempotently in one transaction: the
	// same (source, GUID) or canonical URL updates the stored article
	// (SavedUpdated or SavedUnchanged); a text within
	// source.NearDuplicateDistance of an earlier one under another URL is
	// stored as a duplicate of the first copy (SavedDuplicate, joining its
	// story); anything else is SavedNew. ContentHash and SimHash are
	// computed here from Text. a.ID is a hint only: non-zero when the
	// caller found the article stored (it is then looked up before
	// anything else); zero when it found none (PostgreSQL then tries the
	// insert first). The result carries the stored ID either way.
	SaveArticle(ctx context.Context, a *source.Article) (source.SaveResult, error)
	// GetArticle returns one article with its HTML and text.
	GetArticle(ctx context.Context, id int64) (*source.Article, error)
	// ListArticles lists articles newest first (by published, else
	// fetched time).
	ListArticles(ctx context.Context, f ArticleFilter) (ArticlePage, error)

	// UnclusteredArticles returns up to limit articles (with text) that
	// are in no story and are not duplicates, oldest first.
	UnclusteredArticles(ctx context.Context, limit int) ([]source.Article, error)
	// StoryCandidates returns the stories active between from and to
	// (some article within the range), with their centroids.
	StoryCandidates(ctx context.Context, from, to time.Time) ([]source.Candidate, error)
	// AssignStory puts an article into story storyID (0: a new story
	// titled after the article), adds v to the story's centroid, and
	// moves the article's duplicates along. It returns the story's id.
	AssignStory(ctx context.Context, articleID, storyID int64, v source.Vector) (int64, error)
	// AssignStories does what AssignStory does for many articles in one
	// transaction (see StoryAssignment) and returns each one's story.
	AssignStories(ctx context.Context, as []StoryAssignment) ([]int64, error)
	// GetStory returns a story with its articles (oldest first,
	// duplicates included and marked) and timeline.
	GetStory(ctx context.Context, id int64) (*source.Story, error)
	// ListStories lists stories, most recently active first.
	ListStories(ctx context.Context, f StoryFilter) (StoryPage, error)
}

// ArticleFilter selects articles for a listing. Zero fields do not filter.
type ArticleFilter struct {
	SourceID int64
	StoryID  int64
	// Since and Until bound the article time (published, else fetched).
	Since time.Time
	Until time.Time
	// Q keeps articles whose title contains Q (case-insensitive for ASCII).
	Q string
	// Duplicates includes near-duplicates (left out by default).
	Duplicates bool
	// WithText loads HTML and Text (left out by default: listings are
	// light).
	WithText bool
	// Limit defaults to 50, at most 500.
	Limit int
	// Cursor continues a listing where the previous page stopped.
	Cursor string
}

// ArticlePage is a page of articles, newest first.
type ArticlePage struct {
	Articles []source.Article `json:"articles"`
	// Next is the cursor of the following page, empty on the last.
	Next string `json:"next,omitempty"`
}

// StoryFilter selects stories. Zero fields do not filter.
type StoryFilter struct {
	// Since keeps stories active (LastSeen) at or after Since.
	Since time.Time
	// MinArticles keeps stories with at least this many articles.
	MinArticles int
	// WithArticles fills each story's Articles and Timeline.
	WithArticles bool
	// Limit defaults to 50, at most 500.
	Limit  int
	Cursor string
}

// StoryPage is a page of stories, most recently active first.
type StoryPage struct {
	Stories []source.Story `json:"stories"`
	Next    string         `json:"next,omitempty"`
}

const sourceCols = `id, url, kind, title, site_url, feed_type, interval_seconds, created_at, etag, last_modified,
	last_polled_at, last_success_at, last_status, last_error, last_error_at, error_count, next_poll_at, claimed_until,
	fetch_pages`

func scanSource(sc interface{ Scan(...any) error }, extra ...any) (*source.Source, error) {
	var (
		s                                          source.Source
		kind, fetchPages                           string
		created, polled, success, errAt, next, clm dbTime
	)
	dest := []any{&s.ID, &s.URL, &kind, &s.Title, &s.SiteURL, &s.FeedType, &s.IntervalSeconds, &created,
		&s.ETag, &s.LastModified, &polled, &success, &s.LastStatus, &s.LastError, &errAt, &s.ErrorCount, &next, &clm, &fetchPages}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	s.Kind, s.FetchPages = source.Kind(kind), source.FetchPages(fetchPages)
	s.CreatedAt, s.NextPollAt = created.Time, next.Time
	s.LastPolledAt, s.LastSuccessAt, s.LastErrorAt, s.ClaimedUntil = polled.Ptr(), success.Ptr(), errAt.Ptr(), clm.Ptr()
	s.Status = s.State(time.Now())
	return &s, nil
}

// AddSource implements SourceStore.
func (s *db) AddSource(ctx context.Context, src source.Source) (*source.Source, error) {
	u, err := source.ParseURL(src.URL)
	if err != nil {
		return nil, fmt.Errorf("store: source URL %q: %w: %w", src.URL, ErrInvalid, err)
	}
	if src.Kind == "" {
		src.Kind = source.KindFeed
	}
	if !src.Kind.Valid() {
		return nil, fmt.Errorf("store: source kind %q: want feed or page: %w", src.Kind, ErrInvalid)
	}
	if src.FetchPages, err = source.ParseFetchPages(string(src.FetchPages)); err != nil {
		return nil, fmt.Errorf("store: source %s: %w: %w", src.URL, ErrInvalid, err)
	}
	src.URL = u.String()
	if existing, err := s.GetSourceByURL(ctx, src.URL); err == nil {
		return existing, fmt.Errorf("store: source %s is already subscribed (id %d): %w", src.URL, existing.ID, ErrConflict)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	now := s.now()
	var id int64
	err = s.write(ctx, func(tx runner) error {
		return tx.queryRow(ctx, `INSERT INTO sources (url, kind, title, site_url, feed_type, interval_seconds, created_at, next_poll_at, fetch_pages)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING RETURNING id`,
			src.URL, string(src.Kind), strings.TrimSpace(src.Title), src.SiteURL, src.FeedType, max(src.IntervalSeconds, 0),
			s.d.timeArg(now), s.d.timeArg(now), string(src.FetchPages)).Scan(&id)
	})
	if errors.Is(err, sql.ErrNoRows) {
		existing, gerr := s.GetSourceByURL(ctx, src.URL)
		if gerr != nil {
			return nil, gerr
		}
		return existing, fmt.Errorf("store: source %s is already subscribed (id %d): %w", src.URL, existing.ID, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("store: add source: %w", err)
	}
	return s.GetSource(ctx, id)
}

// GetSource implements SourceStore.
func (s *db) GetSource(ctx context.Context, id int64) (*source.Source, error) {
	var n int
	src, err := scanSource(s.reader().queryRow(ctx, `SELECT `+sourceCols+`,
		(SELECT count(*) FROM articles a WHERE a.source_id = sources.id) FROM sources WHERE id = ?`, id), &n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: source %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get source: %w", err)
	}
	src.ArticleCount = n
	return src, nil
}

func (s *db) countArticles(ctx context.Context, src *source.Source) error {
	return s.reader().queryRow(ctx, `SELECT count(*) FROM articles WHERE source_id = ?`, src.ID).Scan(&src.ArticleCount)
}

// GetSourceByURL implements SourceStore.
func (s *db) GetSourceByURL(ctx context.Context, rawURL string) (*source.Source, error) {
	rawURL = strings.TrimSpace(rawURL)
	src, err := scanSource(s.reader().queryRow(ctx, `SELECT `+sourceCols+` FROM sources WHERE url = ?`, rawURL))
	if errors.Is(err, sql.ErrNoRows) {
		// Not as typed: compare canonical forms.
		want, cerr := source.CanonicalURL(rawURL)
		if cerr != nil {
			return nil, fmt.Errorf("store: source %s: %w", rawURL, ErrNotFound)
		}
		all, lerr := s.ListSources(ctx)
		if lerr != nil {
			return nil, lerr
		}
		for i := range all {
			if c, _ := source.CanonicalURL(all[i].URL); c == want {
				return &all[i], nil
			}
		}
		return nil, fmt.Errorf("store: source %s: %w", rawURL, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get source: %w", err)
	}
	return src, s.countArticles(ctx, src)
}

// ListSources implements SourceStore.
func (s *db) ListSources(ctx context.Context) ([]source.Source, error) {
	out := []source.Source{}
	rows, err := s.reader().query(ctx, `SELECT `+sourceCols+`,
		(SELECT count(*) FROM articles a WHERE a.source_id = sources.id) FROM sources ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list sources: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		src, err := scanSource(rows, &n)
		if err != nil {
			return nil, fmt.Errorf("store: list sources: %w", err)
		}
		src.ArticleCount = n
		out = append(out, *src)
	}
	return out, rows.Err()
}

// RemoveSource implements SourceStore.
func (s *db) RemoveSource(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx runner) error {
		if _, err := tx.exec(ctx, `UPDATE articles SET source_id = NULL WHERE source_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM sources WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: source %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// DueSources implements SourceStore.
func (s *db) DueSources(ctx context.Context, now time.Time, all bool) ([]source.Source, error) {
	q := `SELECT ` + sourceCols + ` FROM sources`
	var args []any
	if !all {
		q += ` WHERE next_poll_at <= ?`
		args = append(args, s.d.timeArg(now))
	}
	rows, err := s.reader().query(ctx, q+` ORDER BY next_poll_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: due sources: %w", err)
	}
	defer rows.Close()
	out := []source.Source{}
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("store: due sources: %w", err)
		}
		out = append(out, *src)
	}
	return out, rows.Err()
}

// ClaimSource implements SourceStore.
func (s *db) ClaimSource(ctx context.Context, id int64, owner string, now, until time.Time) (bool, error) {
	var n int64
	err := s.write(ctx, func(tx runner) error {
		res, err := tx.exec(ctx, `UPDATE sources SET claimed_until = ?, claimed_by = ?
			WHERE id = ? AND (claimed_until IS NULL OR claimed_until <= ? OR claimed_by = ?)`,
			s.d.timeArg(until), owner, id, s.d.timeArg(now), owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: claim source %d: %w", id, err)
	}
	return n == 1, nil
}

// RenewClaim implements SourceStore.
func (s *db) RenewClaim(ctx context.Context, id int64, owner string, until time.Time) (bool, error) {
	var n int64
	err := s.write(ctx, func(tx runner) error {
		res, err := tx.exec(ctx, `UPDATE sources SET claimed_until = ? WHERE id = ? AND claimed_by = ?`,
			s.d.timeArg(until), id, owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: renew claim on source %d: %w", id, err)
	}
	return n == 1, nil
}

// FinishPoll implements SourceStore.
func (s *db) FinishPoll(ctx context.Context, id int64, owner string, r source.PollResult) error {
	at := r.At
	if at.IsZero() {
		at = s.now()
	}
	err := s.write(ctx, func(tx runner) error {
		if r.Interrupted {
			_, err := tx.exec(ctx, `UPDATE sources SET next_poll_at = ?,
				claimed_until = CASE WHEN claimed_by = ? THEN NULL ELSE claimed_until END,
				claimed_by = CASE WHEN claimed_by = ? THEN '' ELSE claimed_by END
				WHERE id = ?`, s.d.timeArg(r.NextPollAt), owner, owner, id)
			return err
		}
		q := `UPDATE sources SET last_polled_at = ?, last_status = ?, next_poll_at = ?,
			claimed_until = CASE WHEN claimed_by = ? THEN NULL ELSE claimed_until END,
			claimed_by = CASE WHEN claimed_by = ? THEN '' ELSE claimed_by END`
		args := []any{s.d.timeArg(at), r.Status, s.d.timeArg(r.NextPollAt), owner, owner}
		if r.OK {
			q += `, last_success_at = ?, last_error = '', error_count = 0`
			args = append(args, s.d.timeArg(at))
			if !r.KeepValidators {
				q += `, etag = ?, last_modified = ?`
				args = append(args, r.ETag, r.LastModified)
			}
		} else {
			q += `, last_error = ?, last_error_at = ?, error_count = error_count + 1`
			args = append(args, srcTruncate(r.Err, 1000), s.d.timeArg(at))
		}
		for _, f := range []struct{ col, v string }{{"title", r.Title}, {"site_url", r.SiteURL}, {"feed_type", r.FeedType}} {
			if f.v != "" {
				q += `, ` + f.col + ` = ?`
				args = append(args, srcTruncate(f.v, 500))
			}
		}
		if _, err := tx.exec(ctx, q+` WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		if r.NewURL != "" {
			// A permanent redirect: move the source unless another source
			// already has the new URL.
			if _, err := tx.exec(ctx, `UPDATE sources SET url = ? WHERE id = ?
				AND NOT EXISTS (SELECT 1 FROM sources o WHERE o.url = ?)`, r.NewURL, id, r.NewURL); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: finish poll of source %d: %w", id, err)
	}
	return nil
}

func srcTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
