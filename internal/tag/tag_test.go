package tag

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"legists/internal/brief"
	"legists/internal/directory"
	"legists/internal/seedtest"
)

// withoutFirms reads a brief of the seed's shape with its "Assessing
// Firms" lines removed, so the tagger cannot copy them.
func withoutFirms(t testing.TB, data []byte) *brief.Brief {
	t.Helper()
	var keep []string
	for _, ln := range strings.Split(string(data), "\n") {
		s := strings.TrimSpace(ln)
		if strings.HasPrefix(s, "Assessing Firms") || strings.HasPrefix(s, "#") {
			continue
		}
		keep = append(keep, ln)
	}
	b, err := brief.Parse(strings.NewReader(strings.Join(keep, "\n")))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(b.Firms) != 0 {
		t.Fatalf("firms left in the brief: %q", b.Firms)
	}
	return b
}

func firmByName(name string) brief.Firm {
	for _, f := range directory.Firms() {
		if f.Name == name {
			return f
		}
	}
	return brief.Firm{}
}

// TestSeedSuggestions tags the team's fixture and, where ../shared is
// present, the seed, both without their firm lines.
func TestSeedSuggestions(t *testing.T) {
	for _, sd := range seedtest.All(t) {
		t.Run(sd.Name, func(t *testing.T) { seedSuggestions(t, sd) })
	}
}

func seedSuggestions(t *testing.T, sd seedtest.Seed) {
	b := withoutFirms(t, sd.Read(t))
	res := Default().Suggest(b, nil)
	for _, f := range res.Firms {
		t.Logf("firm %.3f %s: %s", f.Score, f.Name, strings.Join(f.Reasons, "; "))
	}
	for _, tp := range res.Topics {
		t.Logf("topic %.3f %s (%s): %s", tp.Score, tp.Name, tp.Kind, strings.Join(tp.Evidence, ", "))
	}
	if len(res.Topics) == 0 || res.Topics[0].Name != sd.TopTopic {
		t.Fatalf("top topic is not %s: %+v", sd.TopTopic, res.Topics)
	}
	var topicNames []string
	for _, tp := range res.Topics {
		topicNames = append(topicNames, tp.Name)
	}
	for _, want := range sd.Topics {
		if !slices.Contains(topicNames, want) {
			t.Errorf("topics %q lack %q", topicNames, want)
		}
	}
	if len(res.Firms) < 5 {
		t.Fatalf("only %d firms suggested", len(res.Firms))
	}
	core := []string{"Public International Law", "International Arbitration", "Sanctions & Export Controls"}
	for _, fs := range res.Firms[:5] {
		f := firmByName(fs.Name)
		if !slices.ContainsFunc(f.PracticeAreas, func(pa string) bool { return slices.Contains(core, pa) }) {
			t.Errorf("top firm %q practises %q, none of %q", fs.Name, f.PracticeAreas, core)
		}
		if fs.Named || fs.Score >= namedFloor {
			t.Errorf("firm %q is scored as named (%v) in a brief that names no firm", fs.Name, fs.Score)
		}
		if len(fs.Reasons) == 0 || !strings.HasPrefix(fs.Reasons[0], "practises ") {
			t.Errorf("firm %q reasons %q", fs.Name, fs.Reasons)
		}
	}
	// Of the firms the editors tagged, the specialists in public
	// international law should be found among the suggestions.
	var names []string
	for _, f := range res.Firms {
		names = append(names, f.Name)
	}
	for _, want := range sd.Specialists {
		if !slices.Contains(names, want) {
			t.Errorf("suggestions %q lack %q", names, want)
		}
	}
}

