// Package fidelity is the source-fidelity check: it validates a brief's
// structure and checks every cited sentence against the text of the
// sources it cites, reporting invented names, changed figures and dates,
// flipped negations and claims the sources do not support, and, without
// any source, the tell-tale errors of machine paraphrase (an entity in both
// roles of a relation, a collapsed coordination).
//
// It is deliberately lexical and explainable: every finding names the
// words and the source passage that triggered it, so an editor can judge
// it in seconds. Where the evidence is weak it says "unverified" rather
// than raising a false error.
package fidelity

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"legists/internal/brief"
	"legists/internal/legalref"
	"legists/internal/sentence"
)

// Finding kinds, as in the interface contract.
const (
	KindStructure         = "structure"
	KindMissingCitation   = "missing-citation"
	KindUnknownCitation   = "unknown-citation"
	KindSelfReference     = "self-reference"
	KindRepeatedWord      = "repeated-word"
	KindUnsupportedEntity = "unsupported-entity"
	KindNumberMismatch    = "number-mismatch"
	KindDateMismatch      = "date-mismatch"
	KindNegationMismatch  = "negation-mismatch"
	KindUnsupportedClaim  = "unsupported-claim"
	KindRoleMismatch      = "role-mismatch"
	KindUnverified        = "unverified"
)

// Severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Finding is one problem in a brief. Section and Paragraph are 0-based;
// Paragraph is -1 for a finding about a whole section and Section is -1
// for one about the whole brief. Citation is 0 when no source is involved.
type Finding struct {
	Kind      string `json:"kind"`
	Severity  string `json:"severity"`
	Section   int    `json:"section"`
	Paragraph int    `json:"paragraph"`
	Sentence  string `json:"sentence"`
	Citation  int    `json:"citation"`
	Message   string `json:"message"`
	// Tier is what a reader does with it: "error", "needs-review"
	// (a warning) or, on a sentence score, "supported".
	Tier string `json:"tier,omitempty"`
	// Score is the score of the finding's sentence (see SentenceScore).
	Score *float64 `json:"score,omitempty"`
}

// Report is the result of Check. OK is true when no finding is an error.
type Report struct {
	OK       bool      `json:"ok"`
	Findings []Finding `json:"findings"`
	// Sentences scores every sentence checked against a source.
	Sentences []SentenceScore `json:"sentences,omitempty"`
}

// Errors counts the error findings.
func (r Report) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			n++
		}
	}
	return n
}

// Thresholds of support: the share of a claim's content words found in the
// best window of source sentences. Below supportLow the sentence is an
// unsupported claim; between the two it is unverified. Tuned on the
// evaluation set (see eval.go).
var (
	supportLow  = 0.34
	supportHigh = 0.5
)

// wrongCitationGap is how much better an uncited source must support a
// sentence than the cited ones for the citation to be called wrong.
const wrongCitationGap = 0.35

// maxWindow is the largest run of consecutive source sentences one brief
// sentence may summarise.
const maxWindow = 3

// Check validates b and, for every citation number n with text in sources,
// checks the sentences citing n against that text. A nil or empty sources
// map runs only the structure and source-free checks. A source text may
// open with a metadata header ("Title: ...", "URL: ...", a blank line),
// which is not checked against. Each source text is prepared (split,
// tokenised, indexed) once and kept in a bounded cache shared by later
// checks of the same text; Check is safe for concurrent use.
func Check(b *brief.Brief, sources map[int]string) Report {
	c := newChecker(b, sources)
	c.structure()
	for si, sec := range b.Sections {
		for pi, p := range sec.Paragraphs {
			c.paragraph(si, pi, p)
		}
	}
	sort.SliceStable(c.findings, func(i, j int) bool {
		a, b := c.findings[i], c.findings[j]
		if a.Section != b.Section {
			return a.Section < b.Section
		}
		return a.Paragraph < b.Paragraph
	})
	r := Report{OK: true, Findings: c.findings, Sentences: c.scores}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	r.OK = r.Errors() == 0
	return r
}

type checker struct {
	b         *brief.Brief
	docs      map[int]*doc
	order     []int              // source numbers, ascending
	known     map[int]bool       // citation numbers that resolve
	lowerSeen map[string]bool    // words seen in lower case: common words
	capsSeen  map[string]bool    // words seen capitalised inside a sentence: names
	toks      map[string][]token // the brief's sentences, tokenised once
	findings  []Finding
	// sourceText and lrefs serve the legal-reference check (legalrefs.go).
	sourceText map[int]string
	lrefs      [][][]legalref.Reference // by section and paragraph
	support    float64                  // the support of the sentence last checked against sources; -1 without
	si, pi     int                      // the section and paragraph of the sentence being checked
	refErrs    int                      // legal-reference findings of the sentence being checked
	refStated  map[int]bool             // offsets of the sentence's references a cited source states
	srcHasRefs bool                     // a cited source states some legal reference
	scores     []SentenceScore
}

