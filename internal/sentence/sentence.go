// Package sentence splits English news text into sentences and words while
// keeping byte offsets into the original text, so a finding about a sentence
// can point back at the exact bytes an editor wrote.
//
// The splitter is rule-based rather than statistical: news prose is regular
// enough that a handful of rules (abbreviations, initials, dotted acronyms,
// decimals, quotes) get almost every boundary right, and rules are cheap,
// deterministic and easy to explain in a finding.
package sentence

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a run of text, [Start, End) in bytes.
type Span struct {
	Start, End int
}

// Text returns the bytes of s in text.
func (s Span) Text(text string) string { return text[s.Start:s.End] }

// Split returns the sentences of text as byte spans, in order, each trimmed
// of surrounding white space. Spans never overlap, and together they cover
// every non-space character of text. A blank line always ends a sentence, so
// headlines and list items without final punctuation stand alone.
func Split(text string) []Span {
	var out []Span
	start := 0
	emit := func(end int) {
		s, e := trim(text, start, end)
		if s < e {
			out = append(out, Span{s, e})
		}
	}
	markers := listMarkers(text)
	// Text with no sentence punctuation at all is a list of lines:
	// "features\ncontact manager\nevents".
	lineList := !strings.ContainsAny(text, ".!?…")
	for i := 0; i < len(text); {
		for len(markers) > 0 && markers[0].Start < i {
			markers = markers[1:]
		}
		if len(markers) > 0 && markers[0].Start == i {
			// A list item starts a sentence; its marker ("1.", "a.",
			// "2.)", "• 9.") ends none.
			if s, e := trim(text, start, i); s < e {
				emit(i)
				start = i
			}
			i = markers[0].End
			continue
		}
		r, sz := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			// A blank line (two line ends with only spaces between) is a
			// paragraph break: a hard boundary.
			j, breaks := i, 0
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if r2 == '\n' {
					breaks++
				} else if !unicode.IsSpace(r2) {
					break
				}
				j += s2
			}
			if breaks >= 2 || lineList || bulletAt(text, j) {
				emit(i)
				start = j
			}
			i = j
			continue
		case isTerminator(r):
			j := i + sz
			// Runs such as "?!" or "..." end together.
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !isTerminator(r2) {
					break
				}
				j += s2
			}
			// A spaced ellipsis ". . ." marks an omission inside a
			// sentence; with a fourth point (". . . .") it ends one.
			if r == '.' {
				run, spaced := j-i, 0
				for j+1 < len(text) && text[j] == ' ' && text[j+1] == '.' && strings.Trim(text[i:i+run], ".") == "" {
					j += 2
					spaced++
				}
				if spaced > 0 {
					if run+spaced < 4 {
						i = j
						continue
					}
					k := skipClosers(text, j)
					k2 := skipSpace(text, k)
					if k2 < len(text) && k2 > k && startsCapital(text, k2) {
						emit(k)
						start = k2
					}
					i = k
					continue
				}
			}
			// Closing quotes and brackets belong to the sentence they end.
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !isCloser(r2) {
					break
				}
				j += s2
			}
			if j >= len(text) {
				i = j
				continue
			}
			r2, _ := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsSpace(r2) {
				// "U.S.-led", "2.5", "example.com": no space, no boundary;
				// but "ended.The court" lost its space.
				if r == '.' && j == i+1 && missingSpace(text, start, i) {
					emit(j)
					start = j
				}
				i = j
				continue
			}
			k := skipSpace(text, j)
			if k < len(text) && boundary(text, start, i, r, j-i, k) {
				emit(j)
				start = k
			}
			i = j
			continue
		}
		i += sz
	}
	emit(len(text))
	return out
}

