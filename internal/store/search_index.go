package store

// The search index, brief_search (migrations 00012_brief_search): the
// matches of a query, their order by recency, their count up to a cap and
// their rank, all read from it alone, never from briefs.

import (
	"context"
	"fmt"
	"time"

	"legists/internal/brief"
)

// countCap is how many matches a search counts: when more match, Total is
// countCap and TotalCapped is set (the page says "More than 1,000
// results"). Counting reads every match, as ranking does, so it stops too.
// A variable for tests.
var countCap = 1000

// SQLite's brief_search rowid is (unixepoch(sort_at) - rowidEpoch) << 32
// | id, sort_at held within 32 bits of seconds around rowidEpoch (1965 to
// 2101): rowid order is the order of sort_at to the second, then id. The
// migration's triggers compute the same.
const (
	rowidEpoch   = 2000000000
	rowidIDMask  = 1<<32 - 1
	rowidMinSecs = rowidEpoch - 1<<31
	rowidMaxSecs = rowidEpoch + 1<<31 - 1
)

// searchRowid is the lowest rowid of the second of t (id 0).
func searchRowid(t time.Time) int64 {
	s := min(max(t.Unix(), rowidMinSecs), rowidMaxSecs)
	return (s - rowidEpoch) << 32
}

// searchRowidAfter is the lowest rowid after the second of t, or of t
// itself when t is on a second.
func searchRowidAfter(t time.Time) int64 {
	if t.Nanosecond() == 0 {
		return searchRowid(t)
	}
	return searchRowid(t.Add(time.Second))
}

func idOfRowid(r int64) int64 { return r & rowidIDMask }

// matchSource selects a query's matches in brief_search, with its args:
// "FROM ... WHERE ..." with the filters, and the orders newest first
// (recentKeys) that the keys it selects (key: SQLite's rowid,
// PostgreSQL's id) come in.
type matchSource struct {
	from   string
	args   []any
	key    string // the key of a match: rowid or id
	recent string // ORDER BY newest first
	idOf   string // the brief id of a key, in SQL, for "%s" = the key
}

// indexMatches is the matchSource of text (not empty) for status and the
// filters. SQLite: one MATCH with the status, the reader's words limited
// to the title and the text, firms and topics as id lists, the dates as a
// rowid range (to the second: since is taken from the start of its
// second, until to the end of its own unless it is on a second).
// PostgreSQL: the status, the tsquery, the lists and the dates on
// brief_search.
func (s *db) indexMatches(text string, status brief.Status, firmSlugs []string, topic string, since, until time.Time) matchSource {
	f := &filters{}
	var m matchSource
	if s.d.name == dialectSQLite {
		m = matchSource{key: "brief_search.rowid", recent: ` ORDER BY brief_search.rowid DESC`, idOf: "(%s & 4294967295)"}
		m.from = ` FROM brief_search WHERE brief_search MATCH ?`
		m.args = []any{`{status} : "` + string(status) + `" AND {title search_text} : (` + fts5Query(text) + `)`}
		if !since.IsZero() {
			f.add("brief_search.rowid >= ?", searchRowid(since))
		}
		if !until.IsZero() {
			f.add("brief_search.rowid < ?", searchRowidAfter(until))
		}
	} else {
		m = matchSource{key: "bs.id", recent: ` ORDER BY bs.sort_at DESC, bs.id DESC`, idOf: "%s"}
		// The status is written in the SQL: one of three words, and the
		// planner sees which.
		m.from = ` FROM brief_search bs WHERE bs.status = '` + string(status) + `' AND bs.tsv @@ websearch_to_tsquery('english', ?)`
		m.args = []any{text}
		if !since.IsZero() {
			f.add("bs.sort_at >= ?", s.d.timeArg(since))
		}
		if !until.IsZero() {
			f.add("bs.sort_at < ?", s.d.timeArg(until))
		}
	}
	id := fmt.Sprintf(m.idOf, m.key)
	if len(firmSlugs) > 0 {
		f.add(id+" IN (SELECT bf.brief_id FROM brief_firms bf WHERE bf.firm_slug IN "+inList(len(firmSlugs))+")", anys(firmSlugs)...)
	}
	if topic != "" {
		f.add(id+" IN (SELECT bt.brief_id FROM brief_topics bt WHERE bt.topic_slug = ?)", brief.Slugify(topic))
	}
	m.from += f.sql()
	m.args = append(m.args, f.args...)
	return m
}

