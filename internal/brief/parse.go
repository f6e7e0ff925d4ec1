package brief

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unsafe"
)

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

// ParseBytes is Parse over a byte slice. The brief it returns shares no
// memory with data.
func ParseBytes(data []byte) (*Brief, error) {
	data, plain, err := checkPlainText(data)
	if err != nil {
		return nil, err
	}
	// The parser reads data in place, through a string view that lives
	// only as long as the parse, and writes every string the brief keeps
	// (title, paragraphs, byline, tags, sources) into one buffer, sized
	// once the paragraphs are known. So the input is not copied and no
	// string is made per paragraph.
	p := &houseParser{text: unsafe.String(unsafe.SliceData(data), len(data)), plain: plain}
	sc := scratchPool.Get().(*parseScratch)
	p.raws, p.marks, p.nums, p.tags = sc.raws[:0], sc.marks[:0], sc.nums[:0], sc.tags[:0]
	p.next()
	b, err := p.parse()
	// The scratch goes back without its strings, which may be views of
	// data.
	clear(p.raws)
	clear(p.tags)
	sc.raws, sc.marks, sc.nums, sc.tags = p.raws[:0], p.marks[:0], p.nums[:0], p.tags[:0]
	scratchPool.Put(sc)
	return b, err
}

// parseScratch is the working memory of a parse that the brief does not
// keep: the raw paragraphs and their markers, reused from parse to parse.
type parseScratch struct {
	raws  []rawParagraph
	marks []marker
	nums  []int
	tags  []string // one line's hashtags
}

var scratchPool = sync.Pool{New: func() any {
	return &parseScratch{make([]rawParagraph, 0, 32), make([]marker, 0, 32), make([]int, 0, 48), make([]string, 0, 8)}
}}

// headingIndex returns which of the three headings s is, or -1.
func headingIndex(s string) int {
	return trimmedHeading(strings.TrimSpace(s))
}

// trimmedHeading is headingIndex for s without white space at its ends.
func trimmedHeading(s string) int {
	// Every heading starts with "W" or "H", which fold to nothing but
	// "w" and "h": other lines are told by their first byte.
	if s == "" || s[0]|0x20 != 'w' && s[0]|0x20 != 'h' {
		return -1
	}
	for i, h := range Headings {
		if strings.EqualFold(s, h) {
			return i
		}
	}
	return -1
}

// rawParagraph is a run of non-empty lines, joined with single spaces,
// and its citation markers: marks[m0:m1] of the parser.
type rawParagraph struct {
	text    string
	first   int32 // line number
	section int32
	m0, m1  int32
	bad     *badMarker // the first marker-shaped group that is no citation
}

// houseParser reads the input a line at a time: cur() is the current line
// (without its line end), n its number. The cursor is kept as offsets into
// text, which hold no pointers to write. text is the caller's bytes: a
// string from it is passed through keep before the brief holds it.
type houseParser struct {
	text     string
	plain    bool        // no line of text needs a fold: see checkPlainText
	w        citedWriter // the brief's strings
	curStart int
	curEnd   int
	rest     int // offset of the next line
	n        int
	last     bool // cur is the last line
	eof      bool // past the last line
	// The raw paragraphs and their markers, found once as each is read;
	// the markers' numbers share nums.
	raws  []rawParagraph
	marks []marker
	nums  []int
	tags  []string // one line's hashtags
}

// keep copies s into the brief's buffer; the bytes it has handed out are
// never written again.
func (p *houseParser) keep(s string) string {
	if s == "" {
		return ""
	}
	start := len(p.w.text)
	p.w.text = append(p.w.text, s...)
	return frozen(p.w.text[start:])
}

