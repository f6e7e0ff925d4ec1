// Package seedtest gives tests the briefs of the seed's shape: the team's
// own fixture, testdata/the-essequibo-standoff.txt, always (so nothing skips
// in a fresh clone), and the real seed, shared/seeds/the-nato-stalemate.txt,
// when a folder "shared" sits beside the repository or above it (as in CI,
// where it is ../shared from the repository's root).
//
// Both have a headline, the three sections, citations (1) to (15), the
// byline, twelve "Assessing Firms" hashtags with commas, "&", parentheses
// and full stops, a Stay Tuned footer, and the same two kinds of error: a
// self-reference ("X's invasion of X") and a repeated word ("exclude or
// exclude"). It imports nothing of Legists, so any package's tests may use it.
package seedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Seed is one brief file of the seed's shape and what a reader finds in it.
type Seed struct {
	Name  string // for subtest names
	Path  string // absolute
	Title string
	// Firms are the "Assessing Firms" hashtags, in order.
	Firms []string
	// SelfReference is the phrase naming one party in both roles, in
	// section SelfRefAt[0], paragraph SelfRefAt[1] (0-based).
	SelfReference string
	SelfRefAt     [2]int
	// Repeated is the collapsed coordination, at RepeatedAt.
	Repeated   string
	RepeatedAt [2]int
	// LastWords ends the brief's last paragraph.
	LastWords string
	// Topics are taxonomy topics a tagger must find in the text.
	Topics []string
	// TopTopic is the practice area that must rank first.
	TopTopic string
	// Specialists are firms of the directory a tagger should suggest from
	// the text alone (the brief names none).
	Specialists []string
}

// Fixture is the team-written brief of the seed's shape.
var Fixture = Seed{
	Name:  "fixture",
	Title: "The Essequibo Standoff! Is South America Sliding Into Its First Border War in Decades?",
	Firms: []string{
		"Curtis, Mallet-Prevost, Colt & Mosle LLP", "Foley Hoag LLP", "Three Crowns LLP", "Allen & Overy LLP",
		"Herbert Smith Freehills LLP", "Paul, Weiss, Rifkind, Wharton & Garrison LLP",
		"Skadden, Arps, Slate, Meagher & Flom (UK) LLP", "Shardul Amarchand Mangaldas & Co.", "Volterra Fietta",
		"King & Spalding LLP", "Creel, García-Cuéllar, Aiza y Enríquez, S.C.", "Debevoise & Plimpton LLP",
	},
	SelfReference: "Venezuela's threatened annexation of Venezuela",
	SelfRefAt:     [2]int{0, 0},
	Repeated:      "suspend or suspend",
	RepeatedAt:    [2]int{2, 2},
	LastWords:     "hearings on compliance with that order.",
	Topics:        []string{"Energy", "Latin America"},
	TopTopic:      "Public International Law",
	Specialists:   []string{"Three Crowns LLP", "Foley Hoag LLP"},
}

// Real is the seed that PRODUCT.md describes.
var Real = Seed{
	Name:  "seed",
	Title: "The NATO Stalemate! Are We Heading To World War 3",
	Firms: []string{
		"Herbert Smith Freehills LLP", "Skadden, Arps, Slate, Meagher & Flom (UK) LLP", "Three Crowns LLP",
		"White & Case LLP", "WilmerHale", "Allen & Overy LLP", "Clifford Chance LLP", "Debevoise & Plimpton LLP",
		"Freshfields Bruckhaus Deringer LLP", "Hogan Lovells International LLP", "Latham & Watkins",
		"Quinn Emanuel Urquhart & Sullivan, LLP",
	},
	SelfReference: "invasion of Russia",
	SelfRefAt:     [2]int{0, 0},
	Repeated:      "exclude or exclude",
	RepeatedAt:    [2]int{2, 0},
	LastWords:     "before NATO forces arrive.",
	Topics:        []string{"Russia", "Defence & National Security"},
	TopTopic:      "Public International Law",
	Specialists:   []string{"Three Crowns LLP", "WilmerHale"},
}

// Root returns the repository's root: the nearest folder above the working
// directory with a go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("seedtest: no go.mod above the working directory")
		}
		dir = up
	}
}

// RealPath returns the path of the real seed, looking for
// shared/seeds/the-nato-stalemate.txt beside the repository and in the
// folders above it, or "" when there is none.
func RealPath(t testing.TB) string {
	t.Helper()
	dir := filepath.Dir(Root(t))
	for {
		p := filepath.Join(dir, "shared", "seeds", "the-nato-stalemate.txt")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}

// All returns the fixture and, when present, the real seed, with their paths
// filled in. The real seed's absence is logged, never a skip: the fixture
// covers the same ground.
func All(t testing.TB) []Seed {
	t.Helper()
	out := []Seed{Team(t)}
	if p := RealPath(t); p != "" {
		r := Real
		r.Path = p
		out = append(out, r)
	} else {
		t.Log("seedtest: shared/seeds/the-nato-stalemate.txt is not beside the repository; testing the fixture only")
	}
	return out
}

// Team returns the fixture with its path filled in.
func Team(t testing.TB) Seed {
	t.Helper()
	f := Fixture
	f.Path = filepath.Join(Root(t), "testdata", "the-essequibo-standoff.txt")
	return f
}

// Read returns the file's bytes.
func (s Seed) Read(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
