package legalref

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFind: on any input Find returns in-bounds, ordered, non-overlapping
// spans whose text is the input's, with a kind from the contract and a
// canonical string.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"Article 6(1)(f) GDPR and Art. 6(1)(f) of Regulation (EU) 2016/679 (1).",
		"sections 1 to 3 of the Companies Act 2006 and section 12 of that Act",
		"[2023] EWHC 1234 (Ch); R (Miller) v Prime Minister [2019] UKSC 41",
		"15 U.S.C. § 78j(b), 17 CFR 240.10b-5, 12 C.F.R. Part 1026",
		"Case C-417/25, no. 12345/19, SI 2019/1234, S.I. 2019 No. 1234",
		"Articles 101 and 102 TFEU; NATO's Article 5; CPR r 3.4",
		"the court of public opinion; a section of the crowd; Article by",
		"R (", "Regulation (EU) 9999/0", "Article V(1)(b)", "§§", "v v v", "the  Act 2020",
		"Federal  Paris Treaty on Trade", // panicked: the cleaned name was not found in its folded spaces
	} {
		f.Add(s)
	}
	kinds := map[string]bool{KindLegislation: true, KindProvision: true, KindRegulation: true, KindDirective: true,
		KindTreaty: true, KindCase: true, KindCourt: true, KindRule: true}
	f.Fuzz(func(t *testing.T, s string) {
		prev := 0
		for _, r := range Find(s) {
			if r.Start < prev || r.End <= r.Start || r.End > len(s) {
				t.Fatalf("bad span [%d,%d) after %d in %q", r.Start, r.End, prev, s)
			}
			if s[r.Start:r.End] != r.Text {
				t.Fatalf("text %q is not the span's %q", r.Text, s[r.Start:r.End])
			}
			if !kinds[r.Kind] || r.Canonical == "" || r.Jurisdiction == "" {
				t.Fatalf("incomplete reference %+v", r)
			}
			if utf8.ValidString(s) && !utf8.ValidString(r.Text) {
				t.Fatalf("span splits a character: %q", r.Text)
			}
			if r.URL != "" && !strings.HasPrefix(r.URL, "https://") {
				t.Fatalf("link %q", r.URL)
			}
			prev = r.End
		}
	})
}
