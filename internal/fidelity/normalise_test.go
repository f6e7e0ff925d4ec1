package fidelity

import (
	"strings"
	"testing"
)

// Fair restatements of a source line that differ only in how figures,
// names and words are written: the check must not call them errors. Each
// pair was written by the team in the shape of real news copy.
var fairPairs = []struct{ claim, source string }{
	{"The hearing resumes at 3 pm on Friday.", "The hearing resumes at 3pm on Friday."},
	{"The hearing resumes at 3pm on Friday.", "The hearing resumes at 3 p.m. on Friday."},
	{"The jury returned at 6.15 pm.", "The jury returned at 6.15pm."},
	{"The jury returned at 6:15 p.m.", "The jury returned at 6.15pm."},
	{"Harlow won the final 2–0.", "Harlow won the final 2-0."},
	{"Harlow won the final 2-0.", "Harlow won the final 2 – 0."},
	{"Westport beat Calder 85 points to 80.", "Westport beat Calder 85-80."},
	{"Westport beat Calder 85-80.", "Westport beat Calder by 85 points to 80."},
	{"Ella Marsh, 19, was taken to hospital.", "The 19-year-old Ella Marsh was taken to hospital."},
	{"The 19-year-old was taken to hospital.", "Ella Marsh, 19, was taken to hospital."},
	{"A boy, 2, was found unharmed.", "A two-year-old boy was found unharmed."},
	{"The fine was five million euros.", "The fine was €5m."},
	{"The tanker carried 30,000 tonnes of fuel.", "The tanker carried thirty thousand tonnes of fuel."},
	{"The Irish-bred gelding won the race at Ascot.", "The Irish-bred gelding won the race at Ascot."},
	{"The German-flagged vessel was detained in Rotterdam.", "The German-flagged vessel was detained in Rotterdam."},
	{"Plans for a new runway were approved by the council.", "The council approved plans for a new runway."},
	{"Tributes were paid to the judge by colleagues.", "Colleagues paid tributes to the judge."},
	{"Hundreds of workers marched to the court.", "Hundreds of workers marched to the court."},
	{"Tributes came from colleagues of the judge.", "Colleagues of the judge paid their respects."},
	{"Hundreds marched to the court.", "About 400 people marched to the court."},
	{"The ruling took effect on 4 march 2024.", "The ruling took effect on March 4, 2024."},
	{"In the absence of a settlement, the case went to trial.", "The case went to trial because no settlement was reached."},
	{"The court sat in the absence of the defendant.", "The defendant was absent when the court sat."},
	{"He called the deal “historic”.", "He called the deal \"historic\"."},
	{"The Andalusian government appealed the ruling.", "The regional government of Andalusia appealed the ruling."},
	{"Run by the state, the agency sets the rules.", "The agency, which the state runs, sets the rules."},
	{"Run by the state since 1990, the agency sets the rules.", "The state ran the agency from 1990 and it sets the rules."},
	{"More than 50 workers joined the strike.", "Turnout was below the union's target, although 52 workers joined the strike."},
	{"The claim — filed in May — was dismissed.", "The claim, filed in May, was dismissed."},
}

func TestFairRestatementsAreClean(t *testing.T) {
	for _, p := range fairPairs {
		r := CheckSummary(p.claim, p.source)
		for _, f := range r.Findings {
			if f.Severity == SeverityError {
				t.Errorf("%q against %q: %s: %s", p.claim, p.source, f.Kind, f.Message)
			}
		}
	}
}

// Real changes of the same shapes are still errors.
func TestChangedFiguresStillCaught(t *testing.T) {
	for _, p := range []struct{ claim, source, kind string }{
		{"The hearing resumes at 4 pm on Friday.", "The hearing resumes at 3pm on Friday.", KindNumberMismatch},
		{"Harlow won the final 3–0.", "Harlow won the final 2-0.", KindNumberMismatch},
		{"Westport beat Calder 85 points to 70.", "Westport beat Calder 85-80.", KindNumberMismatch},
		{"Ella Marsh, 21, was taken to hospital.", "The 19-year-old Ella Marsh was taken to hospital.", KindNumberMismatch},
		{"The ruling took effect on 5 march 2024.", "The ruling took effect on March 4, 2024.", KindDateMismatch},
	} {
		r := CheckSummary(p.claim, p.source)
		found := false
		for _, f := range r.Findings {
			found = found || f.Kind == p.kind && f.Severity == SeverityError
		}
		if !found {
			t.Errorf("%q against %q: no %s in %+v", p.claim, p.source, p.kind, r.Findings)
		}
	}
}

// Where the source asserts one thing and denies a closer one, the closer
// statement decides.
func TestCloserStatementDecides(t *testing.T) {
	src := "The court found a violation of Article 8. It did not find a separate violation of Article 10, as the complaint was the same."
	r := CheckSummary("The court also found a separate violation of Article 10.", src)
	if len(r.Findings) == 0 || r.Findings[0].Kind != KindNegationMismatch || !strings.Contains(r.Findings[0].Message, "did not find a separate violation") {
		t.Errorf("want a negation-mismatch quoting the denial: %+v", r.Findings)
	}
	if r := CheckSummary("The court found a violation of Article 8.", src); !r.OK {
		t.Errorf("the asserted finding is flagged: %+v", r.Findings)
	}
}

// Every message about a conflict quotes what the source says, as words a
// reader can find in it, never a stem or a lone fragment.
func TestMessagesQuoteTheSource(t *testing.T) {
	src := "The Ghanaian exporters settled the claim with the port authority in March."
	r := CheckSummary("The Ghanaian exporters did not settle the claim with the port authority in March.", src)
	found := false
	for _, f := range r.Findings {
		if f.Kind == KindNegationMismatch {
			found = true
			if !strings.Contains(f.Message, "settled the claim") {
				t.Errorf("message %q does not quote the source's sentence", f.Message)
			}
		}
	}
	if !found {
		t.Errorf("no negation-mismatch in %+v", r.Findings)
	}
	r = CheckSummary("The Togolese exporters settled the claim with the port authority in March.", src)
	for _, f := range r.Findings {
		if f.Kind == KindUnsupportedEntity && !strings.Contains(f.Message, `source 1 says "The Ghanaian exporters settled`) {
			t.Errorf("message %q does not give the source's version", f.Message)
		}
	}
}
