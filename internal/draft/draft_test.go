package draft

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"legists/internal/brief"
	"legists/internal/fidelity"
	"legists/internal/sentence"
)

var sets = []string{"arbitration", "privacy", "sanctions", "merger"}

func loadSet(t *testing.T, name string) []Article {
	t.Helper()
	arts, err := LoadDir(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

func TestExtractiveDraftsPassFidelity(t *testing.T) {
	for _, name := range sets {
		t.Run(name, func(t *testing.T) {
			arts := loadSet(t, name)
			b, err := Extractive{}.Draft(context.Background(), arts)
			if err != nil {
				t.Fatalf("draft: %v", err)
			}
			t.Logf("\n%s", brief.Render(b))
			rep := fidelity.Check(b, sourceTexts(arts))
			for _, f := range rep.Findings {
				t.Logf("finding: %s %s: %s (%q)", f.Severity, f.Kind, f.Message, f.Sentence)
			}
			if !rep.OK {
				t.Errorf("fidelity errors: %d", rep.Errors())
			}
			checkShape(t, b, arts, DefaultWords)
		})
	}
}

// checkShape checks what every draft promises: three sections in order,
// every sentence one span cited to one article whose text holds it, the
// word limit, a title and sources.
func checkShape(t *testing.T, b *brief.Brief, arts []Article, limit int) {
	t.Helper()
	if b.Title == "" || b.Slug != brief.Slugify(b.Title) {
		t.Errorf("title %q slug %q", b.Title, b.Slug)
	}
	if len(b.Sections) != 3 {
		t.Fatalf("%d sections", len(b.Sections))
	}
	texts := map[int]string{}
	for _, a := range arts {
		texts[a.N] = strings.Join(strings.Fields(a.Text), " ")
	}
	words := 0
	for k, sec := range b.Sections {
		if sec.Heading != brief.Headings[k] {
			t.Errorf("section %d heading %q", k, sec.Heading)
		}
		if len(sec.Paragraphs) == 0 {
			t.Errorf("section %q is empty", sec.Heading)
		}
		for _, p := range sec.Paragraphs {
			sents := sentence.Split(p.Text)
			if len(sents) != len(p.Spans) {
				t.Errorf("paragraph has %d sentences and %d spans: %q", len(sents), len(p.Spans), p.Text)
			}
			for i, sp := range p.Spans {
				if len(sp.Citations) != 1 {
					t.Errorf("span cites %v", sp.Citations)
					continue
				}
				st := p.Text[sp.Start:sp.End]
				if i < len(sents) && sents[i].Text(p.Text) != st {
					t.Errorf("span %q is not sentence %q", st, sents[i].Text(p.Text))
				}
				if !strings.Contains(texts[sp.Citations[0]], st) {
					t.Errorf("sentence %q is not in article %d", st, sp.Citations[0])
				}
				words += len(sentence.Words(st))
			}
			if p.Uncited() != "" {
				t.Errorf("uncited text %q", p.Uncited())
			}
		}
	}
	if words > limit {
		t.Errorf("%d words, limit %d", words, limit)
	}
	if len(b.Sources) != len(arts) {
		t.Errorf("%d sources for %d articles", len(b.Sources), len(arts))
	}
}

func TestWordLimit(t *testing.T) {
	arts := loadSet(t, "sanctions")
	for _, limit := range []int{90, 150, 400} {
		b, err := Extractive{Words: limit, NoTags: true}.Draft(context.Background(), arts)
		if err != nil {
			t.Fatalf("%d words: %v", limit, err)
		}
		checkShape(t, b, arts, limit)
	}
}

func TestLegalSectionIsLegal(t *testing.T) {
	for _, name := range sets {
		arts := loadSet(t, name)
		c := newCorpus(arts)
		if err := c.rank(context.Background()); err != nil {
			t.Fatal(err)
		}
		sel, err := c.selectSentences(DefaultWords, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range sel[2] {
			if c.sents[i].legal < legalFloor {
				t.Errorf("%s: legal section has %q (legal %.1f)", name, c.sents[i].text, c.sents[i].legal)
			}
		}
		for _, i := range sel.all() {
			for _, j := range sel.all() {
				if i != j && c.sim[i][j] > redundant {
					t.Errorf("%s: redundant pair %q / %q", name, c.sents[i].text, c.sents[j].text)
				}
			}
		}
	}
}

func TestBoilerplateAndPitfallsLeftOut(t *testing.T) {
	arts := loadSet(t, "merger")
	b, err := Extractive{Words: 400}.Draft(context.Background(), arts)
	if err != nil {
		t.Fatal(err)
	}
	out := brief.Render(b)
	for _, bad := range []string{"newsletter", "Is this the end", "the the", "All rights reserved", "approved the deal", "We believe"} {
		if strings.Contains(out, bad) {
			t.Errorf("draft contains %q:\n%s", bad, out)
		}
	}
}

func TestTitleIsCentralHeadline(t *testing.T) {
	arts := loadSet(t, "arbitration")
	b, err := Extractive{}.Draft(context.Background(), arts)
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for _, a := range arts {
		titles[a.Title] = true
	}
	if !titles[b.Title] {
		t.Errorf("title %q is none of the headlines", b.Title)
	}
}

func TestDraftErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := (Extractive{}).Draft(ctx, nil); err != ErrNoArticles {
		t.Errorf("no articles: %v", err)
	}
	short := []Article{{N: 1, Title: "Short", Text: "Too short. Far too short."}}
	if _, err := (Extractive{}).Draft(ctx, short); err != ErrTooLittleText {
		t.Errorf("short: %v", err)
	}
	dup := []Article{{N: 1, Text: "x"}, {N: 1, Text: "y"}}
	if _, err := (Extractive{}).Draft(ctx, dup); err == nil {
		t.Error("duplicate numbers accepted")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (Extractive{}).Draft(cancelled, loadSet(t, "privacy")); err == nil {
		t.Error("cancelled context ignored")
	}
}

func TestLoadDir(t *testing.T) {
	arts := loadSet(t, "merger")
	if len(arts) != 3 || arts[1].N != 2 {
		t.Fatalf("articles: %+v", arts)
	}
	h := arts[1]
	if h.Title != "Freight merger blocked after in-depth probe" || h.URL != "https://transport.example.org/freight-merger-blocked" ||
		h.Publisher != "Example Transport Journal" || h.Published.IsZero() {
		t.Errorf("html article: %+v", h)
	}
	if strings.Contains(h.Text, "tracking") || strings.Contains(h.Text, "Home") {
		t.Errorf("html text has scripts or navigation: %q", h.Text)
	}
	a := arts[0]
	if a.Title != "Competition watchdog blocks £2.1bn merger of rail freight groups" || a.Publisher != "Example Business News" ||
		a.Published.Format("2006-01-02") != "2026-09-22" || strings.HasPrefix(a.Text, "URL:") {
		t.Errorf("txt article: %+v", a)
	}
	if arts[2].URL != "" || arts[2].Publisher != "Example Legal Weekly" {
		t.Errorf("article 3: %+v", arts[2])
	}

	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "no N.txt") {
		t.Errorf("empty dir: %v", err)
	}
	write("1.txt", "Title only\n")
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "1.txt") {
		t.Errorf("title only: %v", err)
	}
	write("1.txt", "Title\nPublished: yesterday\n\nText.")
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "1.txt") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad date: %v", err)
	}
	write("1.txt", "Title\nPublisher: P\nNote: this line is text\n\nBody.")
	arts, err := LoadDir(dir)
	if err != nil || arts[0].Publisher != "P" || !strings.HasPrefix(arts[0].Text, "Note: this line is text") {
		t.Errorf("header stops at an unknown key: %+v, %v", arts, err)
	}
	write("2.txt", "\xff\xfe bad")
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "2.txt") {
		t.Errorf("not UTF-8: %v", err)
	}
}

