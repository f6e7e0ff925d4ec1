package fidelity

import (
	"math/bits"
	"slices"
	"strings"
	"sync"

	"legists/internal/sentence"
)

// doc is a source text prepared for checking, under its citation number.
type doc struct {
	n int
	*prepared
}

// prepared is what the checks need of a source text. It depends on the
// text alone and is never changed once built, so one is shared by every
// check of the same text (see prepare).
type prepared struct {
	sents     []srcSentence
	lowerText string // the text in lower case: whether it writes a phrase
	bindOnce  sync.Once
	binds     []srcBinding // roles beside names, see bindings
	// bodyDs are the dates of the text less those of its masthead
	// ("Client Alert | 16 April 2026"): the dates of events.
	bodyDs    []date
	names     docNames
	qs        []quantity
	ds        []date
	lowerSeen map[string]bool
	capsSeen  map[string]bool
	allKeys   map[string]bool
	flat      string              // the words of the text in lower case, one space apart: where quotations are looked up
	at        map[string][]tokPos // where each content key occurs: what the role checks look up
}

// lowerKey is how lowerSeen records the key of a word seen in lower case,
// apart from the words themselves.
func lowerKey(key string) string { return "\x00" + key }

// tokPos is a token of a source: sentence and token index.
type tokPos struct{ s, t int32 }

type srcSentence struct {
	text string
	toks []token
	keys map[string]bool
	occs []polar // every content word with its polarity and neighbourhood
	qs   []quantity
	ds   []date
}

func newDoc(n int, text string) *doc {
	return &doc{n: n, prepared: prepare(text)}
}

// The cache of prepared sources, by text. An editor checks a brief again
// and again against the same archived sources, and the evaluation checks
// every variant against its case's sources: each text is tokenised once.
// The cache is bounded by the bytes of text it holds and simply emptied
// when full.
var docCache = struct {
	sync.Mutex
	m     map[string]*prepared
	bytes int
}{m: map[string]*prepared{}}

const docCacheBytes = 32 << 20

func prepare(text string) *prepared {
	docCache.Lock()
	p, ok := docCache.m[text]
	docCache.Unlock()
	if ok {
		return p
	}
	p = prepareText(articleText(text))
	if len(text) > docCacheBytes/4 {
		return p
	}
	docCache.Lock()
	if docCache.bytes+len(text) > docCacheBytes {
		clear(docCache.m)
		docCache.bytes = 0
	}
	if _, dup := docCache.m[text]; !dup {
		docCache.m[text] = p
		docCache.bytes += len(text)
	}
	docCache.Unlock()
	return p
}

// resetDocCache empties the cache of prepared sources.
func resetDocCache() {
	docCache.Lock()
	clear(docCache.m)
	docCache.bytes = 0
	docCache.Unlock()
}

func prepareText(text string) *prepared {
	words := len(text)/6 + 1 // about the words of the text, to size the maps
	d := &prepared{names: make(docNames, 2*words), lowerSeen: make(map[string]bool, words/2), capsSeen: map[string]bool{}, allKeys: make(map[string]bool, words/2), at: make(map[string][]tokPos, words/2)}
	d.lowerText = strings.ToLower(text)
	for _, sp := range sentence.Split(text) {
		st := sp.Text(text)
		toks := tokenize(st)
		ss := srcSentence{text: st, toks: toks, keys: map[string]bool{}, occs: occurrences(toks)}
		for _, k := range contentKeys(toks) {
			ss.keys[k] = true
			d.allKeys[k] = true
		}
		ss.qs, ss.ds = extractFigures(st, toks)
		ss.qs = append(ss.qs, groupTotals(ss.qs, toks)...)
		d.qs = append(d.qs, ss.qs...)
		d.ds = append(d.ds, ss.ds...)
		for _, dt := range ss.ds {
			if at := strings.Index(st, dt.text); at < 0 || !mastheadLine(text, sp.Start+at) {
				d.bodyDs = append(d.bodyDs, dt)
			}
		}
		d.names.addTokens(toks)
		for i, t := range toks {
			if !t.stop && !t.num && len(t.lower) > 2 {
				d.at[t.key] = append(d.at[t.key], tokPos{int32(len(d.sents)), int32(i)})
			}
		}
		for i, t := range toks {
			if i > 0 && !t.cap {
				d.lowerSeen[t.lower] = true
				d.lowerSeen[lowerKey(t.key)] = true
			} else if i > 0 {
				d.capsSeen[t.lower] = true
			}
		}
		d.sents = append(d.sents, ss)
	}
	d.flat = flatWords(text)
	return d
}