func newChecker(b *brief.Brief, sources map[int]string) *checker {
	c := &checker{b: b, docs: map[int]*doc{}, known: map[int]bool{}, lowerSeen: map[string]bool{}, capsSeen: map[string]bool{}, toks: map[string][]token{}}
	c.sourceText = sources
	for n, text := range sources {
		c.docs[n] = newDoc(n, text)
		c.order = append(c.order, n)
		c.known[n] = true
	}
	sort.Ints(c.order)
	if len(sources) == 0 {
		for _, s := range b.Sources {
			c.known[s.N] = true
		}
	}
	for _, sec := range b.Sections {
		for _, p := range sec.Paragraphs {
			for _, ss := range sentence.Split(p.Text) {
				for i, t := range c.tokens(ss.Text(p.Text)) {
					if i > 0 && !t.cap {
						c.lowerSeen[t.lower] = true
						c.lowerSeen[lowerKey(t.key)] = true
					} else if i > 0 {
						c.capsSeen[t.lower] = true
					}
				}
			}
		}
	}
	return c
}

func (c *checker) add(f Finding) { c.findings = append(c.findings, f) }

// tokens returns the tokens of a sentence of the brief.
func (c *checker) tokens(st string) []token {
	toks, ok := c.toks[st]
	if !ok {
		toks = tokenize(st)
		c.toks[st] = toks
	}
	return toks
}

// structure checks the three fixed sections.
func (c *checker) structure() {
	if strings.TrimSpace(c.b.Title) == "" {
		c.add(Finding{Kind: KindStructure, Severity: SeverityError, Section: -1, Paragraph: -1, Message: "the brief has no title"})
	}
	for i, want := range brief.Headings {
		if i >= len(c.b.Sections) {
			c.add(Finding{Kind: KindStructure, Severity: SeverityError, Section: i, Paragraph: -1,
				Message: fmt.Sprintf("section %d %q is missing", i+1, want)})
			continue
		}
		sec := c.b.Sections[i]
		if !strings.EqualFold(strings.TrimSpace(sec.Heading), want) {
			c.add(Finding{Kind: KindStructure, Severity: SeverityError, Section: i, Paragraph: -1,
				Message: fmt.Sprintf("section %d is %q, want %q", i+1, sec.Heading, want)})
		}
		if len(sec.Paragraphs) == 0 {
			c.add(Finding{Kind: KindStructure, Severity: SeverityError, Section: i, Paragraph: -1,
				Message: fmt.Sprintf("section %q has no paragraphs", want)})
		}
	}
	for i := len(brief.Headings); i < len(c.b.Sections); i++ {
		c.add(Finding{Kind: KindStructure, Severity: SeverityError, Section: i, Paragraph: -1,
			Message: fmt.Sprintf("unexpected section %d %q: a brief has exactly three", i+1, c.b.Sections[i].Heading)})
	}
}

// paragraph checks one paragraph: its citations, then each sentence.
func (c *checker) paragraph(si, pi int, p brief.Paragraph) {
	text := p.Text
	sents := sentence.Split(text)
	if len(p.Spans) == 0 && strings.TrimSpace(text) != "" {
		first := ""
		if len(sents) > 0 {
			first = sents[0].Text(text)
		}
		c.add(Finding{Kind: KindMissingCitation, Severity: SeverityError, Section: si, Paragraph: pi, Sentence: first,
			Message: "the paragraph cites no source"})
	}
	reported := map[int]bool{}
	for _, sp := range p.Spans {
		for _, n := range sp.Citations {
			if reported[n] {
				continue
			}
			if n < 1 || len(c.known) > 0 && !c.known[n] {
				reported[n] = true
				msg := fmt.Sprintf("citation (%d) resolves to no source", n)
				if len(c.docs) > 0 {
					msg = fmt.Sprintf("citation (%d) has no source text (N.txt or N.html)", n)
				}
				c.add(Finding{Kind: KindUnknownCitation, Severity: SeverityError, Section: si, Paragraph: pi,
					Sentence: strings.TrimSpace(spanText(text, sp)), Citation: n, Message: msg})
			}
		}
	}
	for _, ss := range sents {
		cites := citationsFor(p, ss)
		st := ss.Text(text)
		if len(cites) == 0 && len(p.Spans) > 0 {
			c.add(Finding{Kind: KindMissingCitation, Severity: SeverityWarning, Section: si, Paragraph: pi, Sentence: st,
				Message: "this sentence carries no citation"})
		}
		mark := len(c.findings)
		c.support = -1
		c.sentence(si, pi, st, cites)
		c.score(si, pi, st, mark)
	}
}

