package legalref

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// An evaluation set is a folder of documents, NN.txt, each with its labels
// NN.json:
//
//	{"references": [{"text": "exact substring", "occurrence": 1, "kind": "...",
//	  "jurisdiction": "...", "group": "g1", "url": "expected url or empty"}],
//	 "not_references": ["exact substrings that must not be reported"]}
//
// An expected reference is found when a reference Find reports overlaps its
// span (the occurrence-th occurrence of text); a reported reference is a
// true positive when it overlaps an expected one. A link is correct when it
// equals the expected url and wrong when it is non-empty and different
// (any url where "" was expected). References sharing a group must get one
// canonical string.

// Expected is one labelled reference.
type Expected struct {
	Text         string `json:"text"`
	Occurrence   int    `json:"occurrence"`
	Kind         string `json:"kind"`
	Jurisdiction string `json:"jurisdiction"`
	Group        string `json:"group"`
	URL          string `json:"url"`
}

// Labels is the content of a document's NN.json.
type Labels struct {
	References    []Expected `json:"references"`
	NotReferences []string   `json:"not_references"`
}

// EvalDoc is one document of an evaluation set.
type EvalDoc struct {
	Name   string
	Text   string
	Labels Labels
}

// LoadEvalSet reads the NN.txt/NN.json pairs of dir.
func LoadEvalSet(dir string) ([]EvalDoc, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no NN.txt documents", dir)
	}
	sort.Strings(names)
	var docs []EvalDoc
	for _, n := range names {
		text, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		lp := strings.TrimSuffix(n, ".txt") + ".json"
		raw, err := os.ReadFile(lp)
		if err != nil {
			return nil, fmt.Errorf("%s: labels: %w", n, err)
		}
		var l Labels
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("%s: %w", lp, err)
		}
		docs = append(docs, EvalDoc{Name: filepath.Base(n), Text: string(text), Labels: l})
	}
	return docs, nil
}

// EvalMiss is a reference missed, falsely reported, badly linked or named
// inconsistently.
type EvalMiss struct {
	Doc    string `json:"doc"`
	Text   string `json:"text"`
	Detail string `json:"detail"`
}

// EvalResult is the score of Find on an evaluation set.
type EvalResult struct {
	Documents            int        `json:"documents"`
	Expected             int        `json:"expected"`
	Found                int        `json:"found"`
	Reported             int        `json:"reported"`
	TruePositives        int        `json:"true_positives"`
	Precision            float64    `json:"precision"`
	Recall               float64    `json:"recall"`
	LinksExpected        int        `json:"links_expected"`
	LinksCorrect         int        `json:"links_correct"`
	LinksWrong           int        `json:"links_wrong"`
	LinksMissing         int        `json:"links_missing"`
	LinkAccuracy         float64    `json:"link_accuracy"`
	Groups               int        `json:"groups"`
	GroupsConsistent     int        `json:"groups_consistent"`
	CanonicalConsistency float64    `json:"canonical_consistency"`
	KindCorrect          int        `json:"kind_correct"`
	JurisdictionCorrect  int        `json:"jurisdiction_correct"`
	NotReferencesHit     int        `json:"not_references_hit"`
	Missed               []EvalMiss `json:"missed"`
	FalsePositives       []EvalMiss `json:"false_positives"`
	BadLinks             []EvalMiss `json:"bad_links"`
	Inconsistent         []EvalMiss `json:"inconsistent"`
}

// spanOf is the byte span of the n-th (1-based) occurrence of sub in text.
func spanOf(text, sub string, n int) (int, int, bool) {
	if n < 1 {
		n = 1
	}
	from := 0
	for i := 1; ; i++ {
		k := strings.Index(text[from:], sub)
		if k < 0 || sub == "" {
			return 0, 0, false
		}
		if i == n {
			return from + k, from + k + len(sub), true
		}
		from += k + 1
	}
}