// rankedPage returns the page of hits (their keys, in order), the number of
// matches up to countCap and whether there are more (see SearchBriefs).
// One statement scans the matches newest first (SQLite: brief_search by
// descending rowid, bm25 as it goes; PostgreSQL: by brief_search_recent,
// or the GIN index and a top-N sort, as the planner sees fit) and stops
// after max(rankWindow, countCap+1) of them (m), counts them, and ranks the
// rankWindow most recent (w): by bm25, or by ts_rank_cd of their tsvectors
// read again by id.
//
// boost lists the slugs of the topics the query names (queryTopics): the
// briefs tagged with one of them come first, each group by relevance.
func (s *db) rankedPage(ctx context.Context, tx runner, text string, ms matchSource, boost []string, limit, offset int) ([]int64, int, bool, error) {
	var (
		keys  []int64
		total = -1
		end   = offset + limit
	)
	if offset < rankWindow {
		query, args := s.rankQuery(text, ms, boost, min(end, rankWindow)-offset, offset)
		rows, err := tx.query(ctx, query, args...)
		if err != nil {
			return nil, 0, false, err
		}
		for rows.Next() {
			var k int64
			if err := rows.Scan(&k, &total); err != nil {
				rows.Close()
				return nil, 0, false, err
			}
			keys = append(keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, false, err
		}
	}
	if total < 0 {
		// No row to tell: no match, or a page past the window.
		if err := tx.queryRow(ctx, `SELECT count(*) FROM (SELECT `+ms.key+ms.from+` LIMIT ?) c`, with(ms.args, countCap+1)...).Scan(&total); err != nil {
			return nil, 0, false, err
		}
	}
	// The hits are the first Total matches in order: with more than
	// countCap, the page ends at countCap.
	capped := total > countCap
	total = min(total, countCap)
	end = min(end, total)
	keys = keys[:min(len(keys), max(end-offset, 0))]
	if start := max(offset, rankWindow); end > start {
		// Past the window: the older matches, newest first.
		var err error
		if keys, err = collectIDs(ctx, tx, keys, `SELECT `+ms.key+ms.from+ms.recent+` LIMIT ? OFFSET ?`, with(ms.args, end-start, start)...); err != nil {
			return nil, 0, false, err
		}
	}
	return keys, total, capped, nil
}

// rankQuery is rankedPage's statement for the page (limit, offset) of
// the window: its rows are a match's key and the number of matches read.
func (s *db) rankQuery(text string, ms matchSource, boost []string, limit, offset int) (string, []any) {
	scan := max(rankWindow, countCap+1)
	first, boostArgs := "", []any{}
	if len(boost) > 0 {
		first = `(` + fmt.Sprintf(ms.idOf, "w.k") + ` IN (SELECT bt.brief_id FROM brief_topics bt WHERE bt.topic_slug IN ` + inList(len(boost)) + `)) DESC, `
		boostArgs = anys(boost)
	}
	if s.d.name == dialectSQLite {
		return `WITH m AS MATERIALIZED (SELECT brief_search.rowid AS k, bm25(brief_search, 10.0, 1.0, 0.0) AS score` + ms.from + ms.recent + ` LIMIT ?),
				w AS MATERIALIZED (SELECT k, score FROM m ORDER BY k DESC LIMIT ?)
			SELECT w.k, (SELECT count(*) FROM m) FROM w
			ORDER BY ` + first + `w.score, w.k DESC LIMIT ? OFFSET ?`,
			with(with(ms.args, scan, rankWindow), append(boostArgs, limit, offset)...)
	}
	// MATERIALIZED: m is read once, and only w's tsvectors are read again,
	// for ts_rank_cd.
	return `WITH m AS MATERIALIZED (SELECT bs.id AS k, bs.sort_at` + ms.from + ms.recent + ` LIMIT ?),
			w AS MATERIALIZED (SELECT k, sort_at FROM m ORDER BY sort_at DESC, k DESC LIMIT ?)
		SELECT w.k, (SELECT count(*) FROM m) FROM w JOIN brief_search bs ON bs.id = w.k, websearch_to_tsquery('english', ?) query
		ORDER BY ` + first + `ts_rank_cd(bs.tsv, query) DESC, w.sort_at DESC, w.k DESC LIMIT ? OFFSET ?`,
		with(with(ms.args, scan, rankWindow, text), append(boostArgs, limit, offset)...)
}

// searchDetails returns the rank and the snippet of the page's matches
// (keys from rankedPage), by brief id: snippet() and ts_headline read the
// text of a brief, so only for the page. SQLite reads brief_search's own
// copy between the page's lowest and highest rowids (+rowid: filtered while
// scanning the doclists, not a lookup by rowid for each, which costs FTS5
// about a millisecond); PostgreSQL ranks on brief_search and takes the
// text for ts_headline from the page's briefs.
func (s *db) searchDetails(ctx context.Context, tx runner, text string, keys []int64) (map[int64]float64, map[int64]string, error) {
	ranks := make(map[int64]float64, len(keys))
	snippets := make(map[int64]string, len(keys))
	args := make([]any, 0, len(keys)+5)
	var query string
	if s.d.name == dialectSQLite {
		lo, hi := keys[0], keys[0]
		for _, k := range keys {
			lo, hi = min(lo, k), max(hi, k)
		}
		query = `SELECT rowid & 4294967295, -bm25(brief_search, 10.0, 1.0, 0.0), snippet(brief_search, 1, ?, ?, '…', 24)
			FROM brief_search WHERE brief_search MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN (` + placeholders(len(keys)) + `)`
		args = append(args, HighlightStart, HighlightEnd, `{title search_text} : (`+fts5Query(text)+`)`, lo, hi)
	} else {
		query = `SELECT bs.id, ts_rank_cd(bs.tsv, query), ts_headline('english', b.search_text, query, ?)
			FROM brief_search bs JOIN briefs b ON b.id = bs.id, websearch_to_tsquery('english', ?) query WHERE bs.id IN (` + placeholders(len(keys)) + `)`
		args = append(args, pgHeadline, text)
	}
	for _, k := range keys {
		args = append(args, k)
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
