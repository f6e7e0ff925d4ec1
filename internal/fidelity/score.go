package fidelity

import "math"

// Tiers a reader of the findings can act on.
const (
	TierError       = "error"        // fix before publishing
	TierNeedsReview = "needs-review" // look at the source passage
	TierSupported   = "supported"    // the cited source carries the sentence
)

// SentenceScore is the verdict on one sentence checked against its
// sources: a score in [0, 1], higher for better supported, its tier and
// the reasons, which are the messages of its findings.
type SentenceScore struct {
	Section   int      `json:"section"`
	Paragraph int      `json:"paragraph"`
	Sentence  string   `json:"sentence"`
	Score     float64  `json:"score"`
	Tier      string   `json:"tier"`
	Support   float64  `json:"support"` // share of the sentence's words and figures in the best source passage
	Reasons   []string `json:"reasons,omitempty"`
}

// ScoreWeights are the weights of the score: a logistic combination of a
// sentence's support and the numbers of its error and warning findings.
// The tier comes from the findings alone (any error: error; any warning:
// needs-review); the score orders sentences within and across tiers and is
// kept consistent with the tier: below 0.35 for an error, 0.35 to 0.65 for
// needs-review, above 0.65 for supported. The weights in use are generated
// into score_weights.go by `legists evaluate --public FILE --cut val
// --fit-score internal/fidelity/score_weights.go` (see FitScore).
type ScoreWeights struct {
	Bias, Support, Errs, Warns float64
}

// score records the verdict on the sentence whose findings start at
// c.findings[mark], when it was checked against a source.
func (c *checker) score(si, pi int, st string, mark int) {
	if c.support < 0 {
		for k := mark; k < len(c.findings); k++ {
			c.findings[k].Tier = tierOf(c.findings[k].Severity)
		}
		return
	}
	errs, warns := 0, 0
	var reasons []string
	for _, f := range c.findings[mark:] {
		if f.Severity == SeverityError {
			errs++
		} else {
			warns++
		}
		reasons = append(reasons, f.Kind+": "+f.Message)
	}
	w := scoreWeights
	x := w.Bias + w.Support*math.Min(1, c.support) + w.Errs*float64(errs) + w.Warns*float64(warns)
	p := 1 / (1 + math.Exp(-x))
	tier := TierSupported
	switch {
	case errs > 0:
		tier, p = TierError, 0.35*p
	case warns > 0:
		tier, p = TierNeedsReview, 0.35+0.3*p
	default:
		p = 0.65 + 0.35*p
	}
	p = math.Round(p*1000) / 1000
	for k := mark; k < len(c.findings); k++ {
		c.findings[k].Tier = tierOf(c.findings[k].Severity)
		c.findings[k].Score = &p
	}
	c.scores = append(c.scores, SentenceScore{Section: si, Paragraph: pi, Sentence: st, Score: p, Tier: tier,
		Support: math.Round(math.Min(1, c.support)*1000) / 1000, Reasons: reasons})
}

func tierOf(severity string) string {
	if severity == SeverityError {
		return TierError
	}
	return TierNeedsReview
}
