package legalref_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"legists/internal/legalref"
)

// outcome is what Find does with a text: its references, or its panic.
type outcome struct {
	Refs  []legalref.Reference
	Panic any
}

// findWith is Find's outcome with the prefilters on or off.
func findWith(text string, on bool) (o outcome) {
	restore := legalref.SetPrefilter(on)
	defer restore()
	defer func() { o.Panic = recover() }()
	return outcome{Refs: legalref.Find(text)}
}

// sameFind reports whether Find finds the same with the prefilters as
// without them (a panic, which they must not change either, is part of
// what it does). On a few texts Find is not a function of the text alone:
// placeJurisdiction and citationCountry take the first of several
// countries a map yields, in Go's random order. There it must give one of
// the answers it gives without the prefilters; unstable reports those.
func sameFind(text string) (same, unstable bool) {
	with, without := findWith(text, true), findWith(text, false)
	if reflect.DeepEqual(with, without) {
		return true, false
	}
	for range 200 {
		if again := findWith(text, false); reflect.DeepEqual(with, again) {
			return true, true
		}
	}
	return false, false
}

// equivalenceCorpus is every text of testdata, generated briefs, and
// texts made by splicing and mixing them with the tokens the prefilters
// look for.
func equivalenceCorpus(t testing.TB) []string {
	var texts []string
	for _, pat := range []string{"testdata/*/*.txt", "testdata/*/*.md", "testdata/table.txt"} {
		names, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, string(b))
		}
	}
	if len(texts) < 100 {
		t.Fatalf("only %d testdata texts", len(texts))
	}
	texts = append(texts, briefTexts(300, 11)...)
	// Splices: paragraphs of different texts, and a paragraph cut at
	// random places (where matches may be cut off or joined up).
	rng := rand.New(rand.NewPCG(1, 2))
	var paras []string
	for _, tx := range texts {
		paras = append(paras, strings.Split(tx, "\n")...)
	}
	for range 600 {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			p := paras[rng.IntN(len(paras))]
			if p == "" {
				continue
			}
			i, j := rng.IntN(len(p)), rng.IntN(len(p)+1)
			if i > j {
				i, j = j, i
			}
			b.WriteString(p[i:j])
			b.WriteString([]string{" ", "\n", "\n\n", ". ", "", "\t"}[rng.IntN(6)])
		}
		texts = append(texts, b.String())
	}
	// Token soups: the literals of the prefilters and their near misses.
	tokens := []string{"U.K.", "U.K", "UK", "UKSC", "King’s", "King's", "Kings", "member states", "member state", "member statesman",
		"US", "U.S.", "U. S. C.", "U.S.C.", "USC", "U S C", "15", "17", "§", "§§", "1983", "2016/679", "C-311/18", "no.", "No.", "Nos.",
		"v", "v.", "vs", " v ", "\tv\t", "Court", "Supreme Court", "High Court", "Court of Appeal", "Circuit", "Ninth", "District",
		"Southern", "of", "the", "New York", "Amendment", "First", "Act", "Regulation", "Directive", "Law", "No.", "231/2001",
		"Convention", "Treaty", "Protocol", "on", "Human Rights", "Grand Chamber", "ECHR", "CJEU", "Re", "In re", "Smith", "Jones Ltd",
		"R (Miller)", "[2019]", "EWHC", "(Ch)", "C.F.R.", "CFR", "C. F. R.", "Part", "240.10b-5", "SI", "S.I.", "Fed. R. Civ. P.", "9(b)",
		"ECLI:EU:C:2020:559", "EU:C:2023:370", "OJ L", "119", "4.5.2016", "Practice Direction", "PD", "51Z", "Security Council",
		"resolution", "2231", "H.R.", "SB", "1047", "Executive Order", "14117", "Board of Appeal", "Trial Chamber", "II", "Tribunale",
		"di", "Milano", "Cour d’appel", "de", "Paris", "Chapter I", "prohibition", "COBS", "2.1.1R", "Mededingingswet", "Kartellgesetz",
		"Ley", "Federal", "Lei", "Geral", "Loi", "n°", "2017-399", "STS", "805/2020", "Cass.", "n.", "1663/2020", "2008 SCC 69",
		"(1890)", "25 QBD 399", "Australia–United Kingdom", "Free Trade Agreement", "Clause", "Commerce", "Const.", "art.", "I",
		"those Regulations", "the 2006 Act", "Düsseldorf", "Zurich", "The Hague", "Hong Kong", "Abu Dhabi", "\xff", "\xe2\x80", "é",
		"Article", "6(1)(f)", "GDPR", "section", "172", "Companies Act 2006", "F. Supp. 3d", "S. Ct.", "L. Ed. 2d", "G 1/19", "T 641/00",
		",", ".", "(", ")", "-", "–", "/", ":", "’s"}
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(30) {
			b.WriteString(tokens[rng.IntN(len(tokens))])
			b.WriteString([]string{" ", " ", " ", "", "\n", "\t", ", ", ".", "  "}[rng.IntN(9)])
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestPrefilterSame: Find finds the same with the prefilters as without
// them, on every text of the corpus.
func TestPrefilterSame(t *testing.T) {
	texts := equivalenceCorpus(t)
	refs, panics, unstable := 0, 0, 0
	for _, tx := range texts {
		same, uns := sameFind(tx)
		if !same {
			t.Fatalf("prefilters change Find on %q:\nwith    %+v\nwithout %+v", tx, findWith(tx, true), findWith(tx, false))
		}
		if uns {
			unstable++
		}
		with := findWith(tx, true)
		refs += len(with.Refs)
		if with.Panic != nil {
			panics++
			if panics == 1 {
				t.Logf("Find panics (with and without prefilters) on %q: %v", tx, with.Panic)
			}
		}
	}
	if refs < 1000 {
		t.Fatalf("the corpus has only %d references", refs)
	}
	t.Logf("%d texts, %d references, the same; %d texts on which Find panics, %d on which it varies from run to run", len(texts), refs, panics, unstable)
}

// FuzzPrefilterSame: on any input, Find finds the same with the
// prefilters as without them.
func FuzzPrefilterSame(f *testing.F) {
	for _, s := range []string{
		"The U.K.'s Supreme Court and the US Ninth Circuit", "Smith v. Jones, 15 U. S. C. § 78j(b), 17 C.F.R. 240.10b-5",
		"King’s Bench; member states; the Court of Appeal in London", "Law No. 231/2001 and Regulation (EU) 2016/679",
		"Article 6(1)(f) GDPR and Art. 6(1)(f) of Regulation (EU) 2016/679 (1).", "R (Miller) v Prime Minister [2019] UKSC 41",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if same, _ := sameFind(s); !same {
			t.Fatalf("prefilters change Find on %q:\nwith    %+v\nwithout %+v", s, findWith(s, true), findWith(s, false))
		}
	})
}
