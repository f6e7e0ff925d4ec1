package legalref

import (
	"bufio"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestTable checks every reference of testdata/table.txt: found with its
// exact span, kind, jurisdiction, canonical string and official address.
// The addresses there pin the link templates.
func TestTable(t *testing.T) {
	f, err := os.Open("testdata/table.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	rows := 0
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, " | ")
		if len(fs) != 6 {
			t.Fatalf("table.txt:%d: want 6 fields, got %d", n, len(fs))
		}
		rows++
		sentence, want := fs[0], Reference{Text: fs[1], Kind: fs[2], Jurisdiction: fs[3], Canonical: fs[4], URL: fs[5]}
		if want.URL == "-" {
			want.URL = ""
		}
		refs := Find(sentence)
		var got *Reference
		for i := range refs {
			if refs[i].Text == want.Text {
				got = &refs[i]
			}
		}
		if got == nil {
			t.Errorf("table.txt:%d: %q not found in %q; got %s", n, want.Text, sentence, describe(refs))
			continue
		}
		if sentence[got.Start:got.End] != got.Text {
			t.Errorf("table.txt:%d: span [%d,%d) is %q, not %q", n, got.Start, got.End, sentence[got.Start:got.End], got.Text)
		}
		if got.Kind != want.Kind || got.Jurisdiction != want.Jurisdiction || got.Canonical != want.Canonical || got.URL != want.URL {
			t.Errorf("table.txt:%d: %q\n got  %s | %s | %s | %s\n want %s | %s | %s | %s", n, want.Text,
				got.Kind, got.Jurisdiction, got.Canonical, got.URL, want.Kind, want.Jurisdiction, want.Canonical, want.URL)
		}
	}
	if rows < 150 {
		t.Errorf("the table has %d references, want at least 150", rows)
	}
}

func describe(refs []Reference) string {
	var b strings.Builder
	for _, r := range refs {
		b.WriteString("[" + r.Text + " = " + r.Canonical + "] ")
	}
	if b.Len() == 0 {
		return "nothing"
	}
	return b.String()
}

// TestNotReferences: ordinary news words and the house format's citation
// markers are not references.
func TestNotReferences(t *testing.T) {
	for _, s := range []string{
		"The minister was tried in the court of public opinion (1).",
		"A section of the crowd booed the verdict (1, 2).",
		"Article by Jane Smith, with reporting from Paris.",
		"Prices rose (1)(2) and the market fell (3).",
		"Part 2 of our series looks at the pipeline.",
		"Chapter 3 of the report summarises the evidence.",
		"Section 3 of the report deals with costs.",
		"The company said it would act quickly.",
		"The act of filing was itself a breach of trust.",
		"Rule 1 of investing: never panic.",
		"The Democratic National Convention opened in Chicago.",
		"The North Atlantic Treaty Organization met in Brussels.",
		"The Law Society welcomed the news.",
		"The Prudential Regulation Authority fined the bank.",
		"It's 5 o'clock and the firm's 12 partners left.",
		"In 2024 the firm's revenue grew 12 per cent to £1.2bn.",
		"The House of Lords debated the issue for 3 hours.",
		"He scored in the 5th minute and again in the second half.",
		"The ICO's Section 5 guidance on ransomware was updated in October.",
		"Annex II sets out the plan; Section 2.3 sets out supervisory priorities.",
		"The company's registration document (Section 4.2) describes the plan.",
		"The Employment Rights Bill will extend unfair dismissal protection.",
		"The proposed Arbitration and Conciliation (Amendment) Bill, 2024 would create an appellate tribunal.",
		"A proposed bill to codify the test, the Foreign Issuer Accountability Act, remains stalled.",
	} {
		if refs := Find(s); len(refs) > 0 {
			t.Errorf("%q: found %s", s, describe(refs))
		}
	}
}

// TestTextOwnParts: a part of the text itself or of someone's document is
// not a provision of the Act the text names.
func TestTextOwnParts(t *testing.T) {
	for _, s := range []string{
		"The Companies Act 2006 applies; see Section 2 above on directors.",
		"Under the Companies Act 2006 the board acted; Part 4 of which deals with votes.",
		"The Enterprise Act 2002 was relevant, as Schedule 3 of the CMA's guidance explains.",
	} {
		refs := Find(s)
		if len(refs) != 1 || refs[0].Kind != KindLegislation {
			t.Errorf("%q: found %s, want the Act alone", s, describe(refs))
		}
	}
}

