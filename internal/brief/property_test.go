package brief

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Words the generator draws from, including the awkward ones: legal
// references with parentheses, curly quotes, numbers, abbreviations.
var (
	genWords = []string{"the", "court", "ruled", "that", "sanctions", "Article", "5(1)", "section", "87(2)(b)",
		"Regulation", "(EU)", "2016/679", "“binding”", "‘orally’", "U.S.", "100,000", "£2.5bn", "—", "and", "NATO's",
		"tribunal", "arbitral", "award", "of", "in", "Moscow", "Brussels", "(1990)", "e.g.", "per", "cent"}
	genFirmWords = []string{"Smith", "Arps,", "&", "Flom", "(UK)", "LLP", "Co.", "Quinn", "Emanuel", "Sullivan,", "Jones", "Day"}
)

func genSentence(t *rapid.T, label string) string {
	first := rapid.SampledFrom([]string{"The", "A", "Moscow", "Lawyers", "NATO", "In", "“We"}).Draw(t, label+"-first")
	words := rapid.SliceOfN(rapid.SampledFrom(genWords), 1, 12).Draw(t, label+"-words")
	end := rapid.SampledFrom([]string{".", "?", "!", ".”"}).Draw(t, label+"-end")
	return first + " " + strings.Join(words, " ") + end
}

func genName(t *rapid.T, label string) string {
	return strings.Join(rapid.SliceOfN(rapid.SampledFrom(genFirmWords), 1, 5).Draw(t, label), " ")
}

// genBrief draws a brief as Parse would produce it.
func genBrief(t *rapid.T) *Brief {
	b := &Brief{Title: "Brief " + genSentence(t, "title")}
	b.Slug = Slugify(b.Title)
	for s := range 3 {
		sec := Section{Heading: Headings[s]}
		for pi := range rapid.IntRange(1, 3).Draw(t, "paragraphs") {
			var text strings.Builder
			var spans []Span
			for range rapid.IntRange(1, 4).Draw(t, "runs") {
				start := text.Len()
				if start > 0 {
					text.WriteByte(' ')
					start++
				}
				for k := range rapid.IntRange(1, 3).Draw(t, "sentences") {
					if k > 0 {
						text.WriteByte(' ')
					}
					text.WriteString(genSentence(t, "s"))
				}
				cites := rapid.SliceOfNDistinct(rapid.IntRange(1, 30), 0, 3, rapid.ID[int]).Draw(t, "cites")
				if len(cites) > 0 {
					spans = append(spans, Span{Start: start, End: text.Len(), Citations: cites})
				} else if len(spans) > 0 && spans[len(spans)-1].End == start-1 {
					// an uncited run is only possible at the end: stop here
					break
				}
			}
			_ = pi
			sec.Paragraphs = append(sec.Paragraphs, Paragraph{Text: text.String(), Spans: spans})
		}
		b.Sections = append(b.Sections, sec)
	}
	// Uncited runs in the middle of a paragraph cannot be written in the
	// house format (the next marker would cite them), so merge them away.
	for s := range b.Sections {
		for p := range b.Sections[s].Paragraphs {
			fixSpans(&b.Sections[s].Paragraphs[p])
		}
	}
	if rapid.Bool().Draw(t, "byline") {
		b.Byline = "By the " + genName(t, "byline") + " desk"
	}
	b.Firms = distinct(rapid.SliceOfN(rapid.Custom(func(t *rapid.T) string { return genName(t, "firm") }), 0, 6).Draw(t, "firms"))
	b.Topics = distinct(rapid.SliceOfN(rapid.SampledFrom([]string{"Sanctions & Export Controls", "Public International Law", "European Union", "M&A"}), 0, 3).Draw(t, "topics"))
	for n := range rapid.IntRange(0, 4).Draw(t, "sources") {
		b.Sources = append(b.Sources, Source{N: n + 1, Title: "Report " + genName(t, "st"), Publisher: rapid.SampledFrom([]string{"", "Reuters", "The Times"}).Draw(t, "pub"), URL: rapid.SampledFrom([]string{"", "https://news.example/a?b=1"}).Draw(t, "url")})
	}
	return b.Normalize()
}

// fixSpans drops uncited gaps between spans by extending the later span
// back over them, as the parser would read the rendered text.
func fixSpans(p *Paragraph) {
	prev := 0
	for i := range p.Spans {
		if p.Spans[i].Start > prev {
			if prev == 0 {
				p.Spans[i].Start = 0
			} else {
				p.Spans[i].Start = prev + 1
			}
		}
		prev = p.Spans[i].End
	}
}

func distinct(in []string) []string {
	return appendUnique(nil, in...)
}

func TestRenderParseProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := genBrief(t)
		if err := b.Validate(); err != nil {
			t.Fatalf("generator made an invalid brief: %v", err)
		}
		text := Render(b)
		got, err := ParseBytes([]byte(text))
		if err != nil {
			t.Fatalf("parse of rendered brief: %v\n%s", err, text)
		}
		if !reflect.DeepEqual(got, b) {
			t.Fatalf("house round trip differs\nrendered:\n%s\n got %#v\nwant %#v", text, got, b)
		}
		md := RenderMarkdown(b)
		got, err = ParseMarkdownBytes([]byte(md))
		if err != nil {
			t.Fatalf("parse of rendered editing format: %v\n%s", err, md)
		}
		if !reflect.DeepEqual(got, b) {
			t.Fatalf("editing round trip differs\nrendered:\n%s\n got %#v\nwant %#v", md, got, b)
		}
	})
}

// FuzzParse feeds arbitrary bytes to the house-format parser: it must never
// panic, and what it accepts must be valid and survive a round trip.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"valid-basic.txt", "valid-crlf.txt", "invalid-order.txt", "invalid-marker.txt", "valid-editing.md"} {
		data, err := readFixture(name)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("T\n\nWhat just happened?\n\nA. (1)(2) B (3), c.\n\nWhat does this mean?\n\n(1) x\n\nHow will this affect the legal sector?\n\nC. (1)\n\nX\n\nAssessing Firms: #A #B\nStay Tuned"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBytes(data)
		if err != nil {
			return
		}
		if err := b.Validate(); err != nil {
			t.Fatalf("accepted an invalid brief: %v", err)
		}
		again, err := ParseBytes([]byte(Render(b)))
		if err != nil {
			t.Fatalf("rendered brief does not parse: %v\n%s", err, Render(b))
		}
		again.Slug = b.Slug
		if !reflect.DeepEqual(again, b) {
			t.Fatalf("round trip differs\n got %#v\nwant %#v", again, b)
		}
	})
}

// FuzzParseMarkdown does the same for the editing format.
func FuzzParseMarkdown(f *testing.F) {
	if data, err := readFixture("valid-editing.md"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseMarkdownBytes(data)
		if err != nil {
			return
		}
		if _, err := ParseMarkdownBytes([]byte(RenderMarkdown(b))); err != nil {
			t.Fatalf("rendered brief does not parse: %v\n%s", err, RenderMarkdown(b))
		}
	})
}

func readFixture(name string) ([]byte, error) {
	return readFileBytes("testdata/" + name)
}

var _ = bytes.Equal