func TestNamedFirmsFirst(t *testing.T) {
	b := &brief.Brief{
		Title: "Tribunal orders Ruritania to pay investor under bilateral investment treaty",
		Sections: []brief.Section{
			{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "An arbitral tribunal constituted under the ICSID Convention ordered the Republic of Ruritania to pay damages for the expropriation of a mine. Freshfields acted for the investor."}}},
			{Heading: brief.HeadingMeaning, Paragraphs: []brief.Paragraph{{Text: "The award follows a long dispute under the bilateral investment treaty between the two states."}}},
			{Heading: brief.HeadingLegal, Paragraphs: []brief.Paragraph{{Text: "Enforcement of the award under the New York Convention is expected to be contested."}}},
		},
		Sources: []brief.Source{{N: 1, Title: "Ruritania loses mining arbitration"}, {N: 2}},
	}
	sources := map[int]string{
		1: "The state was represented by Three Crowns. Counsel for the investor, Freshfields Bruckhaus Deringer, said the award was final.",
		2: "THREE CROWNS and Clifford Chancellor Smith, a local official, commented. Herbert Smith Freehills was not involved.",
	}
	res := Default().Suggest(b, sources)
	for _, f := range res.Firms {
		t.Logf("firm %.3f %s: %s", f.Score, f.Name, strings.Join(f.Reasons, "; "))
	}
	if len(res.Firms) < 4 {
		t.Fatalf("firms: %+v", res.Firms)
	}
	want := map[string][]string{
		"Freshfields Bruckhaus Deringer LLP": {"named in the brief", "named in source 1"},
		"Three Crowns LLP":                   {"named in sources 1 and 2"},
		"HSF Kramer":                         {"named in source 2"}, // the former Herbert Smith Freehills
	}
	for i, f := range res.Firms[:3] {
		w, ok := want[f.Name]
		if !ok {
			t.Errorf("firm %d is %q, not a named firm", i, f.Name)
			continue
		}
		for _, r := range w {
			if !slices.Contains(f.Reasons, r) {
				t.Errorf("%s: reasons %q lack %q", f.Name, f.Reasons, r)
			}
		}
		if f.Score < namedFloor || f.Score > 1 {
			t.Errorf("%s: score %v", f.Name, f.Score)
		}
	}
	if res.Firms[0].Name != "Freshfields Bruckhaus Deringer LLP" {
		t.Errorf("first firm %q, want the one named in the brief", res.Firms[0].Name)
	}
	for _, f := range res.Firms {
		if f.Name == "Clifford Chance LLP" && slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.HasPrefix(r, "named") }) {
			t.Errorf("Clifford Chance found in %q", "Clifford Chancellor")
		}
	}
	for _, f := range res.Firms[3:] {
		if f.Score >= namedFloor {
			t.Errorf("unnamed firm %s scores %v", f.Name, f.Score)
		}
	}
	if len(res.Topics) == 0 || res.Topics[0].Name != "International Arbitration" {
		t.Errorf("topics: %+v", res.Topics)
	}
	for i := 1; i < len(res.Firms); i++ {
		if res.Firms[i].Score > res.Firms[i-1].Score {
			t.Errorf("firms not best first at %d", i)
		}
	}
}

func TestJSONShape(t *testing.T) {
	res := Default().Suggest(withoutFirms(t, seedtest.Team(t).Read(t)), nil)
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string][]map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	if len(generic) != 2 {
		t.Errorf("keys: %s", data)
	}
	for _, f := range generic["firms"] {
		if len(f) != 3 || f["name"] == nil || f["score"] == nil || f["reasons"] == nil {
			t.Errorf("firm shape %v", f)
		}
	}
	for _, tp := range generic["topics"] {
		if len(tp) != 2 || tp["name"] == nil || tp["score"] == nil {
			t.Errorf("topic shape %v", tp)
		}
	}
	empty, _ := json.Marshal(Default().Suggest(&brief.Brief{}, nil))
	if string(empty) != `{"firms":[],"topics":[]}` {
		t.Errorf("empty result %s", empty)
	}
}

