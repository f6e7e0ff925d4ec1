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
		// the perfect of a plan or a request: its object is not done
		{"The insurer, which had planned a judicial review of the decision, is weighing its options.", false},
		{"Creditor groups have urged the regulator to widen its inquiry into the sale.", false},
	}
	for _, c := range cases {
		wantFinding(t, c.claim, KindUnsupportedClaim, "only as planned", src, c.claim, c.want)
	}
}

// TestNoneAndSome: "several arrests" against "no arrests" or "nobody was
// arrested", and the reverse against a count.
func TestNoneAndSome(t *testing.T) {
	cases := []struct {
		source, claim string
		want          bool
	}{
		{"Police searched nine offices on Monday. Nobody was arrested.", "Police searched nine offices on Monday and several arrests were made.", true},
		{"Police searched nine offices on Monday. Nobody was arrested.", "Police searched nine offices on Monday and no arrests were made.", false},
		{"Police searched nine offices. No complaints were filed by staff.", "Police searched nine offices, and numerous complaints were filed by staff.", true},
		{"Police searched nine offices. Two arrests were made.", "Police searched nine offices, and no arrests were made.", true},
		{"Police searched nine offices. Two arrests were made.", "Police searched nine offices, and two arrests were made.", false},
	}
	for _, c := range cases {
		wantFinding(t, c.claim, KindNegationMismatch, "", c.source, c.claim, c.want)
	}
}

// TestPence: "31p in the pound" is a figure in pence.
func TestPence(t *testing.T) {
	src := "Unsecured creditors would receive 31p in the pound under the plan."
	for claim, want := range map[string]bool{
		"Unsecured creditors would get 31p in the pound under the plan.": false,
		"Unsecured creditors would get 13p in the pound under the plan.": true,
	} {
		wantFinding(t, claim, KindNumberMismatch, "", src, claim, want)
	}
}

// TestWithNo: "with no X" and "without X" say the same.
func TestWithNo(t *testing.T) {
	src := `"The Tribunal drew its inference from trading patterns and phone records, with no direct evidence of what was said," said Grace Ho.`
	for claim, want := range map[string]bool{
		"Grace Ho said the Tribunal drew its inference from trading patterns and phone records without direct evidence of what was said.": false,
		"Grace Ho said the Tribunal drew its inference from trading patterns and phone records, with direct evidence of what was said.":   true,
	} {
		wantFinding(t, claim, KindNegationMismatch, "", src, claim, want)
	}
	// "in the absence of" neither asserts nor denies
	wantFinding(t, "absence", KindNegationMismatch, "", src, "Grace Ho noted that in the absence of direct evidence of what was said, the Tribunal drew its inference from trading patterns and phone records.", false)
	src2 := "The court ruled without hearing the respondent's witnesses."
	wantFinding(t, "with no", KindNegationMismatch, "", src2, "The court ruled with no hearing of the respondent's witnesses.", false)
}

// TestBarredFrom: "banned them from dealing" says "may not deal".
func TestBarredFrom(t *testing.T) {
	src := "The Tribunal banned the two men from dealing in securities in Hong Kong for five years."
	wantFinding(t, "may not deal", KindNegationMismatch, "", src, "The two men may not deal in securities in Hong Kong for five years.", false)
	wantFinding(t, "barred from contracts", KindNegationMismatch, "", "BAFA said it had excluded Rheinwerk from public contracts for one year.", "The regulator also barred Rheinwerk from public contracts for one year.", false)
	// US persons are barred; that says nothing of foreign persons
	wantFinding(t, "other subject", KindNegationMismatch, "", "US persons are generally prohibited from dealing with them.", "Treasury warned that foreign persons dealing with them risk exposure to sanctions.", false)
}

// TestLexiconOpposites: a dissent is not agreement, an inquiry that
// continues has not ended, what rarely happens does not usually happen.
func TestLexiconOpposites(t *testing.T) {
	for _, c := range []struct {
		src, claim string
		want       bool
	}{
		{"Lord Reeves gave the lead judgment, while Lady Marsh dissented on the funding point.", "Lord Reeves gave the lead judgment, while Lady Marsh agreed on the funding point.", true},
		{"Lord Reeves gave the lead judgment, while Lady Marsh dissented on the funding point.", "Lady Marsh dissented on the funding point, while Lord Reeves gave the lead judgment.", false},
		{"The SFO said its investigation into individuals is continuing.", "The SFO said its investigation into individuals has ended.", true},
		{"Appeals to the tribunal must be lodged within four weeks and rarely succeed.", "Appeals to the tribunal must be lodged within four weeks and usually succeed.", true},
		{"Appeals to the tribunal must be lodged within four weeks and rarely succeed.", "Appeals to the tribunal seldom succeed and must be lodged within four weeks.", false},
	} {
		wantFinding(t, c.claim, KindNegationMismatch, "", c.src, c.claim, c.want)
	}
}

// TestNoFewerThan: "no fewer than" bounds a figure; it is not "fewer".
func TestNoFewerThan(t *testing.T) {
	src := "Claimant firms said the ruling could open the door to many more claims under section 90A. At least 15 such claims are pending in England."
	wantFinding(t, "no fewer than", KindNegationMismatch, "", src, "No fewer than 15 claims under section 90A are pending in England.", false)
}
