package brief

import (
	"strings"
	"testing"
)

// TestLegalShape: the prefilter lets every legal word through, and the
// words around them that are not legal words stay out.
func TestLegalShape(t *testing.T) {
	for w := range legalWords {
		if !isLegalWord([]byte(w)) {
			t.Errorf("%q is not seen as a legal word", w)
		}
	}
	for _, w := range []string{"", "the", "court", "articles2", "sectionx", "§x", "a"} {
		if isLegalWord([]byte(w)) {
			t.Errorf("%q is seen as a legal word", w)
		}
	}
}

// TestMayBeLegalWord: the filter before lower-casing lets every legal word
// through in any case, with or without a full stop, and keeps out only
// words that are no legal word.
func TestMayBeLegalWord(t *testing.T) {
	for w := range legalWords {
		for _, v := range []string{w, strings.ToUpper(w), strings.ToUpper(w[:1]) + w[1:]} {
			if !mayBeLegalWord(v) {
				t.Errorf("%q is filtered out", v)
			}
			if got, stop := previousWord("see " + v + ". "); got != v || !stop {
				t.Errorf("previousWord(%q) = %q, %v", "see "+v+". ", got, stop)
			}
		}
	}
	for _, w := range []string{"İtem", "ARTİCLE", "§", "the", "met", "Court", strings.Repeat("x", 20)} {
		var buf [24]byte
		if !mayBeLegalWord(w) && isLegalWord(lowerWord(w, buf[:0])) {
			t.Errorf("%q is filtered out but is a legal word", w)
		}
	}
}
