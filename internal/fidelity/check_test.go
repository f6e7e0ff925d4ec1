package fidelity

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"legists/internal/brief"
	"legists/internal/sentence"
)

// para builds a paragraph whose sentences are each cited: pairs of text and
// citation number.
func para(parts ...any) brief.Paragraph {
	var p brief.Paragraph
	for i := 0; i+1 < len(parts); i += 2 {
		if p.Text != "" {
			p.Text += " "
		}
		start := len(p.Text)
		p.Text += parts[i].(string)
		p.Spans = append(p.Spans, brief.Span{Start: start, End: len(p.Text), Citations: []int{parts[i+1].(int)}})
	}
	return p
}

func briefOf(ps ...brief.Paragraph) *brief.Brief {
	b := &brief.Brief{Title: "T"}
	for i, h := range brief.Headings {
		sec := brief.Section{Heading: h}
		if i < len(ps) {
			sec.Paragraphs = []brief.Paragraph{ps[i]}
		} else {
			sec.Paragraphs = []brief.Paragraph{para("Lawyers expect more work.", 1)}
		}
		b.Sections = append(b.Sections, sec)
	}
	return b
}

func kinds(r Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Severity+" "+f.Kind)
	}
	return out
}

func TestCheckPairs(t *testing.T) {
	src := map[int]string{1: `Lawyers expect more work. The European Commission on Tuesday fined Halcyon Systems 1.2 billion euros for transferring data to the United States.
The company, which employs about 100,000 people, said it would appeal. The fine was imposed on Jan. 5, 2022. Regulators said the firm had not encrypted the data. Shares rose 3 per cent.`,
		2: `Lawyers expect more work. Analysts said Halcyon's rival Brightwell would gain customers.`}
	cases := []struct {
		claim string
		want  string // kind expected, "" for none
	}{
		{"Brussels fined Halcyon Systems €1.2bn on Tuesday over transfers of data to the U.S.", ""},
		{"The EU fined Halcyon Systems €1.2bn on Tuesday over data transfers to the US.", ""},
		{"Halcyon Systems, which employs about 100 000 people, said it would appeal.", ""},
		{"Halcyon Systems, which employs about one hundred thousand people, said it would appeal.", ""},
		{"Halcyon Systems, which employs about 150,000 people, said it would appeal.", KindNumberMismatch},
		{"The European Commission fined Halcyon Systems €2.1 billion for transferring data to the United States.", KindNumberMismatch},
		{"The fine was imposed on 5 January 2022.", ""},
		{"The fine was imposed on 2022-01-05.", ""},
		{"The fine was imposed on Wednesday, Jan. 5, 2022.", ""},
		{"The fine was imposed on 6 January 2022.", KindDateMismatch},
		{"The fine was imposed in January 2021.", KindDateMismatch},
		{"Regulators said the firm had encrypted the data.", KindNegationMismatch},
		{"Regulators said the firm had failed to encrypt the data.", ""},
		{"Shares fell 3%.", KindNegationMismatch},
		{"Shares rose 3 percent.", ""},
		{"The Dutch Commission fined Halcyon Systems 1.2 billion euros for transferring data to the United States.", KindUnsupportedEntity},
		{"The European Commission fined Halcyon Systems 1.2 billion euros for transferring data to Canada.", KindUnsupportedEntity},
		{"Analysts said Halcyon's rival Brightwell would gain customers.", KindUnsupportedClaim},
		{"The weather in Lisbon was unusually warm for the season, forecasters reported.", KindUnsupportedClaim},
		{"The European Commission fined Halcyon Systems 1.2 billion euros for transferring data to the United States and would appeal or appeal.", KindRepeatedWord},
	}
	for _, c := range cases {
		b := briefOf(para(c.claim, 1))
		r := Check(b, src)
		got := map[string]bool{}
		for _, f := range r.Findings {
			if f.Section == 0 && f.Severity == SeverityError {
				got[f.Kind] = true
			}
		}
		if c.want == "" && len(got) > 0 || c.want != "" && !got[c.want] {
			t.Errorf("%q: want %q, got %v", c.claim, c.want, kinds(r))
		}
	}
}