func spanText(text string, sp brief.Span) string {
	a, b := max(0, min(sp.Start, len(text))), max(0, min(sp.End, len(text)))
	if a > b {
		return ""
	}
	return text[a:b]
}

// citationsFor returns the citations of the spans a sentence overlaps: a
// marker cites the text since the previous marker, and a sentence split by
// a marker cites both.
func citationsFor(p brief.Paragraph, ss sentence.Span) []int {
	var out []int
	for _, sp := range p.Spans {
		if sp.Start < ss.End && sp.End > ss.Start {
			for _, n := range sp.Citations {
				if !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// sentence runs every check on one sentence.
func (c *checker) sentence(si, pi int, st string, cites []int) {
	toks := c.tokens(st)
	ms := mentions(toks, c.isCommon, c.isCapitalised)
	first := 0
	if len(cites) > 0 {
		first = cites[0]
	}
	f := func(kind, sev string, cite int, msg string) {
		c.add(Finding{Kind: kind, Severity: sev, Section: si, Paragraph: pi, Sentence: st, Citation: cite, Message: msg})
	}
	mark0 := len(c.findings)
	if phrase, ok := moreSelfReference(st, toks, ms, func(p string) bool { return c.citedHave(cites, p) }); ok {
		f(KindSelfReference, SeverityError, first, fmt.Sprintf("%q names the same party in both roles", phrase))
	} else if phrase, ok := selfReference(st, toks, ms); ok {
		f(KindSelfReference, SeverityError, first, fmt.Sprintf("%q names the same party in both roles", phrase))
	}
	if phrase, ok := repeatedWord(st, toks); ok {
		f(KindRepeatedWord, SeverityError, first, fmt.Sprintf("%q repeats a word: a collapsed coordination or a doubled word", phrase))
	}
	var docs []*doc
	for _, n := range cites {
		if d, ok := c.docs[n]; ok {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return
	}
	if !slices.ContainsFunc(c.findings[mark0:], func(x Finding) bool { return x.Kind == KindSelfReference }) {
		if phrase, instead, d, ok := selfSlot(toks, ms, docs); ok {
			f(KindSelfReference, SeverityError, d.n, fmt.Sprintf("%q names the same party twice where source %d says %q", phrase, d.n, instead))
		}
	}
	c.si, c.pi = si, pi
	c.refStated, c.srcHasRefs = map[int]bool{}, false
	mark := len(c.findings)
	c.legalReferences(si, pi, st, docs, f)
	c.refErrs = len(c.findings) - mark
	c.againstSources(st, toks, ms, docs, f)
}

// isCommon reports a word the brief or a source writes in lower case.
func (c *checker) isCommon(lower string) bool {
	// the word, or another form of it ("Run" where a source says "ran")
	key := lowerKey(keyOf(lower))
	if c.lowerSeen[lower] || c.lowerSeen[key] {
		return true
	}
	for _, d := range c.docs {
		if d.lowerSeen[lower] || d.lowerSeen[key] {
			return true
		}
	}
	return false
}

// isCapitalised reports a word the brief or a source capitalises inside a
// sentence.
func (c *checker) isCapitalised(lower string) bool {
	if c.capsSeen[lower] {
		return true
	}
	for _, d := range c.docs {
		if d.capsSeen[lower] {
			return true
		}
	}
	return false
}

// againstSources compares one cited sentence with the sources it cites.
func (c *checker) againstSources(st string, toks []token, ms []mention, docs []*doc, f func(kind, sev string, cite int, msg string)) {
	for _, d := range docs {
		if len(d.sents) == 0 {
			f(KindUnverified, SeverityWarning, d.n, fmt.Sprintf("source %d has no text to check against", d.n))
			return
		}
	}
	citeList := func() string {
		parts := make([]string, len(docs))
		for i, d := range docs {
			parts[i] = fmt.Sprint(d.n)
		}
		return strings.Join(parts, ", ")
	}()
	errs := 0
	keys := contentKeys(toks)
	qs, ds := extractFigures(st, toks)
	cl := claim{keys: keys, qs: qs, ds: ds}
	best := c.align(cl, docs)
	c.support = best.cov

	// Figures: every number and date of the claim must be in a cited source.
	for _, q := range qs {
		if anyDoc(docs, func(d *doc) bool { return d.hasQuantity(q) }) {
			continue
		}
		msg := fmt.Sprintf("%q is not in source %s", q.text, citeList)
		if near := best.quantities(); near != "" {
			msg += "; the matching passage gives " + near
		}
		msg += c.elsewhere(docs, func(d *doc) bool { return d.hasQuantity(q) })
		if in, judged := c.inLegalReference(c.si, c.pi, st, q.text); judged {
			continue
		} else if in && !q.small {
			// "Section 11" where the source says "Section 17(a)"
			f(KindLegalReferenceMismatch, SeverityError, best.n(), c.legalNumberMessage(st, q.text, best, docs, msg))
			errs++
			continue
		}
		if q.small {
			f(KindUnverified, SeverityWarning, best.n(), msg)
			continue
		}
		f(KindNumberMismatch, SeverityError, best.n(), msg)
		errs++
	}
	for _, dt := range ds {
		if anyDoc(docs, func(d *doc) bool { return d.hasDate(dt) }) {
			if other, ok := mastheadDate(dt, ds, toks, docs, best); ok {
				f(KindDateMismatch, SeverityError, best.n(), fmt.Sprintf("date %q is only the date source %s was written; the matching passage gives %q", dt.text, citeList, other.text))
				errs++
			} else if other, ok := displacedDate(dt, ds, best); ok {
				f(KindDateMismatch, SeverityError, best.n(), fmt.Sprintf("date %q is not what source %d says here: the matching passage gives %q", dt.text, best.n(), other.text))
				errs++
			}
			continue
		}
		msg := fmt.Sprintf("date %q is not in source %s", dt.text, citeList)
		if near := best.dates(); near != "" {
			msg += "; the matching passage gives " + near
		}
		msg += c.elsewhere(docs, func(d *doc) bool { return d.hasDate(dt) })
		if in, judged := c.inLegalReference(c.si, c.pi, st, dt.text); judged {
			continue
		} else if in {
			// "the Companies Act 2006" where the source says "the Insolvency Act 1986"
			f(KindLegalReferenceMismatch, SeverityError, best.n(), c.legalNumberMessage(st, dt.text, best, docs, msg))
			errs++
			continue
		}
		f(KindDateMismatch, SeverityError, best.n(), msg)
		errs++
	}
	// Names: every named entity must be named by a cited source.
	for _, m := range ms {
		if anyDoc(docs, func(d *doc) bool { ok, _ := d.names.supports(m); return ok }) || c.formulaStated(m.text, docs) {
			continue
		}
		_, missing := docs[0].names.supports(m)
		msg := fmt.Sprintf("%q is not named in source %s", m.text, citeList)
		if len(m.keys) > 1 && len(missing) > 0 {
			msg += fmt.Sprintf(" (missing: %s)", strings.Join(missing, ", "))
		}
		msg += c.elsewhere(docs, func(d *doc) bool { ok, _ := d.names.supports(m); return ok })
		if best.d != nil && best.cov > 0 {
			msg += fmt.Sprintf("; source %d says %q", best.n(), best.text())
		}
		f(KindUnsupportedEntity, SeverityError, docs[0].n, msg)
		errs++
	}
	// Roles: a name the source has, in another role.
	errs += c.roles(toks, ms, docs, f)
	errs += c.checkQuotations(st, docs, best, f)
	// Polarity against the aligned passage, when alignment is meaningful.
	if best.d != nil && best.cov >= supportLow {
		supported := func(p polar) int {
			n := 0
			for _, d := range docs {
				n = max(n, d.gives(p))
			}
			return n
		}
		occs := occurrences(toks)
		cp, wp, bad := polarityConflict(occs, best.occurrences(), supported)
		if bad {
			f(KindNegationMismatch, SeverityError, best.n(), fmt.Sprintf("the sentence says %q where source %d says %q",
				describePolar(cp), best.n(), best.sentenceOf(wp)))
			errs++
		} else if cp, n, text, bad := antonymElsewhere(occs, docs, supported); bad {
			f(KindNegationMismatch, SeverityError, n, fmt.Sprintf("the sentence says %q where source %d says %q",
				describePolar(cp), n, clip(text)))
			errs++
		}
	}
	// "Several arrests" where the source says "no arrests".
	if errs == 0 {
		if phrase, d, text, ok := noneConflict(toks, docs); ok {
			f(KindNegationMismatch, SeverityError, d.n, fmt.Sprintf("the sentence says %q where source %d says %q", phrase, d.n, clip(text)))
			errs++
		}
	}
	// A possibility stated as done.
	if errs == 0 {
		if verb, obj, d, text, ok := realisedObject(toks, docs); ok {
			f(KindUnsupportedClaim, SeverityError, d.n, fmt.Sprintf("the sentence says %q has been %s, where source %d gives it only as planned or possible: %q", obj, verb, d.n, clip(text)))
			errs++
		}
	}
	// Support.
	if cl.size() == 0 {
		return
	}
	support := best.cov
	if dc := docCoverage(cl, docs); dc-0.15 > support {
		// a summary of sentences further apart than a window
		support = dc - 0.15
	}
	// Another source can only change the verdict when the cited ones
	// support the sentence weakly: look at the uncited ones only then.
	c.support = support
	alt, altCov := 0, 0.0
	if support < supportLow || support <= 1-wrongCitationGap+1e-9 {
		alt, altCov = c.bestOther(cl, docs)
	}
	switch {
	case support < supportLow:
		msg := fmt.Sprintf("little of this sentence is in source %s (%.0f%% of its words)", citeList, 100*best.cov)
		if alt > 0 && altCov >= supportHigh {
			msg += fmt.Sprintf("; source %d supports it: wrong citation?", alt)
		} else if best.d != nil && best.cov > 0 {
			msg += fmt.Sprintf("; the closest passage of source %d says %q", best.n(), best.text())
		}
		if hedged(toks) && len(ms) == 0 && best.cov > 0 && !(alt > 0 && altCov >= supportHigh) {
			// A forecast hedged with "may" or "can expect" about no one
			// named is the brief's own outlook for a trade ("firms may see
			// more work"), which a source rarely words: a reader should
			// review it, not treat it as a false statement. A hedged
			// sentence about a named party ("the agency could face a fine")
			// states what the source must say.
			f(KindUnverified, SeverityWarning, best.n(), msg)
			return
		}
		f(KindUnsupportedClaim, SeverityError, best.n(), msg)
	case alt > 0 && altCov >= supportHigh+0.15 && altCov-support >= wrongCitationGap:
		f(KindUnsupportedClaim, SeverityError, best.n(), fmt.Sprintf(
			"source %d supports this sentence far better than source %s (%.0f%% against %.0f%% of its words): wrong citation?",
			alt, citeList, 100*altCov, 100*support))
	case support < supportHigh && errs == 0:
		f(KindUnverified, SeverityWarning, best.n(), fmt.Sprintf("source %s only partly supports this sentence (%.0f%% of its words); closest passage: %q",
			citeList, 100*best.cov, best.text()))
	}
}

// formulas are chemical formulas a paraphrase writes for the words of a
// source (emission cases say "CO2" and "carbon dioxide" alike).
var formulas = map[string][]string{
	"co2": {"carbon dioxide"}, "ch4": {"methane"}, "n2o": {"nitrous oxide"},
	"so2": {"sulphur dioxide", "sulfur dioxide"}, "no2": {"nitrogen dioxide"}, "nox": {"nitrogen oxides", "nitrogen oxide"},
	"co2e": {"carbon dioxide equivalent", "co2 equivalent"},
}

// formulaStated: name is a chemical formula whose words a cited source
// writes.
func (c *checker) formulaStated(name string, docs []*doc) bool {
	words, ok := formulas[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return false
	}
	for _, d := range docs {
		lt := strings.ToLower(c.sourceText[d.n])
		for _, w := range words {
			if strings.Contains(lt, w) {
				return true
			}
		}
	}
	return false
}

func describePolar(p polar) string { return p.text }

func anyDoc(docs []*doc, ok func(*doc) bool) bool {
	for _, d := range docs {
		if ok(d) {
			return true
		}
	}
	return false
}

// elsewhere names an uncited source of the brief that has what the cited
// ones lack: the likely right citation.
func (c *checker) elsewhere(cited []*doc, ok func(*doc) bool) string {
	for _, n := range c.order {
		d := c.docs[n]
		if slices.Contains(cited, d) {
			continue
		}
		if ok(d) {
			return fmt.Sprintf("; source %d has it: wrong citation?", n)
		}
	}
	return ""
}

// bestOther returns the uncited source that best supports keys.
func (c *checker) bestOther(cl claim, cited []*doc) (int, float64) {
	bestN, bestCov := 0, 0.0
	for _, n := range c.order {
		d := c.docs[n]
		if slices.Contains(cited, d) {
			continue
		}
		if w := c.align(cl, []*doc{d}); w.cov > bestCov {
			bestN, bestCov = n, w.cov
		}
	}
	return bestN, bestCov
}
