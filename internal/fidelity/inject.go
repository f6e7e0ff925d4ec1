package fidelity

import (
	"fmt"
	"hash/fnv"
	"legists/internal/legalref"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"

	"legists/internal/brief"
	"legists/internal/sentence"
)

// The generator of the evaluation set: from a clean brief and its sources
// it makes one variant per error kind, each with a single error injected
// the way careless paraphrase makes it (a figure changed, a name swapped, a
// negation flipped, a coordination collapsed, an entity put in both roles,
// a sentence cited to the wrong source). It is deterministic: the random
// choices are seeded by the case name, so regenerating gives the same files.

// Generate returns the injected variants of c. others are the other cases
// of the set, from which an unrelated sentence may be borrowed.
func Generate(c Case, others []Case) []Variant {
	h := fnv.New64a()
	h.Write([]byte(c.Name))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x1e9157))
	g := &generator{c: c, others: others, rng: rng}
	var out []Variant
	for _, kind := range EvalKinds {
		if v, ok := g.inject(kind); ok {
			out = append(out, v)
		}
	}
	return out
}

type generator struct {
	c      Case
	others []Case
	rng    *rand.Rand
}

// site is a cited sentence of the brief.
type site struct {
	si, pi int
	span   sentence.Span // in the paragraph text
	text   string
	cites  []int
}

// sites lists the cited sentences in a shuffled, deterministic order.
func (g *generator) sites(b *brief.Brief) []site {
	var out []site
	for si, sec := range b.Sections {
		for pi, p := range sec.Paragraphs {
			for _, ss := range sentence.Split(p.Text) {
				if cites := citationsFor(p, ss); len(cites) > 0 {
					out = append(out, site{si, pi, ss, ss.Text(p.Text), cites})
				}
			}
		}
	}
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func cloneBrief(b *brief.Brief) *brief.Brief {
	nb := *b
	nb.Sections = make([]brief.Section, len(b.Sections))
	for i, s := range b.Sections {
		nb.Sections[i] = s
		nb.Sections[i].Paragraphs = make([]brief.Paragraph, len(s.Paragraphs))
		for j, p := range s.Paragraphs {
			np := p
			np.Spans = make([]brief.Span, len(p.Spans))
			for k, sp := range p.Spans {
				np.Spans[k] = sp
				np.Spans[k].Citations = slices.Clone(sp.Citations)
			}
			nb.Sections[i].Paragraphs[j] = np
		}
	}
	return &nb
}

// edit replaces paragraph text [start, end) with repl, moving the spans.
func edit(b *brief.Brief, si, pi, start, end int, repl string) {
	p := &b.Sections[si].Paragraphs[pi]
	delta := len(repl) - (end - start)
	p.Text = p.Text[:start] + repl + p.Text[end:]
	for k := range p.Spans {
		sp := &p.Spans[k]
		if sp.Start >= end {
			sp.Start += delta
		}
		if sp.End >= end {
			sp.End += delta
		}
	}
}

// replaceInSite replaces the sentence-relative bytes [a, b) of st.
func (g *generator) variant(kind string, st site, a, bEnd int, repl, note string) Variant {
	nb := cloneBrief(g.c.Brief)
	edit(nb, st.si, st.pi, st.span.Start+a, st.span.Start+bEnd, repl)
	return Variant{Name: kind, Brief: nb, Labels: Labels{Findings: []Label{{Kind: kind, Section: st.si, Paragraph: st.pi, Note: note}}}}
}

func (g *generator) allSourceText() string {
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(g.c.Sources)) {
		parts = append(parts, g.c.Sources[n])
	}
	return strings.Join(parts, "\n")
}

func (g *generator) inject(kind string) (Variant, bool) {
	sites := g.sites(g.c.Brief)
	for _, st := range sites {
		toks := tokenize(st.text)
		switch kind {
		case KindNumberMismatch:
			if v, ok := g.number(st, toks); ok {
				return v, true
			}
		case KindDateMismatch:
			if v, ok := g.date(st, toks); ok {
				return v, true
			}
		case KindUnsupportedEntity:
			if v, ok := g.entity(st, toks); ok {
				return v, true
			}
		case KindNegationMismatch:
			if v, ok := g.negation(st, toks); ok {
				return v, true
			}
		case KindUnsupportedClaim:
			if v, ok := g.claim(st, toks); ok {
				return v, true
			}
		case KindSelfReference:
			if v, ok := g.selfRef(st, toks); ok {
				return v, true
			}
		case KindRepeatedWord:
			if v, ok := g.repeat(st, toks); ok {
				return v, true
			}
		}
	}
	return Variant{}, false
}

