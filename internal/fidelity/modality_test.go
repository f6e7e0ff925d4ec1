package fidelity

import "testing"

// TestRealisedObject: a perfect that states as done what the source gives
// only as planned, possible or in question.
func TestRealisedObject(t *testing.T) {
	src := "The insurer said it would seek a judicial review of the decision. " +
		"Its auditors will assess whether a provision is needed in the annual accounts. " +
		"The regulator has already opened an inquiry into the sale."
	cases := []struct {
		claim string
		want  bool
	}{
		{"The insurer has already filed for a judicial review of the decision.", true},
		{"The insurer said it would seek a judicial review of the decision.", false},
		{"Its auditors have booked a provision in the annual accounts.", true},
		{"Its auditors will assess whether a provision is needed.", false},
		{"The regulator has opened an inquiry into the sale.", false},
		{"A fuller review would have required a provision in the accounts.", false},
	}
	for _, c := range cases {
		r := Check(briefOf(para(c.claim, 1)), map[int]string{1: src})
		if got := hasFinding(r, KindUnsupportedClaim, 0, 0, "only as planned"); got != c.want {
			t.Errorf("%q: possibility stated as done %v, want %v: %v", c.claim, got, c.want, r.Findings)
		}
	}
}
