package web

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/demo"
	"legists/internal/directory"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestFirmReasonsSQLite(t *testing.T)   { testFirmReasons(t, storetest.OpenSQLite(t)) }
func TestFirmReasonsPostgres(t *testing.T) { testFirmReasons(t, storetest.OpenPostgres(t)) }

var (
	firmTagRE = regexp.MustCompile(`(?s)<li class="firmtag">\s*<a class="firmname" href="([^"]+)">([^<]+)</a>.*?<span class="reasons">(.*?)</span>`)
	reasonRE  = regexp.MustCompile(`<a href="([^"]+)">([^<]+)</a>`)
)

// testFirmReasons reads every published demo brief as a reader: each firm
// says why it is there; "named in source n" links to the archived copy of
// source n, which does name the firm; "practises …" links to the firm's
// page; and no tag looks like a social-media hashtag.
func testFirmReasons(t *testing.T, st store.Store) {
	s := newSiteOn(t, st)
	// A brief whose second source names the lenders' counsel.
	b := &brief.Brief{Slug: "lenders-fund-nordic-data-centre", Title: "Lenders fund a Nordic data centre", Byline: "The Legists Content Team",
		Status: brief.StatusPublished, PublishedAt: new(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)),
		Sections: []brief.Section{
			{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "A group of banks agreed a €900 million loan for a data centre campus in Norway.", Spans: []brief.Span{{Start: 0, End: 79, Citations: []int{1}}}}}},
			{Heading: brief.HeadingMeaning, Paragraphs: []brief.Paragraph{{Text: "The facility is one of the largest project financings in the region this year.", Spans: []brief.Span{{Start: 0, End: 78, Citations: []int{2}}}}}},
			{Heading: brief.HeadingLegal, Paragraphs: []brief.Paragraph{{Text: "Banking lawyers expect more financings of digital infrastructure.", Spans: []brief.Span{{Start: 0, End: 65, Citations: []int{2}}}}}},
		},
		Firms: []string{"Linklaters LLP", "Slaughter and May"},
		Sources: []brief.Source{
			{N: 1, URL: "https://news.example/loan", Title: "Banks agree data centre loan", Publisher: "Example News", Text: "A group of banks agreed a €900 million loan for a data centre campus in Norway."},
			{N: 2, URL: "https://finance.example/deal", Title: "Deal of the week", Publisher: "Finance Example", Text: "The facility is one of the largest project financings in the region this year. Linklaters advised the lenders on the loan and the security package."},
		}}
	if _, err := st.SaveBrief(t.Context(), b, store.SaveOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	_, page := s.get("/briefs/" + b.Slug)
	mustContain(t, page, `<a href="/briefs/lenders-fund-nordic-data-centre/sources/2">named in source 2</a>`)
	entries, err := demo.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	named, practises := 0, 0
	slugs := []string{b.Slug}
	for _, e := range entries {
		if e.Status == "published" {
			slugs = append(slugs, e.Slug)
		}
	}
	for _, slug := range slugs {
		e := demo.Entry{Slug: slug}
		_, page := s.get("/briefs/" + e.Slug)
		tags := firmTagRE.FindAllStringSubmatch(page, -1)
		b, err := st.GetBrief(t.Context(), e.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != len(b.Firms) {
			t.Errorf("%s: %d firms shown, %d tagged", e.Slug, len(tags), len(b.Firms))
		}
		if strings.Contains(page, ">#") {
			t.Errorf("%s: a firm still shows as a #hashtag", e.Slug)
		}
		for _, tg := range tags {
			firmURL, name, reasons := tg[1], html.UnescapeString(tg[2]), tg[3]
			if strings.TrimSpace(reasons) == "" {
				t.Errorf("%s: %s has no reason", e.Slug, name)
			}
			for _, r := range reasonRE.FindAllStringSubmatch(reasons, -1) {
				href, text := r[1], html.UnescapeString(r[2])
				switch {
				case strings.HasPrefix(text, "named in source "):
					named++
					if !strings.HasPrefix(href, "/briefs/"+e.Slug+"/sources/") {
						t.Errorf("%s: %q links to %s, not to the archived source", e.Slug, text, href)
						continue
					}
					_, src := s.get(href)
					if !mentionsFirm(html.UnescapeString(src), name) {
						t.Errorf("%s: %s is %q but %s does not name it", e.Slug, name, text, href)
					}
				case strings.HasPrefix(text, "practises "):
					practises++
					if href != firmURL {
						t.Errorf("%s: %q links to %s, not to the firm's page %s", e.Slug, text, href, firmURL)
					}
				}
			}
		}
	}
	if named == 0 || practises == 0 {
		t.Errorf("across the demo: %d firms named in a source, %d by practice; want both kinds of reason", named, practises)
	}
}

// mentionsFirm reports whether text names the firm, by its name or an alias.
func mentionsFirm(text, name string) bool {
	for _, f := range directory.Firms() {
		if f.Name != name {
			continue
		}
		for _, form := range append([]string{f.Name}, f.Aliases...) {
			if strings.Contains(text, form) {
				return true
			}
		}
	}
	return strings.Contains(text, name)
}