// number changes the leading digit of a figure written in digits.
func (g *generator) number(st site, toks []token) (Variant, bool) {
	qs, _ := extractFigures(st.text, toks)
	var srcQs []quantity
	for _, n := range st.cites {
		d := newDoc(n, g.c.Sources[n])
		srcQs = append(srcQs, d.qs...)
	}
	for _, q := range qs {
		at := strings.Index(st.text, q.text)
		if at < 0 || q.small || !strings.ContainsAny(q.text, "0123456789") || inReference(st.text, at, len(q.text)) {
			// a number of a legal reference ("Article 8") is a reference
			continue
		}
		i := strings.IndexAny(q.text, "123456789")
		if i < 0 {
			continue
		}
		d := q.text[i] - '0'
		nd := (d+3)%10 + 0
		if nd == 0 {
			nd = 7
		}
		repl := q.text[:i] + string('0'+nd) + q.text[i+1:]
		nq, _ := extractFigures(repl, tokenize(repl))
		if len(nq) == 0 || slices.ContainsFunc(srcQs, func(s quantity) bool { return nq[0].matches(s) }) {
			continue
		}
		return g.variant(KindNumberMismatch, st, at, at+len(q.text), repl, fmt.Sprintf("%q -> %q", q.text, repl)), true
	}
	return Variant{}, false
}

// date moves a date: the year back one, the day on five, or the month on
// two.
func (g *generator) date(st site, toks []token) (Variant, bool) {
	_, ds := extractFigures(st.text, toks)
	for _, d := range ds {
		at := strings.Index(st.text, d.text)
		if at < 0 || inReference(st.text, at, len(d.text)) {
			continue // the year of a statute is a legal reference
		}
		repl := d.text
		switch {
		case d.y > 0 && (d.d == 0 || g.rng.IntN(2) == 0):
			ys := fmt.Sprint(d.y)
			repl = strings.Replace(repl, ys, fmt.Sprint(d.y-1), 1)
		case d.d > 0:
			ds := fmt.Sprint(d.d)
			nd := d.d%23 + 5
			idx := strings.Index(repl, ds)
			if idx < 0 {
				continue
			}
			repl = repl[:idx] + fmt.Sprint(nd) + repl[idx+len(ds):]
		case d.m > 0:
			name := monthNames[d.m-1]
			nm := monthNames[(d.m+1)%12]
			if !strings.Contains(repl, name) {
				continue
			}
			repl = strings.Replace(repl, name, nm, 1)
		}
		if repl == d.text {
			continue
		}
		return g.variant(KindDateMismatch, st, at, at+len(d.text), repl, fmt.Sprintf("%q -> %q", d.text, repl)), true
	}
	return Variant{}, false
}

var swapSurnames = []string{"Castellanos", "Haddad", "Kowalczyk", "Oyelaran", "Fairbairn",
	"Takahashi", "Novotny", "Sandoval", "Whitcombe", "Petrossian", "Lindahl", "Marchetti"}

var swapCountries = [][2]string{{"Finland", "Finnish"}, {"Portugal", "Portuguese"},
	{"Norway", "Norwegian"}, {"Mexico", "Mexican"}, {"Austria", "Austrian"}, {"Chile", "Chilean"},
	{"Denmark", "Danish"}, {"Greece", "Greek"}}

// entity swaps the last name word of a supported named entity for a name no
// source of the brief contains.
func (g *generator) entity(st site, toks []token) (Variant, bool) {
	all := strings.ToLower(g.allSourceText())
	ms := mentions(toks, func(string) bool { return false }, func(string) bool { return true })
	for _, m := range ms {
		t := toks[m.last]
		if titleWords[t.lower] || t.num || len(t.text) < 3 {
			continue
		}
		var repl string
		if key := aliases[t.lower]; key != "" {
			for _, c := range g.rng.Perm(len(swapCountries)) {
				pair := swapCountries[c]
				if strings.Contains(all, strings.ToLower(pair[0])) || strings.Contains(all, strings.ToLower(pair[1])) {
					continue
				}
				repl = pair[0]
				if t.lower != key {
					repl = pair[1] // a demonym stays a demonym
				}
				break
			}
		} else {
			for _, c := range g.rng.Perm(len(swapSurnames)) {
				if !strings.Contains(all, strings.ToLower(swapSurnames[c])) {
					repl = swapSurnames[c]
					break
				}
			}
		}
		if repl == "" {
			continue
		}
		if t.acronym {
			repl = strings.ToUpper(repl[:3])
		}
		end := t.start + len(t.text)
		return g.variant(KindUnsupportedEntity, st, t.start, end, repl, fmt.Sprintf("%q -> %q", t.text, repl)), true
	}
	return Variant{}, false
}

