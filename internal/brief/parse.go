package brief

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxSize is the largest brief accepted, in bytes. Larger input is refused
// after reading at most MaxSize+1 bytes.
const MaxSize = 1 << 20

// ParseError is a problem with the input, at a line (1-based; 0 when the
// problem is the input as a whole).
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// ErrTooLarge is wrapped by the error for input over MaxSize.
var ErrTooLarge = errors.New("input too large")

// readLimited reads all of r up to MaxSize and refuses anything larger
// without holding more than MaxSize+1 bytes.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: a brief may be at most %d KiB", ErrTooLarge, MaxSize>>10)
	}
	return data, nil
}

// Parse reads a brief in the house text format: a title, the three fixed
// sections with cited paragraphs, a byline, "Assessing Firms:" with firm
// hashtags, and optionally "Topics:" hashtags and a "Sources:" list.
// "Stay Tuned" and everything after it is site boilerplate and is dropped.
func Parse(r io.Reader) (*Brief, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	return ParseBytes(data)
}

// ParseBytes is Parse over a byte slice.
func ParseBytes(data []byte) (*Brief, error) {
	lines, err := textLines(data)
	if err != nil {
		return nil, err
	}
	p := &houseParser{lines: lines}
	return p.parse()
}

// line is one input line with its 1-based number.
type line struct {
	n    int
	text string // without the line end, not trimmed
}

// textLines checks that data is UTF-8 text and splits it into lines,
// accepting LF and CRLF line ends and a leading byte-order mark.
func textLines(data []byte) ([]line, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ParseError{Line: 1, Msg: "empty input: expected a title line"}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &ParseError{Line: 1 + bytes.Count(data[:i], []byte("\n")),
			Msg: "binary data (a NUL byte): expected UTF-8 text"}
	}
	if !utf8.Valid(data) {
		n := 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				return nil, &ParseError{Line: n, Msg: fmt.Sprintf("invalid UTF-8 at byte %d: expected UTF-8 text", i)}
			}
			if r == '\n' {
				n++
			}
			i += size
		}
	}
	// One copy of the input; every line is a substring of it.
	text := string(data)
	out := make([]line, 0, strings.Count(text, "\n")+1)
	for n := 1; ; n++ {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			out = append(out, line{n: n, text: strings.TrimSuffix(text, "\r")})
			break
		}
		out = append(out, line{n: n, text: strings.TrimSuffix(text[:i], "\r")})
		text = text[i+1:]
	}
	return out, nil
}

// headingIndex returns which of the three headings s is, or -1.
func headingIndex(s string) int {
	s = strings.TrimSpace(s)
	for i, h := range Headings {
		if strings.EqualFold(s, h) {
			return i
		}
	}
	return -1
}

// rawParagraph is a run of non-empty lines, joined with single spaces.
type rawParagraph struct {
	first int // line number
	text  string
}

type houseParser struct {
	lines []line
	i     int
}

func (p *houseParser) parse() (*Brief, error) {
	b := &Brief{}
	// Title: the first non-empty line.
	for p.i < len(p.lines) && strings.TrimSpace(p.lines[p.i].text) == "" {
		p.i++
	}
	title := p.lines[p.i]
	if headingIndex(title.text) >= 0 {
		return nil, &ParseError{Line: title.n, Msg: fmt.Sprintf("expected a title line, found the heading %q", strings.TrimSpace(title.text))}
	}
	b.Title = collapseSpace(title.text)
	p.i++

	// Sections: paragraphs are runs of non-empty lines between headings.
	section := -1
	var paras [3][]rawParagraph
	for s := range paras {
		paras[s] = make([]rawParagraph, 0, 8)
	}
	var sectionLine [3]int
	tailStart := -1
	for p.i < len(p.lines) {
		ln := p.lines[p.i]
		t := strings.TrimSpace(ln.text)
		switch {
		case t == "":
			p.i++
			continue
		case headingIndex(t) >= 0:
			h := headingIndex(t)
			if h != section+1 {
				return nil, p.headingOrderError(ln, h, section)
			}
			section = h
			sectionLine[h] = ln.n
			p.i++
			continue
		case section < 0:
			return nil, &ParseError{Line: ln.n, Msg: fmt.Sprintf("expected the heading %q after the title, found %q", Headings[0], clip(t))}
		case section == 2 && isTailLine(t):
			tailStart = p.i
		}
		if tailStart >= 0 {
			break
		}
		paras[section] = append(paras[section], p.paragraph(section == 2))
	}
	if section < 2 {
		last := lastTextLine(p.lines)
		return nil, &ParseError{Line: last, Msg: fmt.Sprintf("reached the end of the input: expected the heading %q", Headings[section+1])}
	}

	// The byline is the last paragraph of the third section when it is one
	// short line without a marker.
	// It never takes the section's only paragraph.
	if n := len(paras[2]); n > 1 && isByline(paras[2][n-1]) {
		b.Byline = paras[2][n-1].text
		paras[2] = paras[2][:n-1]
	}
	for s := range 3 {
		if len(paras[s]) == 0 {
			return nil, &ParseError{Line: sectionLine[s], Msg: fmt.Sprintf("the section %q has no paragraphs", Headings[s])}
		}
		if b.Sections == nil {
			b.Sections = make([]Section, 0, 3)
		}
		sec := Section{Heading: Headings[s], Paragraphs: make([]Paragraph, 0, len(paras[s]))}
		for _, rp := range paras[s] {
			para, err := houseParagraph(rp)
			if err != nil {
				return nil, err
			}
			sec.Paragraphs = append(sec.Paragraphs, para)
		}
		b.Sections = append(b.Sections, sec)
	}
	if tailStart >= 0 {
		if err := p.parseTail(b); err != nil {
			return nil, err
		}
	}
	b.Slug = Slugify(b.Title)
	if b.Slug == "" {
		return nil, &ParseError{Line: title.n, Msg: fmt.Sprintf("the title %q has no letters or digits to make a slug from", clip(b.Title))}
	}
	return b.Normalize(), nil
}