// boundary decides whether the terminator r at text[at:] (a run of n bytes
// with its closers) ends a sentence, given that the next non-space character
// is at next.
func boundary(text string, start, at int, r rune, n, next int) bool {
	nr, ns := utf8.DecodeRuneInString(text[next:])
	// Look through opening quotes and brackets at the first real character.
	first, firstAt := nr, next
	for isOpener(first) && firstAt+ns < len(text) {
		firstAt += ns
		first, ns = utf8.DecodeRuneInString(text[firstAt:])
	}
	if nr == '(' && citationAfter(text, next) {
		// '"… stairways [...]" (Smith 55).': a citation closes the sentence.
		return false
	}
	switch {
	case unicode.IsLower(first):
		// News sentences start with a capital: '"Why?" he asked', "approx. five";
		// but a line that ends in a full stop ends its sentence, whatever
		// the case of the next (lower-cased copy: "… aces .\nthe golden bear").
		return strings.ContainsRune(text[at+n:next], '\n') && r != '…' && !titles[strings.ToLower(wordBefore(text, start, at))]
	case unicode.IsUpper(first), unicode.IsDigit(first), unicode.IsLetter(first):
	default:
		// A dash, comma or other punctuation continues the sentence.
		return false
	}
	if r != '.' || n > 1 && strings.HasPrefix(text[at:], "..") {
		// "!", "?", and an ellipsis before a capital end the sentence.
		return true
	}
	w := wordBefore(text, start, at)
	if w == "" {
		return true
	}
	lw := strings.ToLower(w)
	digitNext := unicode.IsDigit(first)
	switch {
	case titles[lw]:
		// "Mr. Smith", "Gen. Milley": a title never ends a sentence.
		return false
	case numberedRefs[lw]:
		// "No. 5", "Art. 3", "pp. 12": abbreviations before a number.
		return !digitNext && first != '('
	case isInitial(w) && lowerBefore(text, start, at-len(w)):
		// "you and I. Did you": a pronoun or a letter, not a name's initial.
		return !digitNext
	case (lw == "a.m" || lw == "p.m") && !digitNext && !frontedTime(text, start):
		// "at 6 P.M. Mr. Smith then went": a time ends the sentence before
		// a title or a sentence opener, unless it opened it ("At 5 a.m. Mr.
		// Smith went").
		return opensSentence(text, firstAt) || titles[strings.ToLower(wordAt(text, firstAt))]
	case ambiguous[lw] || isInitial(w) || isDottedAcronym(w):
		// "Inc.", "Jan.", "U.S.", "W." may end a sentence. Before a number
		// ("Jan. 5") they do not; otherwise they do only when the next word
		// is one that typically opens a sentence ("... the U.S. The talks").
		if digitNext {
			return false
		}
		return opensSentence(text, firstAt)
	}
	return true
}

// wordBefore returns the non-space run that ends at the terminator at, with
// opening quotes and brackets removed: the candidate abbreviation.
func wordBefore(text string, start, at int) string {
	j := at
	for j > start {
		r, sz := utf8.DecodeLastRuneInString(text[:j])
		if unicode.IsSpace(r) {
			break
		}
		j -= sz
	}
	w := text[j:at]
	for w != "" {
		r, sz := utf8.DecodeRuneInString(w)
		if !isOpener(r) && r != '-' && r != '—' && r != '–' && r != '/' {
			break
		}
		w = w[sz:]
	}
	return w
}

// opensSentence reports whether the word at i is a capitalised function word
// that commonly begins a sentence.
func opensSentence(text string, i int) bool {
	j := i
	for j < len(text) {
		r, sz := utf8.DecodeRuneInString(text[j:])
		if !unicode.IsLetter(r) && r != '\'' && r != '’' {
			break
		}
		j += sz
	}
	return sentenceOpeners[strings.ToLower(text[i:j])]
}

// wordAt returns the run of letters at i.
func wordAt(text string, i int) string {
	j := i
	for j < len(text) {
		r, sz := utf8.DecodeRuneInString(text[j:])
		if !unicode.IsLetter(r) {
			break
		}
		j += sz
	}
	return text[i:j]
}

// lowerBefore reports whether the word that ends before the white space at
// end is written in lower case ("and I").
func lowerBefore(text string, start, end int) bool {
	j := backOver(text, start, end, unicode.IsSpace)
	if j == end {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[start:j])
	if !unicode.IsLetter(r) {
		return false
	}
	k := backOver(text, start, j, unicode.IsLetter)
	f, _ := utf8.DecodeRuneInString(text[k:j])
	return unicode.IsLower(f)
}

// backOver moves back from end over the runes that satisfy in, not before
// start.
func backOver(text string, start, end int, in func(rune) bool) int {
	for end > start {
		r, sz := utf8.DecodeLastRuneInString(text[:end])
		if !in(r) {
			break
		}
		end -= sz
	}
	return end
}

