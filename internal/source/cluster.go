package source

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Stories are built incrementally: each new article is compared, by TF-IDF
// cosine, with the centroid of every story active within a time window
// around the article's time, and joins the most similar story when the
// similarity reaches a threshold; otherwise it starts a new story. The IDF
// is computed over the candidate stories and the article itself, so terms
// common to every recent story (the day's generic vocabulary) weigh little
// and the named people, places, bodies and numbers of an event weigh most.

// Vector is a sparse term-weight vector.
type Vector map[string]float64

// Vector sizes: an article keeps its articleTerms best terms, a story
// centroid its storyTerms best.
const (
	articleTerms = 64
	storyTerms   = 96
	titleWeight  = 3 // a headline word counts as this many body words
	bodyWords    = 600
)

// TermVector is the term-frequency vector of an article: title words count
// titleWeight times, the first bodyWords words of the text once; stop words
// and one- or two-letter words are dropped; frequencies are damped
// (1 + ln tf) and the vector keeps its best terms.
func TermVector(title, text string) Vector {
	tf := map[string]float64{}
	for _, w := range Words(title) {
		if t := term(w); t != "" {
			tf[t] += titleWeight
		}
	}
	words := Words(text)
	if len(words) > bodyWords {
		words = words[:bodyWords]
	}
	for _, w := range words {
		if t := term(w); t != "" {
			tf[t]++
		}
	}
	v := make(Vector, len(tf))
	for t, n := range tf {
		v[t] = 1 + math.Log(n)
	}
	return v.truncate(articleTerms)
}

// term normalises a word to a term, or "" for a word that says nothing
// about the event.
func term(w string) string {
	if len(w) < 3 || stopWords[w] {
		return ""
	}
	allDigits := true
	for _, r := range w {
		if r < '0' || r > '9' {
			allDigits = false
			break
		}
	}
	if allDigits {
		// Years and small counts recur everywhere; long numbers (amounts,
		// case numbers) identify an event.
		if len(w) <= 4 {
			return ""
		}
		return w
	}
	// A light plural stem: "sanctions" and "sanction" are one term.
	if len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") {
		w = strings.TrimSuffix(w, "s")
		if strings.HasSuffix(w, "ie") {
			w = strings.TrimSuffix(w, "ie") + "y"
		}
	}
	return w
}

// truncate keeps the n heaviest terms (ties broken by term, so the result
// is deterministic).
func (v Vector) truncate(n int) Vector {
	if len(v) <= n {
		return v
	}
	keys := v.sorted()
	out := make(Vector, n)
	for _, k := range keys[:n] {
		out[k] = v[k]
	}
	return out
}

func (v Vector) sorted() []string {
	type tw struct {
		t string
		w float64
	}
	pairs := make([]tw, 0, len(v))
	for t, w := range v {
		pairs = append(pairs, tw{t, w})
	}
	slices.SortFunc(pairs, func(a, b tw) int {
		if a.w != b.w {
			if a.w > b.w {
				return -1
			}
			return 1
		}
		return strings.Compare(a.t, b.t)
	})
	keys := make([]string, len(pairs))
	for i, p := range pairs {
		keys[i] = p.t
	}
	return keys
}

// Top returns the n heaviest terms, heaviest first.
func (v Vector) Top(n int) []string {
	keys := v.sorted()
	if len(keys) > n {
		keys = keys[:n]
	}
	return keys
}

// Merge adds an article vector to a story centroid (a sum of its articles'
// vectors) and returns the new centroid, cut to its best terms and rounded
// so it stores compactly.
func (v Vector) Merge(a Vector) Vector {
	out := make(Vector, len(v)+len(a))
	for k, w := range v {
		out[k] = w
	}
	for k, w := range a {
		out[k] += w
	}
	out = out.truncate(storyTerms)
	for k, w := range out {
		out[k] = math.Round(w*1000) / 1000
	}
	return out
}

// Candidate is a story an article may join.
type Candidate struct {
	ID        int64
	Centroid  Vector
	FirstSeen time.Time
	LastSeen  time.Time
}

// Clusterer assigns articles to stories.
type Clusterer struct {
	// Window: an article joins only a story with an article within this
	// time of its own.
	Window time.Duration
	// Threshold is the least cosine similarity to join a story.
	Threshold float64
}

