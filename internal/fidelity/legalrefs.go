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
	"regexp"
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
	if r.Instrument != "" && s.Instrument != "" && r.Instrument != s.Instrument && !bareProvision(r) {
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

// bareProvision: the sentence writes only the provision ("Article 9.11"),
// its instrument taken from an earlier sentence; a source that gives the
// same provision of an instrument it names otherwise ("Article 9.11 of the
// treaty") states it.
func bareProvision(r legalref.Reference) bool {
	return strings.EqualFold(strings.TrimSpace(r.Text), strings.TrimSpace(r.Pinpoint))
}

// hasPhrase: text has p, case aside, not inside a longer word or number
// ("Article 9.11" is not in "Article 9.111").
func hasPhrase(text, p string) bool {
	lt, lp := strings.ToLower(text), strings.ToLower(p)
	for i := 0; ; {
		j := strings.Index(lt[i:], lp)
		if j < 0 || lp == "" {
			return false
		}
		at, end := i+j, i+j+len(lp)
		okBefore := at == 0 || !isWordByte(lt[at-1])
		okAfter := end == len(lt) || !isWordByte(lt[end]) && !(lt[end] == '.' && end+1 < len(lt) && isWordByte(lt[end+1])) && lt[end] != '('
		if okBefore && okAfter {
			return true
		}
		i = at + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
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
		if len(srcs[len(srcs)-1].refs) > 0 {
			c.srcHasRefs = true
		}
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
		if !stated && r.Kind == legalref.KindProvision && bareProvision(r) {
			for _, d := range docs {
				if hasPhrase(c.sourceText[d.n], r.Pinpoint) {
					stated = true // "Article 9.11 of the treaty", which the recogniser leaves
				}
			}
		}
		if stated {
			c.refStated[r.Start] = true
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

// provisionWords stand before the number of a provision or of a law:
// "section 11", "Part 561", "Law No. 14,133", "Explanation 5", "§ 285".
var provisionWords = setOf("section", "sections", "article", "articles", "part", "parts", "rule", "rules",
	"regulation", "regulations", "paragraph", "paragraphs", "chapter", "chapters", "clause", "clauses",
	"schedule", "schedules", "explanation", "no", "no.", "nos", "nos.", "number", "§", "§§", "title",
	"subsection", "subsections", "item", "items", "annex", "recital", "recitals", "para", "para.", "s", "s.", "ss", "ss.", "art", "art.")

// lawWords end the name of a statute whose year follows: "the Insolvency
// Act 1986", "the Securities Act of 1933".
var lawWords = setOf("act", "code", "law", "ordinance", "order", "regulations", "rules", "decree", "statute", "directive", "regulation")

// inLegalReference reports whether the figure written as text in sentence
// st is the number or year of a legal reference: the sentence's references
// span it, or a provision word stands before it ("Section 11", "Part 561")
// or a statute's name before a year ("Companies Act 2006"). A changed
// number there is a changed reference, and is reported as one.
// judged is true when a reference the recogniser found spans it and the
// legal-reference check found it stated or contradicted: that check has
// spoken. A reference of a family the cited sources are silent on is
// judged by its figures, as a reference when the sources cite any law.
func (c *checker) inLegalReference(si, pi int, st, text string) (in, judged bool) {
	at := strings.Index(st, text)
	if at < 0 {
		return false, false
	}
	off := strings.Index(c.b.Sections[si].Paragraphs[pi].Text, st)
	if off >= 0 {
		for _, r := range c.sentenceRefs(si, pi, st) {
			if r.Start <= off+at && off+at+len(text) <= r.End {
				if refFamily(r) != "" && c.refErrs > 0 {
					return true, true
				}
				if refFamily(r) != "" && c.refStated[r.Start] {
					// stated, unless a provision word stands before
					// the figure the source lacks: the recogniser may
					// read "31 C.F.R. Part 561" or "section 87(1) no. 7"
					// only in part
					ctx := legalContextBefore(st, at)
					return ctx, !ctx
				}
				return c.srcHasRefs, false
			}
		}
	}
	return legalContextBefore(st, at), false
}

// legalContextBefore: a provision word stands before byte at of st
// ("Section 11", "Part 561") or a statute's name before a year ("Companies
// Act 2006", "the Securities Act of 1933").
func legalContextBefore(st string, at int) bool {
	before := strings.Fields(strings.ToLower(st[:at]))
	if len(before) == 0 {
		return false
	}
	last := strings.Trim(before[len(before)-1], ",;:(")
	if provisionWords[last] || lawWords[last] {
		return true
	}
	return last == "of" && len(before) >= 2 && lawWords[strings.Trim(before[len(before)-2], ",;:(")]
}

// legalNumberMessage says what a cited source has where the sentence's
// reference has number text: the reference the sentence writes ("Part
// 561") and the source's with the same word before its number ("Part
// 560", "Insolvency Act 1986"). figMsg, the figure's own message, is the
// fallback when no source writes the word before a number.
func (c *checker) legalNumberMessage(st, text string, best window, docs []*doc, figMsg string) string {
	at := strings.Index(st, text)
	before := strings.Fields(st[:max(at, 0)])
	if at < 0 || len(before) == 0 {
		return "the legal reference's number: " + figMsg
	}
	word := strings.Trim(before[len(before)-1], ",;:(")
	k := len(before) - 1
	if strings.EqualFold(word, "of") && k > 0 {
		k--
		word = strings.Trim(before[k], ",;:(") + " of"
	}
	lo := k
	for lo > 0 && k-lo < 4 && before[lo-1] != "" && (before[lo-1][0] >= 'A' && before[lo-1][0] <= 'Z') {
		lo--
	}
	mine := strings.Join(before[lo:], " ") + " " + text
	re, err := regexp.Compile(`(?:\b[A-Z][\w'’()-]*\s+){0,4}\b(?i:` + regexp.QuoteMeta(word) + `)\s+[0-9][\w.,()-]*[\w)]`)
	if err != nil {
		return "the legal reference's number: " + figMsg
	}
	var texts []string
	n := best.n()
	for _, d := range append([]*doc{best.d}, docs...) {
		if d == nil {
			continue
		}
		for _, m := range re.FindAllString(c.sourceText[d.n], -1) {
			if q := fmt.Sprintf("%q", strings.TrimSpace(m)); !containsString(texts, q) && len(texts) < 3 {
				texts = append(texts, q)
				if len(texts) == 1 {
					n = d.n
				}
			}
		}
		if len(texts) > 0 {
			break
		}
	}
	if len(texts) == 0 {
		return "the legal reference's number: " + figMsg
	}
	return fmt.Sprintf("the sentence cites %q where source %d says %s", mine, n, strings.Join(texts, ", "))
}
