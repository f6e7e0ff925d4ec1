package brief

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxCitation bounds citation numbers: "(1990)" after a case name is a year,
// not the 1,990th source.
const maxCitation = 999

// legalWords are words after which a parenthesised number is part of a legal
// reference ("paragraph (3)", "section 87 (2)"), never a citation marker.
var legalWords = map[string]bool{
	"article": true, "art": true, "arts": true, "articles": true,
	"section": true, "sections": true, "sec": true, "s": true, "ss": true,
	"paragraph": true, "paragraphs": true, "para": true, "paras": true,
	"clause": true, "clauses": true, "cl": true, "rule": true, "rules": true, "r": true,
	"regulation": true, "reg": true, "directive": true, "schedule": true, "sch": true,
	"part": true, "pt": true, "chapter": true, "ch": true, "subsection": true,
	"sub-section": true, "§": true, "§§": true, "item": true, "point": true,
	"no": true, "nos": true, "number": true, "footnote": true, "note": true,
	"annex": true, "recital": true, "protocol": true, "title": true, "limb": true,
}

// legalShape has bit n of entry c set when a legal word of n bytes starts
// with the byte c: most words that precede a number in parentheses are no
// legal word, and this tells without hashing them.
var legalShape = func() (t [256]uint16) {
	for w := range legalWords {
		t[w[0]] |= 1 << len(w)
	}
	return t
}()

// isLegalWord reports whether w, lower-cased, is one of legalWords.
func isLegalWord(w []byte) bool {
	return len(w) > 0 && len(w) < 16 && legalShape[w[0]]&(1<<len(w)) != 0 && legalWords[string(w)]
}

// marker is one citation marker chain found in paragraph text: "(1)",
// "(1, 2)" or "(1)(2)". It holds no pointer: its numbers are nums[n0:n1]
// of the list it was found with, so a parser keeps its markers in scratch
// that the collector need not scan and that takes no write barrier.
type marker struct {
	start, end int32 // byte range of the whole chain
	n0, n1     int32
}

// markerSyntax describes one notation: parentheses in the house format,
// square brackets in the editing format.
type markerSyntax struct {
	open, close byte
	// prose is true for the house format, where numbers in parentheses
	// also occur as ordinary text and context decides.
	prose bool
}

var (
	houseMarkers   = markerSyntax{'(', ')', true}
	editingMarkers = markerSyntax{'[', ']', false}
)

// badMarker is a marker-shaped group that is not a valid citation, such as
// "(1a)" or "(0)", at a place where only a citation makes sense.
type badMarker struct {
	start int
	text  string
}

// findMarkers returns the citation markers of a paragraph in order, their
// numbers, and the first marker-shaped group that is not a number, if any.
func (m markerSyntax) findMarkers(p string) ([]marker, []int, *badMarker) {
	var out []marker
	var nums []int
	if n := strings.Count(p, string(m.open)); n > 0 {
		out = make([]marker, 0, n)
		nums = make([]int, 0, 2*n)
	}
	return m.appendMarkers(p, out, nums)
}

// appendMarkers is findMarkers appending to the caller's buffers, so that
// a parser reuses them from paragraph to paragraph; it returns them for the
// next call. The markers' numbers are indexes into nums.
func (m markerSyntax) appendMarkers(p string, out []marker, nums []int) ([]marker, []int, *badMarker) {
	var bad *badMarker
	for i := 0; i < len(p); i++ {
		j := strings.IndexByte(p[i:], m.open)
		if j < 0 {
			break
		}
		i += j
		if m.prose && i > 0 && p[i-1] < utf8.RuneSelf && asciiWordByte[p[i-1]] {
			// Glued to a word ("Article 5(1)"): neither a citation (see
			// validContext) nor a bad one (see badCandidate).
			continue
		}
		before := len(nums)
		end, more, ok := 0, nums, false
		if i+1 < len(p) && (p[i+1] == ' ' || '0' <= p[i+1] && p[i+1] <= '9') {
			// only these can start a group: "(EU)" is none
			end, more, ok = m.parseChain(p, i, nums)
		}
		if ok && m.validContext(p, i, end) {
			nums = more
			out = append(out, marker{start: int32(i), end: int32(end), n0: int32(before), n1: int32(len(nums))})
			i = end - 1
			continue
		}
		if bad == nil && m.prose {
			if text, isBad := m.badCandidate(p, i); isBad {
				bad = &badMarker{start: i, text: text}
			}
		}
	}
	return out, nums, bad
}