// DefaultClusterer groups articles within three days at cosine 0.3.
func DefaultClusterer() Clusterer {
	return Clusterer{Window: 72 * time.Hour, Threshold: 0.3}
}

// Active reports whether a story spanning [first, last] is within the window
// of time at.
func (c Clusterer) Active(cand Candidate, at time.Time) bool {
	return !at.Before(cand.FirstSeen.Add(-c.Window)) && !at.After(cand.LastSeen.Add(c.Window))
}

// Match returns the candidate the article vector v at time at should join
// and its similarity, or ID 0 when it should start a story of its own. The
// IDF is computed over the active candidates and the article.
func (c Clusterer) Match(v Vector, at time.Time, cands []Candidate) (id int64, score float64) {
	var active []*Candidate
	for i := range cands {
		if c.Active(cands[i], at) {
			active = append(active, &cands[i])
		}
	}
	if len(active) == 0 || len(v) == 0 {
		return 0, 0
	}
	df := map[string]int{}
	for t := range v {
		df[t]++
	}
	for _, cand := range active {
		for t := range cand.Centroid {
			df[t]++
		}
	}
	n := float64(len(active) + 1)
	return c.best(v, active, func(t string) float64 { return idf(n, float64(df[t])) })
}

// best scores v against each candidate by TF-IDF cosine.
func (c Clusterer) best(v Vector, cands []*Candidate, idf func(string) float64) (id int64, score float64) {
	weigh := func(x Vector) (Vector, float64) {
		out := make(Vector, len(x))
		var norm float64
		for t, w := range x {
			ww := w * idf(t)
			out[t] = ww
			norm += ww * ww
		}
		return out, math.Sqrt(norm)
	}
	av, an := weigh(v)
	if an == 0 {
		return 0, 0
	}
	for _, cand := range cands {
		var dot, cn float64
		for t, w := range cand.Centroid {
			ww := w * idf(t)
			cn += ww * ww
			dot += ww * av[t]
		}
		if cn == 0 {
			continue
		}
		s := dot / (an * math.Sqrt(cn))
		if s > score || (s == score && id != 0 && cand.ID < id) {
			id, score = cand.ID, s
		}
	}
	if score < c.Threshold {
		return 0, score
	}
	return id, score
}

// Index holds the active stories in memory for incremental clustering: an
// inverted index from terms to stories finds the candidates that share a
// distinctive term with an article, and document frequencies over all the
// stories it holds give the IDF. It is not safe for concurrent use.
type Index struct {
	c        Clusterer
	stories  map[int64]*Candidate
	postings map[string]map[int64]struct{}
	df       map[string]*termCount
	// terms holds each story's centroid as a list whose entries point at
	// their term's count: scoring a candidate reads no map.
	terms  map[int64][]heldTerm
	latest time.Time
	adds   int
	// idfs caches idf(idfN, df) by df (0: not computed yet), for the
	// scoring of one match: a logarithm per held term was a quarter of
	// a match's time.
	idfN float64
	idfs []float64
}

// NewIndex makes an empty index.
func NewIndex(c Clusterer) *Index {
	return &Index{c: c, stories: map[int64]*Candidate{}, postings: map[string]map[int64]struct{}{},
		df: map[string]*termCount{}, terms: map[int64][]heldTerm{}}
}

// Len is the number of stories held.
func (x *Index) Len() int { return len(x.stories) }

// Has reports whether story id is held.
func (x *Index) Has(id int64) bool { _, ok := x.stories[id]; return ok }

// Put adds or replaces a story.
func (x *Index) Put(c Candidate) {
	x.Remove(c.ID)
	cp := c
	x.stories[c.ID] = &cp
	held := make([]heldTerm, 0, len(c.Centroid))
	for t, w := range c.Centroid {
		held = append(held, heldTerm{t: t, w: w, df: x.post(t, c.ID)})
	}
	x.terms[c.ID] = held
	if c.LastSeen.After(x.latest) {
		x.latest = c.LastSeen
	}
}

// Remove drops story id.
func (x *Index) Remove(id int64) {
	old, ok := x.stories[id]
	if !ok {
		return
	}
	for t := range old.Centroid {
		x.unpost(t, id)
	}
	delete(x.stories, id)
	delete(x.terms, id)
}

