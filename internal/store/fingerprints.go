package store

// Near-duplicate lookup (migration 00007_ingest_scale). Each comparable
// article's SimHash is stored in article_bands under its three band keys
// (source.Fingerprint.BandKeys), with the SimHash itself. A bucket (the
// rows of one key) keeps its bucketSize newest articles: a lookup reads the
// buckets of the 67 keys of source.Fingerprint.ProbeKeys, narrow rows only,
// so at most 67 × bucketSize rows (and next to none for a text unlike the
// others), and confirms the few within source.NearDuplicateDistance by
// their shingles. The cost per article does not grow with the archive.

import (
	"context"
	"database/sql"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"legists/internal/source"
)

const (
	// bucketSize is how many articles a band key keeps, the newest. Texts
	// that share a 21-bit band by chance are rare; a bucket fills only
	// with texts much alike, and then the newest are the likeliest copies.
	bucketSize = 32
	// maxConfirm is how many candidates within the distance have their
	// text compared, closest first.
	maxConfirm = 8
)

// probeSQL looks up the 67 probe keys. On PostgreSQL each key is its own
// primary-key lookup (a lateral join over the keys): given the IN list, a
// planner without fresh statistics (autovacuum off or behind a fast-growing
// table) scans the whole table, a cost that grows with the archive
// (EXPLAIN ANALYZE at 95,000 rows: a sequential scan, 338 ms a lookup).
// Each bucket holds at most bucketSize rows; the LIMIT says so to the
// planner too.
var (
	probeSQL = `SELECT article_id, simhash FROM article_bands WHERE band_key IN (` +
		placeholders(len(source.Fingerprint(0).ProbeKeys())) + `)`
	probeSQLPostgres = `SELECT b.article_id, b.simhash FROM (VALUES ` +
		strings.Repeat(`(?::bigint), `, len(source.Fingerprint(0).ProbeKeys())-1) + `(?::bigint)) AS k (band_key)
		CROSS JOIN LATERAL (SELECT article_id, simhash FROM article_bands WHERE band_key = k.band_key
		ORDER BY article_id DESC LIMIT ` + strconv.Itoa(2*bucketSize) + `) b`
)

// sameOrProbeSQL (sameOrProbeSQLPostgres) is, in one round trip, the
// first article with a text's content hash (one index lookup; its third
// column 1), then probeSQL's rows (third column 0): the content hash, then
// the probe keys.
var (
	sameOrProbeSQL         = sameOrProbe(probeSQL)
	sameOrProbeSQLPostgres = sameOrProbe(probeSQLPostgres)
)

func sameOrProbe(probe string) string {
	return `SELECT e.id, 0, 1 FROM (SELECT id FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1) e
		UNION ALL SELECT p.article_id, p.simhash, 0 FROM (` + probe + `) p`
}

// trimSQL drops, from the buckets of an article's band keys, the rows
// older than each bucket's bucketSize newest.
var trimSQL = `DELETE FROM article_bands WHERE band_key IN (` + placeholders(len(source.Fingerprint(0).BandKeys())) +
	`) AND article_id < (SELECT n.article_id FROM article_bands n WHERE n.band_key = article_bands.band_key
	ORDER BY n.article_id DESC LIMIT 1 OFFSET ` + strconv.Itoa(bucketSize-1) + `)`

// insertBands indexes an article's fingerprint.
func (s *db) insertBands(ctx context.Context, tx runner, id int64, f source.Fingerprint) error {
	keys := f.BandKeys()
	args := make([]any, 0, 3*len(keys))
	ph := make([]string, 0, len(keys))
	for _, k := range keys {
		args = append(args, k, id, int64(uint64(f)))
		ph = append(ph, "(?, ?, ?)")
	}
	if _, err := tx.hot().exec(ctx, `INSERT INTO article_bands (band_key, article_id, simhash) VALUES `+
		strings.Join(ph, ", ")+` ON CONFLICT DO NOTHING`, args...); err != nil {
		return err
	}
	// Keep each bucket to its bucketSize newest: one statement for the
	// three buckets (each trimmed through its own primary-key range).
	_, err := tx.hot().exec(ctx, trimSQL, anys(keys[:])...)
	return err
}