func TestHintWrongCitation(t *testing.T) {
	src := map[int]string{
		1: "The court dismissed the appeal on Monday. The judges were unanimous.",
		2: "Meridian Pharma agreed to acquire Castor Biologics for $4.8 billion in cash.",
	}
	b := briefOf(para("Meridian Pharma agreed to buy Castor Biologics for $4.8 billion in cash.", 1))
	r := Check(b, src)
	found := false
	for _, f := range r.Findings {
		if f.Kind == KindUnsupportedClaim && strings.Contains(f.Message, "source 2") {
			found = true
		}
	}
	if !found {
		t.Errorf("want an unsupported-claim with a hint at source 2, got %+v", r.Findings)
	}
}

func TestStructure(t *testing.T) {
	b := &brief.Brief{Title: "T", Sections: []brief.Section{
		{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "No markers here."}}},
		{Heading: "What next?", Paragraphs: []brief.Paragraph{para("Cited.", 7)}},
	}}
	r := Check(b, nil)
	want := map[string]bool{KindMissingCitation: false, KindStructure: false}
	for _, f := range r.Findings {
		want[f.Kind] = true
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("no %s finding: %v", k, kinds(r))
		}
	}
	if r.OK {
		t.Error("report OK with structure errors")
	}
	// unknown citation: the brief lists sources 1 and 2, and cites 7
	b = briefOf(para("Cited.", 7))
	b.Sources = []brief.Source{{N: 1}, {N: 2}}
	r = Check(b, nil)
	if !hasFinding(r, KindUnknownCitation, 0, 0, "") {
		t.Errorf("no unknown-citation: %v", kinds(r))
	}
	// with source texts, a citation without a text is unknown
	r = Check(briefOf(para("Cited.", 3)), map[int]string{1: "Cited."})
	if !hasFinding(r, KindUnknownCitation, 0, 0, "") {
		t.Errorf("no unknown-citation with sources: %v", kinds(r))
	}
}

func TestJSONShape(t *testing.T) {
	r := Check(briefOf(para("Russia's invasion of Russia began.", 1)), nil)
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(data, &m)
	if _, ok := m["ok"].(bool); !ok {
		t.Fatalf("no ok: %s", data)
	}
	fs := m["findings"].([]any)
	if len(fs) == 0 {
		t.Fatalf("no findings: %s", data)
	}
	f := fs[0].(map[string]any)
	for _, k := range []string{"kind", "severity", "section", "paragraph", "sentence", "citation", "message"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q: %s", k, data)
		}
	}
	// The contract welcomes extra fields: the tier and the sentence's score.
	for k := range f {
		switch k {
		case "kind", "severity", "section", "paragraph", "sentence", "citation", "message", "tier", "score":
		default:
			t.Errorf("finding has an unexpected key %q: %s", k, data)
		}
	}
	if f["tier"] != "error" {
		t.Errorf("tier of an error = %v, want error: %s", f["tier"], data)
	}
	empty, _ := json.Marshal(Check(briefOf(), nil))
	if !strings.Contains(string(empty), `"findings":[]`) {
		t.Errorf("empty findings not []: %s", empty)
	}
}

