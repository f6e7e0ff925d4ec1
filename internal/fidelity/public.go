package fidelity

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"sort"
	"strings"

	"legists/internal/brief"
)

// Public factual-consistency data (AggreFact and the sets it gathers:
// FRANK, SummEval, XSumFaith, Polytope, CoGenSumm, Goyal21, CLIFF …) as
// JSON Lines, one summary per line, as bench/fetch-public-data writes them:
//
//	{"dataset": "FRANK", "origin": "cnndm", "cut": "val", "model_name": "BART",
//	 "doc": "…", "summary": "…", "label": 1, "error_type": "…"}
//
// label 1 is a consistent summary, 0 an inconsistent one. The check runs on
// the summary with the document as its only source (citation 1); the
// summary is "flagged" when the check reports a finding of a counted tier
// for it (by default: any error). A flag is a positive: precision and
// recall are those of flags on inconsistent summaries, the false-flag rate
// the share of consistent summaries flagged, and balanced accuracy the mean
// of recall and 1 - false-flag rate.

// PublicItem is one labelled summary.
type PublicItem struct {
	Dataset   string `json:"dataset"`
	Origin    string `json:"origin"`
	Cut       string `json:"cut"`
	Model     string `json:"model_name"`
	Doc       string `json:"doc"`
	Summary   string `json:"summary"`
	Label     *int   `json:"label"`
	ErrorType string `json:"error_type"`
}

// LoadPublic reads a JSON Lines file of labelled summaries.
func LoadPublic(path string) ([]PublicItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadPublic(f, path)
}

