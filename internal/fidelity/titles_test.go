package fidelity

import "testing"

// TestTitleConflict: a title beside a name, before it or after a comma,
// with an age between, is the source's only when the source gives it to
// that name.
func TestTitleConflict(t *testing.T) {
	src := "The regulator on Monday charged Quillon Labs and its former chief executive officer, Dana Frost, with fraud. " +
		"\"Investors were misled,\" said Omar Reyes, director of the regulator's enforcement unit. " +
		"The charges were welcomed by Petra Lind, 52, a former prosecutor who now teaches law."
	cases := []struct {
		claim string
		want  bool
	}{
		{"The regulator charged Quillon Labs and its former chief executive, Omar Reyes, with fraud.", true},
		{"The regulator charged Quillon Labs and its former chief executive, Dana Frost, with fraud.", false},
		{"Former prosecutor Dana Frost welcomed the charges.", true},
		{"Former prosecutor Petra Lind welcomed the charges.", false},
		{"Petra Lind, a former prosecutor, welcomed the charges.", false},
		{"Omar Reyes, the regulator's enforcement director, said investors were misled.", false},
	}
	for _, c := range cases {
		wantFinding(t, c.claim, KindRoleMismatch, "", src, c.claim, c.want)
	}
}

// TestFrameReach: who pays whom and who owns whom, read across a
// description ("the defendant, X"; "Danish shipper Y") and a relative
// clause ("X, which is 60% owned by Y").
func TestFrameReach(t *testing.T) {
	src := "The tribunal ordered Marlow Freight to pay the claimant, Tessel Shipping AS, damages of $40 million. " +
		"Tessel Shipping, which is 60% owned by Corvane Holdings, welcomed the ruling."
	cases := []struct {
		claim string
		want  bool
	}{
		{"The tribunal ordered Tessel Shipping to pay Danish shipper Marlow Freight $40 million in damages.", true},
		{"The tribunal ordered Marlow Freight to pay Danish shipper Tessel Shipping $40 million in damages.", false},
		{"Corvane Holdings, which is 60% owned by Tessel Shipping, welcomed the ruling.", true},
		{"Tessel Shipping, which is 60% owned by Corvane Holdings, welcomed the ruling.", false},
		{"Corvane Holdings, which owns 60% of Tessel Shipping, welcomed the ruling.", false},
	}
	for _, c := range cases {
		wantFinding(t, c.claim, KindRoleMismatch, "", src, c.claim, c.want)
	}
}