func TestSourceFree(t *testing.T) {
	cases := map[string]string{
		"Russia's dangerous invasion of Russia was condemned.":       KindSelfReference,
		"The Russian invasion of Russia was condemned.":              KindSelfReference,
		"Talks between Ukraine and Ukraine stalled.":                 KindSelfReference,
		"Apple sued Apple in California.":                            KindSelfReference,
		"The case Smith v. Smith was heard.":                         KindSelfReference,
		"The merger of Telvio and Telvio was blocked.":               KindSelfReference,
		"NATO has no legal provisions to exclude or exclude an ally": KindRepeatedWord,
		"The court said the the ruling stands.":                      KindRepeatedWord,
		"The firm will appeal or appeal.":                            KindRepeatedWord,
		"Prices rose more and more.":                                 "",
		"Talks between Ukraine and Russia stalled.":                  "",
		"Russia's view of Russia's role has changed.":                "",
		"Russian troops in Russia were moved.":                       "",
		"The rules grew stricter and stricter.":                      "",
		"He said that that was wrong.":                               "",
		"Germany's relations with France improved.":                  "",
	}
	for text, want := range cases {
		r := Check(briefOf(para(text, 1)), nil)
		ok := want == "" && len(r.Findings) == 0 || want != "" && hasFinding(r, want, 0, 0, "")
		if !ok {
			t.Errorf("%q: got %v, want %q", text, kinds(r), want)
		}
	}
}

