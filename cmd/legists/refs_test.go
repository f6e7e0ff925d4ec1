package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const refsBrief = `Regulator Fines Retailer Under the GDPR

What just happened?

The regulator found a breach of Article 6(1)(f) GDPR and of section 172 of the Companies Act 2006. (1)

What does this mean?

The court of public opinion was unimpressed, and a section of the crowd booed. (1, 2)

How will this affect the legal sector?

Appeals go to the Court of Appeal, as in [2022] EWCA Civ 45. (2)

The Legists Content Team
`

func TestRefsJSON(t *testing.T) {
	file := filepath.Join(t.TempDir(), "brief.txt")
	if err := os.WriteFile(file, []byte(refsBrief), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"refs", file, "--json"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got struct {
		References []struct {
			Text, Kind, Jurisdiction, Canonical, URL string
			Start, End                               int
		} `json:"references"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	var lines []string
	for _, r := range got.References {
		if refsBrief[r.Start:r.End] != r.Text {
			t.Errorf("%q: offsets [%d,%d) give %q", r.Text, r.Start, r.End, refsBrief[r.Start:r.End])
		}
		lines = append(lines, strings.Join([]string{r.Text, r.Kind, r.Jurisdiction, r.Canonical, r.URL}, " | "))
	}
	want := []string{
		"GDPR | regulation | eu | Regulation (EU) 2016/679 | https://eur-lex.europa.eu/eli/reg/2016/679/oj",
		"Article 6(1)(f) GDPR | provision | eu | Article 6(1)(f) of Regulation (EU) 2016/679 | https://eur-lex.europa.eu/eli/reg/2016/679/oj",
		"section 172 of the Companies Act 2006 | provision | uk | section 172 of the Companies Act 2006 | https://www.legislation.gov.uk/ukpga/2006/46/section/172",
		"Court of Appeal | court | uk | Court of Appeal of England and Wales | ",
		"[2022] EWCA Civ 45 | case | uk | [2022] EWCA Civ 45 | https://caselaw.nationalarchives.gov.uk/ewca/civ/2022/45",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("references:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	out.Reset()
	if code := run([]string{"refs", file}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "5:33\tprovision\teu\tArticle 6(1)(f) GDPR") ||
		!strings.Contains(out.String(), "5 references") {
		t.Errorf("human output (exit %d):\n%s", code, out.String())
	}
}

func TestRefsErrors(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"refs"}, &out, &errb); code != exitUsage {
		t.Errorf("no file: exit %d", code)
	}
	if code := run([]string{"refs", filepath.Join(t.TempDir(), "missing.txt")}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "missing.txt") {
		t.Errorf("missing file: exit %d, %s", code, errb.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte{0xff, 0xfe, 'x'}, 0o644)
	errb.Reset()
	if code := run([]string{"refs", bad}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "not UTF-8") {
		t.Errorf("binary file: exit %d, %s", code, errb.String())
	}
}

func TestEvaluateRefs(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"evaluate", "--refs", "--json", "../../internal/legalref/testdata/dev"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r struct {
		Documents int     `json:"documents"`
		Precision float64 `json:"precision"`
		Recall    float64 `json:"recall"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Documents < 10 || r.Precision < 0.95 || r.Recall < 0.95 {
		t.Errorf("%v %+v", err, r)
	}
	errb.Reset()
	if code := run([]string{"evaluate", "--refs", t.TempDir()}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "no NN.txt") {
		t.Errorf("empty folder: exit %d, %s", code, errb.String())
	}
}
