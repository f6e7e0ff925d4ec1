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
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
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

	// FindArticle returns the article known by the source's GUID, or by
	// the canonical form of its link (as link or as canonical URL), or
	// ErrNotFound. Text and HTML are not loaded.
	FindArticle(ctx context.Context, sourceID int64, guid, link string) (*source.Article, error)
	// SaveArticle stores an article idempotently in one transaction: the
	// same (source, GUID) or canonical URL updates the stored article
	// (SavedUpdated or SavedUnchanged); a text within
	// source.NearDuplicateDistance of an earlier one under another URL is
	// stored as a duplicate of the first copy (SavedDuplicate, joining its
	// story); anything else is SavedNew. ContentHash and SimHash are
	// computed here from Text; a.ID is ignored.
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
	last_polled_at, last_success_at, last_status, last_error, last_error_at, error_count, next_poll_at, claimed_until`

func scanSource(sc interface{ Scan(...any) error }, extra ...any) (*source.Source, error) {
	var (
		s                                          source.Source
		kind                                       string
		created, polled, success, errAt, next, clm dbTime
	)
	dest := []any{&s.ID, &s.URL, &kind, &s.Title, &s.SiteURL, &s.FeedType, &s.IntervalSeconds, &created,
		&s.ETag, &s.LastModified, &polled, &success, &s.LastStatus, &s.LastError, &errAt, &s.ErrorCount, &next, &clm}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	s.Kind = source.Kind(kind)
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
	src.URL = u.String()
	if existing, err := s.GetSourceByURL(ctx, src.URL); err == nil {
		return existing, fmt.Errorf("store: source %s is already subscribed (id %d): %w", src.URL, existing.ID, ErrConflict)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	now := s.now()
	var id int64
	err = s.write(ctx, func(tx runner) error {
		return tx.queryRow(ctx, `INSERT INTO sources (url, kind, title, site_url, feed_type, interval_seconds, created_at, next_poll_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING RETURNING id`,
			src.URL, string(src.Kind), strings.TrimSpace(src.Title), src.SiteURL, src.FeedType, max(src.IntervalSeconds, 0),
			s.d.timeArg(now), s.d.timeArg(now)).Scan(&id)
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

// Article columns: articleCols without the text, articleTextCols with.
const (
	articleMeta = `a.id, coalesce(a.source_id, 0), a.guid, a.url, a.canonical_url, a.title, a.publisher, a.author,
	a.language, a.excerpt, a.published_at, a.modified_at, a.fetched_at, a.updated_at, a.full_text, a.content_hash,
	a.simhash, a.duplicate_of, a.story_id`
	articleCols     = articleMeta + `, '', ''`
	articleTextCols = articleMeta + `, a.html, a.text`
)

func scanArticle(sc interface{ Scan(...any) error }) (*source.Article, error) {
	var (
		a                      source.Article
		pub, mod, fetched, upd dbTime
		sim                    int64
		dup, story             sql.NullInt64
		fullText               bool
		htmlText, plainText    string
	)
	if err := sc.Scan(&a.ID, &a.SourceID, &a.GUID, &a.URL, &a.CanonicalURL, &a.Title, &a.Publisher, &a.Author,
		&a.Language, &a.Excerpt, &pub, &mod, &fetched, &upd, &fullText, &a.ContentHash, &sim, &dup, &story,
		&htmlText, &plainText); err != nil {
		return nil, err
	}
	a.PublishedAt, a.ModifiedAt, a.FetchedAt, a.UpdatedAt = pub.Ptr(), mod.Ptr(), fetched.Time, upd.Time
	a.FullText, a.HTML, a.Text = fullText, htmlText, plainText
	a.SimHash = source.Fingerprint(uint64(sim))
	if dup.Valid {
		a.DuplicateOf = &dup.Int64
	}
	if story.Valid {
		a.StoryID = &story.Int64
	}
	return &a, nil
}

// FindArticle implements SourceStore.
func (s *db) FindArticle(ctx context.Context, sourceID int64, guid, link string) (*source.Article, error) {
	r := s.reader()
	if guid != "" && sourceID != 0 {
		a, err := scanArticle(r.queryRow(ctx, `SELECT `+articleCols+` FROM articles a WHERE a.source_id = ? AND a.guid = ?`, sourceID, guid))
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: find article: %w", err)
		}
	}
	if key, err := source.CanonicalURL(link); err == nil {
		a, err := scanArticle(r.queryRow(ctx, `SELECT `+articleCols+` FROM articles a
			WHERE a.canonical_url = ? OR a.link_key = ? ORDER BY a.id LIMIT 1`, key, key))
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: find article: %w", err)
		}
	}
	return nil, fmt.Errorf("store: article %q: %w", guid, ErrNotFound)
}

// GetArticle implements SourceStore.
func (s *db) GetArticle(ctx context.Context, id int64) (*source.Article, error) {
	a, err := scanArticle(s.reader().queryRow(ctx, `SELECT `+articleTextCols+` FROM articles a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: article %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get article: %w", err)
	}
	return a, nil
}