// Add records that an article with vector v at time at joined story id
// (creating the story in the index when it is not held). A held story's
// postings and document frequencies change only for the terms that enter
// or leave its centroid.
func (x *Index) Add(id int64, v Vector, at time.Time) {
	c, ok := x.stories[id]
	if !ok {
		x.Put(Candidate{ID: id, Centroid: Vector{}.Merge(v), FirstSeen: at, LastSeen: at})
	} else {
		merged := c.Centroid.Merge(v)
		for t := range c.Centroid {
			if _, kept := merged[t]; !kept {
				x.unpost(t, id)
			}
		}
		held := x.terms[id][:0]
		for t, w := range merged {
			tc := x.df[t]
			if _, had := c.Centroid[t]; !had {
				tc = x.post(t, id)
			}
			held = append(held, heldTerm{t: t, w: w, df: tc})
		}
		x.terms[id] = held
		c.Centroid = merged
		if at.Before(c.FirstSeen) {
			c.FirstSeen = at
		}
		if at.After(c.LastSeen) {
			c.LastSeen = at
		}
		if c.LastSeen.After(x.latest) {
			x.latest = c.LastSeen
		}
	}
	if x.adds++; x.adds%1000 == 0 {
		x.evict(x.latest.Add(-4 * x.c.Window))
	}
}

// post records that story id holds term t and returns t's count.
func (x *Index) post(t string, id int64) *termCount {
	ps := x.postings[t]
	if ps == nil {
		ps = map[int64]struct{}{}
		x.postings[t] = ps
	}
	ps[id] = struct{}{}
	tc := x.df[t]
	if tc == nil {
		tc = &termCount{}
		x.df[t] = tc
	}
	tc.n++
	return tc
}

// unpost records that story id no longer holds term t.
func (x *Index) unpost(t string, id int64) {
	if ps := x.postings[t]; ps != nil {
		delete(ps, id)
		if len(ps) == 0 {
			delete(x.postings, t)
		}
	}
	if tc := x.df[t]; tc != nil {
		if tc.n--; tc.n <= 0 {
			delete(x.df, t)
		}
	}
}

// Rename gives story old the id new (a story held under a provisional id
// until the database gave it its own); a story already held as new is
// replaced. Nothing happens when old is not held.
func (x *Index) Rename(old, new int64) {
	c, ok := x.stories[old]
	if !ok || old == new {
		return
	}
	n := *c
	n.ID = new
	x.Remove(old)
	x.Put(n)
}

// evict drops stories last seen before cutoff.
func (x *Index) evict(cutoff time.Time) {
	for id, c := range x.stories {
		if c.LastSeen.Before(cutoff) {
			x.Remove(id)
		}
	}
}

// candidateTerms is how many of an article's heaviest terms (by TF-IDF)
// are looked up in the inverted index; a term held by more than
// maxPostings stories is not rare enough to find candidates by; of the
// stories found, the maxScored that share the most of these terms are
// scored. The cost of a match is bounded however many stories are active.
const (
	candidateTerms = 12
	maxPostings    = 64
	maxScored      = 16
)

// Match returns the story the article vector v at time at should join, or
// 0 to start a new one, and the best similarity found.
func (x *Index) Match(v Vector, at time.Time) (id int64, score float64) {
	if len(v) == 0 || len(x.stories) == 0 {
		return 0, 0
	}
	n := float64(len(x.stories) + 1)
	idf := func(t string) float64 { return x.idfOf(n, x.dfOf(t)+1) }
	weighted := make(Vector, len(v))
	for t, w := range v {
		weighted[t] = w * idf(t)
	}
	shared := map[int64]int{}
	for _, t := range weighted.Top(candidateTerms) {
		ps := x.postings[t]
		if len(ps) > maxPostings {
			continue
		}
		for sid := range ps {
			shared[sid]++
		}
	}
	var cands []*Candidate
	for sid := range shared {
		if c := x.stories[sid]; x.c.Active(*c, at) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return 0, 0
	}
	// Most shared terms first, then the oldest story.
	slices.SortFunc(cands, func(a, b *Candidate) int {
		if shared[a.ID] != shared[b.ID] {
			return shared[b.ID] - shared[a.ID]
		}
		return cmp.Compare(a.ID, b.ID)
	})
	cands = cands[:min(len(cands), maxScored)]
	return x.best(weighted, n, cands)
}

// termCount is how many held stories have a term in their centroid.
type termCount struct{ n int }

// heldTerm is a term of a held story's centroid, its weight and its count.
type heldTerm struct {
	t  string
	w  float64
	df *termCount
}

