package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"legists/internal/brief"
)

// pgHeadline are the ts_headline options: the snippet is one fragment of
// 12 to 30 words around the best match.
var pgHeadline = `StartSel="` + HighlightStart + `", StopSel="` + HighlightEnd + `", MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=" … "`

// rankWindow is how many matches a search ranks by relevance. Ranking
// costs a few microseconds a match (bm25 reads each match's sizes,
// ts_rank_cd decompresses each match's tsvector), too much for a word that
// matches tens of thousands of briefs. A search with at most rankWindow
// matches ranks them all; one with more ranks its rankWindow most recent
// matches, and lists the older ones after them, newest first. A variable
// for tests.
var rankWindow = 1000

// SearchBriefs implements Store.
//
// SQLite: an FTS5 index (porter stemming, diacritics folded) ranked by bm25
// with the title weighing ten times the body. PostgreSQL: a generated
// tsvector ('english'; title weight A, body B) with a GIN index, queried with
// websearch_to_tsquery and ranked by ts_rank_cd. The reader's query is
// translated for FTS5 by fts5Query, so that no text is a syntax error.
//
// The hits are in order of relevance, then recency (newest first), then id;
// a title match outranks a body match. Total is exact. When more than
// rankWindow briefs match, the rankWindow most recent of them come first,
// by relevance, then the rest by recency (see rankWindow). Nothing ranks
// more than rankWindow matches, and only the page's briefs are read whole:
//
//  1. one statement reads the matches once, counts them and ranks the
//     rankWindow most recent (rankedPage); SQLite joins the rowids
//     briefs_fts matches with the covering index briefs_search_meta,
//     never the wide rows of briefs;
//  2. rank and snippet (or ts_headline) of the page's briefs only;
//  3. the page's briefs.
func (s *db) SearchBriefs(ctx context.Context, q SearchQuery) (SearchResult, error) {
	status := q.Status
	if status == "" {
		status = brief.StatusPublished
	}
	var firms []string
	if q.Firm != "" {
		var err error
		if firms, err = s.firmSlugs(ctx, q.Firm); err != nil {
			return SearchResult{}, fmt.Errorf("store: search: %w", err)
		}
	}
	w, err := searchFilters(s.d, status, firms, q.Topic, q.Since, q.Until)
	if err != nil {
		return SearchResult{}, err
	}
	limit := clampLimit(q.Limit)
	offset := max(q.Offset, 0)
	text := cleanText(q.Q)
	res := SearchResult{Hits: []SearchHit{}}

	// from selects the matches ("b" is briefs) with fromArgs.
	var (
		from     string
		fromArgs []any
		listing  bool
	)
	switch {
	case !hasWordChar(text):
		// Nothing to match: every brief the filters let through.
		listing = true
		from = ` FROM briefs b WHERE 1 = 1` + w.sql()
		fromArgs = w.args
	case s.d.name == dialectSQLite:
		match := fts5Query(text)
		if match == "" {
			return res, nil
		}
		// The covering index keeps the join off the wide rows of briefs.
		from = ` FROM briefs_fts JOIN briefs b INDEXED BY briefs_search_meta ON b.id = briefs_fts.rowid WHERE briefs_fts MATCH ?` + w.sql()
		fromArgs = append([]any{match}, w.args...)
	default:
		from = ` FROM briefs b WHERE b.search_tsv @@ websearch_to_tsquery('english', ?)` + w.sql()
		fromArgs = append([]any{text}, w.args...)
	}
	var boost []string
	if !listing {
		if boost, err = s.queryTopics(ctx, text); err != nil {
			return SearchResult{}, fmt.Errorf("store: search %q: %w", q.Q, err)
		}
	}
	err = s.read(ctx, func(tx runner) error {
		if s.d.name == dialectPostgres && !listing {
			// Plan each search for its own words: a generic plan of a
			// cached statement cannot tell a rare word from a common one.
			if _, err := tx.exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
				return err
			}
		}
		var (
			ids []int64
			err error
		)
		if listing {
			ids, res.Total, err = listPage(ctx, tx, from, fromArgs, limit, offset)
		} else {
			ids, res.Total, err = s.rankedPage(ctx, tx, text, from, fromArgs, boost, limit, offset)
		}
		if err != nil || len(ids) == 0 {
			return err
		}
		ranks, snippets, err := s.searchDetails(ctx, tx, text, ids, listing)
		if err != nil {
			return err
		}
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		briefs, err := loadBriefs(ctx, tx, false, `SELECT `+briefCols+` FROM briefs b WHERE b.id IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return err
		}
		byID := make(map[int64]*brief.Brief, len(briefs))
		for _, r := range briefs {
			byID[r.id] = r.b
		}
		for _, id := range ids {
			b, ok := byID[id]
			if !ok {
				continue
			}
			snippet := snippets[id]
			if listing {
				snippet = leadSnippet(b, 200)
			}
			res.Hits = append(res.Hits, SearchHit{Brief: *b, Snippet: snippet, Rank: ranks[id]})
		}
		return nil
	})
	if err != nil {
		return SearchResult{}, fmt.Errorf("store: search %q: %w", q.Q, err)
	}
	if res.Total == 0 && !listing {
		if res.Suggestion, err = s.suggest(ctx, text); err != nil {
			return SearchResult{}, fmt.Errorf("store: search %q: suggestion: %w", q.Q, err)
		}
	}
	return res, nil
}

// recent orders matches newest first.
const recent = ` ORDER BY b.sort_at DESC, b.id DESC`

// collectIDs appends the ids the query returns (one column) to ids.
func collectIDs(ctx context.Context, tx runner, ids []int64, query string, args ...any) ([]int64, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func with(args []any, more ...any) []any { return append(append([]any{}, args...), more...) }

// listPage returns the ids of a page of the briefs from selects, newest
// first, and their number.
func listPage(ctx context.Context, tx runner, from string, fromArgs []any, limit, offset int) ([]int64, int, error) {
	var total int
	if err := tx.queryRow(ctx, `SELECT count(*)`+from, fromArgs...).Scan(&total); err != nil || total <= offset {
		return nil, total, err
	}
	ids, err := collectIDs(ctx, tx, nil, `SELECT b.id`+from+recent+` LIMIT ? OFFSET ?`, with(fromArgs, limit, offset)...)
	return ids, total, err
}

// rankedPage returns the ids of the page of hits, in order, and the number
// of matches from selects (see SearchBriefs). Reading the matches is the
// cost (SQLite probes briefs_search_meta for each rowid briefs_fts
// matches; PostgreSQL reads each match's heap tuple, as a GIN index knows
// nothing of visibility), so one statement reads them once (m), counts
// them, takes the rankWindow most recent (w) and ranks these: bm25 while
// scanning the doclists of briefs_fts (a lookup by rowid would cost FTS5
// about a millisecond), ts_rank_cd by decompressing their tsvectors.
//
// boost lists the slugs of the topics the query names (queryTopics): the
// briefs tagged with one of them come first, each group by relevance.
func (s *db) rankedPage(ctx context.Context, tx runner, text, from string, fromArgs []any, boost []string, limit, offset int) ([]int64, int, error) {
	var (
		ids   []int64
		total = -1
		end   = offset + limit
	)
	if offset < rankWindow {
		matches := `WITH m AS MATERIALIZED (SELECT b.id, b.sort_at` + from + `),
			w AS MATERIALIZED (SELECT m.id, m.sort_at FROM m ORDER BY m.sort_at DESC, m.id DESC LIMIT ?)
			SELECT w.id, (SELECT count(*) FROM m) `
		var (
			query string
			args  []any
		)
		first, boostArgs := "", []any{}
		if len(boost) > 0 {
			first = `(w.id IN (SELECT bt.brief_id FROM brief_topics bt WHERE bt.topic_slug IN ` + inList(len(boost)) + `)) DESC, `
			boostArgs = anys(boost)
		}
		if s.d.name == dialectSQLite {
			query = matches + `FROM w JOIN briefs_fts ON briefs_fts.rowid = w.id WHERE briefs_fts MATCH ?
				ORDER BY ` + first + `bm25(briefs_fts, 10.0, 1.0), w.sort_at DESC, w.id DESC LIMIT ? OFFSET ?`
			args = with(with(fromArgs, rankWindow, fromArgs[0]), append(boostArgs, min(end, rankWindow)-offset, offset)...)
		} else {
			// MATERIALIZED also keeps PostgreSQL from reading briefs
			// newest first by briefs_status_sort, testing every tsvector.
			query = matches + `FROM w JOIN briefs b ON b.id = w.id, websearch_to_tsquery('english', ?) query
				ORDER BY ` + first + `ts_rank_cd(b.search_tsv, query) DESC, w.sort_at DESC, w.id DESC LIMIT ? OFFSET ?`
			args = with(with(fromArgs, rankWindow, text), append(boostArgs, min(end, rankWindow)-offset, offset)...)
		}
		rows, err := tx.query(ctx, query, args...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id, &total); err != nil {
				rows.Close()
				return nil, 0, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
	}
	if total < 0 {
		// No row to tell: no match, or a page past the window.
		if err := tx.queryRow(ctx, `SELECT count(*)`+from, fromArgs...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	if end > rankWindow && total > max(offset, rankWindow) {
		// Past the window: the older matches, newest first.
		start := max(offset, rankWindow)
		var err error
		if ids, err = collectIDs(ctx, tx, ids, `SELECT b.id`+from+recent+` LIMIT ? OFFSET ?`, with(fromArgs, end-start, start)...); err != nil {
			return nil, 0, err
		}
	}
	return ids, total, nil
}

// searchDetails returns the rank and the snippet of the briefs ids match
// text: snippet() and ts_headline read the text of a brief, so only for the
// page.
func (s *db) searchDetails(ctx context.Context, tx runner, text string, ids []int64, listing bool) (map[int64]float64, map[int64]string, error) {
	ranks := make(map[int64]float64, len(ids))
	snippets := make(map[int64]string, len(ids))
	if listing {
		return ranks, snippets, nil
	}
	args := make([]any, 0, len(ids)+3)
	var query string
	if s.d.name == dialectSQLite {
		// +rowid: filter while scanning the doclists, not a lookup by
		// rowid for each id, which costs FTS5 about a millisecond.
		query = `SELECT rowid, -bm25(briefs_fts, 10.0, 1.0), snippet(briefs_fts, 1, ?, ?, '…', 24)
			FROM briefs_fts WHERE briefs_fts MATCH ? AND +rowid IN (` + placeholders(len(ids)) + `)`
		args = append(args, HighlightStart, HighlightEnd, fts5Query(text))
	} else {
		query = `SELECT b.id, ts_rank_cd(b.search_tsv, query), ts_headline('english', b.search_text, query, ?)
			FROM briefs b, websearch_to_tsquery('english', ?) query WHERE b.id IN (` + placeholders(len(ids)) + `)`
		args = append(args, pgHeadline, text)
	}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id      int64
			rank    float64
			snippet string
		)
		if err := rows.Scan(&id, &rank, &snippet); err != nil {
			return nil, nil, err
		}
		ranks[id], snippets[id] = rank, snippet
	}
	return ranks, snippets, rows.Err()
}

// searchFilters are the conditions of a search on briefs b. Unlike
// briefFilters, a firm or topic is a list of ids (IN), which SQLite builds
// once, rather than a lookup for each match (EXISTS); and the status, one of
// three words, is written in the SQL so that PostgreSQL can use the index
// of published briefs.
func searchFilters(d *dialect, status brief.Status, firmSlugs []string, topic string, since, until time.Time) (*filters, error) {
	if !status.Valid() {
		return nil, fmt.Errorf("store: status %q is not draft, review or published: %w", status, ErrInvalid)
	}
	f := &filters{}
	f.add("b.status = '" + string(status) + "'")
	if len(firmSlugs) > 0 {
		f.add("b.id IN (SELECT bf.brief_id FROM brief_firms bf WHERE bf.firm_slug IN "+inList(len(firmSlugs))+")", anys(firmSlugs)...)
	}
	if topic != "" {
		f.add("b.id IN (SELECT bt.brief_id FROM brief_topics bt WHERE bt.topic_slug = ?)", brief.Slugify(topic))
	}
	if !since.IsZero() {
		f.add("b.sort_at >= ?", d.timeArg(since))
	}
	if !until.IsZero() {
		f.add("b.sort_at < ?", d.timeArg(until))
	}
	return f, nil
}

// cleanText makes user text safe to send as a parameter: valid UTF-8, no
// NUL, no highlight markers.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	return strings.Map(func(r rune) rune {
		if r == 0 || string(r) == HighlightStart || string(r) == HighlightEnd {
			return ' '
		}
		return r
	}, s)
}

func hasWordChar(s string) bool {
	return strings.IndexFunc(s, isWordChar) >= 0
}

func isWordChar(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// fts5Query translates a query in web-search syntax (as PostgreSQL's
// websearch_to_tsquery reads it) into an FTS5 MATCH expression in which
// every term is a quoted string, so nothing the reader types is FTS5 syntax:
//
//	words          every word must match        "a" AND "b"
//	"a phrase"     the words in sequence        "a phrase"
//	a or b         either                       ("a" OR "b")
//	-word          must not match               (...) NOT "word"
//
// Terms without a letter or digit are dropped. It returns "" when nothing
// positive is left to match.
func fts5Query(q string) string {
	type term struct {
		text string
		neg  bool
		or   bool // the OR operator
	}
	var terms []term
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		neg := false
		if r == '-' {
			j := i + size
			if j < len(q) {
				next, _ := utf8.DecodeRuneInString(q[j:])
				if next == '"' || isWordChar(next) {
					neg = true
					i = j
					r, size = next, 1
				}
			}
		}
		if r == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			var phrase string
			if end < 0 {
				phrase, i = q[i+1:], len(q)
			} else {
				phrase, i = q[i+1:i+1+end], i+1+end+1
			}
			terms = append(terms, term{text: phrase, neg: neg})
			continue
		}
		j := i
		for j < len(q) {
			r, size := utf8.DecodeRuneInString(q[j:])
			if unicode.IsSpace(r) || r == '"' {
				break
			}
			j += size
		}
		word := q[i:j]
		i = j
		if !neg && strings.EqualFold(word, "or") {
			terms = append(terms, term{or: true})
			continue
		}
		terms = append(terms, term{text: word, neg: neg})
	}

	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	var (
		groups [][]string // AND of ORs
		nots   []string
		or     bool
	)
	for _, t := range terms {
		switch {
		case t.or:
			or = len(groups) > 0
		case !hasWordChar(t.text):
			// nothing FTS5 would index
		case t.neg:
			nots = append(nots, quote(t.text))
			or = false
		case or:
			groups[len(groups)-1] = append(groups[len(groups)-1], quote(t.text))
			or = false
		default:
			groups = append(groups, []string{quote(t.text)})
		}
	}
	if len(groups) == 0 {
		return ""
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		if len(g) == 1 {
			parts[i] = g[0]
		} else {
			parts[i] = "(" + strings.Join(g, " OR ") + ")"
		}
	}
	out := strings.Join(parts, " AND ")
	if len(nots) > 0 {
		out = "(" + out + ") NOT " + strings.Join(nots, " NOT ")
	}
	return out
}

// leadSnippet is the opening of a brief's text, cut at a word boundary
// near max bytes: the snippet of a hit when the query has no terms.
func leadSnippet(b *brief.Brief, max int) string {
	var sb strings.Builder
	for _, sec := range b.Sections {
		for _, p := range sec.Paragraphs {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(strings.TrimSpace(p.Text))
			if sb.Len() > max {
				break
			}
		}
		if sb.Len() > max {
			break
		}
	}
	s := sb.String()
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndexByte(s[:max], ' ')
	if cut < max/2 {
		cut = max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}