// Evaluate scores Find on docs.
func Evaluate(docs []EvalDoc) EvalResult {
	var r EvalResult
	r.Documents = len(docs)
	for _, d := range docs {
		got := Find(d.Text)
		r.Reported += len(got)
		type span struct{ a, b int }
		exp := make([]span, len(d.Labels.References))
		for i, e := range d.Labels.References {
			a, b, ok := spanOf(d.Text, e.Text, e.Occurrence)
			if !ok {
				a, b = -1, -1
				r.Missed = append(r.Missed, EvalMiss{d.Name, e.Text, "label text not in the document"})
			}
			exp[i] = span{a, b}
		}
		overlap := func(g Reference, s span) bool { return s.a >= 0 && g.Start < s.b && s.a < g.End }
		for _, g := range got {
			tp := false
			for _, s := range exp {
				if overlap(g, s) {
					tp = true
					break
				}
			}
			if tp {
				r.TruePositives++
			} else {
				r.FalsePositives = append(r.FalsePositives, EvalMiss{d.Name, g.Text, g.Kind + " " + g.Canonical})
			}
		}
		for _, nr := range d.Labels.NotReferences {
			for n := 1; ; n++ {
				a, b, ok := spanOf(d.Text, nr, n)
				if !ok {
					break
				}
				for _, g := range got {
					if overlap(g, span{a, b}) {
						r.NotReferencesHit++
						break
					}
				}
			}
		}
		canon := map[string]map[string]string{} // group -> canonical -> text
		for i, e := range d.Labels.References {
			r.Expected++
			if e.URL != "" {
				r.LinksExpected++
			}
			var match *Reference
			for j := range got {
				if overlap(got[j], exp[i]) {
					match = &got[j]
					break
				}
			}
			if match == nil {
				if exp[i].a >= 0 {
					r.Missed = append(r.Missed, EvalMiss{d.Name, e.Text, e.Kind})
				}
				continue
			}
			r.Found++
			if match.Kind == e.Kind {
				r.KindCorrect++
			}
			if match.Jurisdiction == e.Jurisdiction {
				r.JurisdictionCorrect++
			}
			switch {
			case match.URL == e.URL:
				if e.URL != "" {
					r.LinksCorrect++
				}
			case match.URL == "":
				r.LinksMissing++
				r.BadLinks = append(r.BadLinks, EvalMiss{d.Name, e.Text, "no link, want " + e.URL})
			default:
				r.LinksWrong++
				want := e.URL
				if want == "" {
					want = `""`
				}
				r.BadLinks = append(r.BadLinks, EvalMiss{d.Name, e.Text, "link " + match.URL + ", want " + want})
			}
			if e.Group != "" {
				if canon[e.Group] == nil {
					canon[e.Group] = map[string]string{}
				}
				canon[e.Group][match.Canonical] = e.Text
			}
		}
		groups := make([]string, 0, len(canon))
		for g := range canon {
			groups = append(groups, g)
		}
		sort.Strings(groups)
		for _, g := range groups {
			r.Groups++
			if len(canon[g]) == 1 {
				r.GroupsConsistent++
				continue
			}
			var parts []string
			for c, txt := range canon[g] {
				parts = append(parts, fmt.Sprintf("%q→%q", txt, c))
			}
			sort.Strings(parts)
			r.Inconsistent = append(r.Inconsistent, EvalMiss{d.Name, g, strings.Join(parts, "; ")})
		}
	}
	r.Precision = ratio(r.TruePositives, r.Reported)
	r.Recall = ratio(r.Found, r.Expected)
	// Link accuracy: of the found references, those whose link is right
	// (an expected "" counts as right when none is given).
	r.LinkAccuracy = ratio(r.Found-r.LinksWrong-r.LinksMissing, r.Found)
	r.CanonicalConsistency = ratio(r.GroupsConsistent, r.Groups)
	return r
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// WriteTable prints the scores, and with verbose every miss.
func (r EvalResult) WriteTable(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "documents               %d\n", r.Documents)
	fmt.Fprintf(w, "expected references     %d\n", r.Expected)
	fmt.Fprintf(w, "reported references     %d\n", r.Reported)
	fmt.Fprintf(w, "precision               %.3f  (%d of %d reported overlap an expected reference)\n", r.Precision, r.TruePositives, r.Reported)
	fmt.Fprintf(w, "recall                  %.3f  (%d of %d expected found)\n", r.Recall, r.Found, r.Expected)
	fmt.Fprintf(w, "link accuracy           %.3f  (%d correct links of %d expected; %d wrong, %d missing)\n", r.LinkAccuracy, r.LinksCorrect, r.LinksExpected, r.LinksWrong, r.LinksMissing)
	fmt.Fprintf(w, "canonical consistency   %.3f  (%d of %d groups)\n", r.CanonicalConsistency, r.GroupsConsistent, r.Groups)
	fmt.Fprintf(w, "kind / jurisdiction     %d / %d of %d found\n", r.KindCorrect, r.JurisdictionCorrect, r.Found)
	fmt.Fprintf(w, "not_references hit      %d\n", r.NotReferencesHit)
	if !verbose {
		return
	}
	for _, l := range []struct {
		name string
		ms   []EvalMiss
	}{{"missed", r.Missed}, {"false positive", r.FalsePositives}, {"bad link", r.BadLinks}, {"inconsistent", r.Inconsistent}} {
		for _, m := range l.ms {
			fmt.Fprintf(w, "%-15s %s  %q  %s\n", l.name, m.Doc, m.Text, m.Detail)
		}
	}
}