// SaveArticle implements SourceStore.
func (s *db) SaveArticle(ctx context.Context, in *source.Article) (source.SaveResult, error) {
	a := *in
	canon, err := source.CanonicalURL(a.CanonicalURL)
	if err != nil {
		if canon, err = source.CanonicalURL(a.URL); err != nil {
			return source.SaveResult{}, fmt.Errorf("store: article %q has no http(s) URL: %w", a.Title, ErrInvalid)
		}
	}
	a.CanonicalURL = canon
	linkKey, err := source.CanonicalURL(a.URL)
	if err != nil {
		linkKey = canon
		a.URL = canon
	}
	if a.GUID == "" {
		a.GUID = a.URL
	}
	if strings.ContainsRune(a.Text, 0) || strings.ContainsRune(a.HTML, 0) || strings.ContainsRune(a.Title, 0) {
		return source.SaveResult{}, fmt.Errorf("store: article %s contains a NUL character: %w", canon, ErrInvalid)
	}
	words := source.Words(a.Text)
	a.ContentHash = source.ContentHash(a.Text)
	a.SimHash = source.SimHashWords(words)
	comparable := len(words) >= source.MinDedupeWords
	if a.FetchedAt.IsZero() {
		a.FetchedAt = s.now()
	}
	now := s.now()
	sortAt := a.Time()
	var bands [source.BandCount]any
	if comparable {
		for i, b := range a.SimHash.Bands() {
			bands[i] = b
		}
	}
	var srcID any
	if a.SourceID != 0 {
		srcID = a.SourceID
	}
	var res source.SaveResult
	err = s.write(ctx, func(tx runner) error {
		for attempt := 0; ; attempt++ {
			res = source.SaveResult{}
			// 1. Known by GUID within the source, or by canonical URL.
			var (
				id                int64
				hash, title       string
				oldSrc            sql.NullInt64
				pub, mod          dbTime
				author, publisher string
				oldFull, byURL    bool
			)
			const known = `SELECT id, content_hash, title, source_id, published_at, modified_at, author, publisher, full_text FROM articles`
			err := sql.ErrNoRows
			if a.SourceID != 0 {
				err = tx.queryRow(ctx, known+` WHERE source_id = ? AND guid = ?`+s.d.forUpdate, a.SourceID, a.GUID).
					Scan(&id, &hash, &title, &oldSrc, &pub, &mod, &author, &publisher, &oldFull)
			}
			if errors.Is(err, sql.ErrNoRows) {
				byURL = true
				err = tx.queryRow(ctx, known+` WHERE canonical_url = ?`+s.d.forUpdate, canon).
					Scan(&id, &hash, &title, &oldSrc, &pub, &mod, &author, &publisher, &oldFull)
			}
			if err == nil {
				res.ID = id
				// The same page listed by another source: the first source's
				// record stands (two feeds with two headlines for one page
				// must not overwrite each other at every poll), unless only
				// this one has the full text.
				otherSource := byURL && oldSrc.Valid && oldSrc.Int64 != a.SourceID
				if otherSource && (oldFull || !a.FullText) {
					res.Outcome = source.SavedUnchanged
					return nil
				}
				if hash == a.ContentHash && title == a.Title && author == a.Author && publisher == a.Publisher &&
					srcTimesEqual(pub.Ptr(), a.PublishedAt) && srcTimesEqual(mod.Ptr(), a.ModifiedAt) {
					res.Outcome = source.SavedUnchanged
					if !oldSrc.Valid && a.SourceID != 0 {
						// The article's source was removed and re-added.
						_, err = tx.exec(ctx, `UPDATE articles SET source_id = ? WHERE id = ? AND NOT EXISTS
							(SELECT 1 FROM articles o WHERE o.source_id = ? AND o.guid = ?)`, a.SourceID, id, a.SourceID, a.GUID)
					}
					return err
				}
				res.Outcome = source.SavedUpdated
				_, err = tx.exec(ctx, `UPDATE articles SET title = ?, publisher = ?, author = ?, language = ?, excerpt = ?,
					published_at = ?, modified_at = ?, fetched_at = ?, updated_at = ?, sort_at = ?, html = ?, text = ?,
					full_text = ?, content_hash = ?, simhash = ?, sh0 = ?, sh1 = ?, sh2 = ?, sh3 = ?, sh4 = ?, sh5 = ? WHERE id = ?`,
					a.Title, a.Publisher, a.Author, a.Language, a.Excerpt, s.d.timePtrArg(a.PublishedAt),
					s.d.timePtrArg(a.ModifiedAt), s.d.timeArg(a.FetchedAt), s.d.timeArg(now), s.d.timeArg(sortAt),
					a.HTML, a.Text, a.FullText, a.ContentHash, int64(uint64(a.SimHash)), bands[0], bands[1], bands[2], bands[3], bands[4], bands[5], id)
				return err
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			// 2. A copy of a text stored under another URL.
			var dupOf, dupStory any
			if comparable && s.d.name == dialectPostgres {
				// Two copies saved at once by two workers must not both pass
				// as new: near-duplicates share a band, so lock each band
				// (in order) until commit. SQLite writers are serial already.
				for _, key := range srcBandLocks(a.SimHash) {
					if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, key); err != nil {
						return err
					}
				}
			}
			if comparable {
				orig, story, dist, found, err := s.findNearDuplicate(ctx, tx, a.SimHash, a.ContentHash, words)
				if err != nil {
					return err
				}
				if found {
					dupOf, res.DuplicateOf, res.Distance = orig, orig, dist
					if story.Valid {
						dupStory = story.Int64
					}
				}
			}
			// 3. Insert.
			err = tx.queryRow(ctx, `INSERT INTO articles (source_id, guid, url, link_key, canonical_url, title, publisher,
				author, language, excerpt, published_at, modified_at, fetched_at, updated_at, sort_at, html, text,
				full_text, content_hash, simhash, sh0, sh1, sh2, sh3, sh4, sh5, duplicate_of, story_id)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING RETURNING id`,
				srcID, a.GUID, a.URL, linkKey, canon, a.Title, a.Publisher, a.Author, a.Language, a.Excerpt,
				s.d.timePtrArg(a.PublishedAt), s.d.timePtrArg(a.ModifiedAt), s.d.timeArg(a.FetchedAt), s.d.timeArg(now),
				s.d.timeArg(sortAt), a.HTML, a.Text, a.FullText, a.ContentHash, int64(uint64(a.SimHash)),
				bands[0], bands[1], bands[2], bands[3], bands[4], bands[5], dupOf, dupStory).Scan(&res.ID)
			if err == nil {
				res.Outcome = source.SavedNew
				if dupOf != nil {
					res.Outcome = source.SavedDuplicate
				}
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) || attempt > 0 {
				return err
			}
			// Another transaction stored the same GUID or URL since our
			// SELECT: look again (FOR UPDATE waits for it).
		}
	})
	if err != nil {
		if errors.Is(err, ErrInvalid) {
			return source.SaveResult{}, err
		}
		return source.SaveResult{}, fmt.Errorf("store: save article %s: %w", canon, err)
	}
	return res, nil
}

