package tag

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func phrasesOf(ss ...string) []phrase {
	ps := make([]phrase, len(ss))
	for i, s := range ss {
		ps[i] = newPhrase(s)
	}
	return ps
}

// found lists the texts of the hits of the matcher over text.
func found(m *matcher, text string) []string {
	var out []string
	m.scan(text, func(h hit) { out = append(out, text[h.start:h.end]) })
	return out
}

func TestMatcherBoundariesAndCase(t *testing.T) {
	m := newMatcher(phrasesOf("Clifford Chance", "Linklaters", "HSF", "A&O", "Herbert Smith", "Herbert Smith Freehills",
		"sanctions", "cartel*", "U.S.", "US", "Chile", "WilmerHale", "Mallet-Prevost"))
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Clifford Chance advised.", []string{"Clifford Chance"}},
		{"Clifford Chancellor spoke.", nil},
		{"MrClifford Chance", nil},
		{"CLIFFORD CHANCE LLP", []string{"CLIFFORD CHANCE"}},
		{"clifford chance", nil},
		{"Clifford\n  Chance's view", []string{"Clifford\n  Chance"}},
		{"Linklaters, Freshfields", []string{"Linklaters"}},
		{"Linklatersville", nil},
		{"HSF acted; hsf did not; HSFX neither", []string{"HSF"}},
		{"A&O Shearman and A&Ox", []string{"A&O"}},
		{"Herbert Smith Freehills", []string{"Herbert Smith", "Herbert Smith Freehills"}},
		{"new Sanctions and sanctionsX", []string{"Sanctions"}},
		{"cartels and cartel, not noncartel", []string{"cartel", "cartel"}},
		{"U.S. law and the US and us", []string{"U.S.", "US"}},
		{"Chile and chile peppers", []string{"Chile"}},
		{"Wilmerhale and WILMERHALE and wilmerHale", []string{"Wilmerhale", "WILMERHALE"}},
		{"Mallet-prevost, Mallet-Prevost", []string{"Mallet-Prevost"}},
		{"Müller-Clifford Chance", []string{"Clifford Chance"}},
		{"éClifford Chance", nil},
		{"", nil},
	} {
		got := found(m, tc.text)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: found %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestLeftmostLongest(t *testing.T) {
	hits := []hit{{0, 13, 1}, {0, 23, 2}, {14, 23, 3}, {30, 35, 4}, {30, 35, 5}, {32, 40, 6}}
	got := leftmostLongest(hits)
	want := []hit{{0, 23, 2}, {30, 35, 4}, {30, 35, 5}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// naive is the reference the automaton must agree with: every phrase tried
// at every byte, with the same folding and checks.
func naive(ps []phrase, text string, spaceFold bool) []hit {
	var out []hit
	for id, p := range ps {
		if p.text == "" {
			continue
		}
		for start := 0; start < len(text); start++ {
			i, j := start, 0
			for j < len(p.text) && i < len(text) {
				if p.text[j] == ' ' && spaceFold {
					if !isSpaceByte(text[i]) {
						break
					}
					for i < len(text) && isSpaceByte(text[i]) {
						i++
					}
					j++
					continue
				}
				if fold(text[i]) != fold(p.text[j]) {
					break
				}
				i++
				j++
			}
			if j < len(p.text) {
				continue
			}
			// The automaton starts over at each run of white space, so a
			// match cannot start inside one: the naive start must not
			// follow white space that the phrase begins inside.
			m := &matcher{phrases: ps}
			if spaceFold {
				m.space = 1
			}
			if s, ok := m.check(text, i, id); ok && s == start {
				out = append(out, hit{start, i, id})
			}
		}
	}
	return out
}

func sortHits(h []hit) {
	slices.SortFunc(h, func(a, b hit) int {
		if a.end != b.end {
			return a.end - b.end
		}
		if a.start != b.start {
			return a.start - b.start
		}
		return a.id - b.id
	})
}

func FuzzMatcher(f *testing.F) {
	f.Add("Clifford Chance|HSF|cartel*|U.S.", "Clifford  Chance and HSF on U.S. cartels, not Clifford Chancellor")
	f.Add("a b|b c|ab*|B", "a b c ab abc B b")
	f.Add("Uría|Uria|é", "Uría Uria é Éé")
	f.Add("A&O|A&O Shearman", "A&O Shearman's A&Ox")
	f.Fuzz(func(t *testing.T, pats, text string) {
		if !utf8.ValidString(pats) || len(pats) > 200 || len(text) > 2000 {
			return
		}
		var ss []string
		for _, s := range strings.Split(pats, "|") {
			if strings.TrimSpace(strings.TrimRight(s, "*")) != "" {
				ss = append(ss, s)
			}
		}
		if len(ss) == 0 || len(ss) > 20 {
			return
		}
		ps := phrasesOf(ss...)
		var classes [256]bool
		for _, p := range ps {
			for i := 0; i < len(p.text); i++ {
				classes[fold(p.text[i])] = true
			}
			if strings.ContainsAny(p.text, "\t\n\r\v\f") {
				return // phrases are single-spaced by newPhrase; keep it simple
			}
		}
		m := newMatcher(ps)
		var got []hit
		m.scan(text, func(h hit) { got = append(got, h) })
		want := naive(ps, text, m.space != 0)
		sortHits(got)
		sortHits(want)
		if !slices.Equal(got, want) {
			t.Fatalf("phrases %q text %q:\nautomaton %v\nnaive     %v", ss, text, got, want)
		}
		for _, h := range got {
			if h.start < 0 || h.end > len(text) || h.start >= h.end {
				t.Fatalf("bad hit %v", h)
			}
		}
	})
}

// TestMatcherAgainstNaive compares the automaton with the naive matcher on
// random phrases and texts over a small alphabet that is dense in the hard
// cases: case, white space runs, multi-byte and broken UTF-8, punctuation
// inside phrases and "*".
func TestMatcherAgainstNaive(t *testing.T) {
	alpha := []string{"a", "b", "A", "B", " ", "\n", "é", "É", "&", ".", "-", "'", "*", "\xc3", "\xa9", "’", "1"}
	r := rand.New(rand.NewPCG(1, 2))
	gen := func(n int) string {
		var sb strings.Builder
		for range n {
			sb.WriteString(alpha[r.IntN(len(alpha))])
		}
		return sb.String()
	}
	cases := 20000
	if testing.Short() {
		cases = 2000
	}
	for range cases {
		var ss []string
		for range 1 + r.IntN(5) {
			s := gen(1 + r.IntN(6))
			if strings.TrimSpace(strings.TrimRight(s, "*")) != "" && utf8.ValidString(s) && !strings.ContainsAny(s, "\t\n\r\v\f") {
				ss = append(ss, s)
			}
		}
		if len(ss) == 0 {
			continue
		}
		text := gen(r.IntN(60))
		ps := phrasesOf(ss...)
		m := newMatcher(ps)
		var got []hit
		m.scan(text, func(h hit) { got = append(got, h) })
		want := naive(ps, text, m.space != 0)
		sortHits(got)
		sortHits(want)
		if !slices.Equal(got, want) {
			t.Fatalf("phrases %q text %q:\nautomaton %v\nnaive     %v", ss, text, got, want)
		}
	}
}

// TestSortTopicHits: the counting and insertion sort orders hits exactly
// as a full sort by topic, start, longest first and phrase id.
func TestSortTopicHits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var pairs []topicHit
		end := 0
		for range rng.IntN(60) {
			end += rng.IntN(5)
			n := 1 + rng.IntN(12)
			pairs = append(pairs, topicHit{topic: rng.IntN(6), hit: hit{start: max(0, end-n), end: end, id: rng.IntN(40)}})
		}
		want := slices.Clone(pairs)
		slices.SortStableFunc(want, func(a, b topicHit) int {
			switch {
			case a.topic != b.topic:
				return a.topic - b.topic
			case a.start != b.start:
				return a.start - b.start
			case a.end != b.end:
				return b.end - a.end
			}
			return a.id - b.id
		})
		got := sortTopicHits(slices.Clone(pairs))
		for i := range want {
			if got[i].topic != want[i].topic || got[i].hit != want[i].hit {
				t.Fatalf("at %d: %+v, want %+v", i, got[i], want[i])
			}
		}
	}
}
