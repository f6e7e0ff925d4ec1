package fidelity

import "testing"

// TestParaphraseNotNegation: ways of restating a source that the negation
// check once misread, each in the team's own words, beside the flip it must
// still catch. Every case names the linguistic rule it exercises.
func TestParaphraseNotNegation(t *testing.T) {
	cases := []struct {
		name, source, claim string
		want                bool // a negation-mismatch
	}{
		{"a capitalised word inside a name is not a verb",
			"The two partners will not act as trustees for three years.",
			"The regulator may seek orders under the Charities Trustees Act 2011 and the two partners gave undertakings.", false},
		{"a negation denies the whole phrase it reaches",
			"The tribunal declined to make an award of interest, noting the delay.",
			"The tribunal declined to award interest because of the delay.", false},
		{"the flip of the whole phrase is caught",
			"The tribunal declined to make an award of interest, noting the delay.",
			"The tribunal made an award of interest despite the delay.", true},
		{"the same phrase denied with another verb",
			"The complaints were settled without recourse to the formal arbitration procedure under clause 12.",
			"The complaints were settled without invoking the clause 12 formal arbitration procedure.", false},
		{"a failure to do is not doing",
			"The landlord did not serve the required notice on the tenants.",
			"The judge said the landlord's failure to serve the required notice was fatal.", false},
		{"a failure to do is not doing, and the flip is caught",
			"The landlord did not serve the required notice on the tenants.",
			"The judge said the landlord served the required notice on the tenants.", true},
		{"outside the group is not in it",
			"Suppliers not in the pilot scheme will pay the standard levy of 4%.",
			"Suppliers outside the pilot scheme will pay the standard 4% levy.", false},
		{"coordination joins like with like",
			"The vote was taken by a show of hands, held without notice, and attended by 40 members.",
			"The vote was held without notice and attended by 40 members.", false},
		{"and which opens a relative clause",
			"The vote was held without notice, attended by about 40 members.",
			"The vote was held without notice and which roughly 40 members attended.", false},
		{"never before reports a first",
			"This is the first licence the board has revoked.",
			"The board has never before revoked a licence.", false},
		{"an indirect question asserts nothing",
			"Lenders should check whether payments are being made available to the listed firms.",
			"Lenders must ensure that payments are not made available to the listed firms.", false},
		{"rather than matches not, over synonyms",
			"Objections should be raised at the hearing, not after an adverse ruling.",
			"Objections should be raised at the hearing rather than after an unfavourable ruling.", false},
	}
	for _, c := range cases {
		wantFinding(t, c.name, KindNegationMismatch, "", "Lawyers expect more work. "+c.source, c.claim, c.want)
	}
}

// TestParaphraseFigures: times with the meridiem on the minutes, and a
// group counted as "a named member and N others".
func TestParaphraseFigures(t *testing.T) {
	cases := []struct {
		name, source, claim string
		want                bool // a number-mismatch
	}{
		{"meridiem on the minutes", "The index closed 2% lower by 4:45pm.", "The index was 2% lower by 4:45 p.m.", false},
		{"the wrong minute is still caught", "The index closed 2% lower by 4:45pm.", "The index was 2% lower by 4:15 p.m.", true},
		{"a member and N others", "Applicants: Mr T Osei and 211 others.", "The 212 applicants won their claim.", false},
		{"the N others alone", "Applicants: Mr T Osei and 211 others.", "Mr Osei and 211 other applicants won.", false},
		{"a wrong total is caught", "Applicants: Mr T Osei and 211 others.", "The 215 applicants won their claim.", true},
	}
	for _, c := range cases {
		wantFinding(t, c.name, KindNumberMismatch, "", c.source, c.claim, c.want)
	}
}

// TestParaphraseKinds: an outlook hedged about no one named is a warning,
// an abbreviation the source gives in brackets names the same party, and a
// sentence-initial plural noun is not a name.
func TestParaphraseKinds(t *testing.T) {
	src := "The complaint was filed in March by the Federation of Independent Bakers (FIB). " +
		"The agency fined the two mills a total of £4 million. Firms should review their supply contracts."
	cases := []struct {
		name, claim, kind string
		want              bool
	}{
		{"a hedged outlook about no one named", "Lawyers advising bakeries may therefore see steady demand for cartel audits and supply contract training.", KindUnsupportedClaim, false},
		{"a hedged outlook is still a warning", "Lawyers advising bakeries may therefore see steady demand for cartel audits and supply contract training.", KindUnverified, true},
		{"a hedged claim about a named party is an error", "Quorvex could face a ban on public tenders and supply contracts next spring.", KindUnsupportedClaim, true},
		{"an unhedged invention is an error", "Lawyers advising bakeries have seen steady demand for cartel audits and supply contract training.", KindUnsupportedClaim, true},
		{"the bracketed abbreviation", "The complaint was filed by FIB in March.", KindRoleMismatch, false},
		{"another party in the role", "The complaint was filed by the agency's rivals, Harwick Mills, in March.", KindRoleMismatch, false},
		{"a sentence-initial plural noun", "Consultants expect the agency to fine more mills.", KindUnsupportedEntity, false},
		{"a sentence-initial plural of -al", "Professionals say firms should review their supply contracts.", KindUnsupportedEntity, false},
		{"a sentence-initial name", "Quorvex said firms should review their supply contracts.", KindUnsupportedEntity, true},
	}
	for _, c := range cases {
		wantFinding(t, c.name, c.kind, "", src, c.claim, c.want)
	}
}