func TestFidelityErrorsAreDropped(t *testing.T) {
	arts := loadSet(t, "privacy")
	lead := "The Dutch data protection authority has fined Nordvik"
	doubled := "The Dutch data protection authority has fined the the photo-sharing app Nordvik"
	if !strings.Contains(arts[0].Text, lead) {
		t.Fatal("fixture changed")
	}
	arts[0].Text = strings.Replace(arts[0].Text, lead, doubled, 1)
	// The doubled sentence is the most central one: without the check it
	// would lead the draft.
	c := newCorpus(arts)
	if err := c.rank(context.Background()); err != nil {
		t.Fatal(err)
	}
	sel, err := c.selectSentences(DefaultWords, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.sents[sel[0][0]].text, "the the") {
		t.Skipf("the doubled sentence is not chosen first: %q", c.sents[sel[0][0]].text)
	}
	if rep := fidelity.Check(c.build(sel), sourceTexts(arts)); rep.OK {
		t.Skip("the fidelity check does not flag the doubled word")
	}
	b, err := Extractive{}.Draft(context.Background(), arts)
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	if strings.Contains(brief.Render(b), "the the") {
		t.Errorf("doubled word kept:\n%s", brief.Render(b))
	}
}

func TestSingleArticleWithoutLegalWords(t *testing.T) {
	a := Article{N: 4, Title: "Harbour city opens its first floating park", Text: `The harbour city of Kestrel Bay opened its first floating park on Saturday, a platform of gardens moored beside the old ferry pier.

The park covers about two hectares and rests on sixty concrete pontoons that rise and fall with the tide.

Designers planted salt-tolerant grasses and shrubs that need little watering through the dry summer months.

Thousands of visitors crossed the new footbridge during the opening weekend, according to the city council.

Local cafes reported their busiest weekend since the ferry service closed a decade ago.

The council plans to add a swimming area and a small stage for concerts next spring.`}
	b, err := Extractive{NoTags: true}.Draft(context.Background(), []Article{a})
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	checkShape(t, b, []Article{a}, DefaultWords)
	if rep := fidelity.Check(b, map[int]string{4: a.Text}); !rep.OK {
		t.Errorf("fidelity: %+v", rep.Findings)
	}
	if !strings.HasPrefix(b.Sections[0].Paragraphs[0].Text, "The harbour city of Kestrel Bay opened") {
		t.Errorf("event: %q", b.Sections[0].Paragraphs[0].Text)
	}
	// No legal words: the third section carries the authority's plan,
	// not colour such as the cafes' weekend.
	if legal := b.Sections[2].Paragraphs[0].Text; !strings.Contains(legal, "The council plans") {
		t.Errorf("legal section without legal words: %q", legal)
	}
	if b.Sources[0].N != 4 || b.Sections[0].Paragraphs[0].Spans[0].Citations[0] != 4 {
		t.Errorf("citation numbers: %+v", b.Sources)
	}
}
