package brief

import "testing"

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
