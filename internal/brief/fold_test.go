package brief

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// randomText is up to maxLen pieces: one in oneIn from alpha, the others
// lower-case ASCII letters.
func randomText(r *rand.Rand, alpha []string, maxLen, oneIn int) string {
	var sb strings.Builder
	for range r.IntN(maxLen) {
		if r.IntN(oneIn) == 0 {
			sb.WriteString(alpha[r.IntN(len(alpha))])
		} else {
			sb.WriteByte("abcdefgh"[r.IntN(8)])
		}
	}
	return sb.String()
}

// TestNeedsFold compares the word-at-a-time look with its definition: a
// trimmed string needs a fold when joining its fields with single spaces
// changes it. The alphabet is dense in spaces of every kind, placed at
// every offset of the sixteen-byte rounds.
func TestNeedsFold(t *testing.T) {
	alpha := []string{"a", "B", " ", " ", " ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u0085", "é", "’", "(", "1", "\x1f", "\x7f"}
	r := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		s := strings.TrimSpace(randomText(r, alpha, 70, 4))
		want := strings.Join(strings.Fields(s), " ") != s
		if got := needsFold(s); got != want {
			t.Fatalf("needsFold(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestFirstByteFilters: the letters the heading and tail filters look for
// fold to no other letter than their own ASCII case, except "s" (checked by
// tailKind's non-ASCII branch) and "k" (in no keyword's first place).
func TestFirstByteFilters(t *testing.T) {
	for _, c := range "whWHaAtT" {
		for r := unicode.SimpleFold(c); r != c; r = unicode.SimpleFold(r) {
			if r >= utf8.RuneSelf {
				t.Errorf("%q folds to %q", c, r)
			}
		}
	}
	for _, h := range Headings {
		if c := h[0] | 0x20; c != 'w' && c != 'h' {
			t.Errorf("heading %q: the filter must let it through", h)
		}
		if headingIndex("  "+strings.ToUpper(h)+" ") < 0 {
			t.Errorf("heading %q not found", h)
		}
	}
	for _, k := range []string{"Assessing Firms:", "topics:", "SOURCES:", "Stay Tuned"} {
		if tailKind(k) == "" {
			t.Errorf("%q is no tail line", k)
		}
	}
}

// TestCheckPlainText compares the one-pass check with its definitions:
// plain text has no white space but single spaces and line ends (a
// carriage return only before a line feed or at the end), so no line
// needs a fold; and the check accepts and refuses what checkText does.
func TestCheckPlainText(t *testing.T) {
	alpha := []string{"a", "B", " ", "  ", "\n", "\r\n", "\r", "\t", "\v", "\f", "\x00", "\x01", "\x7f", "\u00a0", "\u2003", "\u3000",
		"\u0085", "\u2014", "é", "’", "\xff", "\xe2\x80", "\xef\xbb\xbf", "(1)"}
	r := rand.New(rand.NewPCG(7, 8))
	for range 200000 {
		in := randomText(r, alpha, 40, 3)
		wantData, wantErr := checkText([]byte(in))
		data, plain, err := checkPlainText([]byte(in))
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || string(data) != string(wantData) {
			t.Fatalf("checkPlainText(%q) = %q, %v; checkText gives %q, %v", in, data, err, wantData, wantErr)
		}
		if err != nil {
			continue
		}
		want := !strings.Contains(string(data), "  ")
		for i, c := range string(data) {
			if unicode.IsSpace(c) && c != ' ' && c != '\n' && (c != '\r' || i+1 < len(data) && data[i+1] != '\n') {
				want = false
			}
		}
		if plain != want {
			t.Fatalf("checkPlainText(%q): plain = %v, want %v", in, plain, want)
		}
		if plain {
			for _, ln := range splitLines(string(data)) {
				if needsFold(strings.TrimSpace(ln.text)) {
					t.Fatalf("checkPlainText(%q) is plain, but the line %q needs a fold", in, ln.text)
				}
			}
		}
	}
}