// frontedTime reports a sentence that opens with a preposition of time, so
// that its "a.m." or "p.m." belongs to the opening phrase.
func frontedTime(text string, start int) bool {
	return timeOpeners[strings.ToLower(wordAt(text, skipSpace(text, start)))]
}

var timeOpeners = setOf("at", "by", "before", "after", "until", "from", "around", "about", "since", "shortly", "just", "till")

// citationAfter reports a bracketed citation at i that the sentence's point
// follows: '(Smith 55).'
func citationAfter(text string, i int) bool {
	end := strings.IndexByte(text[i:], ')')
	if end < 0 || end > 80 || strings.ContainsAny(text[i:i+end], ".!?\n") {
		return false
	}
	k := i + end + 1
	return k < len(text) && strings.IndexByte(".,;:", text[k]) >= 0
}

// missingSpace reports a point at i between a word and a capitalised word
// with no space between ("ended.The court", "1,000.That"), outside a web or
// mail address and an abbreviation.
func missingSpace(text string, start, i int) bool {
	n1, s1 := utf8.DecodeRuneInString(text[i+1:])
	if !unicode.IsUpper(n1) || i+1+s1 >= len(text) {
		return false
	}
	if n2, _ := utf8.DecodeRuneInString(text[i+1+s1:]); !unicode.IsLower(n2) {
		return false
	}
	w := wordBefore(text, start, i)
	if utf8.RuneCountInString(w) < 2 || strings.ContainsAny(w, ".@/:_") {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(w)
	if !unicode.IsLower(last) && !unicode.IsDigit(last) {
		return false
	}
	lw := strings.ToLower(w)
	if titles[lw] || numberedRefs[lw] || ambiguous[lw] {
		return false
	}
	// The rest of the run: an address ("Jane.Doe@example.com") goes on.
	k := i + 1
	for k < len(text) {
		r, sz := utf8.DecodeRuneInString(text[k:])
		if unicode.IsSpace(r) {
			break
		}
		if r == '@' || r == '/' || r == '_' {
			return false
		}
		if r == '.' && k+1 < len(text) && unicode.IsLetter(rune(text[k+1])) {
			// "report.Final.pdf"
			return false
		}
		k += sz
	}
	return !strings.Contains(strings.ToLower(text[max(start, i-12):i]), "www")
}

// startsCapital reports an upper-case letter or digit at i, through opening
// quotes and brackets.
func startsCapital(text string, i int) bool {
	for i < len(text) {
		r, sz := utf8.DecodeRuneInString(text[i:])
		if isOpener(r) {
			i += sz
			continue
		}
		return unicode.IsUpper(r) || unicode.IsDigit(r)
	}
	return false
}

func skipClosers(text string, j int) int {
	for j < len(text) {
		r, sz := utf8.DecodeRuneInString(text[j:])
		if !isCloser(r) {
			break
		}
		j += sz
	}
	return j
}

// isInitial reports a single capital letter: "George W. Bush".
func isInitial(w string) bool {
	r, sz := utf8.DecodeRuneInString(w)
	return sz == len(w) && unicode.IsUpper(r)
}

// isDottedAcronym reports "U.S", "e.g", "a.m", "U.K" (the last dot is the
// terminator): single letters joined by dots.
func isDottedAcronym(w string) bool {
	if !strings.Contains(w, ".") {
		return false
	}
	for _, part := range strings.Split(w, ".") {
		if utf8.RuneCountInString(part) != 1 {
			return false
		}
		r, _ := utf8.DecodeRuneInString(part)
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func isTerminator(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '…' }

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', ')', ']', '»', '›':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '(', '[', '«', '‹':
		return true
	}
	return false
}

func skipSpace(text string, i int) int {
	for i < len(text) {
		r, sz := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += sz
	}
	return i
}

// trim narrows [s, e) to exclude surrounding white space.
func trim(text string, s, e int) (int, int) {
	for s < e {
		r, sz := utf8.DecodeRuneInString(text[s:e])
		if !unicode.IsSpace(r) {
			break
		}
		s += sz
	}
	for e > s {
		r, sz := utf8.DecodeLastRuneInString(text[s:e])
		if !unicode.IsSpace(r) {
			break
		}
		e -= sz
	}
	return s, e
}

// Words returns the words of text as byte spans. A word is a run of letters,
// digits and combining marks; an apostrophe between letters joins ("don't",
// "Russia's"), a hyphen between letters or digits joins ("second-rate",
// "COVID-19"), a point or comma between digits joins ("2.5", "100,000"), and
// single letters joined by points form one word with its final point ("U.S.",
// "e.g."; "U.S.-led" gives "U.S." and "led"). Punctuation and symbols ("$",
// "%", quotes) are not words.
func Words(text string) []Span {
	var out []Span
	i := 0
	for i < len(text) {
		r, sz := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += sz
			continue
		}
		start := i
		i += sz
		for i < len(text) {
			r, sz := utf8.DecodeRuneInString(text[i:])
			if isWordRune(r) {
				i += sz
				continue
			}
			if i+sz >= len(text) {
				break
			}
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			next, _ := utf8.DecodeRuneInString(text[i+sz:])
			join := false
			switch r {
			case '\'', '’', '-', '‐':
				join = unicode.IsLetter(prev) && unicode.IsLetter(next) ||
					r != '\'' && r != '’' && isWordRune(prev) && isWordRune(next)
			case '.', ',':
				join = unicode.IsDigit(prev) && unicode.IsDigit(next) ||
					r == '.' && unicode.IsLetter(next) && isDottedAcronym(text[start:i]+"."+string(next)) && isSingle(text, i+sz)
			}
			if !join {
				break
			}
			i += sz
		}
		// Keep the final point of a dotted acronym: "U.S." not "U.S".
		if i < len(text) && text[i] == '.' && strings.Contains(text[start:i], ".") && isDottedAcronym(text[start:i]) {
			i++
		}
		out = append(out, Span{start, i})
	}
	return out
}

