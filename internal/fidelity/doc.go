package fidelity

import (
	"strings"

	"legists/internal/sentence"
)

// doc is a source text prepared for checking.
type doc struct {
	n         int
	sents     []srcSentence
	names     docNames
	qs        []quantity
	ds        []date
	lowerSeen map[string]bool
	capsSeen  map[string]bool
	allKeys   map[string]bool
}

type srcSentence struct {
	text string
	keys map[string]bool
	pols []polar
	qs   []quantity
	ds   []date
}

func newDoc(n int, text string) *doc {
	d := &doc{n: n, names: docNames{}, lowerSeen: map[string]bool{}, capsSeen: map[string]bool{}, allKeys: map[string]bool{}}
	for _, sp := range sentence.Split(text) {
		st := sp.Text(text)
		toks := tokenize(st)
		ss := srcSentence{text: st, keys: map[string]bool{}, pols: polarities(toks)}
		for _, k := range contentKeys(toks) {
			ss.keys[k] = true
			d.allKeys[k] = true
		}
		ss.qs, ss.ds = extractFigures(st, toks)
		d.qs = append(d.qs, ss.qs...)
		d.ds = append(d.ds, ss.ds...)
		d.names.addTokens(toks)
		for i, t := range toks {
			if i > 0 && !t.cap {
				d.lowerSeen[t.lower] = true
			} else if i > 0 {
				d.capsSeen[t.lower] = true
			}
		}
		d.sents = append(d.sents, ss)
	}
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

func (w window) keys() map[string]bool {
	m := map[string]bool{}
	for _, s := range w.sents() {
		for k := range s.keys {
			m[k] = true
		}
	}
	return m
}

func (w window) polars() []polar {
	var out []polar
	for _, s := range w.sents() {
		out = append(out, s.pols...)
	}
	return out
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
	for _, d := range docs {
		hit := make([][]bool, len(d.sents))
		for i, s := range d.sents {
			hit[i] = cl.hits(s)
		}
		for lo := range d.sents {
			for hi := lo + 1; hi <= lo+maxWindow && hi <= len(d.sents); hi++ {
				found := 0
				for k := range cl.size() {
					for i := lo; i < hi; i++ {
						if hit[i][k] {
							found++
							break
						}
					}
				}
				cov := float64(found) / float64(cl.size())
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

// hits reports, for each part of the claim, whether source sentence s has it.
func (cl claim) hits(s srcSentence) []bool {
	h := make([]bool, 0, cl.size())
	for _, k := range cl.keys {
		h = append(h, s.keys[k])
	}
	for _, q := range cl.qs {
		ok := false
		for _, sq := range s.qs {
			ok = ok || q.matches(sq)
		}
		h = append(h, ok)
	}
	for _, dt := range cl.ds {
		ok := false
		for _, sd := range s.ds {
			ok = ok || dt.compatible(sd)
		}
		h = append(h, ok)
	}
	return h
}
