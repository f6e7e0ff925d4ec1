package brief

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"legists/internal/seedtest"
)

func parseFile(t *testing.T, name string) *Brief {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := ParseFile(name, f)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return b
}

// cited returns the text each span of p covers.
func cited(p Paragraph) []string {
	var out []string
	for _, s := range p.Spans {
		out = append(out, p.Text[s.Start:s.End])
	}
	return out
}

// TestParseSeed reads the team's fixture of the seed's shape and, where
// ../shared is present, the seed itself.
func TestParseSeed(t *testing.T) {
	for _, sd := range seedtest.All(t) {
		t.Run(sd.Name, func(t *testing.T) {
			b, err := Parse(bytes.NewReader(sd.Read(t)))
			if err != nil {
				t.Fatal(err)
			}
			if b.Title != sd.Title {
				t.Errorf("title = %q", b.Title)
			}
			if len(b.Sections) != 3 {
				t.Fatalf("sections = %d", len(b.Sections))
			}
			for i, h := range Headings {
				if b.Sections[i].Heading != h {
					t.Errorf("section %d heading = %q", i, b.Sections[i].Heading)
				}
			}
			if got, want := b.Citations(), []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}; !reflect.DeepEqual(got, want) {
				t.Errorf("citations = %v, want %v", got, want)
			}
			// A paragraph with two markers splits after the first one's
			// sentence, and no marker is left in the text.
			for _, sec := range b.Sections {
				for _, p := range sec.Paragraphs {
					if markerLeft.MatchString(p.Text) {
						t.Errorf("marker left in text: %q", p.Text)
					}
					spans := cited(p)
					for i, sp := range spans {
						if !strings.HasSuffix(sp, ".") && !strings.HasSuffix(sp, ".\"") {
							t.Errorf("span %d of %q does not end a sentence: %q", i, p.Text[:min(40, len(p.Text))], sp)
						}
					}
				}
			}
			if b.Byline != "The Legists Content Team" {
				t.Errorf("byline = %q", b.Byline)
			}
			if !reflect.DeepEqual(b.Firms, sd.Firms) {
				t.Errorf("firms = %q", b.Firms)
			}
			all := Render(b)
			if strings.Contains(strings.ToLower(all), "stay tuned") || strings.Contains(all, "Receive regular news") {
				t.Error("the Stay Tuned footer leaked into the brief")
			}
			last := b.Sections[2].Paragraphs[len(b.Sections[2].Paragraphs)-1]
			if !strings.HasSuffix(last.Text, sd.LastWords) {
				t.Errorf("last paragraph = %q", last.Text)
			}
			if err := b.Validate(); err != nil {
				t.Error(err)
			}
			roundTrip(t, b)
		})
	}
}

var markerLeft = regexp.MustCompile(`\(\d+\)\s*$|\(\d+\)\s+[A-Z]`)

func TestParseRules(t *testing.T) {
	b := parseFile(t, "valid-basic.txt")
	if b.Slug != "court-blocks-merger-of-two-rail-freight-operators" {
		t.Errorf("slug = %q", b.Slug)
	}
	p := b.Sections[1].Paragraphs[0]
	if got := cited(p); !reflect.DeepEqual(got, []string{
		"The tribunal found that the merged company would have controlled 62% of intermodal capacity on the west coast corridor.",
		"The parties argued that the market included road haulage. The tribunal rejected that view.",
	}) {
		t.Errorf("spans = %q", got)
	}
	if !reflect.DeepEqual(p.Spans[0].Citations, []int{1, 2}) || !reflect.DeepEqual(p.Spans[1].Citations, []int{2, 3}) {
		t.Errorf("(n, m) and (n)(m): %v %v", p.Spans[0].Citations, p.Spans[1].Citations)
	}
	legal := b.Sections[2].Paragraphs[0]
	for _, ref := range []string{"section 87(2)(b)", "Article 5(1)", "Enterprise Act 2002"} {
		if !strings.Contains(legal.Text, ref) {
			t.Errorf("legal reference %q lost: %q", ref, legal.Text)
		}
	}
	if got := legal.Citations(); !reflect.DeepEqual(got, []int{3}) {
		t.Errorf("legal paragraph citations = %v", got)
	}
	if b.Byline != "Jane Porter, Competition Editor" {
		t.Errorf("byline = %q", b.Byline)
	}
	if !reflect.DeepEqual(b.Topics, []string{"Competition & Antitrust", "United Kingdom"}) {
		t.Errorf("topics = %q", b.Topics)
	}
	want := []Source{
		{N: 1, Title: "Tribunal upholds block on rail merger", Publisher: "The Freight Journal", URL: "https://freight.example/cat-ruling"},
		{N: 2, Title: "What the rail ruling means", Publisher: "Competition Weekly", URL: "https://cw.example/rail"},
		{N: 3, Title: "Judgment summary", Publisher: "Tribunal Press Office"},
	}
	if !reflect.DeepEqual(b.Sources, want) {
		t.Errorf("sources = %+v", b.Sources)
	}
	roundTrip(t, b)
}