// isSingle reports whether the letter at i stands alone (is followed by a
// point or a non-letter), so "U.S" joins but "end.The" does not.
func isSingle(text string, i int) bool {
	_, sz := utf8.DecodeRuneInString(text[i:])
	if i+sz >= len(text) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(text[i+sz:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// titles precede a name and so never end a sentence.
var titles = setOf("mr", "mrs", "ms", "messrs", "dr", "prof", "gen", "col", "lt", "sgt",
	"capt", "maj", "adm", "cmdr", "brig", "gov", "sen", "rep", "rev", "hon", "pres",
	"supt", "insp", "det", "fr", "mme", "mlle", "sr.", "atty", "amb", "cpl", "pvt", "rt")

// numberedRefs precede a number: "No. 5", "Art. 3", "para. 12".
var numberedRefs = setOf("no", "n°", "nº", "nos", "art", "arts", "para", "paras", "p", "pp", "vol",
	"vols", "fig", "figs", "sec", "secs", "ch", "chap", "cl", "reg", "regs", "op", "ed", "nr")

// ambiguous abbreviations may end a sentence as well as sit inside one.
var ambiguous = setOf("inc", "corp", "ltd", "co", "llc", "llp", "plc", "bros", "jr", "sr",
	"esq", "etc", "al", "dept", "univ", "assn", "govt", "jan", "feb", "mar", "apr", "jun",
	"jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "vs", "v", "cf",
	"st", "mt", "ft", "ave", "blvd", "rd", "u.s", "u.k", "u.n", "e.u", "a.m", "p.m",
	"e.g", "i.e", "admin", "intl", "natl", "min", "max", "gen'l", "ag", "sa", "nv", "bv", "gmbh")

// sentenceOpeners are the capitalised words after which an ambiguous
// abbreviation is taken to have ended the previous sentence.
var sentenceOpeners = setOf("the", "a", "an", "it", "its", "he", "she", "they", "we", "i",
	"you", "this", "that", "these", "those", "there", "but", "and", "or", "in", "on", "at",
	"for", "as", "if", "when", "while", "after", "before", "however", "meanwhile", "his",
	"her", "their", "our", "some", "many", "most", "what", "who", "why", "how", "other",
	"such", "both", "each", "all", "under", "since", "although", "though", "yet", "so",
	"then", "also", "still", "according", "last", "next", "earlier", "later", "now",
	"despite", "during", "one", "two", "three", "several", "few", "neither", "nor", "either",
	"by", "with", "from", "to", "of", "not", "no", "nothing", "instead", "because", "until",
	"unlike", "like", "among", "while", "even", "only", "more", "less", "officials", "lawyers")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