// frozen is b as a string, without a copy, for bytes that are never
// written again: the parser only appends to its buffer, and an append that
// outgrows it moves to a new one, leaving the old bytes as they were.
func frozen(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// collapseSpace is collapseSpace for a line of the input, or lines joined
// with single spaces, without looking for white space to fold in plain
// text.
func (p *houseParser) collapseSpace(s string) string {
	if p.plain {
		return strings.TrimSpace(s)
	}
	return collapseSpace(s)
}

// cur is the current line.
func (p *houseParser) cur() string { return p.text[p.curStart:p.curEnd] }

// next moves to the next line, accepting LF and CRLF line ends, as
// splitLines splits them.
func (p *houseParser) next() {
	if p.last {
		p.eof = true
		return
	}
	p.n++
	p.curStart = p.rest
	i := strings.IndexByte(p.text[p.rest:], '\n')
	if i < 0 {
		p.curEnd, p.rest, p.last = len(p.text), len(p.text), true
	} else {
		p.curEnd, p.rest = p.rest+i, p.rest+i+1
	}
	if p.curEnd > p.curStart && p.text[p.curEnd-1] == '\r' {
		p.curEnd--
	}
}

func (p *houseParser) parse() (*Brief, error) {
	// The brief and its three sections in one allocation.
	blk := &struct {
		b    Brief
		secs [3]Section
	}{}
	b := &blk.b
	// Title: the first non-empty line.
	for !p.eof && strings.TrimSpace(p.cur()) == "" {
		p.next()
	}
	title := line{n: p.n, text: p.cur()}
	if headingIndex(title.text) >= 0 {
		return nil, &ParseError{Line: title.n, Msg: fmt.Sprintf("expected a title line, found the heading %q", strings.TrimSpace(title.text))}
	}
	titleText := p.collapseSpace(title.text) // kept below, once the buffer is made
	p.next()

	// Sections: paragraphs are runs of non-empty lines between headings.
	// The paragraphs of all three sections go into one list, in order.
	section := -1
	raws := p.raws
	var count [3]int
	var sectionLine [3]int
	tail, tailBytes := false, 0
	for !p.eof {
		t := strings.TrimSpace(p.cur())
		if t == "" {
			p.next()
			continue
		}
		if h := trimmedHeading(t); h >= 0 {
			if h != section+1 {
				return nil, p.headingOrderError(line{n: p.n, text: p.cur()}, h, section)
			}
			section = h
			sectionLine[h] = p.n
			p.next()
			continue
		}
		if section < 0 {
			return nil, &ParseError{Line: p.n, Msg: fmt.Sprintf("expected the heading %q after the title, found %q", Headings[0], clip(t))}
		}
		if section == 2 && isTailLine(t) {
			tail = true
			tailBytes = len(p.text) - p.curStart
			break
		}
		p.paragraph(t, section)
		raws = p.raws
		count[section]++
	}
	if section < 2 {
		last := lastTextLine(splitLines(p.text))
		return nil, &ParseError{Line: last, Msg: fmt.Sprintf("reached the end of the input: expected the heading %q", Headings[section+1])}
	}

	// The byline is the last paragraph of the third section when it is one
	// short line without a marker.
	// It never takes the section's only paragraph.
	byline := ""
	if n := len(raws); count[2] > 1 && isByline(raws[n-1]) {
		byline = raws[n-1].text
		raws = raws[:n-1]
		count[2]--
	}
	// Every paragraph's running text goes into the brief's buffer.
	// The brief's strings are never longer than what they come from: the
	// title, the paragraphs, the byline and the tail.
	// Each marker makes at most one span, and a span cites at most the
	// marker's numbers.
	size := len(titleText) + len(byline) + tailBytes
	for _, rp := range raws {
		size += len(rp.text)
	}
	p.w.text = make([]byte, 0, size)
	b.Title, b.Byline = p.keep(titleText), p.keep(byline)
	w := &p.w
	if len(p.marks) > 0 {
		w.spans = make([]Span, 0, len(p.marks))
		w.cites = make([]int, 0, len(p.nums))
	}
	all := make([]Paragraph, len(raws))
	k := 0
	for s := range 3 {
		if count[s] == 0 {
			return nil, &ParseError{Line: sectionLine[s], Msg: fmt.Sprintf("the section %q has no paragraphs", Headings[s])}
		}
		for ; k < len(raws) && int(raws[k].section) == s; k++ {
			rp := &raws[k]
			if rp.bad != nil {
				return nil, &ParseError{Line: int(rp.first), Msg: fmt.Sprintf(
					"citation marker %q is not a number: expected (n), (n, m) or (n)(m) with n from 1 to %d", rp.bad.text, maxCitation)}
			}
			start := len(w.text)
			spans := w.add(rp.text, p.marks[rp.m0:rp.m1], p.nums)
			all[k] = Paragraph{Text: frozen(w.text[start:]), Spans: spans}
		}
	}
	b.Sections = blk.secs[:0:3]
	k = 0
	for s := range 3 {
		b.Sections = append(b.Sections, Section{Heading: Headings[s], Paragraphs: all[k : k+count[s] : k+count[s]]})
		k += count[s]
	}
	if tail {
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

// paragraph consumes a run of non-empty lines; first is the first line,
// trimmed, which the caller has seen is neither a heading nor a tail line.
// It appends the paragraph to p.raws, written in place: a rawParagraph
// holds a pointer, and one copied in whole costs a bulk write barrier
// while the collector runs.
func (p *houseParser) paragraph(first string, section int) {
	p.raws = append(p.raws, rawParagraph{})
	rp := &p.raws[len(p.raws)-1]
	rp.first, rp.section = int32(p.n), int32(section)
	p.next()
	var parts []string // the other lines: most paragraphs are one line
	for !p.eof {
		t := strings.TrimSpace(p.cur())
		if t == "" || trimmedHeading(t) >= 0 || (section == 2 && isTailLine(t)) {
			break
		}
		if parts == nil {
			parts = append(make([]string, 0, 8), first)
		}
		parts = append(parts, t)
		p.next()
	}
	if parts == nil {
		rp.text = p.collapseSpace(first) // a substring of the input: no copy
	} else {
		// The lines are trimmed: joined with single spaces, they
		// need a fold only where one of them does.
		rp.text = p.collapseSpace(strings.Join(parts, " "))
	}
	rp.m0 = int32(len(p.marks))
	var bad *badMarker
	p.marks, p.nums, bad = houseMarkers.appendMarkers(rp.text, p.marks, p.nums)
	rp.m1 = int32(len(p.marks))
	if bad != nil {
		rp.bad = bad
	}
}
