package fidelity

import (
	"slices"
	"strings"
	"testing"
)

func TestLegalReferenceMismatch(t *testing.T) {
	src := map[int]string{
		1: `The data protection authority said the processing breached Article 5(2) of the General Data Protection Regulation. It fined the retailer 2 million euros.
The company relied on Article 6(1)(f) of Regulation (EU) 2016/679, the legitimate interests basis.`,
		2: `Administrators sued the directors under the Insolvency Act 1986 for wrongful trading. The claim was filed in the High Court.`,
		3: `The retailer was fined 2 million euros and said it would appeal.`,
		4: `Under Article 5 of the GDPR the controller is accountable.`,
	}
	cases := []struct {
		claim   string
		cite    int
		instead string // a part of the message naming what the source says; "" for no finding
	}{
		{"The authority found a breach of Article 5(1) GDPR.", 1, `"Article 5(2) of the General Data Protection Regulation"`},
		{"The authority found a breach of Article 5(2) GDPR.", 1, ""},
		{"The company relied on Art. 6(1)(f) GDPR.", 1, ""},
		{"Administrators sued the directors under the Companies Act 2006.", 2, `"Insolvency Act 1986"`},
		{"Administrators sued the directors under the Insolvency Act 1986.", 2, ""},
		// The source names no legal reference: nothing to contradict.
		{"The retailer breached Article 5(1) GDPR and was fined.", 3, ""},
		// The source gives the article without the paragraph.
		{"Under Article 5(2) GDPR the controller is accountable.", 4, ""},
	}
	for _, c := range cases {
		b := briefOf(para(c.claim, c.cite))
		r := Check(b, src)
		var got []Finding
		for _, f := range r.Findings {
			if f.Kind == KindLegalReferenceMismatch {
				got = append(got, f)
			}
		}
		switch {
		case c.instead == "" && len(got) > 0:
			t.Errorf("%q: unexpected %s", c.claim, got[0].Message)
		case c.instead != "" && len(got) != 1:
			t.Errorf("%q: want one legal-reference-mismatch, got %+v", c.claim, got)
		case c.instead != "":
			f := got[0]
			if f.Severity != SeverityError || f.Citation != c.cite || !strings.Contains(f.Message, c.instead) {
				t.Errorf("%q: %+v, want the message to name %s", c.claim, f, c.instead)
			}
			if r.OK {
				t.Errorf("%q: the report is OK despite the error", c.claim)
			}
		}
	}
}

// TestLegalReferenceContinuation: "that Act" in a later sentence is the Act
// named before it, and is checked as such.
func TestLegalReferenceContinuation(t *testing.T) {
	src := map[int]string{1: `The claim relies on the Companies Act 2006. Directors breached section 172 of the Companies Act 2006, the court heard.`}
	b := briefOf(para("The claim relies on the Companies Act 2006.", 1, "Directors breached section 171 of that Act, the court heard.", 1))
	r := Check(b, src)
	found := false
	for _, f := range r.Findings {
		if f.Kind == KindLegalReferenceMismatch {
			found = strings.Contains(f.Message, `"section 172 of the Companies Act 2006"`) && strings.Contains(f.Message, "section 171 of the Companies Act 2006")
		}
	}
	if !found {
		t.Errorf("no mismatch naming section 172: %+v", r.Findings)
	}
}

// TestLegalNumberIsReference: a changed number or year of a legal
// reference the recogniser does not read as one ("Section 11", "Part 561",
// "Law No. 14,331") is a legal-reference-mismatch, not a figure, and the
// message gives what the source has.
func TestLegalNumberIsReference(t *testing.T) {
	src := map[int]string{1: `The SEC alleged breaches of Section 17(a) of the Securities Act of 1933. The company settled under Part 560 of the regulations. The contract was awarded under Law No. 14,133 in 2022.`}
	cases := []struct{ claim, instead string }{
		{"The SEC alleged breaches of Section 11 of the Securities Act of 1933.", "17(a)"},
		{"The company settled under Part 561 of the regulations.", `"Part 560"`},
		{"The contract was awarded under Law No. 14,331 in 2022.", `"Law No. 14,133"`},
	}
	for _, c := range cases {
		r := Check(briefOf(para(c.claim, 1)), src)
		var kinds []string
		ok := false
		for _, f := range r.Findings {
			kinds = append(kinds, f.Kind)
			if f.Kind == KindLegalReferenceMismatch && strings.Contains(f.Message, c.instead) {
				ok = true
			}
		}
		if !ok || slices.Contains(kinds, KindNumberMismatch) || slices.Contains(kinds, KindDateMismatch) {
			t.Errorf("%q: want one legal-reference-mismatch naming %s, got %+v", c.claim, c.instead, r.Findings)
		}
	}
}

// TestBareProvisionStated: "Article 9.11" whose treaty comes from the
// sentence before is stated by a source's "Article 9.11 of the treaty".
func TestBareProvisionStated(t *testing.T) {
	src := map[int]string{1: `The tribunal found that Panama breached Article 9.6 of the Canada–Panama Free Trade Agreement. It rejected the claim of expropriation under Article 9.11 of the treaty.`}
	b := briefOf(para("The tribunal found that Panama breached Article 9.6 of the Canada–Panama Free Trade Agreement.", 1, "The expropriation claim under Article 9.11 was rejected.", 1))
	for _, f := range Check(b, src).Findings {
		if f.Kind == KindLegalReferenceMismatch {
			t.Errorf("unexpected %s", f.Message)
		}
	}
	b = briefOf(para("The tribunal found that Panama breached Article 9.6 of the Canada–Panama Free Trade Agreement.", 1, "The expropriation claim under Article 9.12 was rejected.", 1))
	found := false
	for _, f := range Check(b, src).Findings {
		found = found || f.Kind == KindLegalReferenceMismatch && strings.Contains(f.Message, "9.6")
	}
	if !found {
		t.Error("Article 9.12: no legal-reference-mismatch naming 9.6")
	}
}