// TestOneCanonicalPerReference: two spellings of one reference give one
// canonical string and one page.
func TestOneCanonicalPerReference(t *testing.T) {
	for _, pair := range [][2]string{
		{"Art. 6(1)(f) GDPR", "Article 6(1)(f) of Regulation (EU) 2016/679"},
		{"the GDPR", "Regulation (EU) 2016/679"},
		{"the NSI Act", "the National Security and Investment Act 2021"},
		{"s. 87(2)(b) CA 2006", "section 87(2)(b) of the Companies Act 2006"},
		{"SI 2019/1234", "S.I. 2019 No. 1234"},
		{"17 CFR 240.10b-5", "17 C.F.R. § 240.10b-5"},
		{"the CJEU", "the Court of Justice of the European Union"},
		{"Article 8 ECHR", "Article 8 of the European Convention on Human Rights"},
		{"Regulation 1/2003", "Council Regulation (EC) No 1/2003"},
	} {
		a, b := Find(pair[0]), Find(pair[1])
		if len(a) != 1 || len(b) != 1 {
			t.Errorf("%q / %q: want one reference each, got %s / %s", pair[0], pair[1], describe(a), describe(b))
			continue
		}
		if a[0].Canonical != b[0].Canonical || a[0].Slug != b[0].Slug {
			t.Errorf("%q → %q (%s), %q → %q (%s)", pair[0], a[0].Canonical, a[0].Slug, pair[1], b[0].Canonical, b[0].Slug)
		}
	}
}

// TestCitationMarkerKeepsPinpoint: "Article 5(1)" is one reference, and a
// house-format marker after a space is not part of it.
func TestCitationMarkerKeepsPinpoint(t *testing.T) {
	refs := Find("The regulator relied on Article 5(1) GDPR (1). It cited Article 5 (2).")
	if len(refs) != 2 || refs[0].Text != "Article 5(1) GDPR" || refs[1].Text != "Article 5" {
		t.Fatalf("got %s", describe(refs))
	}
	if refs[1].Canonical != "Article 5 of Regulation (EU) 2016/679" {
		t.Errorf("the bare Article 5 should continue the GDPR, got %q", refs[1].Canonical)
	}
}

// TestSpansAreByteOffsets: offsets count bytes of UTF-8 text.
func TestSpansAreByteOffsets(t *testing.T) {
	s := "“Curly” quotes — then Article 102 TFEU."
	refs := Find(s)
	if len(refs) != 1 || s[refs[0].Start:refs[0].End] != "Article 102 TFEU" {
		t.Fatalf("got %s", describe(refs))
	}
}

// TestEvaluateDev scores the development set and holds the recogniser to
// the bar there.
func TestEvaluateDev(t *testing.T) {
	docs, err := LoadEvalSet("testdata/dev")
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(docs)
	if r.Expected < 100 {
		t.Fatalf("dev set has %d references, want 100 or more", r.Expected)
	}
	if r.Precision < 0.95 || r.Recall < 0.95 || r.LinksWrong > 1 || r.CanonicalConsistency < 0.95 {
		var b strings.Builder
		r.WriteTable(&b, true)
		t.Errorf("dev set below the bar:\n%s", b.String())
	}
}

// TestEvaluateScoring checks the scorer on a document built for it.
func TestEvaluateScoring(t *testing.T) {
	doc := EvalDoc{Name: "x.txt", Text: "Article 6 GDPR and Article 6 GDPR, then the Companies Act 2006 in a section of the crowd; see Case C-1/24.",
		Labels: Labels{
			References: []Expected{
				{Text: "Article 6 GDPR", Occurrence: 2, Group: "g", URL: "https://eur-lex.europa.eu/eli/reg/2016/679/oj"},
				{Text: "Article 6 GDPR", Occurrence: 1, Group: "g", URL: "https://eur-lex.europa.eu/eli/reg/2016/679/oj"},
				{Text: "Companies Act 2006", Occurrence: 1, URL: "https://wrong.example/"},
				{Text: "no such text", Occurrence: 1},
			},
			NotReferences: []string{"a section of the crowd"},
		}}
	r := Evaluate([]EvalDoc{doc})
	if r.Expected != 4 || r.Found != 3 || r.Reported != 4 || r.TruePositives != 3 {
		t.Errorf("counts: %+v", r)
	}
	if r.LinksCorrect != 2 || r.LinksWrong != 1 || r.GroupsConsistent != 1 || r.Groups != 1 {
		t.Errorf("links and groups: %+v", r)
	}
	if len(r.FalsePositives) != 1 || r.FalsePositives[0].Text != "Case C-1/24" {
		t.Errorf("false positives: %+v", r.FalsePositives)
	}
}