// reindexBands replaces an updated article's fingerprint (comparable false:
// its text is now too short to take part).
func (s *db) reindexBands(ctx context.Context, tx runner, id int64, f source.Fingerprint, comparable bool) error {
	if _, err := tx.hot().exec(ctx, `DELETE FROM article_bands WHERE article_id = ?`, id); err != nil {
		return err
	}
	if !comparable {
		return nil
	}
	return s.insertBands(ctx, tx, id, f)
}

// findNearDuplicate finds the first stored copy of a text: an article with
// the same content hash, or whose SimHash lies within
// source.NearDuplicateDistance and whose text shares most of its shingles
// (source.Containment). A copy of a copy resolves to the first copy.
func (s *db) findNearDuplicate(ctx context.Context, tx runner, f source.Fingerprint, hash string, words []string) (orig int64, story sql.NullInt64, dist int, found bool, err error) {
	type cand struct {
		id   int64
		dist int
	}
	var cands []cand
	// One round trip: the first article with the same text (one index
	// lookup), then the buckets of the probe keys.
	q := sameOrProbeSQL
	if s.d.name == dialectPostgres {
		q = sameOrProbeSQLPostgres
	}
	rows, err := tx.hot().query(ctx, q, append([]any{hash}, anys(f.ProbeKeys())...)...)
	if err != nil {
		return 0, story, 0, false, err
	}
	seen := map[int64]bool{}
	exact := int64(0)
	for rows.Next() {
		var id, sim int64
		var same bool
		if err := rows.Scan(&id, &sim, &same); err != nil {
			rows.Close()
			return 0, story, 0, false, err
		}
		if same {
			exact = id
			continue
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if d := f.Distance(source.Fingerprint(uint64(sim))); d <= source.NearDuplicateDistance {
			cands = append(cands, cand{id: id, dist: d})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, story, 0, false, err
	}
	if exact != 0 {
		// The same text is the only candidate.
		cands = []cand{{id: exact, dist: -1}}
	} else {
		// Closest first, then the oldest.
		slices.SortFunc(cands, func(a, b cand) int {
			if a.dist != b.dist {
				return a.dist - b.dist
			}
			return int(a.id - b.id)
		})
		cands = cands[:min(len(cands), maxConfirm)]
	}
	for _, c := range cands {
		var (
			text string
			dup  sql.NullInt64
		)
		if err := tx.hot().queryRow(ctx, `SELECT text, duplicate_of FROM articles WHERE id = ?`, c.id).Scan(&text, &dup); err != nil {
			return 0, story, 0, false, err
		}
		if c.dist >= 0 && source.Containment(words, source.Words(text)) < source.MinContainment {
			continue
		}
		orig := c.id
		if dup.Valid {
			orig = dup.Int64
		}
		// FOR UPDATE: wait for a concurrent AssignStory of the original,
		// so that the copy joins its story (AssignStory locks the same row
		// and moves the copies it can see).
		if err := tx.hot().queryRow(ctx, `SELECT story_id FROM articles WHERE id = ?`+s.d.forUpdate, orig).Scan(&story); err != nil {
			return 0, story, 0, false, err
		}
		return orig, story, max(c.dist, 0), true, nil
	}
	return 0, story, 0, false, nil
}

// srcBandLocks are the advisory lock keys of a fingerprint's six narrow
// bands, ascending: two fingerprints within source.NearDuplicateDistance
// share one of them exactly, so two copies saved at once by two workers
// wait for each other.
func srcBandLocks(f source.Fingerprint) []int64 {
	var keys []int64
	for i, b := range f.Bands() {
		h := fnv.New64a()
		h.Write([]byte("legists-article-band-" + strconv.Itoa(i) + "-" + strconv.FormatInt(b, 10)))
		keys = append(keys, int64(h.Sum64()>>1))
	}
	slices.Sort(keys)
	return keys
}