// findNearDuplicate finds the first stored copy of a text: an article with
// the same content hash, or whose SimHash shares a band with f, lies
// within source.NearDuplicateDistance and whose text shares most of its
// shingles (source.Containment). A copy of a copy resolves to the first
// copy.
func (s *db) findNearDuplicate(ctx context.Context, tx runner, f source.Fingerprint, hash string, words []string) (orig int64, story sql.NullInt64, dist int, found bool, err error) {
	b := f.Bands()
	type cand struct {
		id    int64
		dist  int
		exact bool
	}
	rows, err := tx.query(ctx, `SELECT id, simhash, content_hash FROM articles
		WHERE sh0 = ? OR sh1 = ? OR sh2 = ? OR sh3 = ? OR sh4 = ? OR sh5 = ? OR content_hash = ?
		ORDER BY id LIMIT 5000`, b[0], b[1], b[2], b[3], b[4], b[5], hash)
	if err != nil {
		return 0, story, 0, false, err
	}
	var cands []cand
	for rows.Next() {
		var (
			c   cand
			sim int64
			h   string
		)
		if err := rows.Scan(&c.id, &sim, &h); err != nil {
			rows.Close()
			return 0, story, 0, false, err
		}
		c.dist = f.Distance(source.Fingerprint(uint64(sim)))
		c.exact = h == hash
		if c.exact {
			c.dist = 0
		}
		if c.exact || c.dist <= source.NearDuplicateDistance {
			cands = append(cands, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, story, 0, false, err
	}
	for _, c := range cands {
		var (
			text string
			dup  sql.NullInt64
		)
		if err := tx.queryRow(ctx, `SELECT text, duplicate_of FROM articles WHERE id = ?`, c.id).Scan(&text, &dup); err != nil {
			return 0, story, 0, false, err
		}
		if !c.exact && source.Containment(words, source.Words(text)) < source.MinContainment {
			continue
		}
		orig := c.id
		if dup.Valid {
			orig = dup.Int64
		}
		// FOR UPDATE: wait for a concurrent AssignStory of the original,
		// so that the copy joins its story (AssignStory locks the same row
		// and moves the copies it can see).
		if err := tx.queryRow(ctx, `SELECT story_id FROM articles WHERE id = ?`+s.d.forUpdate, orig).Scan(&story); err != nil {
			return 0, story, 0, false, err
		}
		return orig, story, c.dist, true, nil
	}
	return 0, story, 0, false, nil
}

// srcBandLocks are the advisory lock keys of a fingerprint's bands,
// ascending.
func srcBandLocks(f source.Fingerprint) []int64 {
	var keys []int64
	for i, b := range f.Bands() {
		h := fnv.New64a()
		fmt.Fprintf(h, "legists-article-band-%d-%d", i, b)
		keys = append(keys, int64(h.Sum64()>>1))
	}
	slices.Sort(keys)
	return keys
}

func srcTimesEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return normTime(*a).Equal(normTime(*b))
}

// articleCursor is the position of the last article of a page.
type articleCursor struct {
	At time.Time `json:"t"`
	ID int64     `json:"i"`
}

func srcEncodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func srcDecodeCursor(c string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return fmt.Errorf("store: bad cursor: %w", ErrInvalid)
	}
	return nil
}

func srcPageLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return n
}

// ListArticles implements SourceStore.
func (s *db) ListArticles(ctx context.Context, f ArticleFilter) (ArticlePage, error) {
	cols := articleCols
	if f.WithText {
		cols = articleTextCols
	}
	var where []string
	var args []any
	if f.SourceID != 0 {
		where, args = append(where, `a.source_id = ?`), append(args, f.SourceID)
	}
	if f.StoryID != 0 {
		where, args = append(where, `a.story_id = ?`), append(args, f.StoryID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, `a.sort_at >= ?`), append(args, s.d.timeArg(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, `a.sort_at < ?`), append(args, s.d.timeArg(f.Until))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		where, args = append(where, `lower(a.title) LIKE ? ESCAPE '\'`), append(args, "%"+srcLikeEscape(strings.ToLower(q))+"%")
	}
	if !f.Duplicates {
		where = append(where, `a.duplicate_of IS NULL`)
	}
	if f.Cursor != "" {
		var c articleCursor
		if err := srcDecodeCursor(f.Cursor, &c); err != nil {
			return ArticlePage{}, err
		}
		where = append(where, `(a.sort_at < ? OR (a.sort_at = ? AND a.id < ?))`)
		args = append(args, s.d.timeArg(c.At), s.d.timeArg(c.At), c.ID)
	}
	q := `SELECT ` + cols + `, a.sort_at FROM articles a`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := srcPageLimit(f.Limit)
	q += ` ORDER BY a.sort_at DESC, a.id DESC LIMIT ` + strconv.Itoa(limit+1)
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return ArticlePage{}, fmt.Errorf("store: list articles: %w", err)
	}
	defer rows.Close()
	page := ArticlePage{Articles: []source.Article{}}
	var last articleCursor
	for rows.Next() {
		var sortAt dbTime
		a, err := scanArticle(srcScanExtra{rows, &sortAt})
		if err != nil {
			return ArticlePage{}, fmt.Errorf("store: list articles: %w", err)
		}
		if len(page.Articles) == limit {
			page.Next = srcEncodeCursor(last)
			break
		}
		page.Articles = append(page.Articles, *a)
		last = articleCursor{At: sortAt.Time, ID: a.ID}
	}
	return page, rows.Err()
}