// ReadPublic reads JSON Lines from r; name is used in error messages.
func ReadPublic(r io.Reader, name string) ([]PublicItem, error) {
	var out []PublicItem
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var it PublicItem
		if err := json.Unmarshal([]byte(b), &it); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if it.Label != nil && *it.Label != 0 && *it.Label != 1 {
			return nil, fmt.Errorf("%s:%d: label %d: want 0 (inconsistent) or 1 (consistent)", name, line, *it.Label)
		}
		out = append(out, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return out, nil
}

// CheckSummary checks every sentence of summary against source as its
// only source, numbered 1, without the house format's structure checks.
func CheckSummary(summary, source string) Report {
	text := strings.TrimSpace(summary)
	b := &brief.Brief{Sections: []brief.Section{{Paragraphs: []brief.Paragraph{{
		Text: text, Spans: []brief.Span{{Start: 0, End: len(text), Citations: []int{1}}},
	}}}}}
	c := newChecker(b, map[int]string{1: source})
	c.paragraph(0, 0, b.Sections[0].Paragraphs[0])
	r := Report{Findings: c.findings, Sentences: c.scores}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	r.OK = r.Errors() == 0
	return r
}

// PublicOptions choose what Evaluate counts.
type PublicOptions struct {
	Cut        string // "val" or "test"; "" for every row
	WithReview bool   // count needs-review findings (warnings) as flags too
	Resamples  int    // bootstrap resamples (default 1000)
	Seed       int64  // bootstrap seed
}

// Interval is a figure with its 95% bootstrap interval.
type Interval struct {
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

// PublicScore is the outcome on one group of summaries.
type PublicScore struct {
	Group         string   `json:"group"`
	N             int      `json:"n"`
	Inconsistent  int      `json:"inconsistent"`
	Flagged       int      `json:"flagged"`
	BalancedAcc   Interval `json:"balanced_accuracy"`
	Precision     Interval `json:"precision"`
	Recall        Interval `json:"recall"`
	FalseFlagRate Interval `json:"false_flag_rate"`
}

// PublicResult is a run over public data.
type PublicResult struct {
	Cut       string        `json:"cut"`
	Counted   string        `json:"counted"`
	Skipped   int           `json:"skipped"` // rows without document, summary or label
	Resamples int           `json:"resamples"`
	Seed      int64         `json:"seed"`
	Benchmark []PublicScore `json:"benchmark"` // per dataset and origin
	Origin    []PublicScore `json:"origin"`
	ErrorType []PublicScore `json:"error_type"` // recall per labelled error type
	Kinds     []KindCount   `json:"kinds"`      // which finding kinds raised the flags
	// FalseFlags lists consistent summaries flagged, with the findings.
	FalseFlags []PublicMiss `json:"false_flags"`
}

// PublicMiss is a consistent summary the check flagged.
type PublicMiss struct {
	Dataset  string   `json:"dataset"`
	Summary  string   `json:"summary"`
	Findings []string `json:"findings"`
}

// KindCount is how often a finding kind raised a flag, on inconsistent
// and on consistent summaries.
type KindCount struct {
	Kind         string `json:"kind"`
	Inconsistent int    `json:"on_inconsistent"`
	Consistent   int    `json:"on_consistent"`
}

type outcome struct {
	bad, flagged bool
}

// EvaluatePublic checks every labelled summary of the chosen cut.
func EvaluatePublic(items []PublicItem, o PublicOptions) PublicResult {
	if o.Resamples <= 0 {
		o.Resamples = 1000
	}
	res := PublicResult{Cut: o.Cut, Counted: "error", Resamples: o.Resamples, Seed: o.Seed}
	if o.WithReview {
		res.Counted = "error, needs-review"
	}
	byBench, byOrigin, byType := map[string][]outcome{}, map[string][]outcome{}, map[string][]outcome{}
	kinds := map[string]*KindCount{}
	for _, it := range items {
		if o.Cut != "" && !strings.EqualFold(it.Cut, o.Cut) {
			continue
		}
		if it.Label == nil || strings.TrimSpace(it.Doc) == "" || strings.TrimSpace(it.Summary) == "" {
			res.Skipped++
			continue
		}
		r := CheckSummary(it.Summary, it.Doc)
		oc := outcome{bad: *it.Label == 0}
		seen := map[string]bool{}
		for _, f := range r.Findings {
			if f.Severity == SeverityError || o.WithReview && f.Severity == SeverityWarning {
				oc.flagged = true
				if !seen[f.Kind] {
					seen[f.Kind] = true
					k := kinds[f.Kind]
					if k == nil {
						k = &KindCount{Kind: f.Kind}
						kinds[f.Kind] = k
					}
					if oc.bad {
						k.Inconsistent++
					} else {
						k.Consistent++
					}
				}
			}
		}
		if oc.flagged && !oc.bad {
			m := PublicMiss{Dataset: it.Dataset, Summary: it.Summary}
			for _, f := range r.Findings {
				if f.Severity == SeverityError || o.WithReview {
					m.Findings = append(m.Findings, f.Kind+": "+f.Message)
				}
			}
			res.FalseFlags = append(res.FalseFlags, m)
		}
		origin := strings.ToLower(it.Origin)
		byBench[it.Dataset+" "+origin] = append(byBench[it.Dataset+" "+origin], oc)
		byOrigin[origin] = append(byOrigin[origin], oc)
		if oc.bad {
			for _, t := range errorTypes(it.ErrorType) {
				byType[origin+" "+t] = append(byType[origin+" "+t], oc)
			}
		}
	}
	rng := rand.New(rand.NewSource(o.Seed))
	res.Benchmark = scoreGroups(byBench, o.Resamples, rng)
	res.Origin = scoreGroups(byOrigin, o.Resamples, rng)
	res.ErrorType = scoreGroups(byType, o.Resamples, rng)
	for _, k := range kinds {
		res.Kinds = append(res.Kinds, *k)
	}
	sort.Slice(res.Kinds, func(i, j int) bool { return res.Kinds[i].Kind < res.Kinds[j].Kind })
	return res
}

// errorTypes splits a labelled error type such as "['intrinsic-predicate',
// 'extrinsic-entity']" into its parts.
func errorTypes(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("[],'\" ", r) }) {
		if p != "" && p != "nan" {
			out = append(out, p)
		}
	}
	return out
}

func scoreGroups(groups map[string][]outcome, resamples int, rng *rand.Rand) []PublicScore {
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	var out []PublicScore
	for _, g := range names {
		out = append(out, scoreGroup(g, groups[g], resamples, rng))
	}
	return out
}

type rates struct{ bacc, prec, rec, ffr float64 }

