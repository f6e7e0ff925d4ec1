package brief

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"
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

// ParseBytes is Parse over a byte slice. The brief it returns shares no
// memory with data.
func ParseBytes(data []byte) (*Brief, error) {
	data, err := checkText(data)
	if err != nil {
		return nil, err
	}
	// The parser reads data in place, through a string view that lives
	// only as long as the parse, and writes every string the brief keeps
	// (title, paragraphs, byline, tags, sources) into one buffer, sized
	// once the paragraphs are known. So the input is not copied and no
	// string is made per paragraph.
	p := &houseParser{text: unsafe.String(unsafe.SliceData(data), len(data))}
	sc := scratchPool.Get().(*parseScratch)
	p.raws, p.marks, p.nums, p.tags = sc.raws[:0], sc.marks[:0], sc.nums[:0], sc.tags[:0]
	p.next()
	b, err := p.parse()
	// The scratch goes back without its strings, which may be views of
	// data.
	// The markers point only into nums, the scratch's own.
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

// line is one input line with its 1-based number.
type line struct {
	n    int
	text string // without the line end, not trimmed
}

// textLines checks that data is UTF-8 text and splits it into lines,
// accepting LF and CRLF line ends and a leading byte-order mark.
func textLines(data []byte) ([]line, error) {
	data, err := checkText(data)
	if err != nil {
		return nil, err
	}
	// One copy of the input; every line is a substring of it.
	return splitLines(string(data)), nil
}

// checkText drops a leading byte-order mark and checks that data is UTF-8
// text with something in it.
func checkText(data []byte) ([]byte, error) {
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
	return data, nil
}

// splitLines splits text at LF and CRLF line ends; every line is a
// substring of text.
func splitLines(text string) []line {
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
	return out
}

// headingIndex returns which of the three headings s is, or -1.
func headingIndex(s string) int {
	s = strings.TrimSpace(s)
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
	titleText := collapseSpace(title.text) // kept below, once the buffer is made
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
		if h := headingIndex(t); h >= 0 {
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
			spans := w.add(rp.text, p.marks[rp.m0:rp.m1])
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
		if t == "" || headingIndex(t) >= 0 || (section == 2 && isTailLine(t)) {
			break
		}
		if parts == nil {
			parts = append(make([]string, 0, 8), first)
		}
		parts = append(parts, t)
		p.next()
	}
	if parts == nil {
		rp.text = collapseSpace(first) // a substring of the input: no copy
	} else {
		rp.text = collapseSpace(strings.Join(parts, " "))
	}
	rp.m0 = int32(len(p.marks))
	var bad *badMarker
	p.marks, p.nums, bad = houseMarkers.appendMarkers(rp.text, p.marks, p.nums)
	rp.m1 = int32(len(p.marks))
	if bad != nil {
		rp.bad = bad
	}
}

// isTailLine reports lines that end the third section: the firm list, the
// topic list, the source list, or the site footer.
func isTailLine(t string) bool {
	return tailKind(t) != ""
}

func tailKind(t string) string {
	t = strings.TrimSpace(t)
	// The keywords start with "a", "s" and "t"; a line that starts with
	// another ASCII byte is none of them ("s" also folds to "ſ", which is
	// not ASCII).
	if t == "" {
		return ""
	}
	if c := t[0] | 0x20; t[0] < utf8.RuneSelf && c != 'a' && c != 's' && c != 't' {
		return ""
	}
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
	return rp.m0 == rp.m1 && !moreFields(rp.text, 12) && !endsLikeSentence(rp.text)
}

// moreFields reports whether s has more than n fields as strings.Fields
// splits them, without making the list.
func moreFields(s string, n int) bool {
	fields := 0
	in := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
			continue
		}
		if !in {
			in = true
			if fields++; fields > n {
				return true
			}
		}
	}
	return false
}

func endsLikeSentence(s string) bool {
	s = strings.TrimRight(strings.TrimSpace(s), "\"”’'")
	return s != "" && strings.ContainsAny(s[len(s)-1:], ".!?")
}

