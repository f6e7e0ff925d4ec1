package fidelity

import "testing"

// TestDisplacedDates: a date the source gives for something else (its own
// masthead, another year of the story) put on the sentence's event.
func TestDisplacedDates(t *testing.T) {
	const alert = "Tax Bulletin | Corporate Disputes | 9 March 2026\n\n" +
		"The Court of Appeal on 6 March 2026 ordered Brindle Foods to repay £14 million of relief claimed since 2019. " +
		"The company said it would study the ruling. Its shares were steady. Analysts expect a further appeal. " +
		"Brindle was founded in 2011 as a bakery chain.\n"
	const release = "Harbourtown, 12 May 2026\n\n" +
		"The port authority today fined Keelson Lines £2 million for unsafe mooring. The ship operator has 28 days to appeal.\n"
	cases := []struct {
		name, source, claim string
		want                bool
	}{
		{"the masthead's date on the event", alert,
			"The Court of Appeal on 9 March 2026 ordered Brindle Foods to repay £14 million of relief.", true},
		{"the event's date", alert,
			"The Court of Appeal on 6 March 2026 ordered Brindle Foods to repay £14 million of relief.", false},
		{"a statement dated by the masthead", alert,
			"Brindle Foods said on 9 March 2026 that it would study the ruling.", false},
		{"a release dated the day of its event", release,
			"The port authority on 12 May 2026 fined Keelson Lines £2 million for unsafe mooring.", false},
		{"another year of the story", alert,
			"The Court of Appeal on 6 March 2026 ordered Brindle Foods to repay £14 million of relief claimed since 2011.", true},
		{"the story's own year", alert,
			"The Court of Appeal ordered Brindle Foods to repay £14 million of relief claimed since 2019.", false},
	}
	for _, c := range cases {
		wantFinding(t, c.name, KindDateMismatch, "", c.source, c.claim, c.want)
	}
}