// antonymSwaps are the flips a careless paraphrase makes.
var antonymSwaps = map[string]string{
	"approved": "rejected", "rejected": "approved", "upheld": "overturned", "overturned": "upheld",
	"rose": "fell", "fell": "rose", "won": "lost", "lost": "won", "allowed": "banned",
	"banned": "allowed", "confirmed": "denied", "denied": "confirmed", "increased": "decreased",
	"welcomed": "criticised", "accepted": "rejected", "blocked": "approved", "granted": "refused",
	"refused": "granted", "guilty": "innocent", "lawful": "unlawful", "unlawfully": "lawfully",
	"legal": "illegal", "dismissed": "accepted", "raise": "lower", "increase": "decrease",
	"strengthen": "weaken", "strengthens": "weakens", "encourage": "discourage",
	"included": "excluded", "agreed": "refused", "disagreed": "agreed",
}

var negatable = setOf("will", "would", "had", "has", "have", "is", "was", "were", "are", "can",
	"could", "must", "should", "may", "might")

// negation flips the sense: an antonym, a "not" removed or a "not" added.
func (g *generator) negation(st site, toks []token) (Variant, bool) {
	for _, t := range toks {
		if to, ok := antonymSwaps[t.lower]; ok {
			return g.variant(KindNegationMismatch, st, t.start, t.end, matchCase(t.text, to), fmt.Sprintf("%q -> %q", t.text, to)), true
		}
	}
	for i, t := range toks {
		if t.lower == "not" && i > 0 {
			// remove "not " (and its space)
			return g.variant(KindNegationMismatch, st, t.start, t.end+1, "", "removed \"not\""), true
		}
		if strings.HasSuffix(t.lower, "n't") || t.lower == "cannot" {
			base := strings.TrimSuffix(strings.TrimSuffix(t.lower, "n't"), "not")
			if base == "wo" {
				base = "will"
			} else if base == "ca" {
				base = "can"
			}
			return g.variant(KindNegationMismatch, st, t.start, t.end, base, fmt.Sprintf("%q -> %q", t.text, base)), true
		}
	}
	for i, t := range toks {
		if negatable[t.lower] && i+1 < len(toks) && i > 0 && !toks[i+1].stop && toks[i+1].lower != "not" {
			return g.variant(KindNegationMismatch, st, t.end, t.end, " not", fmt.Sprintf("\"not\" inserted after %q", t.text)), true
		}
	}
	return Variant{}, false
}

func matchCase(model, w string) string {
	if model != "" && unicode.IsUpper([]rune(model)[0]) {
		return strings.ToUpper(w[:1]) + w[1:]
	}
	return w
}

// claim makes a sentence unsupported: on some cases by citing it to the
// source of the brief that shares least with it (a wrong citation), on the
// others by replacing it with a sentence of another case.
func (g *generator) claim(st site, toks []token) (Variant, bool) {
	if len(st.cites) != 1 || len(g.c.Sources) < 2 {
		return Variant{}, false
	}
	p := g.c.Brief.Sections[st.si].Paragraphs[st.pi]
	if g.rng.IntN(2) == 0 {
		// wrong citation: only when the span is this one sentence
		for k, sp := range p.Spans {
			if sp.Start > st.span.Start || sp.End < st.span.End || len(sentence.Split(spanText(p.Text, sp))) != 1 {
				continue
			}
			worst, worstScore := 0, 2.0
			for _, n := range slices.Sorted(maps.Keys(g.c.Sources)) {
				if n == st.cites[0] {
					continue
				}
				if s := naiveOverlap(st.text, g.c.Sources[n]); s < worstScore {
					worst, worstScore = n, s
				}
			}
			if worst == 0 || worstScore > 0.3 {
				continue
			}
			nb := cloneBrief(g.c.Brief)
			nb.Sections[st.si].Paragraphs[st.pi].Spans[k].Citations = []int{worst}
			return Variant{Name: KindUnsupportedClaim, Brief: nb, Labels: Labels{Findings: []Label{{
				Kind: KindUnsupportedClaim, Section: st.si, Paragraph: st.pi,
				Note: fmt.Sprintf("citation (%d) -> (%d): wrong citation", st.cites[0], worst)}}}}, true
		}
	}
	if len(g.others) == 0 {
		return Variant{}, false
	}
	o := g.others[g.rng.IntN(len(g.others))]
	osites := (&generator{c: o, rng: g.rng}).sites(o.Brief)
	for _, os := range osites {
		if naiveOverlap(os.text, g.allSourceText()) > 0.3 {
			continue
		}
		return g.variant(KindUnsupportedClaim, st, 0, len(st.text), os.text, fmt.Sprintf("sentence replaced by one from %s", o.Name)), true
	}
	return Variant{}, false
}