func (d *doc) hasQuantity(q quantity) bool {
	for _, s := range d.qs {
		if q.matches(s) {
			return true
		}
	}
	return false
}

func (d *doc) hasDate(dt date) bool {
	for _, s := range d.ds {
		if dt.compatible(s) {
			return true
		}
	}
	return false
}

// window is a run of consecutive sentences of one source: the passage a
// brief sentence is aligned to.
type window struct {
	d      *doc
	lo, hi int // sentences [lo, hi)
	cov    float64
}

func (w window) n() int {
	if w.d == nil {
		return 0
	}
	return w.d.n
}

func (w window) sents() []srcSentence {
	if w.d == nil {
		return nil
	}
	return w.d.sents[w.lo:w.hi]
}

func (w window) text() string {
	var parts []string
	for _, s := range w.sents() {
		parts = append(parts, s.text)
	}
	t := strings.Join(parts, " ")
	if len(t) > 300 {
		t = t[:strings.LastIndex(t[:300], " ")+1] + "…"
	}
	return t
}

// sentenceOf returns the sentence of the window that gives p: the source's
// own words, which a reader can find in it, rather than a word or a stem.
func (w window) sentenceOf(p polar) string {
	for _, s := range w.sents() {
		for k := range s.occs {
			if o := &s.occs[k]; o.concept == p.concept && (o.text == p.text || p.text == p.concept) {
				return clip(s.text)
			}
		}
	}
	for _, s := range w.sents() {
		for k := range s.occs {
			if similarKey(s.occs[k].concept, p.concept) {
				return clip(s.text)
			}
		}
	}
	return w.text()
}

// clip shortens a quotation for a message.
func clip(t string) string {
	if len(t) > 300 {
		t = t[:strings.LastIndex(t[:300], " ")+1] + "…"
	}
	return t
}

func (w window) keys() map[string]bool {
	m := map[string]bool{}
	for _, s := range w.sents() {
		for k := range s.keys {
			m[k] = true
		}
	}
	return m
}

// occurrences returns the occurrences of the window's sentences, one
// slice per sentence.
func (w window) occurrences() [][]polar {
	out := make([][]polar, 0, w.hi-w.lo)
	for _, s := range w.sents() {
		out = append(out, s.occs)
	}
	return out
}

// gives reports how closely some sentence of d gives p's concept p's
// polarity: the most neighbours such an occurrence shares with p (0: none).
func (d *doc) gives(p polar) int {
	n := 0
	for _, s := range d.sents {
		for k := range s.occs {
			if o := &s.occs[k]; o.pol == p.pol && related(&p, o) {
				n = max(n, ctxShared(&p, o))
			}
		}
	}
	return n
}

func (w window) quantities() string {
	var qs []quantity
	for _, s := range w.sents() {
		qs = append(qs, s.qs...)
	}
	return describeQuantities(qs)
}

func (w window) dates() string {
	var parts []string
	for _, s := range w.sents() {
		for _, d := range s.ds {
			parts = append(parts, "\""+d.text+"\"")
		}
	}
	return strings.Join(parts, ", ")
}

