package store

// Articles: lookup, idempotent save, listing (migration 00002_sources,
// page backoff in 00007_ingest_scale).

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"legists/internal/source"
)

// Article columns: articleCols without the text, articleTextCols with.
const (
	articleMeta = `a.id, coalesce(a.source_id, 0), a.guid, a.url, a.canonical_url, a.title, a.publisher, a.author,
	a.language, a.excerpt, a.published_at, a.modified_at, a.fetched_at, a.updated_at, a.full_text, a.content_hash,
	a.simhash, a.duplicate_of, a.story_id, a.page_errors, a.page_retry_at`
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
		retry                  dbTime
	)
	if err := sc.Scan(&a.ID, &a.SourceID, &a.GUID, &a.URL, &a.CanonicalURL, &a.Title, &a.Publisher, &a.Author,
		&a.Language, &a.Excerpt, &pub, &mod, &fetched, &upd, &fullText, &a.ContentHash, &sim, &dup, &story,
		&a.PageErrors, &retry, &htmlText, &plainText); err != nil {
		return nil, err
	}
	a.PublishedAt, a.ModifiedAt, a.FetchedAt, a.UpdatedAt = pub.Ptr(), mod.Ptr(), fetched.Time, upd.Time
	a.FullText, a.HTML, a.Text = fullText, htmlText, plainText
	a.SimHash = source.Fingerprint(uint64(sim))
	a.PageRetryAt = retry.Ptr()
	if dup.Valid {
		a.DuplicateOf = &dup.Int64
	}
	if story.Valid {
		a.StoryID = &story.Int64
	}
	return &a, nil
}

// ArticleKey is how a feed item is known before its page is fetched: its
// GUID within its source, or its link.
type ArticleKey struct{ GUID, Link string }

// findArticlesSQL finds a feed's items in one round trip (each list a
// JSON array of strings: the GUIDs, the links' canonical forms): every
// article known by one of them, with how (1 GUID within the source, 2
// canonical URL, 3 link key) and by which value; each branch on its own
// index.
func findArticlesSQL(d *dialect) string {
	in := `IN (SELECT value FROM json_each(?))`
	if d.name == dialectPostgres {
		in = `= ANY (ARRAY(SELECT jsonb_array_elements_text(CAST(? AS jsonb))))`
	}
	return `SELECT 1, a.guid, ` + articleCols + ` FROM articles a WHERE a.source_id = ? AND a.guid ` + in + `
	UNION ALL SELECT 2, a.canonical_url, ` + articleCols + ` FROM articles a WHERE a.canonical_url ` + in + `
	UNION ALL SELECT 3, a.link_key, ` + articleCols + ` FROM articles a WHERE a.link_key ` + in
}