func measure(ocs []outcome) (r rates, inconsistent, flagged int) {
	var tp, fp, fn, tn int
	for _, o := range ocs {
		switch {
		case o.bad && o.flagged:
			tp++
		case o.bad:
			fn++
		case o.flagged:
			fp++
		default:
			tn++
		}
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	r.rec = ratio(tp, tp+fn)
	r.ffr = ratio(fp, fp+tn)
	r.prec = ratio(tp, tp+fp)
	switch {
	case tp+fn == 0:
		r.bacc = 1 - r.ffr
	case fp+tn == 0:
		r.bacc = r.rec
	default:
		r.bacc = (r.rec + 1 - r.ffr) / 2
	}
	return r, tp + fn, tp + fp
}

// scoreGroup scores one group with a percentile bootstrap (95%).
func scoreGroup(name string, ocs []outcome, resamples int, rng *rand.Rand) PublicScore {
	r, bad, flagged := measure(ocs)
	s := PublicScore{Group: name, N: len(ocs), Inconsistent: bad, Flagged: flagged}
	samples := make([]rates, resamples)
	buf := make([]outcome, len(ocs))
	for i := range samples {
		for j := range buf {
			buf[j] = ocs[rng.Intn(len(ocs))]
		}
		samples[i], _, _ = measure(buf)
	}
	iv := func(v float64, get func(rates) float64) Interval {
		xs := make([]float64, len(samples))
		for i, x := range samples {
			xs[i] = get(x)
		}
		sort.Float64s(xs)
		return Interval{Value: v, Low: xs[int(0.025*float64(len(xs)))], High: xs[min(len(xs)-1, int(0.975*float64(len(xs))))]}
	}
	s.BalancedAcc = iv(r.bacc, func(x rates) float64 { return x.bacc })
	s.Precision = iv(r.prec, func(x rates) float64 { return x.prec })
	s.Recall = iv(r.rec, func(x rates) float64 { return x.rec })
	s.FalseFlagRate = iv(r.ffr, func(x rates) float64 { return x.ffr })
	return s
}

// WriteTable prints the result for people; verbose lists the false flags.
func (r PublicResult) WriteTable(w io.Writer, verbose bool) {
	cut := r.Cut
	if cut == "" {
		cut = "all"
	}
	fmt.Fprintf(w, "cut %s; a summary is flagged on any finding of tier: %s; 95%% bootstrap intervals (%d resamples, seed %d)\n",
		cut, r.Counted, r.Resamples, r.Seed)
	if r.Skipped > 0 {
		fmt.Fprintf(w, "%d rows skipped: no document, summary or label\n", r.Skipped)
	}
	table := func(title string, rows []PublicScore, recallOnly bool) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%-28s %5s %5s %5s  %-19s %-19s %-19s %-19s\n", title, "n", "bad", "flag", "balanced acc", "precision", "recall", "false-flag rate")
		for _, s := range rows {
			f := func(i Interval) string {
				return fmt.Sprintf("%5.1f [%4.1f, %4.1f]", 100*i.Value, 100*i.Low, 100*i.High)
			}
			if recallOnly {
				fmt.Fprintf(w, "%-28s %5d %5d %5d  %-19s %-19s %-19s %-19s\n", s.Group, s.N, s.Inconsistent, s.Flagged, "", "", f(s.Recall), "")
				continue
			}
			fmt.Fprintf(w, "%-28s %5d %5d %5d  %-19s %-19s %-19s %-19s\n", s.Group, s.N, s.Inconsistent, s.Flagged,
				f(s.BalancedAcc), f(s.Precision), f(s.Recall), f(s.FalseFlagRate))
		}
	}
	table("benchmark (dataset origin)", r.Benchmark, false)
	table("origin", r.Origin, false)
	table("labelled error type", r.ErrorType, true)
	if len(r.Kinds) > 0 {
		fmt.Fprintf(w, "\n%-22s %16s %14s\n", "finding kind", "on inconsistent", "on consistent")
		for _, k := range r.Kinds {
			fmt.Fprintf(w, "%-22s %16d %14d\n", k.Kind, k.Inconsistent, k.Consistent)
		}
	}
	if verbose {
		for _, m := range r.FalseFlags {
			fmt.Fprintf(w, "\nfalse flag (%s): %s\n", m.Dataset, m.Summary)
			for _, f := range m.Findings {
				fmt.Fprintf(w, "    %s\n", f)
			}
		}
	}
}
