package store

// Near-duplicate lookup by SimHash (migration 00007_ingest_scale).

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"slices"

	"legists/internal/source"
)

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
