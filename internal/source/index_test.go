package source

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestIndexAddKeepsState adds 600 random articles to 30 stories and
// checks the index against one built afresh from its stories: the same
// postings, document frequencies and held terms (Add changes only the
// terms that enter or leave a centroid), and the same matches.
func TestIndexAddKeepsState(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	x := NewIndex(DefaultClusterer())
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	vocab := make([]string, 400)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("term%03d", i)
	}
	randVec := func() Vector {
		v := Vector{}
		for range 20 + r.IntN(60) {
			v[vocab[r.IntN(len(vocab))]] = 1 + float64(r.IntN(40))/10
		}
		return v
	}
	for i := range 600 {
		x.Add(int64(1+r.IntN(30)), randVec(), t0.Add(time.Duration(r.IntN(48))*time.Hour))
		if i == 300 {
			x.Remove(7)
		}
	}
	fresh := NewIndex(DefaultClusterer())
	for _, c := range x.stories {
		fresh.Put(*c)
	}
	if len(x.postings) != len(fresh.postings) || len(x.df) != len(fresh.df) || len(x.terms) != len(fresh.terms) {
		t.Fatalf("postings %d/%d, df %d/%d, stories %d/%d", len(x.postings), len(fresh.postings), len(x.df), len(fresh.df),
			len(x.terms), len(fresh.terms))
	}
	for term, ps := range fresh.postings {
		if len(x.postings[term]) != len(ps) || x.df[term] == nil || x.df[term].n != fresh.df[term].n {
			t.Fatalf("term %s: %d postings, want %d", term, len(x.postings[term]), len(ps))
		}
		for id := range ps {
			if _, ok := x.postings[term][id]; !ok {
				t.Fatalf("term %s lacks story %d", term, id)
			}
		}
	}
	for id, held := range fresh.terms {
		got := map[string]heldTerm{}
		for _, h := range x.terms[id] {
			got[h.t] = h
		}
		if len(got) != len(held) || len(x.terms[id]) != len(held) {
			t.Fatalf("story %d holds %d terms, want %d", id, len(x.terms[id]), len(held))
		}
		for _, h := range held {
			g, ok := got[h.t]
			if !ok || g.w != h.w || g.df != x.df[h.t] {
				t.Fatalf("story %d term %s: %+v, want weight %v and the term's count", id, h.t, g, h.w)
			}
		}
	}
	for range 200 {
		v, at := randVec(), t0.Add(time.Duration(r.IntN(48))*time.Hour)
		id, score := x.Match(v, at)
		fid, fscore := fresh.Match(v, at)
		if id != fid || fmt.Sprintf("%.9f", score) != fmt.Sprintf("%.9f", fscore) {
			t.Fatalf("match %d (%.6f), afresh %d (%.6f)", id, score, fid, fscore)
		}
	}
}

// BenchmarkIndexMatchAdd is clustering's in-memory step: match an article
// against 200 stories and add it to the one it matches (or a new one).
func BenchmarkIndexMatchAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 5))
	vocab := make([]string, 3000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("term%04d", i)
	}
	vecs := make([]Vector, 512)
	for i := range vecs {
		v := Vector{}
		topic := r.IntN(200) * 10
		for range 40 {
			v[vocab[topic+r.IntN(30)]] += 1
		}
		for range 30 {
			v[vocab[r.IntN(len(vocab))]] += 1
		}
		vecs[i] = v
	}
	x := NewIndex(DefaultClusterer())
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	next := int64(1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		v := vecs[i%len(vecs)]
		at := t0.Add(time.Duration(i%1000) * time.Second)
		id, _ := x.Match(v, at)
		if id == 0 {
			id = next
			next++
		}
		x.Add(id, v, at)
	}
}
