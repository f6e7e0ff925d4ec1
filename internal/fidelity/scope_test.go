package fidelity

import "testing"

// TestNegationScope: a negation reaches only its own clause, and an
// antonym pair conflicts only when both words are about the same thing.
func TestNegationScope(t *testing.T) {
	cases := []struct {
		name, source, claim string
		want                bool // a negation-mismatch
	}{
		{"negation stops at the clause",
			"A request for information is not a finding of breach. Corvid, a signatory of the Code, said it would cooperate with the AI Office.",
			"A request for information is not a finding of breach, and Corvid, a signatory of the Code, said it would cooperate.", false},
		{"a source negation stops at the clause",
			"It argued that the tribunal had relied on a theory of causation that neither party had advanced, and that it had exceeded its jurisdiction over two cargoes.",
			"It argued that the tribunal had relied on a causation theory neither party had advanced, and had exceeded its jurisdiction over two cargoes.", false},
		{"the flip is still caught",
			"It argued that the tribunal had relied on a theory of causation that neither party had advanced, and that it had exceeded its jurisdiction over two cargoes.",
			"It argued that the tribunal had relied on a causation theory neither party had advanced, and had not exceeded its jurisdiction over two cargoes.", true},
		{"antonyms about different things",
			"Germany's Bundeskartellamt has imposed fines totalling €61.4 million on two manufacturers for coordinating price increases. Hallerbach was fined €38.9 million and Nordfels €22.5 million. A third company reported the cartel. Sales managers met regularly. Both companies cooperated with the investigation and agreed to a settlement, which reduced their fines.",
			"Hallerbach was fined €38.9 million and Nordfels €22.5 million; both companies cooperated with the investigation and agreed to a settlement, which reduced their fines.", false},
		{"antonyms about the same thing",
			"The authority fined two makers for coordinating price increases between 2018 and 2024. Both companies cooperated and agreed to a settlement, which reduced their fines.",
			"Both companies cooperated and agreed to a settlement, which increased their fines.", true},
		{"not X beside an asserted X",
			"The Directive presumes an employment relationship where facts indicating control are found. The platform must prove that the relationship is not one of employment.",
			"The Directive presumes an employment relationship where facts indicating control are found, and puts the burden on the platform.", false},
		{"not X dropped",
			"Regulators said the firm had not encrypted the customer data.",
			"Regulators said the firm had encrypted the customer data.", true},
		{"not inserted",
			"The court upheld the award and dismissed the challenge.",
			"The court did not uphold the award and dismissed the challenge.", true},
	}
	for _, c := range cases {
		r := Check(briefOf(para(c.claim, 1)), map[int]string{1: "Lawyers expect more work. " + c.source})
		got := hasFinding(r, KindNegationMismatch, 0, 0, "")
		if got != c.want {
			t.Errorf("%s: negation-mismatch %v, want %v: %v", c.name, got, c.want, r.Findings)
		}
	}
}

func TestArticleText(t *testing.T) {
	cases := map[string]string{
		"Title: A\nURL: https://x.example/a\nPublisher: P\nPublished: 2026-01-02\n\nThe text.": "The text.",
		"\ufeffTitle: A\r\nURL: u\r\n\r\nThe text.":                                            "The text.",
		"The text.\n\nMore.":                 "The text.\n\nMore.",
		"Note: this is text.\n\nMore.":       "Note: this is text.\n\nMore.",
		"Title: A\nThe court ruled.\n\nMore": "Title: A\nThe court ruled.\n\nMore",
		"Title: only a header":               "",
	}
	for in, want := range cases {
		if got := articleText(in); got != want {
			t.Errorf("articleText(%q) = %q, want %q", in, got, want)
		}
	}
}
