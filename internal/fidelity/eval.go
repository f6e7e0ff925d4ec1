package fidelity

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"legists/internal/brief"
)

// The evaluation set: one folder per case under a root directory, each
// with the clean brief, its sources and variants with injected errors:
//
//	NN-slug/brief.txt            the clean brief (house format)
//	NN-slug/sources/N.txt        the source texts
//	NN-slug/variants/NAME.txt    the brief with errors injected
//	NN-slug/variants/NAME.json   the labels: which errors, where
//	NN-slug/variants/cNN.txt     a control: a fair rewrite with no error
//	                             (no labels file, or "findings": [])
//
// Recall per kind is the share of injected errors for which the checker
// reports a finding of that kind on that paragraph; the false-flag rate is
// the share of clean paragraphs with any error finding: the clean briefs'
// paragraphs and those of the control variants.

// Label is one injected error.
type Label struct {
	Kind      string `json:"kind"`
	Section   int    `json:"section"`
	Paragraph int    `json:"paragraph"`
	Note      string `json:"note,omitempty"`
}

// Labels is the content of a variant's labels file.
type Labels struct {
	Findings []Label `json:"findings"`
}

// KindScore is the recall on one kind.
type KindScore struct {
	Kind     string  `json:"kind"`
	Injected int     `json:"injected"`
	Found    int     `json:"found"`
	Recall   float64 `json:"recall"`
}

// Miss is an injected error the checker did not find, or a clean
// paragraph it flagged.
type Miss struct {
	Case      string `json:"case"`
	Variant   string `json:"variant,omitempty"`
	Kind      string `json:"kind"`
	Section   int    `json:"section"`
	Paragraph int    `json:"paragraph"`
	Detail    string `json:"detail"`
}

// EvalResult is the outcome of an evaluation run.
type EvalResult struct {
	Cases            int         `json:"cases"`
	Variants         int         `json:"variants"`
	Controls         int         `json:"controls"` // variants with no error expected
	Kinds            []KindScore `json:"kinds"`
	CleanParagraphs  int         `json:"clean_paragraphs"`
	FalselyFlagged   int         `json:"falsely_flagged"`
	FalseFlagRate    float64     `json:"false_flag_rate"`
	WarnedParagraphs int         `json:"warned_paragraphs"`
	WarningRate      float64     `json:"warning_rate"`
	Missed           []Miss      `json:"missed"`
	FalseFlags       []Miss      `json:"false_flags"`
}

// Case is one evaluation case loaded from disk.
type Case struct {
	Name     string
	Brief    *brief.Brief
	Sources  map[int]string
	Variants []Variant
}

// Variant is a brief with errors injected and the labels that say where.
type Variant struct {
	Name   string
	Brief  *brief.Brief
	Labels Labels
}

// LoadCases reads every case folder under root, in name order.
func LoadCases(root string) ([]Case, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var cases []Case
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c, err := LoadCase(filepath.Join(root, e.Name()))
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("%s: no cases (folders with brief.txt and sources/)", root)
	}
	return cases, nil
}

// LoadCase reads one case folder.
func LoadCase(dir string) (Case, error) {
	c := Case{Name: filepath.Base(dir)}
	b, err := parseBriefFile(filepath.Join(dir, "brief.txt"))
	if err != nil {
		return c, err
	}
	c.Brief = b
	if c.Sources, err = LoadSources(filepath.Join(dir, "sources")); err != nil {
		return c, err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "variants", "*.txt"))
	sort.Strings(files)
	for _, tf := range files {
		name := strings.TrimSuffix(filepath.Base(tf), ".txt")
		v := Variant{Name: name}
		lf := strings.TrimSuffix(tf, ".txt") + ".json"
		data, err := os.ReadFile(lf)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// a control: no error expected anywhere
		case err != nil:
			return c, err
		default:
			if err := json.Unmarshal(data, &v.Labels); err != nil {
				return c, fmt.Errorf("%s: %w", lf, err)
			}
		}
		if v.Brief, err = parseBriefFile(tf); err != nil {
			return c, err
		}
		c.Variants = append(c.Variants, v)
	}
	return c, nil
}

func parseBriefFile(path string) (*brief.Brief, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return brief.ParseFile(path, f)
}