// headingOrderError explains a heading that comes out of order.
func (p *houseParser) headingOrderError(ln line, got, current int) error {
	if got <= current {
		return &ParseError{Line: ln.n, Msg: fmt.Sprintf("the heading %q appears again: each section comes once, in order", Headings[got])}
	}
	return &ParseError{Line: ln.n, Msg: fmt.Sprintf("expected the heading %q before %q", Headings[current+1], Headings[got])}
}

// paragraph consumes a run of non-empty lines.
func (p *houseParser) paragraph(inLast bool) rawParagraph {
	rp := rawParagraph{first: p.lines[p.i].n}
	var (
		first string   // the first line: most paragraphs are one line
		parts []string // and the others
	)
	for p.i < len(p.lines) {
		t := strings.TrimSpace(p.lines[p.i].text)
		if t == "" || headingIndex(t) >= 0 || (inLast && isTailLine(t)) {
			break
		}
		switch {
		case parts != nil:
			parts = append(parts, t)
		case first == "":
			first = t
		default:
			parts = append(make([]string, 0, 8), first, t)
		}
		p.i++
	}
	if parts == nil {
		rp.text = collapseSpace(first) // a substring of the input: no copy
	} else {
		rp.text = collapseSpace(strings.Join(parts, " "))
	}
	return rp
}

// houseParagraph turns a raw paragraph into text and cited spans.
func houseParagraph(rp rawParagraph) (Paragraph, error) {
	markers, bad := houseMarkers.findMarkers(rp.text)
	if bad != nil {
		return Paragraph{}, &ParseError{Line: rp.first, Msg: fmt.Sprintf(
			"citation marker %q is not a number: expected (n), (n, m) or (n)(m) with n from 1 to %d", bad.text, maxCitation)}
	}
	return splitCited(rp.text, markers), nil
}

// isTailLine reports lines that end the third section: the firm list, the
// topic list, the source list, or the site footer.
func isTailLine(t string) bool {
	return tailKind(t) != ""
}

func tailKind(t string) string {
	t = strings.TrimSpace(t)
	for _, k := range []string{"assessing firms", "topics", "sources", "stay tuned"} {
		if len(t) < len(k) || !strings.EqualFold(t[:len(k)], k) {
			continue
		}
		rest := strings.ToLower(t[len(k):])
		rest = strings.TrimSpace(rest)
		switch k {
		case "assessing firms", "topics":
			// "Topics:" alone or followed by hashtags; not a sentence
			// that happens to start with the word
			if rest == "" || rest == ":" || (rest[0] == ':' && strings.HasPrefix(strings.TrimSpace(rest[1:]), "#")) {
				return k
			}
		case "sources":
			if rest == "" || rest == ":" {
				return k
			}
		case "stay tuned":
			if rest == "" || strings.ContainsAny(rest[:1], ":!.-") || strings.HasPrefix(rest, "—") || strings.HasPrefix(rest, "–") {
				return k
			}
		}
	}
	return ""
}

// isByline: a short paragraph with no citation marker that does not end
// like a sentence ("The Legists Content Team"). An uncited closing sentence
// stays a paragraph.
func isByline(rp rawParagraph) bool {
	if len(strings.Fields(rp.text)) > 12 || endsLikeSentence(rp.text) {
		return false
	}
	m, _ := houseMarkers.findMarkers(rp.text)
	return len(m) == 0
}

func endsLikeSentence(s string) bool {
	s = strings.TrimRight(strings.TrimSpace(s), "\"”’'")
	return s != "" && strings.ContainsAny(s[len(s)-1:], ".!?")
}

