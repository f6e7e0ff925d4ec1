package directory

import (
	"slices"
	"strings"
	"testing"
	"time"

	"legists/internal/brief"
)

// The firms of the seed brief's "Assessing Firms" line, exactly as written
// there.
var seedFirms = []string{
	"Herbert Smith Freehills LLP", "Skadden, Arps, Slate, Meagher & Flom (UK) LLP", "Three Crowns LLP",
	"White & Case LLP", "WilmerHale", "Allen & Overy LLP", "Clifford Chance LLP", "Debevoise & Plimpton LLP",
	"Freshfields Bruckhaus Deringer LLP", "Hogan Lovells International LLP", "Latham & Watkins",
	"Quinn Emanuel Urquhart & Sullivan, LLP",
}

func TestDataValid(t *testing.T) {
	if err := Validate(Firms(), Topics()); err != nil {
		t.Fatal(err)
	}
}

func TestSizes(t *testing.T) {
	if n := len(Firms()); n < 60 {
		t.Errorf("%d firms, want at least 60", n)
	}
	var pa, jur int
	for _, tp := range Topics() {
		switch tp.Kind {
		case brief.TopicPracticeArea:
			pa++
		case brief.TopicJurisdiction:
			jur++
		}
	}
	if pa < 18 || jur < 18 {
		t.Errorf("%d practice areas and %d jurisdictions, want about 20 each", pa, jur)
	}
}

// TestSeedFirmsPresent: every firm the seed tags resolves, by its name or a
// former name, to a firm of the directory.
func TestSeedFirmsPresent(t *testing.T) {
	for _, n := range seedFirms {
		f, ok := Lookup(n)
		if !ok {
			t.Errorf("firm %q missing", n)
			continue
		}
		if len(f.PracticeAreas) == 0 || len(f.Jurisdictions) == 0 || f.Website == "" {
			t.Errorf("firm %q incomplete: %+v", n, f)
		}
	}
}

func TestSlugs(t *testing.T) {
	f, ok := Firm("skadden-arps-slate-meagher-flom-uk-llp")
	if !ok || f.Name != "Skadden, Arps, Slate, Meagher & Flom (UK) LLP" {
		t.Errorf("Firm(skadden...) = %+v, %v", f, ok)
	}
	tp, ok := Topic("public-international-law")
	if !ok || tp.Kind != brief.TopicPracticeArea || len(tp.Keywords) == 0 {
		t.Errorf("Topic(public-international-law) = %+v, %v", tp, ok)
	}
	if _, ok := Firm("no-such-firm"); ok {
		t.Error("found a firm that does not exist")
	}
}

func TestKeywordWeights(t *testing.T) {
	for _, tp := range Topics() {
		kws := TopicKeywords(tp.Slug)
		if len(kws) != len(tp.Keywords) {
			t.Fatalf("%s: %d weighted keywords, %d phrases", tp.Slug, len(kws), len(tp.Keywords))
		}
		for _, k := range kws {
			if k.Weight <= 0 || k.Weight > 5 {
				t.Errorf("%s: keyword %q has weight %v", tp.Slug, k.Phrase, k.Weight)
			}
			if KeywordWeight(tp.Slug, k.Phrase) != k.Weight {
				t.Errorf("%s: KeywordWeight(%q) disagrees", tp.Slug, k.Phrase)
			}
		}
	}
	if w := KeywordWeight("international-arbitration", "arbitral tribunal"); w < 3 {
		t.Errorf("arbitral tribunal weighs %v", w)
	}
	if w := KeywordWeight("international-arbitration", "not a keyword"); w != 0 {
		t.Errorf("unknown keyword weighs %v", w)
	}
}