// TestParagraphs: references of a multi-paragraph document keep the
// context of earlier paragraphs and get offsets within their paragraph.
func TestParagraphs(t *testing.T) {
	paras := []string{"The Companies Act 2006 applies.", "Under section 172 of that Act directors owe duties; see also Article 102 TFEU."}
	got := Paragraphs(paras)
	if len(got[0]) != 1 || len(got[1]) != 2 {
		t.Fatalf("got %v", got)
	}
	r := got[1][0]
	if paras[1][r.Start:r.End] != "section 172 of that Act" || r.Canonical != "section 172 of the Companies Act 2006" {
		t.Errorf("continued reference: %+v", r)
	}
	idx := Index(paras)
	if len(idx) != 2 || idx[0].Slug != "uk-companies-act-2006" || idx[0].Mentions != 2 || idx[0].URL != "https://www.legislation.gov.uk/ukpga/2006/46" ||
		len(idx[0].Pinpoints) != 1 || idx[1].Kind != KindTreaty {
		t.Errorf("index: %+v", idx)
	}
}

func TestLowerCaseCourtFigures(t *testing.T) {
	for _, s := range []string{"He lost in the court of appeal of public sentiment.", "The supreme court of public opinion has spoken."} {
		if refs := Find(s); len(refs) > 0 {
			t.Errorf("%q: found %s", s, describe(refs))
		}
	}
}

// TestTableLinksResolve: every UK Act the table gives a legislation.gov.uk
// link gets an address the site serves: from 1963 by calendar year and
// chapter, before it by regnal years ("ukpga/1906/41" is no page).
func TestTableLinksResolve(t *testing.T) {
	for key, e := range tbl.byKey {
		if !strings.HasPrefix(key, "ukpga:") {
			continue
		}
		if e.inst.URL == "" {
			t.Errorf("%s (%s): no address; an Act before 1963 needs its regnal years (ukpga:Vict/24-25/100)", e.inst.Canonical, key)
		}
	}
}

// A treaty whose name has doubled spaces: the cleaned name (spaces folded)
// is not found as it is in the text, and Find panicked on a negative index
// instead of taking the name from its first word.
func TestTreatyNameWithFoldedSpaces(t *testing.T) {
	for _, text := range []string{"Federal  Paris Treaty on Trade", "I Federal  Paris Treaty", "The  Paris Treaty of Peace"} {
		refs := Find(text)
		found := false
		for _, r := range refs {
			if r.Kind == KindTreaty {
				found = true
				if got := text[r.Start:r.End]; !strings.Contains(got, "Paris") || !strings.HasSuffix(got, "Treaty") && !strings.Contains(got, "Treaty ") {
					t.Errorf("%q: treaty span %q", text, got)
				}
			}
		}
		if !found {
			t.Errorf("%q: no treaty in %+v", text, refs)
		}
	}
}

// The jurisdiction a court's place gives is the place named first, the
// same on every run (it came from a map's random order).
func TestPlaceJurisdictionStable(t *testing.T) {
	if got := placeJurisdiction("Paris, then Milan, The Hague and Zurich"); got != "fr" {
		t.Errorf("Paris first: %q, want fr", got)
	}
	if got := placeJurisdiction("the court in New South Wales"); got != "au" {
		t.Errorf("New South Wales: %q, want au", got)
	}
	text := "The Commercial Court of Paris and the District Court of The Hague, Milan and Zurich sat together."
	first := Find(text)
	for range 50 {
		if got := Find(text); !reflect.DeepEqual(got, first) {
			t.Fatalf("Find differs between runs:\n%+v\n%+v", first, got)
		}
	}
}
