package web

import (
	"context"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mmcdole/gofeed"

	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// lawBrief is a published brief citing the GDPR twice (once through a
// continuation in a later paragraph) and the Companies Act 2006, with
// citation markers inside and after the references.
func lawBrief() *brief.Brief {
	published := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	p1 := "The regulator relied on Article 6(1)(f) GDPR and on section 172 of the Companies Act 2006."
	p2 := "It added that Article 5(1) of that Regulation was breached."
	cut := strings.Index(p1, " and on")
	return &brief.Brief{Slug: "regulator-relies-on-gdpr", Title: "Regulator relies on the GDPR", Byline: "The Legists Content Team",
		Status: brief.StatusPublished, PublishedAt: &published,
		Sections: []brief.Section{
			{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: p1, Spans: []brief.Span{
				{Start: 0, End: cut, Citations: []int{1}}, {Start: cut, End: len(p1), Citations: []int{1, 2}}}}}},
			{Heading: brief.HeadingMeaning, Paragraphs: []brief.Paragraph{{Text: p2, Spans: []brief.Span{{Start: 0, End: len(p2), Citations: []int{2}}}}}},
			{Heading: brief.HeadingLegal, Paragraphs: []brief.Paragraph{{Text: "Claims must be brought within the Limitation Act 1980 periods.", Spans: []brief.Span{{Start: 0, End: 63, Citations: []int{1}}}}}},
		},
		Firms:   []string{"Clifford Chance LLP"},
		Sources: []brief.Source{{N: 1, URL: "https://news.example/a", Title: "A", Publisher: "Wire"}, {N: 2, URL: "https://news.example/b", Title: "B", Publisher: "Wire"}},
	}
}

func TestLawPagesSQLite(t *testing.T) { testLawPages(t, newSite(t)) }

func TestLawPagesPostgres(t *testing.T) {
	storetest.PostgresDSN(t) // skips without LEGISTS_TEST_POSTGRES
	testLawPages(t, newSiteOn(t, storetest.OpenPostgres(t)))
}

var lawrefRE = regexp.MustCompile(`<a class="lawref" href="(/law/[^"]+)" title="([^"]+)">([^<]+)</a>`)

func testLawPages(t *testing.T, s *testSite) {
	ctx := context.Background()
	b := lawBrief()
	if _, err := s.st.SaveBrief(ctx, b, store.SaveOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	s.srv.Invalidate()
	_, page := s.get("/briefs/" + b.Slug)
	links := lawrefRE.FindAllStringSubmatch(page, -1)
	var got []string
	for _, l := range links {
		got = append(got, l[3]+" → "+l[1]+" ("+l[2]+")")
	}
	want := []string{
		"Article 6(1)(f) GDPR → /law/eu-regulation-2016-679 (Article 6(1)(f) of Regulation (EU) 2016/679)",
		"section 172 of the Companies Act 2006 → /law/uk-companies-act-2006 (section 172 of the Companies Act 2006)",
		"Article 5(1) of that Regulation → /law/eu-regulation-2016-679 (Article 5(1) of Regulation (EU) 2016/679)",
		"Limitation Act 1980 → /law/uk-limitation-act-1980 (Limitation Act 1980)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reference links:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The citation markers stay as they were, outside the links.
	mustContain(t, page, `GDPR</a><sup class="cite"><a href="#source-1"`, `2006</a>.<sup class="cite"><a href="#source-1"`)

	_, law := s.get("/law/eu-regulation-2016-679")
	mustContain(t, law, "<h1>General Data Protection Regulation</h1>", "Regulation (EU) 2016/679",
		`href="https://eur-lex.europa.eu/eli/reg/2016/679/oj"`, "European Union", `href="/briefs/`+b.Slug+`"`,
		"Article 6(1)(f) of Regulation (EU) 2016/679", `href="/law/eu-regulation-2016-679/feed.xml"`)
	if resp, _ := s.get("/law/no-such-instrument"); resp.StatusCode != 404 {
		t.Errorf("unknown instrument: %d", resp.StatusCode)
	}

	resp, body := s.get("/law/uk-companies-act-2006/feed.xml")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil || f.FeedType != "atom" || len(f.Items) == 0 {
		t.Fatalf("feed: %v", err)
	}
	inFeed := false
	for _, it := range f.Items {
		inFeed = inFeed || it.Link == s.ts.URL+"/briefs/"+b.Slug
		if !strings.Contains(it.Content, "Companies Act 2006") {
			t.Errorf("feed item %s does not cite the Companies Act 2006", it.Link)
		}
	}
	if !inFeed {
		t.Errorf("the feed lacks %s", b.Slug)
	}
	if resp, _ := s.get("/law/no-such-instrument/feed.xml"); resp.StatusCode != 404 {
		t.Errorf("feed of an unknown instrument: %d", resp.StatusCode)
	}

	_, sm := s.get("/sitemap.xml")
	var doc struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(sm), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range doc.URLs {
		found = found || u.Loc == s.ts.URL+"/law/uk-companies-act-2006"
	}
	if !found {
		t.Error("the sitemap lacks /law/uk-companies-act-2006")
	}

	// Unpublishing the brief takes the page down with it.
	b.Status, b.PublishedAt = brief.StatusDraft, nil
	if _, err := s.st.SaveBrief(ctx, b, store.SaveOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	s.srv.Invalidate()
	if resp, _ := s.get("/law/uk-limitation-act-1980"); resp.StatusCode != 404 {
		t.Errorf("instrument cited only by a draft: %d", resp.StatusCode)
	}
}

func TestBrowserLawLink(t *testing.T) {
	c := newChrome(t)
	s := newSite(t)
	b := lawBrief()
	if _, err := s.st.SaveBrief(context.Background(), b, store.SaveOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	s.srv.Invalidate()
	c.do("open the brief", chromedp.Navigate(s.ts.URL+"/briefs/"+b.Slug), chromedp.WaitVisible(css(`#brief-title`)))
	c.shot("law-01-brief")
	c.do("follow the Companies Act link", chromedp.Click(css(`a.lawref[href="/law/uk-companies-act-2006"]`)), chromedp.WaitVisible(css(`h1`)))
	if loc := run(c, "location", chromedp.Location()); loc != s.ts.URL+"/law/uk-companies-act-2006" {
		t.Errorf("the reference leads to %s", loc)
	}
	if h := run(c, "heading", chromedp.Text(css(`h1`))); h != "Companies Act 2006" {
		t.Errorf("instrument page heading %q", h)
	}
	if href := run(c, "official link", chromedp.Evaluate[string](`document.querySelector('a[href^="https://www.legislation.gov.uk/"]').href`)); href != "https://www.legislation.gov.uk/ukpga/2006/46" {
		t.Errorf("official text link %q", href)
	}
	if n := run(c, "briefs listed", chromedp.Evaluate[int](`document.querySelectorAll('a[href="/briefs/`+b.Slug+`"]').length`)); n == 0 {
		t.Error("the instrument page does not list the brief")
	}
	c.shot("law-02-instrument")
	c.checkConsole()
}