func (x *Index) dfOf(t string) int {
	if tc := x.df[t]; tc != nil {
		return tc.n
	}
	return 0
}

// best is Clusterer.best over held stories: av is the article's vector
// weighted by IDF over the n-1 held stories; each candidate's terms are
// read from its held list.
func (x *Index) best(av Vector, n float64, cands []*Candidate) (id int64, score float64) {
	var an float64
	for _, w := range av {
		an += w * w
	}
	an = math.Sqrt(an)
	if an == 0 {
		return 0, 0
	}
	for _, cand := range cands {
		var dot, cn float64
		for _, h := range x.terms[cand.ID] {
			ww := h.w * x.idfOf(n, h.df.n+1)
			cn += ww * ww
			if a, ok := av[h.t]; ok {
				dot += ww * a
			}
		}
		if cn == 0 {
			continue
		}
		s := dot / (an * math.Sqrt(cn))
		if s > score || (s == score && id != 0 && cand.ID < id) {
			id, score = cand.ID, s
		}
	}
	if score < x.c.Threshold {
		return 0, score
	}
	return id, score
}

// idfOf is idf(n, df), cached for the n of the match under way.
func (x *Index) idfOf(n float64, df int) float64 {
	if n != x.idfN {
		x.idfN = n
		clear(x.idfs)
	}
	if df >= len(x.idfs) {
		if df >= 4096 {
			return idf(n, float64(df))
		}
		x.idfs = append(x.idfs, make([]float64, df+1-len(x.idfs))...)
	}
	if v := x.idfs[df]; v != 0 {
		return v
	}
	v := idf(n, float64(df))
	x.idfs[df] = v
	return v
}

// idfPrior is a number of imaginary stories that share no term, so that
// with few real stories the weights stay even instead of swinging on one
// or two documents.
const idfPrior = 10

// idf is the BM25 inverse document frequency of a term found in df of n
// stories (plus idfPrior): near zero for a term in every one of many
// stories (the vocabulary every report shares), about ln(2n) for a term in
// one; never negative.
func idf(n, df float64) float64 {
	n += idfPrior
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// Cosine is the plain cosine similarity of two vectors.
func Cosine(a, b Vector) float64 {
	var dot, na, nb float64
	for t, w := range a {
		dot += w * b[t]
		na += w * w
	}
	for _, w := range b {
		nb += w * w
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

func sortTimeline(t []TimelineEntry) {
	sort.SliceStable(t, func(i, j int) bool {
		if !t[i].At.Equal(t[j].At) {
			return t[i].At.Before(t[j].At)
		}
		return t[i].ArticleID < t[j].ArticleID
	})
}

// stopWords are English function words and the vocabulary of news writing
// itself, which says nothing about which event an article reports.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for w := range strings.FieldsSeq(`
a about above across after afterwards again against all almost alone along already also
although always am among amongst an and another any anyhow anyone anything anyway anywhere
are around as at back be became because become becomes becoming been before beforehand
behind being below beside besides between beyond both but by can cannot could did do does
doing done down during each either else elsewhere enough even ever every everyone
everything everywhere except few for former formerly from further had has have having he
hence her here hereafter hereby herein hers herself him himself his how however if in
indeed into is it its itself just last latter least less made make many may me meanwhile
might more moreover most mostly much must my myself namely neither never nevertheless
next no nobody none nor not nothing now nowhere of off often on once one only onto or
other others otherwise our ours ourselves out over own per perhaps please put rather
same say says said see seem seemed seeming seems several she should since so some
somehow someone something sometime sometimes somewhere still such than that the their
theirs them themselves then thence there thereafter thereby therefore therein these they
this those though through throughout thus to together too toward towards under until up
upon us very via was we well were what whatever when whence whenever where whereas
whereby wherever whether which while who whoever whole whom whose why will with within
without would yet you your yours yourself yourselves
new news today yesterday tomorrow week weeks month months year years day days time times
monday tuesday wednesday thursday friday saturday sunday
january february march april june july august september october november december
told tell tells according reported report reports reporting statement added adding
including include includes like get got going make makes making take takes took
first second third two three four five six seven eight nine ten
mr mrs ms dr people thing things way ways part lot lots told also asked ask
read more share comment comments subscribe newsletter click here photo image video
copyright rights reserved reuters associated press agency wire updated published
`) {
		m[w] = true
	}
	return m
}()
