package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"legists/internal/brief"
)

// Taxonomy-aware ranking. A word means one thing in the news and another
// in a judgment: "sanctions" is a practice area, and also what a court does
// to a restructuring plan. When a query's words name a practice area or a
// jurisdiction of the taxonomy (its name, or one of its keywords), briefs
// tagged with that topic rank above the other matches; the text's relevance
// orders each group.

// queryTopics returns the slugs of the topics the query's words name.
func (s *db) queryTopics(ctx context.Context, text string) ([]string, error) {
	words := queryWords(text)
	if len(words) == 0 {
		return nil, nil
	}
	topics, err := s.ListTopics(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range topics {
		if topicNamedBy(t, words) {
			out = append(out, t.Slug)
		}
	}
	return out, nil
}

// queryWords are the query's words that may name a topic: at least four
// letters, lower-cased, not excluded (-word) and not OR.
func queryWords(text string) []string {
	var out []string
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "-") || f == "OR" {
			continue
		}
		w := strings.ToLower(strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }))
		if len([]rune(w)) >= 4 {
			out = append(out, w)
		}
	}
	return out
}

// topicNamedBy reports whether one of words is a word of the topic's name
// or one of its one-word keywords, singular or plural alike.
func topicNamedBy(t brief.Topic, words []string) bool {
	var names []string
	for _, f := range strings.FieldsFunc(strings.ToLower(t.Name), func(r rune) bool { return !unicode.IsLetter(r) }) {
		names = append(names, f)
	}
	for _, k := range t.Keywords {
		k = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(k), "*"))
		if !strings.ContainsRune(k, ' ') {
			names = append(names, k)
		}
	}
	for _, w := range words {
		for _, n := range names {
			if len(n) >= 4 && singular(w) == singular(n) {
				return true
			}
		}
	}
	return false
}

func singular(w string) string {
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 3:
		return w[:len(w)-1]
	}
	return w
}

// "Did you mean": a query that finds nothing gets a correction from the
// index's own vocabulary, the words of the published briefs, each query
// word unknown to it replaced by the nearest known word (at most one edit
// for short words, two for longer ones; transpositions count once).

// vocabulary is the words of the published briefs and how many briefs use
// each, rebuilt when the published briefs change.
type vocabulary struct {
	mu    sync.Mutex
	key   string // count and latest update of the published briefs
	at    time.Time
	words map[string]int
}

const vocabCheckEvery = 10 * time.Second

func (s *db) vocabulary(ctx context.Context) (map[string]int, error) {
	v := &s.vocab
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.words != nil && time.Since(v.at) < vocabCheckEvery {
		return v.words, nil
	}
	var (
		n      int
		latest dbTime
	)
	if err := s.reader().queryRow(ctx, `SELECT count(*), max(updated_at) FROM briefs WHERE status = 'published'`).Scan(&n, &latest); err != nil {
		return nil, err
	}
	key := fmt.Sprint(n, "|", latest.Time.UnixMicro())
	if v.words != nil && key == v.key {
		v.at = time.Now()
		return v.words, nil
	}
	rows, err := s.reader().query(ctx, `SELECT title, search_text FROM briefs WHERE status = 'published'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	words := map[string]int{}
	for rows.Next() {
		var title, text string
		if err := rows.Scan(&title, &text); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(title+"\n"+text), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len(w) >= 3 && !seen[w] {
				seen[w] = true
				words[w]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	v.words, v.key, v.at = words, key, time.Now()
	return words, nil
}

// suggest returns the query with each unknown word replaced by its nearest
// known one, or "" when there is nothing to correct.
func (s *db) suggest(ctx context.Context, text string) (string, error) {
	vocab, err := s.vocabulary(ctx)
	if err != nil || len(vocab) == 0 {
		return "", err
	}
	fields := strings.Fields(text)
	changed := false
	for i, f := range fields {
		w := strings.ToLower(f)
		if len([]rune(w)) < 4 || vocab[w] > 0 || strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) {
			continue
		}
		limit := 1
		if len([]rune(w)) > 6 {
			limit = 2
		}
		best, bestD, bestN := "", limit+1, 0
		for cand, n := range vocab {
			if abs(len(cand)-len(w)) > limit {
				continue
			}
			d := editDistance(w, cand, limit)
			if d < bestD || d == bestD && (n > bestN || n == bestN && cand < best) {
				best, bestD, bestN = cand, d, n
			}
		}
		if best != "" {
			fields[i], changed = best, true
		}
	}
	if !changed {
		return "", nil
	}
	return strings.Join(fields, " "), nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the optimal-string-alignment distance between a and b
// (insertions, deletions, substitutions and transpositions of neighbours),
// or limit+1 once it is certain to exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}
