package fidelity

import (
	"strings"
	"testing"
)

// Role swaps written by the team in the shapes the issue lists: each claim
// uses only names its source has, in another role.
func TestRoleMismatch(t *testing.T) {
	for _, c := range []struct{ claim, source, want string }{
		{
			"Norland argues that Norland's Trade Remedies Board inflated the margins.",
			"Norland argues that Kestrelia's Trade Remedies Board inflated the dumping margins on its steel exports.",
			`source 1 says "Kestrelia's Trade Remedies Board"`,
		},
		{
			"Harwick Partners sold its stake to Brenlow Foods for 40 million euros.",
			"Harwick Partners sold its stake in Brenlow Foods to Ostara Capital for 40 million euros.",
			`source 1 says "stake in Brenlow Foods to Ostara Capital"`,
		},
		{
			"The court found that Velmora's valve infringes the Velmora patent.",
			"The court found that Castrel's valve infringes a patent held by Velmora.",
			`source 1 says "Castrel's valve"`,
		},
		{
			"The fine was imposed by Ireland's regulator on Quellmark after a complaint from Dunmore.",
			"The fine was imposed by the Data Protection Commission on Quellmark after a complaint from Arvan, a rival of Dunmore.",
			`source 1 says "complaint from Arvan"`,
		},
		{
			"The case against the licences was brought by Kastoria.",
			"The campaign group Open Hands brought the case against the licences granted to Kastoria.",
			`source 1 says "Open Hands brought the case"`,
		},
	} {
		r := CheckSummary(c.claim, c.source)
		var got []string
		found := false
		for _, f := range r.Findings {
			got = append(got, f.Kind+": "+f.Message)
			if f.Kind == KindRoleMismatch && f.Severity == SeverityError && strings.Contains(f.Message, c.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want a role-mismatch saying %s; got %q", c.claim, c.want, got)
		}
	}
}

// The same relations with the same names, or said in other words, are no
// role mismatch.
func TestRoleMatchClean(t *testing.T) {
	for _, c := range []struct{ claim, source string }{
		{"Kestrelia's Trade Remedies Board inflated the margins.", "Kestrelia's Trade Remedies Board inflated the dumping margins."},
		{"Harwick Partners sold its stake in Brenlow Foods to Ostara Capital.", "Harwick Partners sold its stake in Brenlow Foods to Ostara Capital."},
		{"The stake was sold to Ostara Capital.", "Harwick sold the stake to Ostara Capital, which outbid Brenlow Foods."},
		{"The appeal was brought by Dunmore against Quellmark.", "Dunmore brought the appeal against Quellmark in May."},
		{"Quellmark said the complaint from Arvan was unfounded.", "Quellmark said the complaint from Arvan, filed with help from Dunmore, was unfounded."},
		{"The case was brought by Open Hands.", "The campaign group Open Hands brought the case over licences granted to Kastoria."},
		// an acronym for the name the source spells out
		{"Shareholders plan to use the SEC's complaint in their class action.", "Shareholders said they would use the Securities and Exchange Commission's complaint in their class action."},
	} {
		r := CheckSummary(c.claim, c.source)
		for _, f := range r.Findings {
			if f.Kind == KindRoleMismatch {
				t.Errorf("%q against %q: %s", c.claim, c.source, f.Message)
			}
		}
	}
}

func TestRoleSwapAroundVerb(t *testing.T) {
	for _, c := range []struct {
		claim, source string
		swapped       bool
	}{
		{"Velmora sued Castrel over the valve design.", "Castrel sued Velmora over the valve design in March.", true},
		{"Castrel was sued by Velmora over the valve design.", "Castrel sued Velmora over the valve design in March.", true},
		{"Velmora was sued by Castrel over the valve design.", "Castrel sued Velmora over the valve design in March.", false},
		{"Castrel sued Velmora over the valve.", "Castrel sued Velmora over the valve design in March.", false},
		{"Velmora and Castrel met in March.", "Castrel met Velmora in March.", false},
	} {
		r := CheckSummary(c.claim, c.source)
		got := false
		for _, f := range r.Findings {
			got = got || f.Kind == KindRoleMismatch
		}
		if got != c.swapped {
			t.Errorf("%q against %q: role-mismatch %v, want %v (%+v)", c.claim, c.source, got, c.swapped, r.Findings)
		}
	}
}

func TestQuotations(t *testing.T) {
	src := "The minister said the ruling was “a victory for common sense” and that the government would not appeal."
	for _, c := range []struct {
		claim string
		err   bool
	}{
		{"The minister called the ruling \"a victory for common sense\".", false},
		{"The minister called the ruling ‘A victory for common sense’.", false},
		{"The minister called the ruling \"a triumph for common sense\".", true},
		{"The minister said the government would \"never appeal this outrageous ruling\".", true},
		{"The minister's view was that the ruling's effect is clear.", false},
	} {
		r := CheckSummary(c.claim, src)
		got := false
		for _, f := range r.Findings {
			got = got || f.Severity == SeverityError && strings.Contains(f.Message, "quotation")
		}
		if got != c.err {
			t.Errorf("%q: quotation error %v, want %v (%+v)", c.claim, got, c.err, r.Findings)
		}
	}
}

// Every sentence checked against a source gets a score and a tier that
// agree with its findings.
func TestSentenceScores(t *testing.T) {
	src := "The Riverton council approved a budget of $4 million on Tuesday. The mayor said the money would repair two bridges."
	r := CheckSummary("The Riverton council approved a budget of $4 million on Tuesday. The council approved a budget of $9 million. The mayor said it would repair the harbour, the schools and the parks.", src)
	if len(r.Sentences) != 3 {
		t.Fatalf("%d sentence scores, want 3: %+v", len(r.Sentences), r.Sentences)
	}
	want := []string{TierSupported, TierError}
	for i, w := range want {
		if r.Sentences[i].Tier != w {
			t.Errorf("sentence %d tier %q, want %q (%+v)", i, r.Sentences[i].Tier, w, r.Sentences[i])
		}
	}
	if !(r.Sentences[0].Score > 0.65 && r.Sentences[1].Score < 0.35) {
		t.Errorf("scores %v and %v: want above 0.65 for supported, below 0.35 for an error", r.Sentences[0].Score, r.Sentences[1].Score)
	}
	if r.Sentences[2].Tier == TierSupported {
		t.Errorf("a sentence the source barely supports is %q: %+v", r.Sentences[2].Tier, r.Sentences[2])
	}
	for _, f := range r.Findings {
		if f.Score == nil || f.Tier == "" {
			t.Errorf("finding without score or tier: %+v", f)
		}
	}
}