// naiveOverlap is the share of the longer words of a found in b: an
// independent, cruder measure than the checker's, so labels do not merely
// echo the checker.
func naiveOverlap(a, b string) float64 {
	bw := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(b), notLetter) {
		bw[w] = true
	}
	n, found := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(a), notLetter) {
		if len(w) < 4 {
			continue
		}
		n++
		if bw[w] {
			found++
		}
	}
	if n == 0 {
		return 1
	}
	return float64(found) / float64(n)
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// selfRef puts one party in both roles of a relation: "between X and Y",
// "X's acquisition of Y", "X sued Y", "merger of X and Y".
func (g *generator) selfRef(st site, toks []token) (Variant, bool) {
	ms := mentions(toks, func(string) bool { return false }, func(string) bool { return true })
	for a := 0; a < len(ms); a++ {
		for b := a + 1; b < len(ms); b++ {
			ma, mb := ms[a], ms[b]
			if strings.Join(ma.keys, " ") == strings.Join(mb.keys, " ") || mb.first-ma.last > 5 || mb.first <= ma.last {
				continue
			}
			between := toks[ma.last+1 : mb.first]
			for len(between) > 1 && auxiliaries[between[0].lower] {
				between = between[1:]
			}
			xText := st.text[toks[ma.first].start : toks[ma.last].start+len(toks[ma.last].text)]
			yStart, yEnd := toks[mb.first].start, toks[mb.last].start+len(toks[mb.last].text)
			ok := false
			switch {
			case ma.first > 0 && toks[ma.first-1].lower == "between" && len(between) == 1 && between[0].lower == "and":
				ok = true
			case ma.first > 1 && toks[ma.first-1].lower == "of" && relationalNouns[toks[ma.first-2].lower] && len(between) == 1 && between[0].lower == "and":
				ok = true
			case ma.poss && len(between) >= 2 && relationPreps[between[len(between)-1].lower]:
				ok = true
			case len(between) == 1 && relationVerbs[between[0].lower]:
				ok = true
			}
			if ok {
				return g.variant(KindSelfReference, st, yStart, yEnd, xText, fmt.Sprintf("%q -> %q", st.text[yStart:yEnd], xText)), true
			}
		}
	}
	return Variant{}, false
}

// repeat collapses a coordination: "appeal or settle" -> "appeal or appeal".
func (g *generator) repeat(st site, toks []token) (Variant, bool) {
	for i := 0; i+2 < len(toks); i++ {
		a, conj, b := toks[i], toks[i+1], toks[i+2]
		if conj.lower != "and" && conj.lower != "or" {
			continue
		}
		if a.stop || b.stop || a.num || b.num || a.lower == b.lower || repeatOK[a.lower] || len(a.lower) < 3 || a.poss || b.poss {
			continue
		}
		if strings.TrimSpace(st.text[a.end:conj.start]) != "" || strings.TrimSpace(st.text[conj.end:b.start]) != "" {
			continue
		}
		return g.variant(KindRepeatedWord, st, b.start, b.end, a.text, fmt.Sprintf("%q -> %q", st.text[a.start:b.end], a.text+" "+conj.text+" "+a.text)), true
	}
	return Variant{}, false
}

// inReference: the figure at st[at:at+n] is part of a legal reference, so
// changing it makes a legal-reference-mismatch, not a figure's.
func inReference(st string, at, n int) bool {
	if legalContextBefore(st, at) {
		return true
	}
	for _, r := range legalref.Find(st) {
		if r.Start <= at && at+n <= r.End {
			return true
		}
	}
	return false
}