// srcScanExtra scans a row with more columns than scanArticle reads.
type srcScanExtra struct {
	rows  *sql.Rows
	extra any
}

func (x srcScanExtra) Scan(dest ...any) error { return x.rows.Scan(append(dest, x.extra)...) }

func srcLikeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UnclusteredArticles implements SourceStore.
func (s *db) UnclusteredArticles(ctx context.Context, limit int) ([]source.Article, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.reader().query(ctx, `SELECT `+articleTextCols+` FROM articles a
		WHERE a.story_id IS NULL AND a.duplicate_of IS NULL ORDER BY a.sort_at, a.id LIMIT `+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("store: unclustered articles: %w", err)
	}
	defer rows.Close()
	out := []source.Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unclustered articles: %w", err)
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// StoryCandidates implements SourceStore.
func (s *db) StoryCandidates(ctx context.Context, from, to time.Time) ([]source.Candidate, error) {
	rows, err := s.reader().query(ctx, `SELECT id, first_seen, last_seen, centroid FROM stories
		WHERE last_seen >= ? AND first_seen <= ? ORDER BY id`, s.d.timeArg(from), s.d.timeArg(to))
	if err != nil {
		return nil, fmt.Errorf("store: story candidates: %w", err)
	}
	defer rows.Close()
	out := []source.Candidate{}
	for rows.Next() {
		var (
			c           source.Candidate
			first, last dbTime
			centroid    []byte
		)
		if err := rows.Scan(&c.ID, &first, &last, &centroid); err != nil {
			return nil, fmt.Errorf("store: story candidates: %w", err)
		}
		c.FirstSeen, c.LastSeen = first.Time, last.Time
		if err := json.Unmarshal(centroid, &c.Centroid); err != nil {
			return nil, fmt.Errorf("store: story %d centroid: %w", c.ID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AssignStory implements SourceStore.
func (s *db) AssignStory(ctx context.Context, articleID, storyID int64, v source.Vector) (int64, error) {
	now := s.now()
	err := s.write(ctx, func(tx runner) error {
		var (
			title        string
			pub, fetched dbTime
			current      sql.NullInt64
		)
		if err := tx.queryRow(ctx, `SELECT title, published_at, fetched_at, story_id FROM articles WHERE id = ?`+s.d.forUpdate,
			articleID).Scan(&title, &pub, &fetched, &current); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: article %d: %w", articleID, ErrNotFound)
			}
			return err
		}
		if current.Valid {
			// Already clustered (a rerun after a crash): nothing to do.
			storyID = current.Int64
			return nil
		}
		at := fetched.Time
		if pub.Valid {
			at = pub.Time
		}
		if storyID == 0 {
			centroid, _ := json.Marshal(source.Vector{}.Merge(v))
			if err := tx.queryRow(ctx, `INSERT INTO stories (title, first_seen, last_seen, article_count, centroid, created_at, updated_at)
				VALUES (?, ?, ?, 1, ?, ?, ?) RETURNING id`, title, s.d.timeArg(at), s.d.timeArg(at), string(centroid),
				s.d.timeArg(now), s.d.timeArg(now)).Scan(&storyID); err != nil {
				return err
			}
		} else {
			var (
				raw         []byte
				first, last dbTime
			)
			if err := tx.queryRow(ctx, `SELECT centroid, first_seen, last_seen FROM stories WHERE id = ?`+s.d.forUpdate,
				storyID).Scan(&raw, &first, &last); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("store: story %d: %w", storyID, ErrNotFound)
				}
				return err
			}
			var c source.Vector
			if err := json.Unmarshal(raw, &c); err != nil {
				return fmt.Errorf("store: story %d centroid: %w", storyID, err)
			}
			centroid, _ := json.Marshal(c.Merge(v))
			fs, ls := first.Time, last.Time
			if at.Before(fs) {
				fs = at
			}
			if at.After(ls) {
				ls = at
			}
			if _, err := tx.exec(ctx, `UPDATE stories SET centroid = ?, first_seen = ?, last_seen = ?,
				article_count = article_count + 1, updated_at = ? WHERE id = ?`,
				string(centroid), s.d.timeArg(fs), s.d.timeArg(ls), s.d.timeArg(now), storyID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE articles SET story_id = ? WHERE id = ? OR (duplicate_of = ? AND story_id IS NULL)`,
			storyID, articleID, articleID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: assign article %d to a story: %w", articleID, err)
	}
	return storyID, nil
}

const storyCols = `id, title, first_seen, last_seen, article_count, centroid`

func scanStory(sc interface{ Scan(...any) error }) (*source.Story, error) {
	var (
		st          source.Story
		first, last dbTime
		raw         []byte
	)
	if err := sc.Scan(&st.ID, &st.Title, &first, &last, &st.ArticleCount, &raw); err != nil {
		return nil, err
	}
	st.FirstSeen, st.LastSeen = first.Time, last.Time
	var c source.Vector
	if json.Unmarshal(raw, &c) == nil {
		st.Terms = c.Top(8)
	}
	return &st, nil
}

// GetStory implements SourceStore.
func (s *db) GetStory(ctx context.Context, id int64) (*source.Story, error) {
	st, err := scanStory(s.reader().queryRow(ctx, `SELECT `+storyCols+` FROM stories WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: story %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get story: %w", err)
	}
	if err := s.fillStory(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *db) fillStory(ctx context.Context, st *source.Story) error {
	rows, err := s.reader().query(ctx, `SELECT `+articleCols+` FROM articles a WHERE a.story_id = ?
		ORDER BY a.sort_at, a.id`, st.ID)
	if err != nil {
		return fmt.Errorf("store: story %d articles: %w", st.ID, err)
	}
	defer rows.Close()
	st.Articles = []source.ArticleSummary{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return fmt.Errorf("store: story %d articles: %w", st.ID, err)
		}
		st.Articles = append(st.Articles, a.Summary())
	}
	if err := rows.Err(); err != nil {
		return err
	}
	st.Timeline = source.Timeline(st.Articles)
	return nil
}

// storyCursor is the position of the last story of a page.
type storyCursor struct {
	At time.Time `json:"t"`
	ID int64     `json:"i"`
}

// ListStories implements SourceStore.
func (s *db) ListStories(ctx context.Context, f StoryFilter) (StoryPage, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, `last_seen >= ?`), append(args, s.d.timeArg(f.Since))
	}
	if f.MinArticles > 0 {
		where, args = append(where, `article_count >= ?`), append(args, f.MinArticles)
	}
	if f.Cursor != "" {
		var c storyCursor
		if err := srcDecodeCursor(f.Cursor, &c); err != nil {
			return StoryPage{}, err
		}
		where = append(where, `(last_seen < ? OR (last_seen = ? AND id < ?))`)
		args = append(args, s.d.timeArg(c.At), s.d.timeArg(c.At), c.ID)
	}
	q := `SELECT ` + storyCols + ` FROM stories`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := srcPageLimit(f.Limit)
	q += ` ORDER BY last_seen DESC, id DESC LIMIT ` + strconv.Itoa(limit+1)
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return StoryPage{}, fmt.Errorf("store: list stories: %w", err)
	}
	page := StoryPage{Stories: []source.Story{}}
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			rows.Close()
			return StoryPage{}, fmt.Errorf("store: list stories: %w", err)
		}
		if len(page.Stories) == limit {
			last := page.Stories[len(page.Stories)-1]
			page.Next = srcEncodeCursor(storyCursor{At: last.LastSeen, ID: last.ID})
			break
		}
		page.Stories = append(page.Stories, *st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return StoryPage{}, err
	}
	if f.WithArticles {
		for i := range page.Stories {
			if err := s.fillStory(ctx, &page.Stories[i]); err != nil {
				return StoryPage{}, err
			}
		}
	}
	return page, nil
}