// FindArticles implements SourceStore.
func (s *db) FindArticles(ctx context.Context, sourceID int64, keys []ArticleKey) ([]*source.Article, error) {
	out := make([]*source.Article, len(keys))
	guids, links := make([]string, 0, len(keys)), make([]string, 0, len(keys))
	linkKeys := make([]string, len(keys))
	for i, k := range keys {
		if k.GUID != "" {
			guids = append(guids, k.GUID)
		}
		if c, err := source.CanonicalURL(k.Link); err == nil {
			linkKeys[i] = c
			links = append(links, c)
		}
	}
	if len(guids) == 0 && len(links) == 0 {
		return out, nil
	}
	guidJSON, _ := json.Marshal(guids)
	linkJSON, _ := json.Marshal(links)
	rows, err := s.reader().hot().query(ctx, findArticlesSQL(s.d), sourceID, string(guidJSON), string(linkJSON), string(linkJSON))
	if err != nil {
		return nil, fmt.Errorf("store: find articles: %w", err)
	}
	defer rows.Close()
	// The best match of each value: by GUID; by canonical URL, else the
	// first article with the link as its link key.
	byGUID, byURL, byLink := map[string]*source.Article{}, map[string]*source.Article{}, map[string]*source.Article{}
	for rows.Next() {
		var (
			how int
			key string
		)
		a, err := scanArticle(prefixScanner{rows, []any{&how, &key}})
		if err != nil {
			return nil, fmt.Errorf("store: find articles: %w", err)
		}
		switch how {
		case 1:
			byGUID[key] = a
		case 2:
			byURL[key] = a
		case 3:
			if old := byLink[key]; old == nil || a.ID < old.ID {
				byLink[key] = a
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find articles: %w", err)
	}
	for i, k := range keys {
		switch lk := linkKeys[i]; {
		case k.GUID != "" && byGUID[k.GUID] != nil:
			out[i] = byGUID[k.GUID]
		case lk != "" && byURL[lk] != nil:
			out[i] = byURL[lk]
		case lk != "":
			out[i] = byLink[lk]
		}
	}
	return out, nil
}

// prefixScanner scans a row's first columns into pre, the rest into what
// Scan is given.
type prefixScanner struct {
	rows *sql.Rows
	pre  []any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.rows.Scan(append(append([]any(nil), p.pre...), dest...)...)
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
		canon, err = source.CanonicalURL(a.URL)
	}
	linkKey := canon
	if err != nil {
		// An item without an http(s) link (a note, a podcast episode, a
		// tag: URI): known by its GUID within its source, else by its text.
		if canon, err = srcItemKey(&a); err != nil {
			return source.SaveResult{}, err
		}
		a.URL, linkKey = "", canon
	} else if k, err := source.CanonicalURL(a.URL); err == nil {
		linkKey = k
	} else {
		a.URL = canon
	}
	a.CanonicalURL = canon
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
	var srcID any
	if a.SourceID != 0 {
		srcID = a.SourceID
	}
	var res source.SaveResult
	// A write of writeRefetchable's kind (writeGrouped: committed with the
	// other workers' writes of the moment, asynchronously on PostgreSQL).
	// On PostgreSQL, two copies saved at once by two instances must not
	// both pass as new: near-duplicates share a band, so each band is
	// locked until commit (the group takes its writes' locks at once, in
	// order). SQLite writers are serial already.
	var locks []int64
	if comparable && s.d.name == dialectPostgres {
		locks = srcBandLocks(a.SimHash)
	}
	//
	// On PostgreSQL an article not known before (in.ID is 0: the caller
	// found none) is inserted without looking it up first: the insert
	// stores nothing when its GUID or URL is taken, and the next attempt
	// looks it up. A new article, the common case, saves a statement.
	insertFirst := s.d.name == dialectPostgres && in.ID == 0
	err = s.writeGrouped(ctx, locks, func(tx runner) error {
		for attempt := 0; ; attempt++ {
			res = source.SaveResult{}
			// 1. Known by GUID within the source, or by canonical URL.
			var (
				id                int64
				hash, title       string
				oldSrc            sql.NullInt64
				pub, mod, retry   dbTime
				author, publisher string
				oldFull, byURL    bool
				pageErrors        int
			)
			const known = `SELECT id, content_hash, title, source_id, published_at, modified_at, author, publisher, full_text,
				page_errors, page_retry_at`
			err := sql.ErrNoRows
			if insertFirst && attempt == 0 {
				// Not looked up: straight to the insert.
			} else if s.d.name == dialectPostgres {
				// One round trip for both lookups, each on its own index
				// whatever the planner knows of the table: the article
				// known by GUID first.
				err = tx.hot().queryRow(ctx, known+`, coalesce(NOT (source_id = ? AND guid = ?), true) FROM articles
					WHERE id = ANY (ARRAY(SELECT g.id FROM articles g WHERE g.source_id = ? AND g.guid = ?
					UNION ALL SELECT c.id FROM articles c WHERE c.canonical_url = ?))
					ORDER BY 12 LIMIT 1`+s.d.forUpdate, a.SourceID, a.GUID, a.SourceID, a.GUID, canon).
					Scan(&id, &hash, &title, &oldSrc, &pub, &mod, &author, &publisher, &oldFull, &pageErrors, &retry, &byURL)
				byURL = byURL || err != nil
			} else {
				if a.SourceID != 0 {
					err = tx.hot().queryRow(ctx, known+` FROM articles WHERE source_id = ? AND guid = ?`, a.SourceID, a.GUID).
						Scan(&id, &hash, &title, &oldSrc, &pub, &mod, &author, &publisher, &oldFull, &pageErrors, &retry)
				}
				if errors.Is(err, sql.ErrNoRows) {
					byURL = true
					err = tx.hot().queryRow(ctx, known+` FROM articles WHERE canonical_url = ?`, canon).
						Scan(&id, &hash, &title, &oldSrc, &pub, &mod, &author, &publisher, &oldFull, &pageErrors, &retry)
				}
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
					if pageErrors != a.PageErrors || !srcTimesEqual(retry.Ptr(), a.PageRetryAt) {
						// Only the page's backoff changed.
						if _, err := tx.exec(ctx, `UPDATE articles SET page_errors = ?, page_retry_at = ? WHERE id = ?`,
							a.PageErrors, s.d.timePtrArg(a.PageRetryAt), id); err != nil {
							return err
						}
					}
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
					full_text = ?, content_hash = ?, simhash = ?, page_errors = ?, page_retry_at = ? WHERE id = ?`,
					a.Title, a.Publisher, a.Author, a.Language, a.Excerpt, s.d.timePtrArg(a.PublishedAt),
					s.d.timePtrArg(a.ModifiedAt), s.d.timeArg(a.FetchedAt), s.d.timeArg(now), s.d.timeArg(sortAt),
					a.HTML, a.Text, a.FullText, a.ContentHash, int64(uint64(a.SimHash)), a.PageErrors,
					s.d.timePtrArg(a.PageRetryAt), id)
				if err != nil || hash == a.ContentHash {
					return err
				}
				return s.reindexBands(ctx, tx, id, a.SimHash, comparable)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			// 2. A copy of a text stored under another URL.
			var dupOf, dupStory any
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
			res.ID, err = s.insertArticle(ctx, tx, []any{srcID, a.GUID, a.URL, linkKey, canon, a.Title, a.Publisher,
				a.Author, a.Language, a.Excerpt, s.d.timePtrArg(a.PublishedAt), s.d.timePtrArg(a.ModifiedAt),
				s.d.timeArg(a.FetchedAt), s.d.timeArg(now), s.d.timeArg(sortAt), a.HTML, a.Text, a.FullText,
				a.ContentHash, int64(uint64(a.SimHash)), dupOf, dupStory, a.PageErrors, s.d.timePtrArg(a.PageRetryAt)},
				a.SimHash, comparable)
			if err == nil {
				res.Outcome = source.SavedNew
				if dupOf != nil {
					res.Outcome = source.SavedDuplicate
				}
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) || attempt > 1 || (attempt > 0 && !insertFirst) {
				return err
			}
			// The GUID or URL is stored (by another transaction since our
			// SELECT, or before when there was none): look again (FOR
			// UPDATE waits for it).
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

// insertArticleSQL inserts an article (the 24 values of insertArticle's
// args) unless its GUID or URL is stored already.
const insertArticleSQL = `INSERT INTO articles (source_id, guid, url, link_key, canonical_url, title, publisher,
	author, language, excerpt, published_at, modified_at, fetched_at, updated_at, sort_at, html, text,
	full_text, content_hash, simhash, duplicate_of, story_id, page_errors, page_retry_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT DO NOTHING RETURNING id`

// insertComparableSQL is, for PostgreSQL, insertArticleSQL, insertBands'
// two statements and nothing else in one round trip: args, the SimHash,
// the band keys, the band keys again. The trim sees the buckets as they
// were before the statement (one snapshot), so it keeps their
// bucketSize-1 newest rows and the new row makes bucketSize.
var insertComparableSQL = `WITH a AS (` + insertArticleSQL + `),
	b AS (INSERT INTO article_bands (band_key, article_id, simhash)
		SELECT k.band_key, a.id, ?::bigint FROM a CROSS JOIN (VALUES ` +
	strings.TrimSuffix(strings.Repeat(`(?::bigint), `, len(source.Fingerprint(0).BandKeys())), ", ") + `) AS k (band_key)
		ON CONFLICT DO NOTHING),
	t AS (DELETE FROM article_bands WHERE band_key IN (` + placeholders(len(source.Fingerprint(0).BandKeys())) + `)
		AND EXISTS (SELECT 1 FROM a) AND article_id < (SELECT n.article_id FROM article_bands n
		WHERE n.band_key = article_bands.band_key ORDER BY n.article_id DESC LIMIT 1 OFFSET ` + strconv.Itoa(bucketSize-2) + `))
	SELECT id FROM a`

// insertArticle inserts an article and, when comparable, indexes its
// fingerprint f; sql.ErrNoRows when its GUID or URL is stored already.
func (s *db) insertArticle(ctx context.Context, tx runner, args []any, f source.Fingerprint, comparable bool) (int64, error) {
	var id int64
	if comparable && s.d.name == dialectPostgres {
		keys := f.BandKeys()
		all := append(append(args, int64(uint64(f))), anys(keys[:])...)
		err := tx.hot().queryRow(ctx, insertComparableSQL, append(all, anys(keys[:])...)...).Scan(&id)
		return id, err
	}
	if err := tx.hot().queryRow(ctx, insertArticleSQL, args...).Scan(&id); err != nil || !comparable {
		return id, err
	}
	return id, s.insertBands(ctx, tx, id, f)
}

// srcItemKey is the stored key of an item without an http(s) link: its
// GUID within its source, else the hash of its text.
func srcItemKey(a *source.Article) (string, error) {
	if a.SourceID != 0 && strings.TrimSpace(a.GUID) != "" {
		return "urn:legists:item:" + strconv.FormatInt(a.SourceID, 10) + ":" + source.ContentHash(a.GUID)[:32], nil
	}
	if strings.TrimSpace(a.Text) == "" && strings.TrimSpace(a.Title) == "" {
		return "", fmt.Errorf("store: article %q has no http(s) URL, no GUID and no text: %w", a.GUID, ErrInvalid)
	}
	return "urn:legists:text:" + source.ContentHash(a.Title + "\x00" + a.Text)[:32], nil
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