// parseChain reads "(n)", "(n, m)" and chains "(n)(m)" starting at i,
// appending the numbers to nums.
func (m markerSyntax) parseChain(p string, i int, nums []int) (end int, out []int, ok bool) {
	j := i
	n0 := len(nums)
	for j < len(p) && p[j] == m.open {
		k, more, gok := m.parseGroup(p, j, nums)
		if !gok {
			break
		}
		nums = more
		j = k
	}
	if len(nums) == n0 {
		return 0, nums, false
	}
	return j, nums, true
}

// parseGroup reads one "(n, m, ...)" group at i, appending its numbers to
// nums; on failure nums is returned as it came.
func (m markerSyntax) parseGroup(p string, i int, nums []int) (end int, out []int, ok bool) {
	j := i + 1
	n0 := len(nums)
	for {
		for j < len(p) && p[j] == ' ' {
			j++
		}
		k := j
		n := 0
		for k < len(p) && p[k] >= '0' && p[k] <= '9' && k-j < 4 {
			n = n*10 + int(p[k]-'0')
			k++
		}
		if k == j || k-j > 3 || n < 1 || n > maxCitation {
			return 0, nums[:n0], false
		}
		nums = append(nums, n)
		j = k
		for j < len(p) && p[j] == ' ' {
			j++
		}
		if j < len(p) && p[j] == ',' {
			j++
			continue
		}
		if j < len(p) && p[j] == m.close {
			return j + 1, nums, true
		}
		return 0, nums[:n0], false
	}
}

// validContext decides whether a well-formed group at [i, end) is a
// citation: it must not be glued to a word ("Article 5(1)"), must not follow
// a legal word ("paragraph (3)"), and must not run into a word or another
// bracket ("(2)(b)").
func (m markerSyntax) validContext(p string, i, end int) bool {
	if !m.prose {
		// "[1](http://...)" is a Markdown link, not a citation.
		return end >= len(p) || (p[end] != '(' && p[end] != ':')
	}
	if i == 0 {
		return false
	}
	// ASCII, the usual case, is told by table; other runes by unicode.
	var prevSpace bool
	if c := p[i-1]; c < utf8.RuneSelf {
		if asciiWordByte[c] {
			return false
		}
		prevSpace = asciiSpace[c]
	} else {
		prev, _ := utf8.DecodeLastRuneInString(p[:i])
		if unicode.IsLetter(prev) || unicode.IsDigit(prev) {
			return false
		}
		prevSpace = unicode.IsSpace(prev)
	}
	if prevSpace {
		// "Art. (1)" is a reference; "under the Article. (1)" ends a
		// sentence and cites it
		if w, stop := previousWord(p[:i]); mayBeLegalWord(w) {
			var buf [24]byte
			lw := lowerWord(w, buf[:0])
			if isLegalWord(lw) && (!stop || legalAbbrevs[string(lw)]) {
				return false
			}
		}
	}
	if end < len(p) {
		if c := p[end]; c < utf8.RuneSelf {
			return !asciiWordByte[c] && c != '(' && c != '['
		}
		next, _ := utf8.DecodeRuneInString(p[end:])
		if unicode.IsLetter(next) || unicode.IsDigit(next) {
			return false
		}
	}
	return true
}

// asciiWordByte marks the ASCII letters and digits.
var asciiWordByte = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// legalAbbrevs are the legal words that are abbreviated with a full stop.
var legalAbbrevs = map[string]bool{
	"art": true, "arts": true, "s": true, "ss": true, "sec": true, "para": true, "paras": true,
	"cl": true, "r": true, "reg": true, "pt": true, "ch": true, "sch": true, "no": true, "nos": true,
}