func TestMentions(t *testing.T) {
	text := "Lawyers at Herbert Smith Freehills and HSF Kramer, with Allen's firm Allen & Overy, discussed EU sanctions; Allen alone is no firm."
	ms := Default().Mentions(text)
	var firms, topics []string
	for _, m := range ms {
		if m.Firm != "" {
			firms = append(firms, text[m.Start:m.End]+"="+m.Firm)
		} else {
			topics = append(topics, text[m.Start:m.End]+"="+m.Topic)
		}
	}
	// Former names find the firm under its current name.
	wantFirms := []string{"Herbert Smith Freehills=HSF Kramer", "HSF Kramer=HSF Kramer", "Allen & Overy=A&O Shearman"}
	if !slices.Equal(firms, wantFirms) {
		t.Errorf("firms %q, want %q", firms, wantFirms)
	}
	for _, want := range []string{"EU=European Union", "sanctions=Sanctions & Export Controls"} {
		if !slices.Contains(topics, want) {
			t.Errorf("topics %q lack %q", topics, want)
		}
	}
}

func TestCustomDirectory(t *testing.T) {
	firms := []brief.Firm{{Name: "Smith & Jones LLP", Slug: "smith-jones-llp", PracticeAreas: []string{"tax"}}}
	topics := []brief.Topic{{Name: "Tax", Slug: "tax", Kind: brief.TopicPracticeArea, Keywords: []string{"tax", "VAT", "withholding tax"}}}
	tg := New(firms, topics, WithKeywordWeight(func(string, string) float64 { return 0 }))
	b := &brief.Brief{Title: "VAT and withholding tax changes", Sections: []brief.Section{{Paragraphs: []brief.Paragraph{{Text: "Smith and Jones said the tax change was small."}}}}}
	res := tg.Suggest(b, nil)
	if len(res.Firms) != 1 || res.Firms[0].Name != "Smith & Jones LLP" || res.Firms[0].Reasons[0] != "named in the brief" {
		t.Errorf("firms %+v", res.Firms)
	}
	if len(res.Topics) != 1 || res.Topics[0].Name != "Tax" {
		t.Errorf("topics %+v", res.Topics)
	}
}

var markerRE = regexp.MustCompile(`\(\d+\)`)

// benchText is a long, realistic text: the seed's paragraphs, repeated.
func benchText(b testing.TB) string {
	data, err := os.ReadFile(filepath.Join("testdata", "arbitration.txt"))
	if err != nil {
		b.Fatal(err)
	}
	text := markerRE.ReplaceAllString(string(data), "")
	var sb strings.Builder
	for sb.Len() < 256<<10 {
		sb.WriteString(text)
		sb.WriteString("\n\nFreshfields, Herbert Smith Freehills and Three Crowns acted in the ICSID arbitration.\n\n")
	}
	return sb.String()
}

func BenchmarkTag(b *testing.B) {
	text := benchText(b)
	tg := Default()
	br := &brief.Brief{Sources: []brief.Source{{N: 1}}}
	src := map[int]string{1: text}
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		res := tg.Suggest(br, src)
		if len(res.Firms) == 0 {
			b.Fatal("no firms")
		}
	}
}

func BenchmarkMatcherScan(b *testing.B) {
	text := benchText(b)
	tg := Default()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		n := 0
		tg.m.scan(text, func(hit) { n++ })
		if n == 0 {
			b.Fatal("no hits")
		}
	}
}

// BenchmarkBareScan is the floor: one pass over the same bytes doing the
// least work that cannot be optimised away.
func BenchmarkBareScan(b *testing.B) {
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for i := 0; i < len(text); i++ {
			if text[i] == ' ' {
				n++
			}
		}
		if n == 0 {
			b.Fatal("no spaces")
		}
	}
}

func TestConcurrentSuggest(t *testing.T) {
	b := &brief.Brief{Title: "Clifford Chance advises on EU sanctions", Sections: []brief.Section{{Paragraphs: []brief.Paragraph{{Text: "HSF and Three Crowns act in the ICSID arbitration."}}}}}
	want, _ := json.Marshal(Default().Suggest(b, nil))
	done := make(chan string)
	for range 8 {
		go func() {
			got, _ := json.Marshal(Default().Suggest(b, nil))
			done <- string(got)
		}()
	}
	for range 8 {
		if got := <-done; got != string(want) {
			t.Errorf("concurrent result differs:\n%s\n%s", got, want)
		}
	}
}
