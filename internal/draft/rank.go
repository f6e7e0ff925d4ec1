package draft

import (
	"context"
	"math"
	"regexp"
	"strings"
	"unicode"
)

func logf(x float64) float64  { return math.Log(x) }
func sqrtf(x float64) float64 { return math.Sqrt(x) }

// terms are the content words of s: lower case, stop words dropped, and a
// light stemming so "sanctions" and "sanction" meet.
func terms(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' }) {
		w = strings.ToLower(strings.Trim(w, "'’"))
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		if len(w) < 2 || stopwords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem strips common English inflections; good enough for similarity.
func stem(w string) string {
	n := len(w)
	switch {
	case n > 5 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 5 && strings.HasSuffix(w, "ing"):
		return w[:n-3]
	case n > 4 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed"):
		return w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:n-1]
	}
	return w
}

var stopwords = setOf(strings.Fields(`a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves said says say told according would may might must
shall one two new last first year years week weeks month months day days time mr mrs ms per cent percent also however
yesterday today tomorrow monday tuesday wednesday thursday friday saturday sunday`)...)

// legalWords weighs the words that put a sentence among the legal
// consequences: courts, treaties, sanctions, regulation, liability,
// arbitration, compliance.
var legalWords = map[string]float64{
	// courts and litigation
	"court": 2, "courts": 2, "judge": 2, "judges": 2, "judgment": 2, "ruling": 2, "ruled": 1.5, "lawsuit": 2.5,
	"lawsuits": 2.5, "sue": 2.5, "sued": 2.5, "sues": 2.5, "suing": 2.5, "litigation": 2.5, "plaintiff": 2, "plaintiffs": 2,
	"claimant": 2, "claimants": 2, "defendant": 2, "defendants": 2, "appeal": 1.5, "appealed": 1.5, "injunction": 2.5,
	"verdict": 2, "damages": 1.5, "prosecutor": 2, "prosecutors": 2, "prosecution": 2, "indicted": 2.5, "indictment": 2.5,
	"charged": 1, "trial": 1.5, "lawyer": 1.5, "lawyers": 1.5, "attorney": 1.5, "attorneys": 1.5, "counsel": 1.5,
	"solicitor": 1.5, "barrister": 1.5, "legal": 2, "law": 2, "laws": 2, "unlawful": 2.5, "illegal": 2, "lawful": 2,
	"jurisdiction": 2, "precedent": 2,
	// treaties and public international law
	"treaty": 2.5, "treaties": 2.5, "convention": 1.5, "ratify": 2, "ratified": 2, "ratification": 2, "accession": 1.5,
	"veto": 1, "sovereignty": 1.5, "immunity": 2, "provision": 1.5, "provisions": 1.5, "obligation": 1.5,
	"obligations": 1.5, "clause": 2, "constitution": 2, "constitutional": 2.5,
	// sanctions and trade controls
	"sanction": 2.5, "sanctions": 2.5, "sanctioned": 2.5, "embargo": 2.5, "tariff": 1.5, "tariffs": 1.5, "frozen": 1,
	// regulation and compliance
	"regulation": 2.5, "regulations": 2.5, "regulator": 2.5, "regulators": 2.5, "regulatory": 2.5, "legislation": 2.5,
	"legislative": 2, "statute": 2.5, "statutory": 2.5, "directive": 2, "rules": 1, "compliance": 2.5, "comply": 2.5,
	"licence": 1.5, "license": 1.5, "ban": 1.5, "banned": 1.5, "bill": 1, "lawmakers": 1.5, "parliament": 1,
	"enforcement": 2, "enforce": 2, "penalty": 2, "penalties": 2, "fine": 1.5, "fined": 2, "fines": 1.5, "breach": 2,
	"breached": 2, "violated": 2, "violation": 2, "antitrust": 2.5, "investigation": 1.5, "probe": 1.5,
	// liability and contracts
	"liability": 2.5, "liable": 2.5, "negligence": 2.5, "contract": 1.5, "contracts": 1.5, "contractual": 2,
	"settlement": 1.5, "compensation": 1.5, "claims": 1, "insolvency": 2, "bankruptcy": 2,
	// arbitration
	"arbitration": 2.5, "arbitral": 2.5, "tribunal": 2.5, "award": 1, "arbitrator": 2.5, "arbitrators": 2.5, "mediation": 1.5,
}

