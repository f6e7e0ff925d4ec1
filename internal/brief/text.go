package brief

import (
	"bytes"
	"encoding/binary"
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
	if err := checkBytes(data); err != nil {
		return nil, err
	}
	return data, nil
}

// checkPlainText is checkText that also reports whether data is plain:
// its only white space is single spaces and line ends, so that no line,
// trimmed, needs a fold (see needsFold). Most briefs are, and are checked
// in one pass.
func checkPlainText(data []byte) (_ []byte, plain bool, _ error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, false, &ParseError{Line: 1, Msg: "empty input: expected a title line"}
	}
	plain, ok := scanPlain(data)
	if !ok {
		// a NUL byte or invalid UTF-8, which checkBytes places
		if err := checkBytes(data); err != nil {
			return nil, false, err
		}
		plain = false
	}
	return data, plain && !bytes.Contains(data, []byte("  ")), nil
}

// checkBytes checks that data is UTF-8 without a NUL byte.
func checkBytes(data []byte) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &ParseError{Line: 1 + bytes.Count(data[:i], []byte("\n")),
			Msg: "binary data (a NUL byte): expected UTF-8 text"}
	}
	if !utf8.Valid(data) {
		n := 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				return &ParseError{Line: n, Msg: fmt.Sprintf("invalid UTF-8 at byte %d: expected UTF-8 text", i)}
			}
			if r == '\n' {
				n++
			}
			i += size
		}
	}
	return nil
}

// scanPlain reports whether data is plain (see checkPlainText) but for
// double spaces, and ok: whether it is UTF-8 without a NUL byte. Sixteen
// bytes that are all printable ASCII or line feeds are passed at once;
// others byte by byte. Once data is not plain, the rest is left to the
// vectorised checks.
func scanPlain(data []byte) (plain, ok bool) {
	for i := 0; i < len(data); {
		if i = skipPrintable(data, i); i+16 <= len(data) {
			c := data[i : i+16 : i+16]
			w1, w2 := binary.LittleEndian.Uint64(c), binary.LittleEndian.Uint64(c[8:])
			if oddBytes(w1)&^zeroBytes(w1^lf)|oddBytes(w2)&^zeroBytes(w2^lf) == 0 {
				i += 16 // printable ASCII and line feeds
				continue
			}
		}
		for end := min(i+16, len(data)); i < end; {
			c := data[i]
			if c >= utf8.RuneSelf {
				r, size := utf8.DecodeRune(data[i:])
				if r == utf8.RuneError && size == 1 {
					return false, false
				}
				if spaceStart[c] && unicode.IsSpace(r) {
					return false, checkBytes(data[i:]) == nil
				}
				i += size
				continue
			}
			if c == 0 {
				return false, false
			}
			// a carriage return is dropped only before a line feed
			// or at the end
			if c == '\t' || c == '\v' || c == '\f' || c == '\r' && i+1 < len(data) && data[i+1] != '\n' {
				return false, checkBytes(data[i:]) == nil
			}
			i++
		}
	}
	return true, true
}

// skipPrintable returns the offset, from i on, of the first sixteen bytes
// of data that are not all printable ASCII, or of the last bytes, fewer
// than sixteen.
func skipPrintable(data []byte, i int) int {
	b := data[i:]
	for len(b) >= 16 && oddBytes(binary.LittleEndian.Uint64(b))|oddBytes(binary.LittleEndian.Uint64(b[8:16])) == 0 {
		b = b[16:]
	}
	return len(data) - len(b)
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

// lf is a line feed in every byte.
const lf = 0x0a0a0a0a0a0a0a0a

// zeroBytes flags exactly the zero bytes of w (no borrow crosses a byte).
func zeroBytes(w uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	return ^((w&low7 + low7) | w) & hi
}

// load64 is the eight bytes of s from i, the first in the low byte.
func load64(s string, i int) uint64 {
	c := s[i : i+8]
	return uint64(c[0]) | uint64(c[1])<<8 | uint64(c[2])<<16 | uint64(c[3])<<24 |
		uint64(c[4])<<32 | uint64(c[5])<<40 | uint64(c[6])<<48 | uint64(c[7])<<56
}

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