// parseTail reads "Assessing Firms:", "Topics:" and "Sources:" blocks, and
// stops at "Stay Tuned".
func (p *houseParser) parseTail(b *Brief) error {
	var block string
	for ; !p.eof; p.next() {
		ln := line{n: p.n, text: p.cur()}
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
			tags := appendHashtags(p.tags[:0], t)
			p.tags = tags
			for i := range tags {
				tags[i] = p.keep(tags[i])
			}
			if block == "topics" {
				if b.Topics == nil {
					b.Topics = make([]string, 0, len(tags))
				}
				b.Topics = appendUnique(b.Topics, tags...)
			} else {
				if b.Firms == nil {
					b.Firms = make([]string, 0, len(tags))
				}
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
			src.URL, src.Title, src.Publisher = p.keep(src.URL), p.keep(src.Title), p.keep(src.Publisher)
			b.Sources = append(b.Sources, src)
		}
	}
	return nil
}

// appendHashtags appends to out the names of a hashtag line such as
// "#Herbert Smith Freehills LLP #Skadden, Arps ... LLP". A '#' starts a
// new name only at the start or after a space, so
// names keep commas, '&', parentheses and full stops.
func appendHashtags(out []string, t string) []string {
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
		if !IsWebURL(last) {
			return src, fmt.Errorf("source (%d): %q is not a web address (http:// or https:// and a host)", n, clip(last))
		}
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
// than ' ': a double space, a control space, or beyond ASCII a Unicode
// space (decoded only at the lead bytes of U+0085, U+00A0, U+1680,
// U+2000–U+205F and U+3000). It looks at eight bytes at a time and
// byte by byte only at a word that may hold two spaces in a row, a control
// byte or a non-ASCII byte.
func needsFold(s string) bool {
	i := 0
	for ; i+16 <= len(s); i += 16 {
		// Sixteen bytes a round, flagged together: text that needs no
		// fold passes with one branch.
		c := s[i : i+16]
		w1 := uint64(c[0]) | uint64(c[1])<<8 | uint64(c[2])<<16 | uint64(c[3])<<24 |
			uint64(c[4])<<32 | uint64(c[5])<<40 | uint64(c[6])<<48 | uint64(c[7])<<56
		w2 := uint64(c[8]) | uint64(c[9])<<8 | uint64(c[10])<<16 | uint64(c[11])<<24 |
			uint64(c[12])<<32 | uint64(c[13])<<40 | uint64(c[14])<<48 | uint64(c[15])<<56
		sp1, sp2 := spaceBytes(w1), spaceBytes(w2)
		// Two spaces in a row: within a word, across the two, or from
		// the last byte on.
		var next uint64
		if i+16 < len(s) && s[i+16] == ' ' {
			next = 1
		}
		flag := oddBytes(w1) | oddBytes(w2) | sp1&(sp1>>8) | sp2&(sp2>>8) | sp1>>56&sp2 | sp2>>63&next
		if flag != 0 && foldAt(s, i, i+16) {
			return true
		}
	}
	return foldAt(s, i, len(s))
}

// Word-at-a-time tests of eight bytes, as their top bits. A borrow may
// flag a neighbour of a flagged byte too, never miss one: foldAt looks
// again byte by byte.
const ones, lo, hi = 0x0101010101010101, 0x2020202020202020, 0x8080808080808080

// oddBytes flags the bytes of w below 0x20 or from 0x80.
func oddBytes(w uint64) uint64 { return ((w - lo) | w) & hi }

// spaceBytes flags the bytes of w that are ' '.
func spaceBytes(w uint64) uint64 {
	t := w ^ lo
	return (t - ones) &^ t & hi
}

// foldAt is needsFold for the bytes s[i:end], looking past end only to
// see the rest of a run or a rune.
func foldAt(s string, i, end int) bool {
	for ; i < end; i++ {
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