// parseTail reads "Assessing Firms:", "Topics:" and "Sources:" blocks, and
// stops at "Stay Tuned".
func (p *houseParser) parseTail(b *Brief) error {
	var block string
	for ; p.i < len(p.lines); p.i++ {
		ln := p.lines[p.i]
		t := strings.TrimSpace(ln.text)
		if t == "" {
			continue
		}
		if k := tailKind(t); k != "" {
			if k == "stay tuned" {
				return nil
			}
			block = k
			// hashtags may follow the colon on the same line
			_, rest, _ := strings.Cut(t, ":")
			t = strings.TrimSpace(rest)
			if t == "" {
				continue
			}
		}
		switch block {
		case "assessing firms", "topics":
			if !strings.HasPrefix(t, "#") {
				return &ParseError{Line: ln.n, Msg: fmt.Sprintf("expected hashtags such as \"#Firm Name #Other Firm LLP\" after %q, found %q", titleCase(block)+":", clip(t))}
			}
			tags := hashtags(t)
			if block == "topics" {
				b.Topics = appendUnique(b.Topics, tags...)
			} else {
				b.Firms = appendUnique(b.Firms, tags...)
			}
		case "sources":
			src, err := parseSourceLine(t)
			if err != nil {
				return &ParseError{Line: ln.n, Msg: err.Error()}
			}
			if _, dup := b.Source(src.N); dup {
				return &ParseError{Line: ln.n, Msg: fmt.Sprintf("source (%d) is listed twice", src.N)}
			}
			b.Sources = append(b.Sources, src)
		}
	}
	return nil
}

// hashtags splits "#Herbert Smith Freehills LLP #Skadden, Arps ... LLP" into
// names. A '#' starts a new name only at the start or after a space, so
// names keep commas, '&', parentheses and full stops.
func hashtags(t string) []string {
	var out []string
	start := -1
	for i := 0; i < len(t); i++ {
		if t[i] == '#' && (i == 0 || t[i-1] == ' ' || t[i-1] == '\t') {
			if start >= 0 {
				out = appendTag(out, t[start:i])
			}
			start = i + 1
		}
	}
	if start >= 0 {
		out = appendTag(out, t[start:])
	}
	return out
}

func appendTag(out []string, s string) []string {
	s = collapseSpace(s)
	if s == "" {
		return out
	}
	return append(out, s)
}

func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		dup := false
		for _, have := range list {
			if strings.EqualFold(have, it) {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, it)
		}
	}
	return list
}

// parseSourceLine reads "(n) Title — Publisher — https://url"; publisher
// and URL are optional.
func parseSourceLine(t string) (Source, error) {
	var src Source
	if !strings.HasPrefix(t, "(") {
		return src, fmt.Errorf("expected a source line such as \"(1) Title — Publisher — https://...\", found %q", clip(t))
	}
	end := strings.IndexByte(t, ')')
	n, err := atoiCitation(t[1:max(end, 1)])
	if end < 0 || err != nil {
		return src, fmt.Errorf("expected a source number such as (1) at the start of %q", clip(t))
	}
	src.N = n
	parts := strings.Split(strings.TrimSpace(t[end+1:]), " — ")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if last := parts[len(parts)-1]; looksLikeURL(last) {
		src.URL = last
		parts = parts[:len(parts)-1]
	}
	if len(parts) >= 2 {
		src.Publisher = parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	src.Title = strings.Join(parts, " — ")
	return src, nil
}

func looksLikeURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

func atoiCitation(s string) (int, error) {
	n := 0
	if s == "" || len(s) > 3 {
		return 0, errors.New("not a citation number")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a citation number")
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 {
		return 0, errors.New("citation numbers start at 1")
	}
	return n, nil
}

// spaceStart marks the bytes at which white space may start: ASCII space
// and control spaces, and the lead bytes of the multi-byte spaces (U+0085,
// U+00A0, U+1680, U+2000–U+205F, U+3000).
var spaceStart = func() (t [256]bool) {
	for _, c := range []byte{' ', '\t', '\n', '\v', '\f', '\r', 0xC2, 0xE1, 0xE2, 0xE3} {
		t[c] = true
	}
	return t
}()

// collapseSpace trims s and folds runs of white space into one space. Most
// text needs no change, so it looks before it allocates.
func collapseSpace(s string) string {
	s = strings.TrimSpace(s)
	if needsFold(s) {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

// needsFold reports whether trimmed s has a run of spaces or a space other
// than ' ', in one pass: a double space, a control space, or beyond
// ASCII a Unicode space (decoded only at the lead bytes of U+0085, U+00A0,
// U+1680, U+2000–U+205F and U+3000).
func needsFold(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !spaceStart[c] {
			continue
		}
		switch {
		case c == ' ':
			if i+1 < len(s) && s[i+1] == ' ' {
				return true
			}
		case c < utf8.RuneSelf:
			return true // a control space
		default:
			if r, _ := utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
				return true
			}
		}
	}
	return false
}

// clip shortens s for an error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	r := []rune(s)
	return string(r[:57]) + "..."
}

func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// lastTextLine is the number of the last line with text, where an error
// about the end of the input points.
func lastTextLine(lines []line) int {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimSpace(lines[i].text) != "" {
			return lines[i].n
		}
	}
	return 1
}
