package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"legists/internal/brief"
)

// pgHeadline are the ts_headline options: the snippet is one fragment of
// 12 to 30 words around the best match.
var pgHeadline = `StartSel="` + HighlightStart + `", StopSel="` + HighlightEnd + `", MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=" … "`

// SearchBriefs implements Store.
//
// SQLite: an FTS5 index (porter stemming, diacritics folded) ranked by bm25
// with the title weighing ten times the body. PostgreSQL: a generated
// tsvector ('english'; title weight A, body B) with a GIN index, queried with
// websearch_to_tsquery and ranked by ts_rank_cd. The reader's query is
// translated for FTS5 by fts5Query, so that no text is a syntax error.
func (s *db) SearchBriefs(ctx context.Context, q SearchQuery) (SearchResult, error) {
	status := q.Status
	if status == "" {
		status = brief.StatusPublished
	}
	w, err := s.briefFilters(status, q.Firm, q.Topic, q.Since, q.Until)
	if err != nil {
		return SearchResult{}, err
	}
	limit := clampLimit(q.Limit)
	offset := max(q.Offset, 0)
	text := cleanText(q.Q)
	res := SearchResult{Hits: []SearchHit{}}

	type hit struct {
		id      int64
		rank    float64
		snippet string
	}
	var (
		countSQL, pageSQL   string
		countArgs, pageArgs []any
		listing             bool
	)
	switch {
	case !hasWordChar(text):
		// Nothing to match: every brief the filters let through.
		listing = true
		countSQL = `SELECT count(*) FROM briefs b WHERE 1 = 1` + w.sql()
		countArgs = w.args
		pageSQL = `SELECT b.id, 0, '' FROM briefs b WHERE 1 = 1` + w.sql() +
			` ORDER BY b.sort_at DESC, b.id DESC LIMIT ? OFFSET ?`
		pageArgs = append(append([]any{}, w.args...), limit, offset)
	case s.d.name == dialectSQLite:
		match := fts5Query(text)
		if match == "" {
			return res, nil
		}
		const from = ` FROM briefs_fts JOIN briefs b ON b.id = briefs_fts.rowid WHERE briefs_fts MATCH ?`
		countSQL = `SELECT count(*)` + from + w.sql()
		countArgs = append([]any{match}, w.args...)
		pageSQL = `SELECT b.id, -bm25(briefs_fts, 10.0, 1.0), snippet(briefs_fts, 1, ?, ?, '…', 24)` + from + w.sql() +
			` ORDER BY bm25(briefs_fts, 10.0, 1.0), b.sort_at DESC, b.id DESC LIMIT ? OFFSET ?`
		pageArgs = append(append([]any{HighlightStart, HighlightEnd, match}, w.args...), limit, offset)
	default:
		countSQL = `SELECT count(*) FROM briefs b WHERE b.search_tsv @@ websearch_to_tsquery('english', ?)` + w.sql()
		countArgs = append([]any{text}, w.args...)
		// ts_headline is costly: only for the rows of the page.
		pageSQL = `SELECT t.id, t.rank, ts_headline('english', t.search_text, websearch_to_tsquery('english', ?), ?)
			FROM (SELECT b.id, b.search_text, b.sort_at, ts_rank_cd(b.search_tsv, query) AS rank
				FROM briefs b, websearch_to_tsquery('english', ?) query
				WHERE b.search_tsv @@ query` + w.sql() + `
				ORDER BY rank DESC, b.sort_at DESC, b.id DESC LIMIT ? OFFSET ?) t
			ORDER BY t.rank DESC, t.sort_at DESC, t.id DESC`
		pageArgs = append(append([]any{text, pgHeadline, text}, w.args...), limit, offset)
	}

	err = s.read(ctx, func(tx runner) error {
		if err := tx.queryRow(ctx, countSQL, countArgs...).Scan(&res.Total); err != nil {
			return err
		}
		if res.Total <= offset {
			return nil
		}
		rows, err := tx.query(ctx, pageSQL, pageArgs...)
		if err != nil {
			return err
		}
		var hits []hit
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.id, &h.rank, &h.snippet); err != nil {
				rows.Close()
				return err
			}
			hits = append(hits, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(hits) == 0 {
			return nil
		}
		ids := make([]any, len(hits))
		for i, h := range hits {
			ids[i] = h.id
		}
		briefs, err := loadBriefs(ctx, tx, false, `SELECT `+briefCols+` FROM briefs b WHERE b.id IN (`+placeholders(len(ids))+`)`, ids...)
		if err != nil {
			return err
		}
		byID := make(map[int64]*brief.Brief, len(briefs))
		for _, r := range briefs {
			byID[r.id] = r.b
		}
		for _, h := range hits {
			b, ok := byID[h.id]
			if !ok {
				continue
			}
			snippet := h.snippet
			if listing {
				snippet = leadSnippet(b, 200)
			}
			res.Hits = append(res.Hits, SearchHit{Brief: *b, Snippet: snippet, Rank: h.rank})
		}
		return nil
	})
	if err != nil {
		return SearchResult{}, fmt.Errorf("store: search %q: %w", q.Q, err)
	}
	return res, nil
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
