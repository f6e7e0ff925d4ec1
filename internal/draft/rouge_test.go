package draft

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"legists/internal/sentence"
)

// ROUGE, written here for the draft's benchmark: F1 of n-gram overlap
// (ROUGE-1, ROUGE-2) and of the longest common subsequence (ROUGE-L) over
// lower-case words, no stemming, no stop-word removal.

func rougeTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func f1(overlap, nc, nr int) float64 {
	if overlap == 0 || nc == 0 || nr == 0 {
		return 0
	}
	p, r := float64(overlap)/float64(nc), float64(overlap)/float64(nr)
	return 2 * p * r / (p + r)
}

func rougeN(cand, ref []string, n int) float64 {
	grams := func(t []string) map[string]int {
		m := map[string]int{}
		for i := 0; i+n <= len(t); i++ {
			m[strings.Join(t[i:i+n], " ")]++
		}
		return m
	}
	c, r := grams(cand), grams(ref)
	overlap, nc, nr := 0, 0, 0
	for g, k := range c {
		overlap += min(k, r[g])
		nc += k
	}
	for _, k := range r {
		nr += k
	}
	return f1(overlap, nc, nr)
}

func rougeL(cand, ref []string) float64 {
	prev := make([]int, len(ref)+1)
	cur := make([]int, len(ref)+1)
	for i := range cand {
		for j := range ref {
			if cand[i] == ref[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return f1(prev[len(ref)], len(cand), len(ref))
}

// dailyMailHeader is the byline block Daily Mail articles open with in the
// data set ("By . Name . PUBLISHED: . 14:11 EST, 25 October 2013 . | .
// UPDATED: . 15:36 EST, 25 October 2013 . "), and cnnDateline CNN's
// "(CNN) -- ": page furniture, taken off before Lead-3 and the draft alike.
var (
	dailyMailHeader = regexp.MustCompile(`^(?s)(By \. .{0,120}? \. )?(PUBLISHED: \. .{0,60}? \. \| \. )?(UPDATED: \. .{0,60}?\d{4} \. )`)
	bylineOnly      = regexp.MustCompile(`^By \. [^.]{1,80} \. (and [^.]{1,80} \. )?`)
	cnnDateline     = regexp.MustCompile(`^[^()]{0,60}\(CNN\)\s*(--)?\s*`)
)

func cleanCNNDM(s string) string {
	s = dailyMailHeader.ReplaceAllString(s, "")
	s = bylineOnly.ReplaceAllString(s, "")
	return cnnDateline.ReplaceAllString(s, "")
}

func TestRouge(t *testing.T) {
	ref := rougeTokens("the cat sat on the mat")
	if got := rougeN(ref, ref, 2); got != 1 {
		t.Errorf("ROUGE-2 of identical texts = %v", got)
	}
	if got := rougeN(rougeTokens("the cat on the mat"), ref, 1); got < 0.9 || got > 0.91 {
		t.Errorf("ROUGE-1 = %v, want 2*1*(5/6)/(1+5/6) = 0.909", got)
	}
	if got := rougeL(rougeTokens("mat the cat"), ref); got < 0.44 || got > 0.45 {
		t.Errorf("ROUGE-L = %v, want LCS 2 of 3 and 6: 0.444", got)
	}
	if rougeN(rougeTokens("dogs run"), ref, 2) != 0 {
		t.Error("no shared bigram, want 0")
	}
}

// cnndmFile is where bench/fetch-public-data puts CNN/DailyMail articles
// with their highlights (public data, never committed).
const cnndmFile = "../../bench/data/cnndm/sample.jsonl"

// TestRougeAgainstLead3 drafts each article, cuts the draft to the length
// of its first three sentences (Lead-3) and compares both with the
// reference highlights. It runs when the data has been fetched.
func TestRougeAgainstLead3(t *testing.T) {
	f, err := os.Open(cnndmFile)
	if err != nil {
		t.Skipf("%s not fetched (run bench/fetch-public-data): %v", cnndmFile, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	var sumD, sumL [3]float64
	n, wins, losses := 0, 0, 0
	for sc.Scan() {
		var row struct{ Article, Highlights string }
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		text := cleanCNNDM(row.Article)
		var lead []string
		for _, sp := range sentence.Split(text) {
			if len(lead) == 3 {
				break
			}
			lead = append(lead, sp.Text(text))
		}
		leadToks := rougeTokens(strings.Join(lead, " "))
		b, err := Extractive{NoTags: true}.Draft(context.Background(), []Article{{N: 1, Text: text}})
		if b == nil {
			t.Logf("article %d: no draft: %v", n, err)
			continue
		}
		var parts []string
		for _, s := range b.Sections {
			for _, p := range s.Paragraphs {
				parts = append(parts, p.Text)
			}
		}
		draftToks := rougeTokens(strings.Join(parts, " "))
		if len(draftToks) > len(leadToks) {
			draftToks = draftToks[:len(leadToks)]
		}
		ref := rougeTokens(row.Highlights)
		d := [3]float64{rougeN(draftToks, ref, 1), rougeN(draftToks, ref, 2), rougeL(draftToks, ref)}
		l := [3]float64{rougeN(leadToks, ref, 1), rougeN(leadToks, ref, 2), rougeL(leadToks, ref)}
		for k := range d {
			sumD[k] += d[k]
			sumL[k] += l[k]
		}
		switch {
		case d[1] > l[1]+1e-9:
			wins++
		case d[1] < l[1]-1e-9:
			losses++
		}
		n++
	}
	if n == 0 {
		t.Fatal("no articles")
	}
	pct := func(s float64) float64 { return 100 * s / float64(n) }
	t.Logf("%d articles; ROUGE-1/2/L draft %.1f / %.1f / %.1f, Lead-3 %.1f / %.1f / %.1f; draft better on ROUGE-2 for %d, worse for %d",
		n, pct(sumD[0]), pct(sumD[1]), pct(sumD[2]), pct(sumL[0]), pct(sumL[1]), pct(sumL[2]), wins, losses)
	if sumD[1] < sumL[1] {
		t.Errorf("draft ROUGE-2 %.1f below Lead-3's %.1f at equal length", pct(sumD[1]), pct(sumL[1]))
	}
}