// EvalKinds are the error kinds the evaluation set injects, in report order.
var EvalKinds = []string{KindUnsupportedEntity, KindNumberMismatch, KindDateMismatch,
	KindNegationMismatch, KindUnsupportedClaim, KindSelfReference, KindRepeatedWord,
	KindRoleMismatch, "legal-reference-mismatch"}

// Evaluate runs the checker over cases and scores it.
func Evaluate(cases []Case) EvalResult {
	res := EvalResult{Cases: len(cases), Missed: []Miss{}, FalseFlags: []Miss{}}
	injected := map[string]int{}
	found := map[string]int{}
	clean := func(c Case, variant string, b *brief.Brief, r Report) {
		for si, sec := range b.Sections {
			for pi := range sec.Paragraphs {
				res.CleanParagraphs++
				var errs, warns []string
				for _, f := range r.Findings {
					if f.Section == si && f.Paragraph == pi {
						if f.Severity == SeverityError {
							errs = append(errs, f.Kind+": "+f.Message)
						} else {
							warns = append(warns, f.Kind+": "+f.Message)
						}
					}
				}
				if len(errs) > 0 {
					res.FalselyFlagged++
					res.FalseFlags = append(res.FalseFlags, Miss{Case: c.Name, Variant: variant, Kind: "clean", Section: si, Paragraph: pi, Detail: strings.Join(errs, " | ")})
				} else if len(warns) > 0 {
					res.WarnedParagraphs++
				}
			}
		}
	}
	for _, c := range cases {
		clean(c, "", c.Brief, Check(c.Brief, c.Sources))
		for _, v := range c.Variants {
			res.Variants++
			r := Check(v.Brief, c.Sources)
			if len(v.Labels.Findings) == 0 {
				res.Controls++
				clean(c, v.Name, v.Brief, r)
				continue
			}
			for _, l := range v.Labels.Findings {
				injected[l.Kind]++
				hit := false
				var got []string
				for _, f := range r.Findings {
					if f.Section == l.Section && f.Paragraph == l.Paragraph {
						got = append(got, f.Kind)
						if f.Kind == l.Kind {
							hit = true
						}
					}
				}
				if hit {
					found[l.Kind]++
				} else {
					res.Missed = append(res.Missed, Miss{Case: c.Name, Variant: v.Name, Kind: l.Kind, Section: l.Section, Paragraph: l.Paragraph,
						Detail: fmt.Sprintf("%s; got [%s]", l.Note, strings.Join(got, ", "))})
				}
			}
		}
	}
	kinds := append([]string{}, EvalKinds...)
	for k := range injected {
		if !contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range kinds {
		ks := KindScore{Kind: k, Injected: injected[k], Found: found[k]}
		if ks.Injected > 0 {
			ks.Recall = float64(ks.Found) / float64(ks.Injected)
		}
		res.Kinds = append(res.Kinds, ks)
	}
	if res.CleanParagraphs > 0 {
		res.FalseFlagRate = float64(res.FalselyFlagged) / float64(res.CleanParagraphs)
		res.WarningRate = float64(res.WarnedParagraphs) / float64(res.CleanParagraphs)
	}
	return res
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WriteTable prints the result as a table for people.
func (r EvalResult) WriteTable(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "%d cases, %d variants (%d of them controls)\n\n", r.Cases, r.Variants, r.Controls)
	fmt.Fprintf(w, "%-24s %8s %6s %7s\n", "kind", "injected", "found", "recall")
	for _, k := range r.Kinds {
		fmt.Fprintf(w, "%-24s %8d %6d %7.3f\n", k.Kind, k.Injected, k.Found, k.Recall)
	}
	fmt.Fprintf(w, "\nclean paragraphs falsely flagged (error): %d of %d = %.3f\n", r.FalselyFlagged, r.CleanParagraphs, r.FalseFlagRate)
	fmt.Fprintf(w, "clean paragraphs with warnings only:      %d of %d = %.3f\n", r.WarnedParagraphs, r.CleanParagraphs, r.WarningRate)
	if verbose {
		for _, m := range r.Missed {
			fmt.Fprintf(w, "missed %s %s/%s s%d p%d: %s\n", m.Kind, m.Case, m.Variant, m.Section, m.Paragraph, m.Detail)
		}
		for _, m := range r.FalseFlags {
			fmt.Fprintf(w, "false flag %s %s s%d p%d: %s\n", m.Case, m.Variant, m.Section, m.Paragraph, m.Detail)
		}
	}
}
