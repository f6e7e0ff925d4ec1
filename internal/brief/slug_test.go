package brief

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// slugifyRunes is Slugify's rune loop alone, the definition its ASCII
// path must keep to.
func slugifyRunes(s string) string {
	var b []byte
	dash := false
	for _, r := range s {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && len(b) > 0 {
				b = append(b, '-')
			}
			dash = false
			b = append(b, byte(unicode.ToLower(r)))
		case r == '\'' || r == '’':
		default:
			dash = true
		}
	}
	return slugString(b)
}

// TestSlugifyASCII: the byte-at-a-time path for ASCII titles gives what
// the rune loop gives, for every ASCII byte and for long titles.
func TestSlugifyASCII(t *testing.T) {
	cases := []string{"", "-", "'", "A's B", "  Lead and trail  ", "Skadden, Arps, Slate, Meagher & Flom (UK) LLP",
		strings.Repeat("Word ", 40), strings.Repeat("x", 200)}
	for c := range 128 {
		cases = append(cases, "a"+string(rune(c))+"b", string(rune(c)))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, rng.IntN(120))
		for i := range b {
			b[i] = byte(rng.IntN(128))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := Slugify(s), slugifyRunes(s); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", s, got, want)
		}
	}
}