// TestAntonymReach: an antonym is found when the source says the opposite
// about the same things in a passive, in another sentence than the aligned
// one, or when the only "support" elsewhere is about other things.
func TestAntonymReach(t *testing.T) {
	cases := []struct {
		name, source, claim string
		want                bool
	}{
		{"a passive's subject is what it is about",
			"The board met on Monday. The union's claim that the depot staff formed a separate bargaining unit with its own local pay structure was rejected by the panel. Pay was set centrally.",
			"The panel accepted the union's claim that the depot staff formed a separate unit.", true},
		{"the passive agreeing",
			"The board met on Monday. The union's claim that the depot staff formed a separate bargaining unit with its own local pay structure was rejected by the panel. Pay was set centrally.",
			"The panel rejected the union's claim that the depot staff formed a separate unit.", false},
		{"the opposite in another sentence of the source",
			"The scheme had 12,000 members and £800 million in assets when it closed. Its marketing promised low-carbon holdings. An analyst found coal shares in the fund. Savers complained to the ombudsman in 2023. The press covered the story for weeks. Later the trustee admitted the breaches and agreed a penalty with the regulator.",
			"The scheme had 12,000 members and £800 million in assets, and the trustee denied the breaches.", true},
		{"the same polarity in another sentence",
			"The scheme had 12,000 members and £800 million in assets when it closed. Its marketing promised low-carbon holdings. An analyst found coal shares in the fund. Savers complained to the ombudsman in 2023. The press covered the story for weeks. Later the trustee admitted the breaches and agreed a penalty with the regulator.",
			"The scheme had 12,000 members and £800 million in assets, and the trustee admitted the breaches.", false},
		{"support about other things does not outweigh a contradiction",
			"The county court on Friday refused the landlord's application for an injunction against the tenants. The court noted that the lease had been approved by the council.",
			"The county court on Friday granted the landlord's application for an injunction against the tenants.", true},
	}
	for _, c := range cases {
		wantFinding(t, c.name, KindNegationMismatch, "", c.source, c.claim, c.want)
	}
}

// TestOutcomeVerbs: two-word lexicon entries, and a court's verbs of
// outcome (approve, allow, uphold) compared when they govern one object.
func TestOutcomeVerbs(t *testing.T) {
	cases := []struct {
		name, source, claim string
		want                bool
	}{
		{"set aside against upheld",
			"On Tuesday the appeal court set aside the planning permission granted to Dovecote Homes for 300 houses.",
			"On Tuesday the appeal court upheld the planning permission granted to Dovecote Homes for 300 houses.", true},
		{"set aside agreeing",
			"On Tuesday the appeal court set aside the planning permission granted to Dovecote Homes for 300 houses.",
			"On Tuesday the appeal court quashed the planning permission granted to Dovecote Homes for 300 houses.", false},
		{"allowed against dismissed, passive in the source",
			"The hearing lasted two days. The appeal by the city council is allowed, and the earlier order is set aside.",
			"The judges dismissed the city council's appeal after a two-day hearing.", true},
		{"upheld the claim against dismissed the claim",
			"The panel found a breach of the lease and dismissed the claim for lost rent.",
			"The panel found a breach of the lease and upheld the claim for lost rent.", true},
		{"dismissed the appeal and upheld the ruling agree",
			"The court dismissed the appeal against the ruling on the lease.",
			"The court upheld the ruling on the lease.", false},
	}
	for _, c := range cases {
		wantFinding(t, c.name, KindNegationMismatch, "", c.source, c.claim, c.want)
	}
}

// wantFinding checks claim, in a brief's first paragraph citing source 1,
// and reports whether a finding of kind (whose message or sentence has
// sub) is there as want says.
func wantFinding(t *testing.T, label, kind, sub, source, claim string, want bool) {
	t.Helper()
	r := Check(briefOf(para(claim, 1)), map[int]string{1: source})
	if got := hasFinding(r, kind, 0, 0, sub); got != want {
		t.Errorf("%s: %s %v, want %v: %v", label, kind, got, want, r.Findings)
	}
}

// TestNameFromTwoNames: a name made of words of two of the source's names
// is not named there; a given name dropped or added still is.
func TestNameFromTwoNames(t *testing.T) {
	src := "The residents were represented by the Centre for Housing Justice. Their landlord, Marrow Estates, will appeal. Angela Brook led the residents."
	for claim, want := range map[string]bool{
		"The residents were represented by the Tenants Housing Centre.":     true,
		"The residents were represented by the Centre for Housing Justice.": false,
		"Brook led the residents.":                                          false,
		"Ms Angela Brook led the residents.":                                false,
	} {
		wantFinding(t, claim, KindUnsupportedEntity, "", src, claim, want)
	}
}

// TestFormula: "CO2" is "carbon dioxide"; a formula the source has no
// words for is still unsupported.
func TestFormula(t *testing.T) {
	src := "The court ordered the group to cut its carbon dioxide emissions by 35% by 2035."
	wantFinding(t, "CO2", KindUnsupportedEntity, "", src, "The court ordered the group to cut its CO2 emissions by 35% by 2035.", false)
	wantFinding(t, "CH4", KindUnsupportedEntity, "", src, "The court ordered the group to cut its CH4 emissions by 35% by 2035.", true)
}
