package tag

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// caseMode is how a phrase's capitals must appear in text.
type caseMode uint8

const (
	// caseFold: any case ("arbitral tribunal", "Arbitral Tribunal").
	caseFold caseMode = iota
	// caseInitials: a capital at the start of a word of the phrase must be
	// a capital in the text; other letters may be in any case. "Clifford
	// Chance" matches "CLIFFORD CHANCE" but not "clifford chance";
	// "WilmerHale" matches "Wilmerhale"; "Chile" does not match "chile".
	caseInitials
	// caseExact: exactly as written, for phrases without lower-case
	// letters: "HSF", "A&O", "US", "GDPR".
	caseExact
)

// modeOf picks the case mode of a phrase from its letters.
func modeOf(s string) caseMode {
	var upper, lower bool
	for _, r := range s {
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
	}
	switch {
	case upper && !lower:
		return caseExact
	case upper:
		return caseInitials
	}
	return caseFold
}

// phrase is one pattern of the matcher.
type phrase struct {
	text   string // as written, with single spaces and without the "*"
	mode   caseMode
	prefix bool // written with a trailing "*": the word may go on
	// wordStart and wordEnd say whether the phrase begins and ends with
	// a letter or digit, and so needs a word boundary there.
	wordStart, wordEnd bool
	nlen               int // length in the matcher's alphabet: bytes, a space for a run of white space
}

