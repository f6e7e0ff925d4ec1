package source

import (
	"testing"
	"time"
)

func TestClusterer(t *testing.T) {
	c := DefaultClusterer()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	type art struct{ title, text string }
	arts := []art{
		{"Regulator fines cement cartel 41 million euros", "The competition authority fined Holcrest, Baumann Stein and Nordcem for fixing cement prices in the northern region."},
		{"Holcrest and Nordcem to appeal cement cartel fine", "Two of the cement makers fined by the competition authority said they would appeal the 41 million euro penalty for price fixing."},
		{"Court blocks hospital merger in Westbury", "The appeals court halted the merger of Westbury Health and Riverside Care, citing prices for insurers."},
		{"Baumann Stein studies cement cartel decision", "Baumann Stein, the third company in the cement price fixing case, said it was studying the authority's decision and fine."},
		{"Westbury Health merger: insurers welcome court ruling", "Insurers welcomed the court decision blocking the Westbury Health and Riverside Care hospital merger."},
	}
	var stories []Candidate
	assign := make([]int64, len(arts))
	for i, a := range arts {
		v := TermVector(a.title, a.text)
		at := t0.Add(time.Duration(i) * time.Hour)
		id, _ := c.Match(v, at, stories)
		if id == 0 {
			id = int64(len(stories) + 1)
			stories = append(stories, Candidate{ID: id, Centroid: Vector{}.Merge(v), FirstSeen: at, LastSeen: at})
		} else {
			s := &stories[id-1]
			s.Centroid = s.Centroid.Merge(v)
			s.LastSeen = at
		}
		assign[i] = id
	}
	want := []int64{1, 1, 2, 1, 2}
	for i := range want {
		if assign[i] != want[i] {
			t.Fatalf("assignments %v, want %v", assign, want)
		}
	}
	// Outside the window a similar article starts a new story.
	v := TermVector(arts[0].title, arts[0].text)
	if id, _ := c.Match(v, t0.Add(10*24*time.Hour), stories); id != 0 {
		t.Errorf("matched story %d outside the window", id)
	}
}

func TestTermVector(t *testing.T) {
	v := TermVector("Sanctions on the banks", "The sanctions said the bank would")
	if _, ok := v["sanction"]; !ok {
		t.Errorf("no stem: %v", v)
	}
	if _, ok := v["the"]; ok {
		t.Errorf("stop word kept: %v", v)
	}
	if top := v.Top(2); len(top) != 2 || top[1] != "sanction" {
		t.Errorf("top %v", top)
	}
}

func TestIndexMatchesClusterer(t *testing.T) {
	c := DefaultClusterer()
	x := NewIndex(c)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	docs := []struct{ title, text string }{
		{"Regulator fines cement cartel 41 million euros", "The competition authority fined Holcrest, Baumann Stein and Nordcem for fixing cement prices."},
		{"Court blocks hospital merger in Westbury", "The appeals court halted the merger of Westbury Health and Riverside Care."},
		{"Holcrest and Nordcem to appeal cement cartel fine", "Two cement makers fined by the competition authority will appeal the 41 million euro penalty."},
		{"Westbury Health merger: insurers welcome ruling", "Insurers welcomed the court decision blocking the Westbury Health and Riverside Care merger."},
	}
	var got []int64
	next := int64(1)
	for i, d := range docs {
		v := TermVector(d.title, d.text)
		at := t0.Add(time.Duration(i) * time.Hour)
		id, _ := x.Match(v, at)
		if id == 0 {
			id = next
			next++
		}
		x.Add(id, v, at)
		got = append(got, id)
	}
	want := []int64{1, 2, 1, 2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("index assignments %v, want %v", got, want)
		}
	}
	if x.Len() != 2 || !x.Has(1) || x.Has(3) {
		t.Fatalf("len %d", x.Len())
	}
}
