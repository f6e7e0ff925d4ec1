package fidelity

import "testing"

// TestMoreSelfReference: the team's own sentences for each pattern of
// selfref.go, with the fair sentences of the same shape that must pass.
func TestMoreSelfReference(t *testing.T) {
	src := "Norvale Bank's Norvale Pay app was fined. The Danish regulator fined Norvale Bank. " +
		"Quellmark, owed £3m by Tarsis, sued. Tarsis said the regulator's case against Tarsis was weak."
	cases := []struct {
		claim string
		want  bool
	}{
		{"The fine was imposed under the EU's EU payments rules.", true},
		{"This is the FCA's third FCA penalty this year.", true},
		{"Denmark's Danish regulator fined Norvale Bank.", true},
		{"Denmark's regulator fined Norvale Bank.", false},
		{"Norvale Bank's Norvale Pay app was fined.", false},
		{"Tarsis's stake in Tarsis was sold in May.", true},
		{"Tarsis's chief executive of Tarsis, Jo Brand, resigned.", true},
		{"Tarsis's chief executive, Jo Brand, resigned.", false},
		{"Tarsis's appeal of the fine imposed on Tarsis failed.", false},
		{"The court ordered Quellmark to pay Quellmark £3m.", true},
		{"The court ordered Quellmark to pay Tarsis £3m.", false},
		{"Quellmark, owed £3m by Quellmark, sued.", true},
		{"Quellmark, owed £3m by Tarsis, sued.", false},
		{"The Ostland Authority, which took over the duties of the Ostland Authority, fined Tarsis.", true},
		{"The Ostland Authority, which took over the duties of the Vell Board, fined Tarsis.", false},
		{"Tarsis said it would appeal against Tarsis to the High Court.", true},
		{"Tarsis, which is owned by Quellmark, will appeal against Tarsis.", true},
		{"Tarsis said the regulator's case against Tarsis was weak.", false},
		{"Tarsis said it would appeal against the ruling.", false},
	}
	for _, c := range cases {
		wantFinding(t, c.claim, KindSelfReference, "", src, c.claim, c.want)
	}
}

// TestSelfSlot: a name written twice where the source gives the second
// slot to another party; the message quotes the source's version.
func TestSelfSlot(t *testing.T) {
	src := "The regulator charged Corvane and its former chief executive, Alan Presser, with misleading investors about the trial. " +
		"Halden said its patent was valid. The court rejected Cheung's explanation that he relied on research."
	for _, c := range []struct {
		claim string
		want  bool
	}{
		{"The regulator charged Corvane and its former chief executive, Alan Presser, with misleading Alan Presser about the trial.", true},
		{"The regulator charged Alan Presser, Corvane's former chief executive, with misleading investors about the trial.", false},
		{"Halden said Halden's patent was valid.", false},
		{"Cheung lost: the court rejected Cheung's explanation that he relied on research.", false},
	} {
		wantFinding(t, c.claim, KindSelfReference, "", src, c.claim, c.want)
	}
	r := CheckSummary("The regulator charged Corvane and its former chief executive, Alan Presser, with misleading Alan Presser about the trial.", src)
	if !hasFinding(r, KindSelfReference, 0, 0, `source 1 says "misleading investors about"`) {
		t.Errorf("the message does not quote the source: %v", r.Findings)
	}
}
