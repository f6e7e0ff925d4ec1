package fidelity

// The legal-reference check (issue 15): a legal reference in a cited
// sentence must be one the cited sources state, in any equivalent form.
// "Article 5(1)" where the source says "Article 5(2)", or "the Companies
// Act 2006" where the source says "the Insolvency Act 1986", is an error
// whose message names what the source says instead. A source that mentions
// no reference of the same family (provisions with the same keyword, acts
// of the same kind and jurisdiction, case citations) cannot contradict the
// sentence: it is silent, and other checks judge the sentence.

import (
	"fmt"
	"strings"
	"sync"

	"legists/internal/legalref"
)

// KindLegalReferenceMismatch is a legal reference the cited source gives
// differently.
const KindLegalReferenceMismatch = "legal-reference-mismatch"

// The references of source texts, found once per text.
var sourceRefs = struct {
	sync.Mutex
	m     map[string][]legalref.Reference
	bytes int
}{m: map[string][]legalref.Reference{}}

func refsOfSource(text string) []legalref.Reference {
	sourceRefs.Lock()
	rs, ok := sourceRefs.m[text]
	sourceRefs.Unlock()
	if ok {
		return rs
	}
	rs = legalref.Find(text)
	sourceRefs.Lock()
	if sourceRefs.bytes+len(text) > docCacheBytes {
		sourceRefs.m, sourceRefs.bytes = map[string][]legalref.Reference{}, 0
	}
	sourceRefs.m[text] = rs
	sourceRefs.bytes += len(text)
	sourceRefs.Unlock()
	return rs
}

// sentenceRefs are the references of sentence st of paragraph (si, pi),
// found in the context of the whole brief ("that Act" continues an Act of
// an earlier sentence).
func (c *checker) sentenceRefs(si, pi int, st string) []legalref.Reference {
	if c.lrefs == nil {
		c.lrefs = legalref.OfSections(c.b.Sections)
	}
	text := c.b.Sections[si].Paragraphs[pi].Text
	off := strings.Index(text, st)
	if off < 0 {
		return nil
	}
	var out []legalref.Reference
	for _, r := range c.lrefs[si][pi] {
		if r.Start >= off && r.End <= off+len(st) {
			out = append(out, r)
		}
	}
	return out
}

// refFamily groups references that can stand for one another: provisions
// by their keyword ("Article", "section"), instruments by kind and
// jurisdiction, case citations together. Courts and case names have no
// family: sources name many courts, and a case name is checked as a name.
func refFamily(r legalref.Reference) string {
	switch r.Kind {
	case legalref.KindCourt:
		return ""
	case legalref.KindProvision:
		kw, _, _ := strings.Cut(r.Pinpoint, " ")
		if kw == "" {
			return "" // a code citation (15 U.S.C. § 78j) is its own pinpoint
		}
		return "provision:" + strings.ToLower(strings.TrimSuffix(kw, "s"))
	case legalref.KindCase:
		if strings.Contains(r.Canonical, " v ") {
			return ""
		}
		return "case:" + r.Jurisdiction
	}
	kind := r.Kind
	if kind == legalref.KindRegulation || kind == legalref.KindDirective {
		kind = "act"
	}
	if kind == legalref.KindLegislation {
		kind = "act"
	}
	return kind + ":" + r.Jurisdiction
}

// pinpointNumber is a provision's number: "Article 5(1)" -> "5(1)".
func pinpointNumber(pin string) string {
	_, n, _ := strings.Cut(pin, " ")
	return n
}

// compatiblePinpoints: one number is the other or a subdivision of it
// ("5" and "5(1)"), so the source does not contradict the sentence.
func compatiblePinpoints(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return strings.HasPrefix(b, a) && b[len(a)] == '('
}

// sameReference: the source states the sentence's reference r as s.
func sameReference(r, s legalref.Reference) bool {
	if r.Kind != legalref.KindProvision {
		if r.Slug != "" && s.Slug == r.Slug {
			return true
		}
		return r.Canonical == s.Canonical
	}
	if s.Kind != legalref.KindProvision || refFamily(s) != refFamily(r) {
		return false
	}
	if r.Instrument != "" && s.Instrument != "" && r.Instrument != s.Instrument {
		return false
	}
	for _, a := range strings.Split(pinpointNumber(r.Pinpoint), " to ") {
		for _, b := range strings.Split(pinpointNumber(s.Pinpoint), " to ") {
			if compatiblePinpoints(a, b) {
				return true
			}
		}
	}
	return false
}

// contradicts: s is a reference of r's family the source gives where the
// sentence has r. A provision of another instrument does not contradict.
func contradicts(r, s legalref.Reference) bool {
	if refFamily(s) != refFamily(r) {
		return false
	}
	if r.Kind == legalref.KindProvision && r.Instrument != "" && s.Instrument != "" && r.Instrument != s.Instrument {
		return false
	}
	return true
}

// legalReferences checks the legal references of a cited sentence against
// the sources it cites.
func (c *checker) legalReferences(si, pi int, st string, docs []*doc, f func(kind, sev string, cite int, msg string)) {
	refs := c.sentenceRefs(si, pi, st)
	if len(refs) == 0 {
		return
	}
	type srcRefs struct {
		n    int
		refs []legalref.Reference
	}
	var srcs []srcRefs
	for _, d := range docs {
		srcs = append(srcs, srcRefs{d.n, refsOfSource(c.sourceText[d.n])})
	}
	for _, r := range refs {
		if refFamily(r) == "" {
			continue
		}
		stated := false
		var instead []string
		cite := 0
		for _, src := range srcs {
			for _, s := range src.refs {
				if sameReference(r, s) {
					stated = true
					break
				}
				if contradicts(r, s) {
					if cite == 0 {
						cite = src.n
					}
					if q := fmt.Sprintf("%q", s.Text); !containsString(instead, q) {
						instead = append(instead, q)
					}
				}
			}
			if stated {
				break
			}
		}
		if stated || len(instead) == 0 {
			continue
		}
		if len(instead) > 3 {
			instead = append(instead[:3], "…")
		}
		f(KindLegalReferenceMismatch, SeverityError, cite, fmt.Sprintf("the sentence cites %q (%s) where source %d says %s",
			r.Text, r.Canonical, cite, strings.Join(instead, ", ")))
	}
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