// previousWord returns the last word of s, a substring without a trailing
// full stop ("Art. " gives "Art"), and whether it had one.
func previousWord(s string) (word string, stop bool) {
	// ASCII white space is trimmed without decoding runes.
	for len(s) > 0 && s[len(s)-1] < utf8.RuneSelf && asciiSpace[s[len(s)-1]] {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] >= utf8.RuneSelf {
		s = strings.TrimRightFunc(s, unicode.IsSpace)
	}
	k := len(s) - 1
	for k >= 0 && s[k] < utf8.RuneSelf && !asciiSpace[s[k]] {
		k--
	}
	if k >= 0 && s[k] >= utf8.RuneSelf {
		k = strings.LastIndexFunc(s, unicode.IsSpace)
	}
	w := s[k+1:]
	n := len(w)
	for n > 0 && w[n-1] == '.' {
		n--
	}
	return w[:n], n < len(w)
}

// mayBeLegalWord is false for an ASCII word that, lower-cased, has the
// first byte or the length of no legal word: most words before a number
// in parentheses, told without lower-casing them. A word with a non-ASCII
// byte may lower-case to another length, so it passes.
func mayBeLegalWord(w string) bool {
	if len(w) == 0 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return true
		}
	}
	c := w[0]
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	return len(w) < 16 && legalShape[c]&(1<<len(w)) != 0
}