// legalLexicon is legalWords by stem (see terms).
var legalLexicon = func() map[string]float64 {
	m := make(map[string]float64, len(legalWords))
	for w, v := range legalWords {
		k := stem(w)
		m[k] = max(m[k], v)
	}
	return m
}()

// articleRef finds references such as "Article 5" or "section 87(2)".
var articleRef = regexp.MustCompile(`\b(?:Article|Section|section|Rule|Regulation|Directive|Chapter)\s+\d+`)

// legalScore is the lexicon evidence of a sentence: each distinct term
// counted once.
func legalScore(s string) float64 {
	seen := map[string]bool{}
	score := 0.0
	for _, t := range terms(s) {
		if seen[t] {
			continue
		}
		seen[t] = true
		score += legalLexicon[t]
	}
	if articleRef.MatchString(s) {
		score += 1.5
	}
	return score
}

// LexRank parameters: edges below simFloor are dropped; damping is the
// probability of following an edge rather than jumping to a sentence
// chosen by lead bias.
const (
	simFloor = 0.08
	damping  = 0.85
)

// rank scores the sentences: continuous LexRank, a PageRank over the
// cosine-similarity graph whose random jumps favour the opening sentences
// of each article (lead bias), times the sentence's penalty; normalised to
// a maximum of 1.
func (c *corpus) rank(ctx context.Context) error {
	n := len(c.sents)
	c.sim = make([][]float64, n)
	for i := range c.sim {
		c.sim[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for j := i + 1; j < n; j++ {
			s := cosine(c.sents[i].terms, c.sents[j].terms)
			c.sim[i][j], c.sim[j][i] = s, s
		}
	}
	if n == 0 {
		return nil
	}
	// Jump distribution: 1/sqrt(1+position) within each article.
	jump := make([]float64, n)
	var total float64
	for i, s := range c.sents {
		jump[i] = 1 / math.Sqrt(1+float64(s.pos))
		total += jump[i]
	}
	for i := range jump {
		jump[i] /= total
	}
	// Row sums of the thresholded graph.
	rowSum := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j && c.sim[i][j] >= simFloor {
				rowSum[i] += c.sim[i][j]
			}
		}
	}
	r := make([]float64, n)
	copy(r, jump)
	next := make([]float64, n)
	for iter := 0; iter < 200; iter++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		dangling := 0.0
		for i := range next {
			next[i] = 0
		}
		for i := 0; i < n; i++ {
			if rowSum[i] == 0 {
				dangling += r[i]
				continue
			}
			share := r[i] / rowSum[i]
			for j := 0; j < n; j++ {
				if i != j && c.sim[i][j] >= simFloor {
					next[j] += share * c.sim[i][j]
				}
			}
		}
		delta := 0.0
		for j := range next {
			v := damping*(next[j]+dangling*jump[j]) + (1-damping)*jump[j]
			delta += math.Abs(v - r[j])
			r[j] = v
		}
		if delta < 1e-9 {
			break
		}
	}
	best := 0.0
	for i := range c.sents {
		c.sents[i].rank = r[i] * c.sents[i].penalty
		best = max(best, c.sents[i].rank)
	}
	if best > 0 {
		for i := range c.sents {
			c.sents[i].rank /= best
		}
	}
	return nil
}

func cosine(a, b map[string]float64) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	s := 0.0
	for t, w := range a {
		s += w * b[t]
	}
	return s
}

// consequenceWords mark what follows from an event short of law: an
// authority (weighed little: "according to the council" is attribution)
// and, weighed more, a decision, a requirement, a deadline, what comes next.
var consequenceWords = func() map[string]float64 {
	m := map[string]float64{}
	for _, w := range strings.Fields(`council authority authorities government ministry minister agency police
	officials official mayor`) {
		m[stem(w)] = 0.5
	}
	for _, w := range strings.Fields(`permit permits approval approved approve deadline must required require
	requires plans plan will next ordered order orders decision decided scheme funding budget`) {
		m[stem(w)] = 1.5
	}
	return m
}()

// consequenceScore weighs the consequence words of a sentence.
func consequenceScore(s string) float64 {
	n := 0.0
	for _, t := range terms(s) {
		n += consequenceWords[t]
	}
	return n
}
