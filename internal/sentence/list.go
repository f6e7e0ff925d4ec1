package sentence

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// listMarkers finds the markers of a list written inline or one item a
// line: "1.", "2.)", "3)", "a.", "• 9.", "⁃10.", each after white space and
// before white space. Only a run of two or more markers numbered in
// sequence, the first at the start of a line or after a colon, counts, so a
// figure that ends a sentence ("rose by 5. The") is left alone. It returns
// the markers' spans in order.
func listMarkers(text string) []Span {
	type cand struct {
		start, end, value int
		style             string
		lineStart         bool
	}
	var cands []cand
	// Visit every "." and ")" in order, from the two runs of IndexByte.
	next := func(c byte, from int) int {
		if from >= len(text) {
			return len(text)
		}
		if k := strings.IndexByte(text[from:], c); k >= 0 {
			return from + k
		}
		return len(text)
	}
	dot, paren := next('.', 0), next(')', 0)
	for {
		p := min(dot, paren)
		if p >= len(text) {
			break
		}
		if p == dot {
			dot = next('.', p+1)
		} else {
			paren = next(')', p+1)
		}
		if p < 1 || p+1 >= len(text) || text[p+1] != ' ' {
			continue
		}
		e := p // the number or letter ends before e
		if text[p] == ')' && text[p-1] == '.' {
			e--
		}
		t := e
		for t > 0 && e-t < 3 && text[t-1] >= '0' && text[t-1] <= '9' {
			t--
		}
		if t == e && t > 0 && text[t-1] >= 'a' && text[t-1] <= 'z' {
			t--
		}
		if t == e {
			continue
		}
		// Before the marker: the start, white space, or a bullet after either.
		st := t
		if st > 0 {
			r, sz := utf8.DecodeLastRuneInString(text[:st])
			if r == ' ' && st-1 > 0 {
				if r2, sz2 := utf8.DecodeLastRuneInString(text[:st-1]); strings.ContainsRune(bullets, r2) {
					r, sz = r2, sz2+1
				}
			}
			if strings.ContainsRune(bullets, r) {
				st -= sz
			} else if !unicode.IsSpace(r) {
				continue
			}
		}
		if st > 0 {
			if r, _ := utf8.DecodeLastRuneInString(text[:st]); !unicode.IsSpace(r) {
				continue
			}
		}
		m, ok := markerAt(text, st)
		if !ok {
			continue
		}
		c := cand{start: st, end: m.end, value: m.value, style: m.style, lineStart: true}
		for k := st; k > 0; {
			r, sz := utf8.DecodeLastRuneInString(text[:k])
			if r == '\n' {
				break
			}
			if !unicode.IsSpace(r) {
				// after a colon: "the steps: 1. File ..."
				c.lineStart = r == ':'
				break
			}
			k -= sz
		}
		cands = append(cands, c)
		dot, paren = max(dot, next('.', m.end)), max(paren, next(')', m.end))
	}
	var out []Span
	for k := 0; k+1 < len(cands); k++ {
		a := cands[k]
		if !a.lineStart {
			continue
		}
		run := k
		for run+1 < len(cands) && cands[run+1].value == cands[run].value+1 && cands[run+1].style == a.style {
			run++
		}
		if run == k {
			continue
		}
		for m := k; m <= run; m++ {
			out = append(out, Span{cands[m].start, cands[m].end})
		}
		k = run
	}
	return out
}

const bullets = "•⁃‣◦·*-–"

type marker struct {
	end, value int
	style      string
}

// markerAt reads a list marker at i, with an optional bullet before it.
func markerAt(text string, i int) (marker, bool) {
	j := i
	if r, sz := utf8.DecodeRuneInString(text[j:]); strings.ContainsRune(bullets, r) {
		j += sz
		if j < len(text) && text[j] == ' ' {
			j++
		}
	}
	k := j
	value := 0
	for k < len(text) && k-j < 3 && text[k] >= '0' && text[k] <= '9' {
		value = value*10 + int(text[k]-'0')
		k++
	}
	style := "n"
	if k == j {
		if k < len(text) && text[k] >= 'a' && text[k] <= 'z' {
			value = int(text[k]-'a') + 1
			k++
			style = "a"
		} else {
			return marker{}, false
		}
	}
	switch {
	case strings.HasPrefix(text[k:], ".)"):
		k += 2
		style += ".)"
	case strings.HasPrefix(text[k:], ")"):
		k++
		style += ")"
	case strings.HasPrefix(text[k:], "."):
		k++
		style += "."
	default:
		return marker{}, false
	}
	if k >= len(text) || text[k] != ' ' {
		return marker{}, false
	}
	return marker{end: k, value: value, style: style}, true
}

// bulletAt reports a line that opens with a bullet ("- ", "• "): a list
// item, which starts a sentence.
func bulletAt(text string, i int) bool {
	r, sz := utf8.DecodeRuneInString(text[i:])
	return strings.ContainsRune(bullets, r) && i+sz < len(text) && text[i+sz] == ' '
}
