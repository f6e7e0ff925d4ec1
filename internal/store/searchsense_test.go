package store

import (
	"strings"
	"testing"
	"unicode/utf8"

	"legists/internal/brief"
)

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"santcions", "sanctions", 1}, // a transposition counts once
		{"arbitation", "arbitration", 1},
		{"sanction", "sanctions", 1},
		{"cartel", "cartel", 0},
		{"cartel", "castle", 2}, // a substitution and a transposition
		{"cartel", "merger", 3}, // past the limit of 2: limit+1
	} {
		if got := editDistance(c.a, c.b, 2); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if !topicNamedByWords("sanctions", "Sanctions & Export Controls") || topicNamedByWords("court", "Sanctions & Export Controls") {
		t.Error("topic naming")
	}
}

func topicNamedByWords(q, topic string) bool {
	return topicNamedBy(briefTopic(topic), queryWords(q))
}

// FuzzQueryWords: any text a reader types is split without panic, the
// distance is symmetric, never above limit+1, and zero only for equal words.
func FuzzQueryWords(f *testing.F) {
	for _, s := range []string{"sanctions", "santcions -court OR \"plan\"", "ÉÉ ß", "", "a\x00b", "sanctions sanctioning"} {
		f.Add(s, "sanctions")
	}
	f.Fuzz(func(t *testing.T, q, w string) {
		words := queryWords(q)
		for _, x := range words {
			if strings.ToLower(x) != x || utf8.RuneCountInString(x) < 4 {
				t.Fatalf("queryWords(%q) gave %q", q, x)
			}
			d := editDistance(x, w, 2)
			if d != editDistance(w, x, 2) || d < 0 || d > 3 || (d == 0) != (x == w) {
				t.Fatalf("editDistance(%q, %q) = %d", x, w, d)
			}
		}
		_ = topicNamedBy(briefTopic(w), words)
	})
}

func briefTopic(name string) brief.Topic {
	return brief.Topic{Name: name, Keywords: []string{name + "*"}}
}