func newPhrase(s string) phrase {
	s = strings.Join(strings.Fields(s), " ")
	p := phrase{}
	if strings.HasSuffix(s, "*") {
		p.prefix = true
		s = strings.TrimSpace(strings.TrimRight(s, "*"))
	}
	p.text = s
	p.mode = modeOf(s)
	if s != "" {
		first, _ := utf8.DecodeRuneInString(s)
		last, _ := utf8.DecodeLastRuneInString(s)
		p.wordStart, p.wordEnd = isWordRune(first), isWordRune(last)
	}
	p.nlen = len(s)
	return p
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// matcher finds every occurrence of a set of phrases in one pass over a
// text: an Aho-Corasick automaton compiled to a dense DFA over byte classes
// and a word-boundary symbol. It folds ASCII case and treats a run of white space as one space, so
// "Clifford\nChance" is found; capitals, word boundaries and "*" are then
// checked on each candidate against the original text. Non-ASCII bytes are
// compared as they are: accent-free spellings are separate phrases.
type matcher struct {
	class  [256]uint8
	nclass int
	// recip is ceil(2^32/nclass): s*recip>>32 is s/nclass for the
	// premultiplied states s, without a division.
	recip uint64
	space uint8 // class of white space; 0 when no phrase has a space
	// boundary is the class of a virtual symbol that the scanner feeds
	// before the first byte of every word, and that phrases carry before
	// each of their words: the automaton can then only enter a phrase at
	// a word start, and falls back to the root within a word that starts
	// no phrase, where the scanner skips the rest of the word.
	boundary uint8
	// rootStays marks the ASCII non-word bytes on which the root goes
	// nowhere.
	rootStays [utf8.RuneSelf]bool
	// delta is the transition table. States are numbered breadth first,
	// so the shallow states where ordinary text stays share cache lines, and
	// stored premultiplied by nclass: the next state of s on class c is
	// delta[s+c]&stateMask, and hasOutput is set when phrases end there.
	delta []uint32
	// wordPair has bit a<<7|b set when, at the root, a word starting
	// with the ASCII letters or digits a and b may lead somewhere: the
	// automaton leaves the root or finds a phrase on the boundary, a and
	// b. Other words the scanner skips without a look at delta.
	wordPair [128 * 128 / 64]uint64
	// wordTriple is wordPair for the first three letters or digits,
	// case aside, by wordSym: most words that get past their first two
	// bytes ("the", "in", "to", prefixes of longer phrases) go no further
	// than the third.
	wordTriple [(36*36*36 + 63) / 64]uint64
	outs       []int32 // phrase ids ending at state s/nclass: outs[outAt[i]:outAt[i+1]]
	outAt      []int32
	phrases    []phrase
}

const (
	hasOutput = 1 << 31
	stateMask = hasOutput - 1
)

// fold is the matcher's alphabet: ASCII letters in lower case.
func fold(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// newMatcher compiles phrases; ids in hits are indexes into phrases.
func newMatcher(phrases []phrase) *matcher {
	m := &matcher{phrases: phrases}
	// Byte classes: one for every folded byte a phrase uses, 0 for all
	// others.
	var used [256]bool
	for _, p := range phrases {
		for i := 0; i < len(p.text); i++ {
			used[fold(p.text[i])] = true
		}
	}
	// Class 1 is the boundary, then white space and the letters most
	// frequent in English text, so that the transitions ordinary text
	// takes share a state's first cache line; then every other byte.
	m.boundary = 1
	n := 2
	for _, c := range []byte(" etaoinsrhldcumfpgwybvkxjqz") {
		if used[c] {
			m.class[c] = uint8(n)
			n++
		}
	}
	for c := 0; c < 256; c++ {
		if used[c] && m.class[c] == 0 {
			if n > 255 {
				panic("tag: too many distinct bytes in phrases")
			}
			m.class[c] = uint8(n)
			n++
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		m.class[c] = m.class[c+'a'-'A']
	}
	m.space = m.class[' ']
	if m.space != 0 {
		for _, c := range []byte{'\t', '\n', '\r', '\v', '\f'} {
			m.class[c] = m.space
		}
	}
	m.nclass = n
	m.recip = uint64(1<<32+uint64(n)-1) / uint64(n)

	// The trie, dense from the start: -1 is "no child".
	delta := make([]int32, n)
	for i := range delta {
		delta[i] = -1
	}
	own := [][]int32{nil}
	for id, p := range phrases {
		if p.text == "" {
			continue
		}
		s := int32(0)
		step := func(c int32) {
			next := delta[s*int32(n)+c]
			if next < 0 {
				next = int32(len(own))
				own = append(own, nil)
				for range n {
					delta = append(delta, -1)
				}
				delta[s*int32(n)+c] = next
			}
			s = next
		}
		for i := 0; i < len(p.text); i++ {
			if wordStartAt(p.text, i) {
				step(int32(m.boundary))
			}
			step(int32(m.class[p.text[i]]))
		}
		own[s] = append(own[s], int32(id))
	}
	states := len(own)

	// Breadth first: failure links, missing edges, and each state's
	// outputs (its own and those of its failure state, already done).
	fail := make([]int32, states)
	outs := make([][]int32, states)
	queue := make([]int32, 0, states)
	var bfs []int32
	for c := 0; c < n; c++ {
		if t := delta[c]; t >= 0 {
			fail[t] = 0
			queue = append(queue, t)
		} else {
			delta[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		bfs = append(bfs, s)
		outs[s] = append(append([]int32(nil), own[s]...), outs[fail[s]]...)
		for c := 0; c < n; c++ {
			t := delta[int(s)*n+c]
			f := delta[int(fail[s])*n+c]
			if t >= 0 {
				fail[t] = f
				queue = append(queue, t)
			} else {
				delta[int(s)*n+c] = f
			}
		}
	}
	// Renumber breadth first (the queue's order) and premultiply.
	order := append([]int32{0}, bfs...)
	newID := make([]int32, states)
	for i, s := range order {
		newID[s] = int32(i)
	}
	if states*n >= stateMask {
		panic("tag: too many phrases for one matcher")
	}
	m.delta = make([]uint32, states*n)
	m.outAt = make([]int32, states+1)
	for i, s := range order {
		m.outAt[i] = int32(len(m.outs))
		m.outs = append(m.outs, outs[s]...)
		for c := 0; c < n; c++ {
			t := delta[int(s)*n+c]
			v := uint32(newID[t]) * uint32(n)
			if len(outs[t]) > 0 {
				v |= hasOutput
			}
			m.delta[i*n+c] = v
		}
	}
	m.outAt[states] = int32(len(m.outs))
	for c := range utf8.RuneSelf {
		m.rootStays[c] = !asciiWord[c] && m.delta[m.class[c]] == 0
	}
	start := m.delta[m.boundary]
	for a := range utf8.RuneSelf {
		for b := range utf8.RuneSelf {
			if !asciiWord[a] || !asciiWord[b] {
				continue
			}
			x1 := m.delta[start&stateMask+uint32(m.class[a])]
			x2 := m.delta[x1&stateMask+uint32(m.class[b])]
			if start&hasOutput != 0 || x1&hasOutput != 0 || x2 != 0 {
				k := a<<7 | b
				m.wordPair[k>>6] |= 1 << (k & 63)
			}
		}
	}
	const syms = "abcdefghijklmnopqrstuvwxyz0123456789"
	for ia := range len(syms) {
		x1 := m.delta[start&stateMask+uint32(m.class[syms[ia]])]
		for ib := range len(syms) {
			x2 := m.delta[x1&stateMask+uint32(m.class[syms[ib]])]
			for ic := range len(syms) {
				x3 := m.delta[x2&stateMask+uint32(m.class[syms[ic]])]
				if start&hasOutput != 0 || x1&hasOutput != 0 || x2&hasOutput != 0 || x3 != 0 {
					k := (ia*36+ib)*36 + ic
					m.wordTriple[k>>6] |= 1 << (k & 63)
				}
			}
		}
	}
	return m
}

// wordSym numbers the ASCII letters and digits, case aside, from 0 to 35
// (for wordTriple); other bytes are 0xff.
var wordSym = func() (t [utf8.RuneSelf]uint8) {
	for c := range utf8.RuneSelf {
		switch {
		case 'a' <= c && c <= 'z':
			t[c] = uint8(c - 'a')
		case 'A' <= c && c <= 'Z':
			t[c] = uint8(c - 'A')
		case '0' <= c && c <= '9':
			t[c] = uint8(26 + c - '0')
		default:
			t[c] = 0xff
		}
	}
	return t
}()

// hit is a checked occurrence of phrase id at text[start:end].
type hit struct {
	start, end, id int
}

// scan calls fn for every occurrence of every phrase, overlapping ones
// included, in order of their end.
func (m *matcher) scan(text string, fn func(hit)) {
	if len(m.delta) == 0 {
		return
	}
	delta, class := m.delta, &m.class
	bnd := uint32(m.boundary)
	space := m.space
	if space == 0 {
		space = 0xff // no class: white space is an ordinary byte
	}
	var s uint32
	prevWord, prevSpace := false, false
	i := 0
	for i < len(text) {
		b := text[i]
		if b < utf8.RuneSelf {
			if asciiWord[b] {
				prevSpace = false
				if !prevWord {
					prevWord = true
					if s == 0 && i+1 < len(text) {
						if c := text[i+1]; c < utf8.RuneSelf && asciiWord[c] {
							var skip bool
							if i+2 < len(text) && text[i+2] < utf8.RuneSelf && asciiWord[text[i+2]] {
								k := (uint(wordSym[b])*36+uint(wordSym[c]))*36 + uint(wordSym[text[i+2]])
								skip = m.wordTriple[k>>6]&(1<<(k&63)) == 0
							} else {
								k := uint(b)<<7 | uint(c)
								skip = m.wordPair[k>>6]&(1<<(k&63)) == 0
							}
							if skip {
								// A word that starts no phrase: skip it
								// as the root would.
								for i += 2; i < len(text) && text[i] < utf8.RuneSelf && asciiWord[text[i]]; i++ {
								}
								continue
							}
						}
					}
					s = delta[s+bnd] & stateMask
				} else if s == 0 {
					// Within a word at the root: no phrase starts
					// before the next word.
					for i++; i < len(text) && text[i] < utf8.RuneSelf && asciiWord[text[i]]; i++ {
					}
					continue
				}
				// The rest of the word's ASCII letters and digits in a
				// tight loop: no boundary and no white space to watch.
				for {
					x := delta[s+uint32(class[b])]
					s = x & stateMask
					i++
					if x&hasOutput != 0 {
						m.emit(text, i, s, fn)
					}
					if i >= len(text) {
						break
					}
					b = text[i]
					if b >= utf8.RuneSelf || !asciiWord[b] {
						break
					}
					if s == 0 {
						for i++; i < len(text) && text[i] < utf8.RuneSelf && asciiWord[text[i]]; i++ {
						}
						break
					}
				}
				continue
			} else {
				prevWord = false
				if s == 0 && m.rootStays[b] {
					// Punctuation and white space that start no
					// phrase leave the root where it is.
					i++
					continue
				}
				if class[b] == space {
					if prevSpace {
						i++
						continue
					}
					prevSpace = true
				} else {
					prevSpace = false
				}
			}
			x := delta[s+uint32(class[b])]
			s = x & stateMask
			i++
			if x&hasOutput != 0 {
				m.emit(text, i, s, fn)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		w := isWordRune(r)
		prevSpace = false
		if w && !prevWord {
			s = delta[s+bnd] & stateMask
		} else if w && s == 0 {
			i += size
			continue
		}
		prevWord = w
		for end := i + size; i < end; i++ {
			x := delta[s+uint32(class[text[i]])]
			s = x & stateMask
			if x&hasOutput != 0 {
				m.emit(text, i+1, s, fn)
			}
		}
	}
}

// emit checks and reports the phrases that end at end in state s
// (premultiplied).
func (m *matcher) emit(text string, end int, s uint32, fn func(hit)) {
	st := uint32(uint64(s) * m.recip >> 32)
	for _, id := range m.outs[m.outAt[st]:m.outAt[st+1]] {
		if start, ok := m.check(text, end, int(id)); ok {
			fn(hit{start: start, end: end, id: int(id)})
		}
	}
}

// wordStartAt reports whether a word starts at s[i]: a letter or digit
// (a whole rune) that follows none.
func wordStartAt(s string, i int) bool {
	b := s[i]
	switch {
	case b < utf8.RuneSelf:
		if !asciiWord[b] {
			return false
		}
	case !utf8.RuneStart(b):
		return false
	default:
		if r, _ := utf8.DecodeRuneInString(s[i:]); !isWordRune(r) {
			return false
		}
	}
	return i == 0 || !wordBefore(s, i)
}

// check finds where the candidate of phrase id ending at end starts, and
// whether it sits on word boundaries with the capitals the phrase needs.
func (m *matcher) check(text string, end, id int) (int, bool) {
	p := &m.phrases[id]
	// Walk back p.nlen units: a byte, or a whole run of white space.
	i := end
	for n := p.nlen; n > 0; n-- {
		if i > 0 && isSpaceByte(text[i-1]) && m.space != 0 {
			for i > 0 && isSpaceByte(text[i-1]) {
				i--
			}
		} else {
			i--
		}
	}
	start := i
	if p.wordStart && start > 0 && wordBefore(text, start) {
		return 0, false
	}
	if p.wordEnd && !p.prefix && end < len(text) && wordAfter(text, end) {
		return 0, false
	}
	if p.mode != caseFold && !caseOK(text[start:end], p) {
		return 0, false
	}
	return start, true
}

// asciiWord marks the ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// wordBefore reports whether a letter or digit ends text[:i].
func wordBefore(text string, i int) bool {
	if c := text[i-1]; c < utf8.RuneSelf {
		return asciiWord[c]
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return isWordRune(r)
}

// wordAfter reports whether a letter or digit starts text[i:].
func wordAfter(text string, i int) bool {
	if c := text[i]; c < utf8.RuneSelf {
		return asciiWord[c]
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return isWordRune(r)
}

// caseOK compares the capitals of s, an occurrence of p up to case and
// white space, with the phrase's.
func caseOK(s string, p *phrase) bool {
	i := 0
	wordStart := true
	for j := 0; j < len(p.text); j++ {
		pc := p.text[j]
		if pc == ' ' {
			for i < len(s) && isSpaceByte(s[i]) {
				i++
			}
			wordStart = true
			continue
		}
		if i >= len(s) {
			return false
		}
		tc := s[i]
		i++
		switch p.mode {
		case caseExact:
			if tc != pc {
				return false
			}
		case caseInitials:
			if wordStart && 'A' <= pc && pc <= 'Z' && !('A' <= tc && tc <= 'Z') {
				return false
			}
		}
		wordStart = pc < utf8.RuneSelf && !('a' <= pc && pc <= 'z' || 'A' <= pc && pc <= 'Z' || '0' <= pc && pc <= '9')
	}
	return true
}

// leftmostLongest keeps, of overlapping hits, the one that starts first
// and, of those, the longest; hits with the same span are all kept (one
// phrase can belong to several owners, or two phrases can spell the same
// text). It reorders and reuses hits.
func leftmostLongest(hits []hit) []hit {
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	out := hits[:0]
	lastEnd := -1
	lastStart := -1
	for _, h := range hits {
		switch {
		case h.start == lastStart && h.end == lastEnd:
			out = append(out, h)
		case h.start >= lastEnd:
			out = append(out, h)
			lastStart, lastEnd = h.start, h.end
		}
	}
	return out
}

// topicHit is a keyword hit as evidence for one topic.
type topicHit struct {
	topic int
	hit
}

// sortTopicHits orders pairs by topic, then start, then longest first,
// then phrase id. The hits come from scan in order of their end, so
// within a topic they are nearly in order already: a counting sort by
// topic, then an insertion sort of each topic, costs about one pass.
func sortTopicHits(pairs []topicHit) []topicHit {
	out, _ := sortTopicHitsTo(pairs, nil, nil)
	return out
}

// sortTopicHitsTo is sortTopicHits writing into out and using at as its
// counts, both grown as needed and returned for reuse; pairs is left as it
// is.
func sortTopicHitsTo(pairs, out []topicHit, at []int) ([]topicHit, []int) {
	if len(pairs) < 2 {
		return append(out[:0], pairs...), at
	}
	n := 0
	for _, p := range pairs {
		n = max(n, p.topic+1)
	}
	at = slices.Grow(at[:0], 2*n+1)[:2*n+1]
	clear(at)
	for _, p := range pairs {
		at[p.topic+1]++
	}
	for i := 1; i <= n; i++ {
		at[i] += at[i-1]
	}
	out = slices.Grow(out[:0], len(pairs))[:len(pairs)]
	next := at[n+1:]
	copy(next, at[:n])
	for _, p := range pairs {
		out[next[p.topic]] = p
		next[p.topic]++
	}
	less := func(a, b *topicHit) bool {
		switch {
		case a.start != b.start:
			return a.start < b.start
		case a.end != b.end:
			return a.end > b.end
		}
		return a.id < b.id
	}
	for t := range n {
		part := out[at[t]:at[t+1]]
		for i := 1; i < len(part); i++ {
			for j := i; j > 0 && less(&part[j], &part[j-1]); j-- {
				part[j], part[j-1] = part[j-1], part[j]
			}
		}
	}
	return out, at
}
