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
// Matches are found, counted and ranked in brief_search alone (see
// search_index.go and migrations 00012_brief_search), never in briefs.
// SQLite: an FTS5 index (porter stemming, diacritics folded) ranked by bm25
// with the title weighing ten times the body. PostgreSQL: a tsvector
// ('english'; title weight A, body B) with a GIN index, queried with
// websearch_to_tsquery and ranked by ts_rank_cd. The reader's query is
// translated for FTS5 by fts5Query, so that no text is a syntax error.
//
// The hits are in order of relevance, then recency (newest first), then id;
// a title match outranks a body match. When more than rankWindow briefs
// match, the rankWindow most recent of them come first, by relevance, then
// the rest by recency (see rankWindow). Total is exact up to countCap; with
// more matches it is countCap, TotalCapped is set and the hits end at
// countCap. Nothing reads more than max(rankWindow, countCap+1) matches
// (beyond a page past the window, which reads the matches before it), and
// only the page's briefs are read whole:
//
//  1. one statement reads the newest matches once, counts them and ranks
//     the rankWindow most recent (rankedPage);
//  2. rank and snippet (or ts_headline) of the page's briefs only;
//  3. the page's briefs.
//
// Within one second, SQLite orders matches by id (its index keeps sort_at
// to the second), and its date filters hold to the second.
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

	listing := !hasWordChar(text)
	var (
		ms    matchSource
		boost []string
	)
	if !listing {
		if s.d.name == dialectSQLite && fts5Query(text) == "" {
			return res, nil
		}
		ms = s.indexMatches(text, status, firms, q.Topic, q.Since, q.Until)
		if boost, err = s.queryTopics(ctx, text); err != nil {
			return SearchResult{}, fmt.Errorf("store: search %q: %w", q.Q, err)
		}
	}
	err = s.read(ctx, func(tx runner) error {
		var (
			ids, keys []int64
			err       error
			ranks     map[int64]float64
			snippets  map[int64]string
		)
		if listing {
			// Nothing to match: every brief the filters let through.
			from := ` FROM briefs b WHERE 1 = 1` + w.sql()
			if ids, res.Total, err = listPage(ctx, tx, from, w.args, limit, offset); err != nil || len(ids) == 0 {
				return err
			}
		} else {
			if s.d.name == dialectPostgres {
				// Plan each search for its own words: a generic plan of a
				// cached statement cannot tell a rare word from a common one.
				if _, err := tx.exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
					return err
				}
			}
			keys, res.Total, res.TotalCapped, err = s.rankedPage(ctx, tx, text, ms, boost, limit, offset)
			if err != nil || len(keys) == 0 {
				return err
			}
			ids = make([]int64, len(keys))
			for i, k := range keys {
				ids[i] = k
				if s.d.name == dialectSQLite {
					ids[i] = idOfRowid(k)
				}
			}
			if ranks, snippets, err = s.searchDetails(ctx, tx, text, keys); err != nil {
				return err
			}
		}
		args := anys(ids)
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