// align finds the window of 1 to maxWindow consecutive sentences, in any of
// docs, that contains the largest share of keys. Ties go to the shorter
// window, which is the more precise alignment.
func (c *checker) align(cl claim, docs []*doc) window {
	var best window
	if cl.size() == 0 {
		for _, d := range docs {
			if len(d.sents) > 0 {
				return window{d: d, lo: 0, hi: 1, cov: 1}
			}
		}
		return best
	}
	best.cov = -1
	size := cl.size()
	words := (size + 63) / 64
	acc := make([]uint64, words)
	for _, d := range docs {
		// hit[i*words:] is the set of parts of the claim sentence i has
		hit := make([]uint64, len(d.sents)*words)
		for i, s := range d.sents {
			cl.hits(s, hit[i*words:(i+1)*words])
		}
		for lo := range d.sents {
			clear(acc)
			for hi := lo + 1; hi <= lo+maxWindow && hi <= len(d.sents); hi++ {
				found := 0
				for w := range words {
					acc[w] |= hit[(hi-1)*words+w]
					found += bits.OnesCount64(acc[w])
				}
				cov := float64(found) / float64(size)
				if cov > best.cov+1e-9 {
					best = window{d: d, lo: lo, hi: hi, cov: cov}
				}
			}
		}
	}
	if best.cov < 0 {
		best.cov = 0
	}
	return best
}

// docCoverage is the share of the claim found anywhere in docs.
func docCoverage(cl claim, docs []*doc) float64 {
	if cl.size() == 0 {
		return 1
	}
	found := 0
	for _, k := range cl.keys {
		for _, d := range docs {
			if d.allKeys[k] {
				found++
				break
			}
		}
	}
	for _, q := range cl.qs {
		if anyDoc(docs, func(d *doc) bool { return d.hasQuantity(q) }) {
			found++
		}
	}
	for _, dt := range cl.ds {
		if anyDoc(docs, func(d *doc) bool { return d.hasDate(dt) }) {
			found++
		}
	}
	return float64(found) / float64(cl.size())
}

// claim is what support measures in a brief sentence: its content words
// and its figures. Figures count because a sentence that reuses a source's
// numbers and dates in new words is anchored to that source.
type claim struct {
	keys []string
	qs   []quantity
	ds   []date
}

func (cl claim) size() int { return len(cl.keys) + len(cl.qs) + len(cl.ds) }

// hits sets in set, a bit per part of the claim (keys, then quantities,
// then dates), the parts source sentence s has.
func (cl claim) hits(s srcSentence, set []uint64) {
	i := 0
	mark := func(ok bool) {
		if ok {
			set[i/64] |= 1 << (i % 64)
		}
		i++
	}
	for _, k := range cl.keys {
		mark(s.keys[k])
	}
	for _, q := range cl.qs {
		mark(slices.ContainsFunc(s.qs, q.matches))
	}
	for _, dt := range cl.ds {
		mark(slices.ContainsFunc(s.ds, dt.compatible))
	}
}

// mastheadLine reports whether byte at lies on a short line among a text's
// first four that names no event: a masthead, byline or column heading
// whose date says when the text was written ("By A. Writer | The Herald |
// 8 May 2026", "Weekly column, 24 July 2026"), not when anything happened
// ("Date of decision: 21 July 2026").
func mastheadLine(text string, at int) bool {
	lineStart := strings.LastIndexByte(text[:at], '\n') + 1
	if strings.Count(strings.TrimSpace(text[:lineStart]), "\n") >= 4 {
		return false
	}
	end := strings.IndexByte(text[at:], '\n')
	if end < 0 {
		end = len(text) - at
	}
	line := strings.ToLower(text[lineStart : at+end])
	if len(line) > 100 {
		return false
	}
	for _, w := range eventWords {
		if strings.Contains(line, w) {
			return false
		}
	}
	return true
}

// eventWords mark a heading line's date as an event's.
var eventWords = []string{"decision", "decided", "judgment", "judgement", "hearing", "heard", "delivered",
	"filed", "dated", "effective", "signed", "ruling", "order", "deadline", "opened", "closed", "issued"}