func TestNameForms(t *testing.T) {
	for _, tc := range []struct {
		firm string
		want []string
	}{
		{"HSF Kramer", []string{"Herbert Smith Freehills", "Herbert Smith Freehills LLP", "HSF", "Herbert Smith", "Kramer Levin"}},
		{"Skadden, Arps, Slate, Meagher & Flom (UK) LLP", []string{"Skadden", "Skadden, Arps, Slate, Meagher & Flom", "Skadden Arps Slate Meagher & Flom"}},
		{"Hogan Lovells International LLP", []string{"Hogan Lovells"}},
		{"A&O Shearman", []string{"A&O Shearman", "Allen & Overy", "Allen & Overy LLP", "Allen and Overy", "Shearman & Sterling"}},
		{"Slaughter and May", []string{"Slaughter & May"}},
		{"Uría Menéndez", []string{"Uria Menendez"}},
		{"Gilbert + Tobin", []string{"Gilbert and Tobin", "Gilbert & Tobin"}},
		{"Quinn Emanuel Urquhart & Sullivan, LLP", []string{"Quinn Emanuel Urquhart & Sullivan", "Quinn Emanuel"}},
	} {
		var f brief.Firm
		for _, x := range Firms() {
			if x.Name == tc.firm {
				f = x
			}
		}
		forms := NameForms(f)
		for _, w := range tc.want {
			if !slices.Contains(forms, w) {
				t.Errorf("%s: forms %q lack %q", tc.firm, forms, w)
			}
		}
	}
}

func TestNoBareCommonWords(t *testing.T) {
	// Forms that are ordinary words or very common surnames would tag
	// firms on every story that uses them.
	banned := []string{"Allen", "Latham", "Kirkland", "Covington", "Akin", "Weil", "Cleary", "Gide", "Galicia", "Carey", "CMS", "Smith"}
	for _, f := range Firms() {
		for _, form := range NameForms(f) {
			for _, b := range banned {
				if strings.EqualFold(form, b) {
					t.Errorf("firm %q has the form %q", f.Name, form)
				}
			}
		}
	}
}

func TestValidateFindsProblems(t *testing.T) {
	topics := []brief.Topic{
		{Name: "Tax", Slug: "tax", Kind: brief.TopicPracticeArea, Keywords: []string{"tax"}},
		{Name: "Tax", Slug: "tax", Kind: "area", Keywords: nil},
	}
	firms := []brief.Firm{
		{Name: "A LLP", Slug: "a-llp", Aliases: []string{"AB"}, PracticeAreas: []string{"Tax", "Cooking"}},
		{Name: "B LLP", Slug: "a-llp", Aliases: []string{"ab"}, Jurisdictions: []string{"Tax"}},
	}
	err := Validate(firms, topics)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"share the slug", "kind", "no keywords", "appears twice", `"Cooking"`, `jurisdiction "Tax"`, "both written"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// TestDatedDirectory: the directory has a date, and each recorded change of
// name is applied: the firm has its new name, and its former names are
// aliases that find it.
func TestDatedDirectory(t *testing.T) {
	if AsOf().Year() < 2026 {
		t.Errorf("the directory is dated %s", AsOf())
	}
	if len(About().Changes) < 2 {
		t.Fatalf("changes: %+v", About().Changes)
	}
	for _, c := range About().Changes {
		f, ok := Lookup(c.Name)
		if !ok || f.Slug != c.Slug || f.Name != c.Name {
			t.Errorf("change %+v: the directory has %+v", c, f)
		}
		if _, err := time.Parse(time.DateOnly, c.Since); err != nil || c.Note == "" {
			t.Errorf("change %+v: since %q, note %q", c, c.Since, c.Note)
		}
		for _, old := range c.Formerly {
			if g, ok := Lookup(old); !ok || g.Slug != c.Slug {
				t.Errorf("former name %q finds %+v, want %s", old, g, c.Name)
			}
		}
	}
	for old, now := range map[string]string{"Allen & Overy LLP": "A&O Shearman", "Herbert Smith Freehills LLP": "HSF Kramer", "Shearman & Sterling": "A&O Shearman"} {
		if f, _ := Lookup(old); f.Name != now {
			t.Errorf("%s is now %q, want %s", old, f.Name, now)
		}
	}
}