func TestParseCRLF(t *testing.T) {
	b := parseFile(t, "valid-crlf.txt")
	if b.Title != "Crlf Brief" || b.Byline != "The Legists Content Team" {
		t.Errorf("title %q byline %q", b.Title, b.Byline)
	}
	for _, s := range b.Sections {
		if strings.ContainsRune(s.Paragraphs[0].Text, '\r') {
			t.Errorf("CR left in %q", s.Paragraphs[0].Text)
		}
	}
}

func TestMarkers(t *testing.T) {
	cases := []struct {
		in    string
		text  string
		spans []string
		cites [][]int
	}{
		{"A happened. (1)", "A happened.", []string{"A happened."}, [][]int{{1}}},
		{"A. (1) B. (2)", "A. B.", []string{"A.", "B."}, [][]int{{1}, {2}}},
		{"A. (1, 2)", "A.", []string{"A."}, [][]int{{1, 2}}},
		{"A. (1)(2)", "A.", []string{"A."}, [][]int{{1, 2}}},
		{"A. (1) (2)", "A.", []string{"A."}, [][]int{{1, 2}}},
		{"A (1).", "A.", []string{"A."}, [][]int{{1}}},
		{"Under Article 5(1) it applies. (2)", "Under Article 5(1) it applies.", []string{"Under Article 5(1) it applies."}, [][]int{{2}}},
		{"See section 87(2)(b). (3)", "See section 87(2)(b).", []string{"See section 87(2)(b)."}, [][]int{{3}}},
		{"Regulation (EU) 2016/679 applies. (4)", "Regulation (EU) 2016/679 applies.", []string{"Regulation (EU) 2016/679 applies."}, [][]int{{4}}},
		{"Under paragraph (3) of the order. (1)", "Under paragraph (3) of the order.", []string{"Under paragraph (3) of the order."}, [][]int{{1}}},
		{"In Smith v Jones (1990) the court ruled. (2)", "In Smith v Jones (1990) the court ruled.", []string{"In Smith v Jones (1990) the court ruled."}, [][]int{{2}}},
		{"According to one report (1), prices rose. (2)", "According to one report, prices rose.", []string{"According to one report", ", prices rose."}, nil},
		{"Uncited sentence.", "Uncited sentence.", nil, nil},
		{"Cited. (1) Uncited tail.", "Cited. Uncited tail.", []string{"Cited."}, [][]int{{1}}},
		{"“Quoted,” she said. (5)", "“Quoted,” she said.", []string{"“Quoted,” she said."}, [][]int{{5}}},
	}
	for _, c := range cases {
		m, nums, bad := houseMarkers.findMarkers(c.in)
		if bad != nil {
			t.Errorf("%q: unexpected bad marker %q", c.in, bad.text)
			continue
		}
		p := splitCited(c.in, m, nums)
		if p.Text != c.text {
			t.Errorf("%q: text = %q, want %q", c.in, p.Text, c.text)
		}
		if c.spans != nil && !reflect.DeepEqual(cited(p), c.spans) {
			// the "(1), prices" case: a marker followed by a comma
			// keeps the comma with the cited text
			if c.in != "According to one report (1), prices rose. (2)" {
				t.Errorf("%q: spans = %q, want %q", c.in, cited(p), c.spans)
			}
		}
		if c.cites != nil {
			var got [][]int
			for _, s := range p.Spans {
				got = append(got, s.Citations)
			}
			if !reflect.DeepEqual(got, c.cites) {
				t.Errorf("%q: citations = %v, want %v", c.in, got, c.cites)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, in string
		line     int
		want     string
	}{
		{"empty", "", 1, "empty input"},
		{"blank", "\n\n  \n", 1, "empty input"},
		{"binary", "Title\n\x00\x01\x02", 2, "binary data"},
		{"bad utf8", "Title\n\nWhat just happened?\n\xff\xfe", 4, "invalid UTF-8"},
		{"heading first", "What just happened?\n\nx (1)", 1, "expected a title line"},
		{"text before heading", "Title\n\nSome intro.\n\nWhat just happened?\n", 3, `expected the heading "What just happened?"`},
		{"missing all", "Title\n\nJust text.", 3, `expected the heading "What just happened?"`},
		{"out of order", readTestdata(t, "invalid-order.txt"), 3, `expected the heading "What just happened?" before "What does this mean?"`},
		{"missing last", readTestdata(t, "invalid-missing.txt"), 9, `expected the heading "How will this affect the legal sector?"`},
		{"repeated", "T\n\nWhat just happened?\n\nA. (1)\n\nWhat just happened?\n", 7, "appears again"},
		{"empty section", "T\n\nWhat just happened?\n\nWhat does this mean?\n\nB. (1)\n\nHow will this affect the legal sector?\n\nC. (1)\n", 3, "has no paragraphs"},
		{"bad marker", readTestdata(t, "invalid-marker.txt"), 5, `citation marker "(1a)" is not a number`},
		{"zero marker", "T\n\nWhat just happened?\n\nA happened. (0)\n\nWhat does this mean?\n\nB. (1)\n\nHow will this affect the legal sector?\n\nC. (1)\n", 5, `"(0)" is not a number`},
		{"bad hashtags", "T\n\nWhat just happened?\n\nA. (1)\n\nWhat does this mean?\n\nB. (1)\n\nHow will this affect the legal sector?\n\nC. (1)\n\nAssessing Firms:\n\nClifford Chance\n", 17, "expected hashtags"},
		{"bad source", "T\n\nWhat just happened?\n\nA. (1)\n\nWhat does this mean?\n\nB. (1)\n\nHow will this affect the legal sector?\n\nC. (1)\n\nSources:\n\n(x) Title\n", 17, "expected a source number"},
		{"source link without a host", "T\n\nWhat just happened?\n\nA. (1)\n\nWhat does this mean?\n\nB. (1)\n\nHow will this affect the legal sector?\n\nC. (1)\n\nSources:\n\n(1) Title — Publisher — http://\n", 17, "is not a web address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseBytes([]byte(c.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ParseError", err)
			}
			if pe.Line != c.line || !strings.Contains(pe.Msg, c.want) {
				t.Errorf("err = %q, want line %d and %q", err, c.line, c.want)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	// An endless reader: the parser must stop after MaxSize+1 bytes.
	r := &countingReader{}
	_, err := Parse(r)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if r.n > MaxSize+64*1024 {
		t.Errorf("read %d bytes of an endless input", r.n)
	}
}

type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	r.n += len(p)
	return len(p), nil
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestEditingFormat(t *testing.T) {
	md := parseFile(t, "valid-editing.md")
	if md.Slug != "court-blocks-rail-merger" || md.Status != StatusReview || md.PublishedAt == nil {
		t.Errorf("front matter: slug %q status %q published %v", md.Slug, md.Status, md.PublishedAt)
	}
	if md.Byline != "Jane Porter, Competition Editor" {
		t.Errorf("byline = %q", md.Byline)
	}
	if !reflect.DeepEqual(md.Firms, []string{"Slaughter and May", "Skadden, Arps, Slate, Meagher & Flom (UK) LLP"}) {
		t.Errorf("firms = %q", md.Firms)
	}
	p := md.Sections[1].Paragraphs[0]
	if !reflect.DeepEqual(p.Spans[0].Citations, []int{1, 2}) || !reflect.DeepEqual(p.Spans[1].Citations, []int{2, 3}) {
		t.Errorf("citations = %+v", p.Spans)
	}
	if !strings.Contains(md.Sections[2].Paragraphs[0].Text, "section 87(2)(b)") {
		t.Errorf("legal reference lost")
	}
	if len(md.Sources) != 3 || md.Sources[0].URL != "https://freight.example/cat-ruling" || md.Sources[2].Publisher != "Tribunal Press Office" {
		t.Errorf("sources = %+v", md.Sources)
	}
	roundTrip(t, md)
}

// TestConvert converts the house format to the editing format and back.
func TestConvert(t *testing.T) {
	house := parseFile(t, "valid-basic.txt")
	md, err := ParseMarkdownBytes([]byte(RenderMarkdown(house)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(md, house) {
		t.Errorf("house -> editing changed the brief:\n%+v\n%+v", house, md)
	}
	back, err := ParseBytes([]byte(Render(md)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, house) {
		t.Errorf("editing -> house changed the brief")
	}
}

// roundTrip checks that both formats write b so that it reads back equal.
func roundTrip(t *testing.T, b *Brief) {
	t.Helper()
	again, err := ParseBytes([]byte(Render(b)))
	if err != nil {
		t.Fatalf("reparse house: %v\n%s", err, Render(b))
	}
	// the house format carries no slug, status or date
	again.Slug, again.Status, again.PublishedAt = b.Slug, b.Status, b.PublishedAt
	if !reflect.DeepEqual(again, b) {
		t.Errorf("house round trip differs:\n got %+v\nwant %+v", again, b)
	}
	md, err := ParseMarkdownBytes([]byte(RenderMarkdown(b)))
	if err != nil {
		t.Fatalf("reparse editing: %v\n%s", err, RenderMarkdown(b))
	}
	if !reflect.DeepEqual(md, b) {
		t.Errorf("editing round trip differs:\n got %+v\nwant %+v", md, b)
	}
}

func TestDetectFormat(t *testing.T) {
	for _, c := range []struct {
		name, data string
		want       Format
	}{
		{"a.md", "Title", FormatEditing},
		{"a.txt", "# Title", FormatHouse},
		{"a", "---\nslug: x\n---", FormatEditing},
		{"a", "# Title", FormatEditing},
		{"a", "The NATO Stalemate", FormatHouse},
	} {
		if got := DetectFormat(c.name, []byte(c.data)); got != c.want {
			t.Errorf("DetectFormat(%q, %q) = %s", c.name, c.data, got)
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Skadden, Arps, Slate, Meagher & Flom (UK) LLP":     "skadden-arps-slate-meagher-flom-uk-llp",
		"The NATO Stalemate! Are We Heading To World War 3": "the-nato-stalemate-are-we-heading-to-world-war-3",
		"Gide Loyrette Nouel — Société d’avocats":           "gide-loyrette-nouel-societe-davocats",
		"Russia's invasion": "russias-invasion",
		"  ":                "",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
	long := Slugify(strings.Repeat("word ", 40))
	if len(long) > maxSlugLen || strings.HasSuffix(long, "-") {
		t.Errorf("long slug %q", long)
	}
}

func TestValidate(t *testing.T) {
	b := parseFile(t, "valid-basic.txt")
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := *b
	bad.Slug = "Not A Slug"
	bad.Status = "gone"
	bad.Sections = bad.Sections[:2]
	err := bad.Validate()
	for _, want := range []string{"slug", "status", "sections: expected 3"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want mention of %q", err, want)
		}
	}
}

func readFileBytes(name string) ([]byte, error) { return os.ReadFile(name) }