// lowerWord is w lower-cased, into buf when it is ASCII and fits there.
// A word longer than buf's capacity is returned as it is (no legal word is
// that long).
func lowerWord(w string, buf []byte) []byte {
	if len(w) > cap(buf) {
		return []byte(w)
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 0x80 {
			return []byte(strings.ToLower(w))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// asciiSpace marks the ASCII white space of unicode.IsSpace.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// badCandidate reports a group such as "(1a)", "(0)" or "(2-4)" standing
// where a citation would stand: after the end of a sentence and before the
// end of the paragraph or the start of the next sentence.
func (m markerSyntax) badCandidate(p string, i int) (string, bool) {
	// Most groups follow a word, not the end of a sentence: look there
	// first, without decoding, when the byte before is ASCII.
	k := i
	for k > 0 && p[k-1] < utf8.RuneSelf && asciiSpace[p[k-1]] {
		k--
	}
	if k > 0 && p[k-1] < utf8.RuneSelf && strings.IndexByte(".!?\"')", p[k-1]) < 0 {
		return "", false
	}
	j := strings.IndexByte(p[i:], m.close)
	if j < 0 || j > 12 {
		return "", false
	}
	inner := p[i+1 : i+j]
	hasDigit := false
	for _, r := range inner {
		switch {
		case r >= '0' && r <= '9':
			hasDigit = true
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || strings.ContainsRune(" ,;-.", r)):
		case r == '–':
		default:
			return "", false
		}
	}
	if !hasDigit || isYear(inner) {
		return "", false
	}
	// Context: after sentence punctuation, and at the paragraph's end or
	// before a capitalised word.
	before := strings.TrimRightFunc(p[:i], unicode.IsSpace)
	last, _ := utf8.DecodeLastRuneInString(before)
	if !strings.ContainsRune(".!?\"”’')", last) {
		return "", false
	}
	after := strings.TrimLeftFunc(p[i+j+1:], unicode.IsSpace)
	if after != "" {
		next, _ := utf8.DecodeRuneInString(after)
		if !unicode.IsUpper(next) && !strings.ContainsRune("\"“‘(", next) {
			return "", false
		}
	}
	return p[i : i+j+1], true
}

func isYear(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// splitCited turns raw paragraph text with markers into running text and
// spans. A marker cites the text since the previous marker; an empty run
// between two markers ("(1) (2)") joins the earlier span. Punctuation written
// after a marker, as in "text (1).", belongs to the cited text.
func splitCited(raw string, markers []marker, nums []int) Paragraph {
	w := citedWriter{text: make([]byte, 0, len(raw))}
	if len(markers) > 0 {
		w.spans = make([]Span, 0, len(markers))
		w.cites = make([]int, 0, 2*len(markers))
	}
	spans := w.add(raw, markers, nums)
	return Paragraph{Text: string(w.text), Spans: spans}
}

// citedWriter writes the paragraphs of a brief one after another into
// shared buffers: their text, their spans and the spans' citations. A
// parser makes a handful of allocations for a whole brief instead of
// several per paragraph.
type citedWriter struct {
	text  []byte
	spans []Span
	cites []int
}

// add appends the running text of raw to w.text and returns its spans
// (offsets relative to the start of this paragraph's text): nil when
// there are no markers. The spans and their citations are capped slices of
// the shared buffers, so appending to them never touches a neighbour. It
// works on local copies of the buffers and stores them back once.
func (w *citedWriter) add(raw string, markers []marker, nums []int) []Span {
	text, spans, cites := w.text, w.spans, w.cites
	base := len(text)
	s0 := len(spans)
	pos := 0
	for _, mk := range markers {
		seg := strings.TrimSpace(raw[pos:mk.start])
		mkNums := nums[mk.n0:mk.n1]
		if len(spans) > s0 {
			text, seg = absorbPunct(text, spans[len(spans)-1:], base, seg)
		}
		switch {
		case seg != "":
			if len(text) > base && !isClosingPunct(seg) {
				text = append(text, ' ')
			}
			start := len(text) - base
			text = append(text, seg...)
			c0 := len(cites)
			cites = appendDistinct(cites, c0, mkNums)
			// written in place: a Span holds a pointer, and one
			// copied in whole costs a bulk write barrier while the
			// collector runs
			spans = append(spans, Span{})
			sp := &spans[len(spans)-1]
			sp.Start, sp.End, sp.Citations = start, len(text)-base, cites[c0:len(cites):len(cites)]
		case len(spans) > s0:
			// the last span's citations are the tail of cites
			last := &spans[len(spans)-1]
			c0 := len(cites) - len(last.Citations)
			cites = appendDistinct(cites, c0, mkNums)
			last.Citations = cites[c0:len(cites):len(cites)]
		}
		// a marker with no text before it at all cites nothing and is dropped
		pos = int(mk.end)
		k := pos
		for k < len(raw) && raw[k] == ' ' {
			k++
		}
		j := k
		for j < len(raw) && punct[raw[j]] {
			j++
		}
		if j > k && len(spans) > s0 {
			text = append(text, raw[k:j]...)
			spans[len(spans)-1].End = len(text) - base
			pos = j
		}
	}
	tail := strings.TrimSpace(raw[pos:])
	if len(spans) > s0 {
		text, tail = absorbPunct(text, spans[len(spans)-1:], base, tail)
	}
	if tail != "" {
		if len(text) > base && !isClosingPunct(tail) {
			text = append(text, ' ')
		}
		text = append(text, tail...)
	}
	w.text = text
	if len(markers) == 0 {
		return nil
	}
	if spans == nil {
		spans = make([]Span, 0, 1) // markers that cite nothing: an empty, non-nil list
	}
	w.spans, w.cites = spans, cites
	return spans[s0:len(spans):len(spans)]
}

// absorbPunct moves the punctuation that seg starts with into last[0], the
// paragraph's last span, when that span ends where seg would be written: a
// marker there would take it, so the text rendered with its markers reads
// back the same. It returns the text and the rest of seg.
func absorbPunct(text []byte, last []Span, base int, seg string) ([]byte, string) {
	if last[0].End != len(text)-base {
		return text, seg
	}
	j := 0
	for j < len(seg) && punct[seg[j]] {
		j++
	}
	if j == 0 {
		return text, seg
	}
	text = append(text, seg[:j]...)
	last[0].End = len(text) - base
	return text, strings.TrimSpace(seg[j:])
}

func isClosingPunct(s string) bool {
	// all ASCII: a string that starts with another byte starts with
	// another rune
	return s != "" && (punct[s[0]] || s[0] == ')' || s[0] == ']')
}

// punct marks the punctuation a marker leaves with the text before it.
var punct = [256]bool{'.': true, ',': true, ';': true, ':': true, '!': true, '?': true}

// appendDistinct appends to dst the numbers of nums not yet in dst[from:],
// in order (markers cite a handful of sources, so a scan beats a set).
func appendDistinct(dst []int, from int, nums []int) []int {
	for _, n := range nums {
		if !slices.Contains(dst[from:], n) {
			dst = append(dst, n)
		}
	}
	return dst
}