func TestFigures(t *testing.T) {
	cases := map[string]string{
		"100,000 troops":             "100000",
		"100 000 troops":             "100000",
		"one hundred thousand":       "100000",
		"$2.5bn":                     "$2500000000",
		"2.5 billion dollars":        "$2500000000",
		"£18m":                       "£18000000",
		"5 per cent":                 "5%",
		"5 percent":                  "5%",
		"5%":                         "5%",
		"twenty-five judges":         "25",
		"€1.2 billion":               "€1200000000",
		"a million people":           "1000000",
		"one hundred and fifty":      "150",
		"US$3 bn":                    "$3000000000",
		"8.2% of shares":             "8.2%",
		"the 3rd time":               "3",
		"COVID-19 and G7 and 5G":     "",
		"Article 5":                  "5",
		"in 2,000 cases":             "2000",
		"the two proposals":          "2",
		"one of the few":             "",
		"4,500 passengers and 1,200": "4500 1200",
	}
	for in, want := range cases {
		qs, _ := extractFigures(in, tokenize(in))
		var got []string
		for _, q := range qs {
			got = append(got, q.String())
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	dates := map[string]string{
		"Jan. 5, 2022":                  "5 January 2022",
		"5 January 2022":                "5 January 2022",
		"on 2022-01-05":                 "5 January 2022",
		"on Wednesday, January 5, 2022": "5 January 2022",
		"the 5th of January":            "5 January",
		"in May 2018":                   "May 2018",
		"in 2014,":                      "2014",
		"they may go":                   "",
		"in March":                      "",
		"in September":                  "September",
		"on Sept. 11":                   "11 September",
	}
	for in, want := range dates {
		_, ds := extractFigures(in, tokenize(in))
		var got []string
		for _, d := range ds {
			got = append(got, d.String())
		}
		if strings.Join(got, "; ") != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("Russia's invasion of Russia, said Mr. Smith on Jan. 5, 2022.", "Russia denied it had 100,000 troops.", 1)
	f.Add("exclude or exclude $2.5bn not approved", "rejected 2.5 billion dollars", 2)
	f.Add("", "", 0)
	f.Add("\xff\xfe(1)", "a. b. c.", -3)
	f.Add("At 6:15 p.m. Harlow won 2–0 and 85 points to 80; Ella, 19, and a two-year-old boy.", "Harlow won 2-0 at 6.15pm. The 19-year-old", 1)
	f.Add("Norland's Board sold its stake to Brenlow. Velmora sued Castrel. He said \"never appeal\".", "Kestrelia's Board sold a stake in Brenlow to Ostara. Castrel sued Velmora.", 1)
	f.Add("1. The fine\n- the ban\n2. Costs", "the court ruled .\nthe fine stands", 1)
	f.Add("Tarsis, owed £3m by Tarsis, said it would appeal against Tarsis; the EU's EU rules. Former prosecutor Ana Ruiz, 46, has already filed. Several arrests were made by 3:30 p.m. for 31p.", "Column | 9 March 2026\nThe court on 6 March set aside the award. Nobody was arrested. Ana Ruiz, 46, a former prosecutor, may file. Acme, which is 60% owned by Tarsis, will assess whether it pays 31p.", 1)
	f.Fuzz(func(t *testing.T, text, source string, cite int) {
		p := brief.Paragraph{Text: text}
		// spans from sentence boundaries, some cited to cite
		for i, s := range sentence.Split(text) {
			p.Spans = append(p.Spans, brief.Span{Start: s.Start, End: s.End + i%3, Citations: []int{cite, i%2 + 1}})
		}
		b := briefOf(p, para(text, 1))
		r := Check(b, map[int]string{1: source, cite: text + " " + source})
		for _, fd := range r.Findings {
			if fd.Section < -1 || fd.Section >= len(brief.Headings) {
				t.Fatalf("finding section %d out of range", fd.Section)
			}
			if fd.Paragraph < -1 || fd.Section >= 0 && fd.Section < len(b.Sections) && fd.Paragraph >= len(b.Sections[fd.Section].Paragraphs) {
				t.Fatalf("finding paragraph %d out of range", fd.Paragraph)
			}
			if fd.Severity != SeverityError && fd.Severity != SeverityWarning {
				t.Fatalf("bad severity %q", fd.Severity)
			}
		}
		for _, sc := range r.Sentences {
			if sc.Score < 0 || sc.Score > 1 || sc.Tier != TierError && sc.Tier != TierNeedsReview && sc.Tier != TierSupported {
				t.Fatalf("bad sentence score %+v", sc)
			}
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

// benchBrief is a brief of 15 paragraphs citing 5 sources, the size of the
// seed.
func benchBrief() (*brief.Brief, map[int]string) {
	cases, err := LoadCases("testdata/eval")
	if err != nil {
		panic(err)
	}
	b := &brief.Brief{Title: "Bench"}
	sources := map[int]string{}
	for i, h := range brief.Headings {
		b.Sections = append(b.Sections, brief.Section{Heading: h})
		_ = i
	}
	n := 0
	for _, c := range cases {
		if n >= 15 {
			break
		}
		for _, sec := range c.Brief.Sections {
			for _, p := range sec.Paragraphs {
				if n >= 15 {
					break
				}
				src := n%5 + 1
				sources[src] += "\n\n" + c.Sources[p.Citations()[0]]
				np := brief.Paragraph{Text: p.Text}
				for _, sp := range p.Spans {
					np.Spans = append(np.Spans, brief.Span{Start: sp.Start, End: sp.End, Citations: []int{src}})
				}
				b.Sections[n%3].Paragraphs = append(b.Sections[n%3].Paragraphs, np)
				n++
			}
		}
	}
	return b, sources
}

func BenchmarkCheck(b *testing.B) {
	br, sources := benchBrief()
	paras := 0
	for _, s := range br.Sections {
		paras += len(s.Paragraphs)
	}
	if paras != 15 || len(sources) != 5 {
		b.Fatalf("bench brief has %d paragraphs, %d sources", paras, len(sources))
	}
	b.ResetTimer()
	for b.Loop() {
		Check(br, sources)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "briefs/s")
}

// BenchmarkCheckCold is BenchmarkCheck with the cache of prepared sources
// emptied before every check: a check against sources seen for the first
// time, as on a new story.
func BenchmarkCheckCold(b *testing.B) {
	br, sources := benchBrief()
	b.ResetTimer()
	for b.Loop() {
		resetDocCache()
		Check(br, sources)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "briefs/s")
}

func ExampleCheck() {
	b := briefOf(para("NATO has no legal provisions to exclude or exclude an ally.", 1))
	r := Check(b, nil)
	for _, f := range r.Findings {
		fmt.Println(f.Severity, f.Kind, f.Section, f.Paragraph)
	}
	// Output: error repeated-word 0 0
}
