package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"legists/internal/brief"
	"legists/internal/demo"
	"legists/internal/fidelity"
	"legists/internal/ingest"
	"legists/internal/ingest/ingesttest"
	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/store/storetest"
	"legists/internal/tag"
)

// newDeskSite starts a server on st with the fidelity check and the tagger
// wired as `legists serve` wires them; withDemo loads the demo content.
func newDeskSite(t *testing.T, st store.Store, withDemo bool) *testSite {
	t.Helper()
	ws, ok := st.(Store)
	if !ok {
		t.Fatal("store lacks the desk")
	}
	if withDemo {
		if err := demo.Load(context.Background(), st); err != nil {
			t.Fatalf("demo.Load: %v", err)
		}
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	srv, err := New(Options{Store: ws, BaseURL: ts.URL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Checker: testChecker, Tagger: testTagger})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	return &testSite{t: t, srv: srv, st: ws, ts: ts}
}

func briefTexts(b *brief.Brief) map[int]string {
	m := map[int]string{}
	for _, s := range b.Sources {
		if strings.TrimSpace(s.Text) != "" {
			m[s.N] = s.Text
		}
	}
	return m
}

func testChecker(_ context.Context, b *brief.Brief) ([]Finding, error) {
	rep := fidelity.Check(b, briefTexts(b))
	out := []Finding{}
	for _, f := range rep.Findings {
		out = append(out, Finding{Kind: f.Kind, Severity: f.Severity, Section: f.Section, Paragraph: f.Paragraph,
			Sentence: f.Sentence, Citation: f.Citation, Message: f.Message})
	}
	return out, nil
}

func testTagger(_ context.Context, b *brief.Brief) (firms, topics []Suggestion, err error) {
	res := tag.Default().Suggest(b, briefTexts(b))
	for _, f := range res.Firms {
		firms = append(firms, Suggestion{Name: f.Name, Score: f.Score, Reasons: f.Reasons})
	}
	for _, tp := range res.Topics {
		topics = append(topics, Suggestion{Name: tp.Name, Score: tp.Score})
	}
	return firms, topics, nil
}

// ingestFixtures subscribes st to feeds of the loopback fixture server
// and polls them once: the cement cartel decision (rss2), its appeal
// (atom03) and a wire reprint of the decision (wire) make one story.
func ingestFixtures(t *testing.T, st store.Store, paths ...string) *ingesttest.Server {
	t.Helper()
	srv := ingesttest.New()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	if len(paths) == 0 {
		paths = []string{"/feeds/rss2.xml", "/feeds/atom03.xml", "/feeds/wire.xml"}
	}
	for _, p := range paths {
		if _, err := st.AddSource(ctx, source.Source{URL: srv.URLOf(p), Kind: source.KindFeed}); err != nil {
			t.Fatal(err)
		}
	}
	// One source at a time, in order: the first copy of a reprinted text is
	// then always the same.
	p := ingest.New(st, ingest.Config{Fetch: ingest.FetchConfig{AllowPrivate: true, Timeout: 5 * time.Second}, Lease: 3 * time.Second, Workers: 1})
	defer p.Close()
	c, err := p.Run(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.New == 0 {
		t.Fatalf("ingest stored nothing: %+v", c)
	}
	return srv
}

// cementStory finds the story of the cement cartel decision.
func cementStory(t *testing.T, st store.Store) *source.Story {
	t.Helper()
	pg, err := st.ListStories(context.Background(), store.StoryFilter{WithArticles: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range pg.Stories {
		for _, a := range s.Articles {
			if strings.HasSuffix(a.CanonicalURL, "/a/cement-appeal.html") {
				return &pg.Stories[i]
			}
		}
	}
	t.Fatalf("no cement story among %d", len(pg.Stories))
	return nil
}

func timeOf(a source.ArticleSummary) time.Time {
	if a.PublishedAt != nil {
		return *a.PublishedAt
	}
	return a.FetchedAt
}

var draftedRE = regexp.MustCompile(`^/admin/briefs/([a-z0-9-]+)\?done=drafted$`)

func TestDeskStoriesSQLite(t *testing.T) { testDeskStories(t, storetest.OpenSQLite(t)) }

func TestDeskStoriesPostgres(t *testing.T) { testDeskStories(t, storetest.OpenPostgres(t)) }

func testDeskStories(t *testing.T, st store.Store) {
	ctx := context.Background()
	ingestFixtures(t, st)
	s := newDeskSite(t, st, false)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	story := cementStory(t, st)
	if story.ArticleCount != 2 || len(story.Articles) != 3 {
		t.Fatalf("cement story: %d articles, %d with reprints", story.ArticleCount, len(story.Articles))
	}

	ed := s.browser()
	csrf := ed.login("editor@example.org", pw)

	// The list: newest first, with counts, publishers and a timeline each.
	resp, page := ed.get("/admin/stories")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/admin/stories: %d\n%s", resp.StatusCode, page)
	}
	mustContain(t, page, `href="/admin/stories/`+strconv.FormatInt(story.ID, 10)+`"`, `<svg class="timeline spark"`,
		"The Daily Docket", "Regional Business Gazette", "+ 1 reprint", `aria-current="page">Stories</a>`, `<circle class="dot dup"`)
	all, _ := st.ListStories(ctx, store.StoryFilter{})
	pos := -1
	for _, sr := range all.Stories {
		i := strings.Index(page, `href="/admin/stories/`+strconv.FormatInt(sr.ID, 10)+`"`)
		if i < pos {
			t.Errorf("story %d is out of order (not most recently active first)", sr.ID)
		}
		pos = i
	}
	if n := strings.Count(page, `<svg class="timeline spark"`); n != len(all.Stories) {
		t.Errorf("%d sparklines for %d stories", n, len(all.Stories))
	}
	_, two := ed.get("/admin/stories?min=2")
	if !strings.Contains(two, story.Title) || strings.Count(two, `<svg class="timeline spark"`) != 1 {
		t.Errorf("?min=2 should list only the cement story")
	}

	// One story: its articles, the reprint marked, the timeline.
	storyURL := "/admin/stories/" + strconv.FormatInt(story.ID, 10)
	resp, page = ed.get(storyURL)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", storyURL, resp.StatusCode)
	}
	mustContain(t, page, `<svg class="timeline"`, `role="img"`, `class="badge dup">reprint</span>`,
		"Regional Business Gazette", `action="`+storyURL+`/brief"`, "Start a brief from this story",
		"2 articles and 1 reprint", `rel="noopener noreferrer nofollow"`)
	for _, a := range story.Articles {
		mustContain(t, page, fmt.Sprintf(`id="article-%d"`, a.ID), fmt.Sprintf(`href="#article-%d"`, a.ID))
	}
	if n := strings.Count(page, `<circle class="dot`); n != 3 {
		t.Errorf("the timeline has %d markers, want 3", n)
	}
	if resp, _ := ed.get("/admin/stories/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing story: %d", resp.StatusCode)
	}
	if resp, _ := ed.get("/admin/stories/x"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bad story id: %d", resp.StatusCode)
	}

	// Starting a brief needs the session's CSRF token.
	if resp, _ := ed.post(storyURL+"/brief", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("brief without CSRF: %d", resp.StatusCode)
	}
	resp, body := ed.post(storyURL+"/brief", url.Values{"csrf": {csrf}})
	m := draftedRE.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("start a brief: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	slug := m[1]
	b, err := st.GetBrief(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != brief.StatusDraft || b.PublishedAt != nil || len(b.Sections) != 3 {
		t.Errorf("draft: status %s, published %v, %d sections", b.Status, b.PublishedAt, len(b.Sections))
	}
	// Sources 1..n: the two originals, oldest first, with their archived
	// text; the reprint left out.
	var originals []source.ArticleSummary
	for _, a := range story.Articles {
		if a.DuplicateOf == nil {
			originals = append(originals, a)
		}
	}
	slices.SortStableFunc(originals, func(a, b source.ArticleSummary) int { return timeOf(a).Compare(timeOf(b)) })
	if len(b.Sources) != len(originals) {
		t.Fatalf("%d sources, want %d: %+v", len(b.Sources), len(originals), b.Sources)
	}
	for i, src := range b.Sources {
		if src.N != i+1 || strings.TrimSpace(src.Text) == "" || src.ContentHash == "" || src.FetchedAt == nil || src.Publisher == "" {
			t.Errorf("source %d: n=%d text=%d bytes hash=%q fetched=%v publisher=%q", i, src.N, len(src.Text), src.ContentHash, src.FetchedAt, src.Publisher)
		}
		if src.URL != originals[i].CanonicalURL {
			t.Errorf("source %d is %s, want %s (originals oldest first, no reprint)", src.N, src.URL, originals[i].CanonicalURL)
		}
	}
	cited := map[int]bool{}
	spans := 0
	for _, sec := range b.Sections {
		for _, p := range sec.Paragraphs {
			for _, sp := range p.Spans {
				spans++
				for _, n := range sp.Citations {
					if _, ok := b.Source(n); !ok {
						t.Errorf("citation [%d] resolves to no source", n)
					}
					cited[n] = true
				}
			}
		}
	}
	if spans == 0 || len(cited) == 0 {
		t.Error("the draft cites nothing")
	}
	if rep := fidelity.Check(b, briefTexts(b)); rep.Errors() != 0 {
		t.Errorf("the stored draft fails the fidelity check: %+v", rep.Findings)
	}
	if len(b.Topics) == 0 {
		t.Errorf("the draft is not tagged with topics")
	}
	t.Logf("drafted %q: topics %v, firms %v", b.Title, b.Topics, b.Firms)
	revs, err := st.Revisions(ctx, slug)
	if err != nil || len(revs) != 1 || revs[0].Author != "editor@example.org" || !strings.Contains(revs[0].Note, "story") {
		t.Errorf("revisions: %+v %v", revs, err)
	}
	audit, _ := st.ListAudit(ctx, store.AuditFilter{Target: slug})
	if len(audit) != 1 || audit[0].Action != "brief.create" || audit[0].Actor != "editor@example.org" || !strings.Contains(audit[0].Detail, fmt.Sprintf("story %d", story.ID)) {
		t.Errorf("audit: %+v", audit)
	}

	// The editor page shows the draft, the fidelity check and the tags.
	resp, page = ed.get(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("editor: %d", resp.StatusCode)
	}
	mustContain(t, page, "Drafted from the story", "## What just happened?", "## Sources", "[1]", "[2]",
		"No findings: every cited sentence checks out", "<h3>Topics</h3>", `<span class="badge draft">draft</span>`)
	mustNotContain(t, page, `class="finding error"`)

	// Again: a second draft under a free slug, the first untouched.
	resp, _ = ed.post(storyURL+"/brief", url.Values{"csrf": {csrf}})
	if m2 := draftedRE.FindStringSubmatch(resp.Header.Get("Location")); m2 == nil || m2[1] != slug+"-2" {
		t.Errorf("second draft at %q, want slug %s-2", resp.Header.Get("Location"), slug)
	}

	// A story with too little text: a clear message, nothing saved.
	res, err := st.SaveArticle(ctx, &source.Article{GUID: "short-1", URL: "https://news.example/short", CanonicalURL: "https://news.example/short",
		Title: "Court adjourns hearing", Publisher: "Example News", Text: "The court adjourned the hearing.", FetchedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	shortID, err := st.AssignStory(ctx, res.ID, 0, source.TermVector("Court adjourns hearing", "The court adjourned the hearing."))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := st.ListBriefs(ctx, store.BriefFilter{Status: brief.StatusDraft})
	resp, page = ed.post(fmt.Sprintf("/admin/stories/%d/brief", shortID), url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short story: %d", resp.StatusCode)
	}
	mustContain(t, page, "too little text to draft a brief from", "1 article with archived text", `class="notice error"`, "Court adjourns hearing")
	after, _ := st.ListBriefs(ctx, store.BriefFilter{Status: brief.StatusDraft})
	if len(after.Briefs) != len(before.Briefs) {
		t.Errorf("a draft was saved from the short story")
	}
}

// The sources page lists the subscriptions with their polling state;
// editors add (detecting feed or page) and remove sources; authors only
// look.
func TestDeskSources(t *testing.T) {
	t.Setenv("LEGISTS_ALLOW_PRIVATE", "1") // the detection fetch reaches the loopback fixtures
	st := storetest.OpenSQLite(t)
	srv := ingestFixtures(t, st, "/feeds/rss2.xml", "/feeds/broken.xml")
	s := newDeskSite(t, st, false)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	s.addUser("author@example.org", brief.RoleAuthor, pw)
	ctx := context.Background()

	ed := s.browser()
	csrf := ed.login("editor@example.org", pw)
	resp, page := ed.get("/admin/sources")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/admin/sources: %d", resp.StatusCode)
	}
	mustContain(t, page, "The Daily Docket – Regulation", "feed · rss 2.0", `class="badge src-ok">ok`, `class="badge src-error">error`,
		"Last error", "backing off after 1 failure in a row", "HTTP 200", "Add a source", `action="/admin/sources"`, `aria-current="page">Sources</a>`)
	srcs, _ := st.ListSources(ctx)
	for _, src := range srcs {
		if src.Kind == source.KindFeed && src.ArticleCount > 0 {
			mustContain(t, page, fmt.Sprintf(`<td class="num">%d</td>`, src.ArticleCount))
		}
	}

	// Authors see the list but may not change it.
	au := s.browser()
	acsrf := au.login("author@example.org", pw)
	_, apage := au.get("/admin/sources")
	mustNotContain(t, apage, "Add a source", "/delete")
	if resp, _ := au.post("/admin/sources", url.Values{"csrf": {acsrf}, "url": {srv.URLOf("/feeds/atom10.xml")}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author adds a source: %d", resp.StatusCode)
	}

	// Add with detection: a feed, then a page.
	if resp, body := ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {srv.URLOf("/feeds/atom10.xml")}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a feed: %d\n%s", resp.StatusCode, body)
	}
	feed, err := st.GetSourceByURL(ctx, srv.URLOf("/feeds/atom10.xml"))
	if err != nil || feed.Kind != source.KindFeed || feed.FeedType != "atom 1.0" || feed.Title == "" || feed.Status != source.StatusPending {
		t.Fatalf("added feed: %+v %v", feed, err)
	}
	if resp, _ := ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {srv.URLOf("/a/firm-merger.html")}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a page: %d", resp.StatusCode)
	}
	if pg, err := st.GetSourceByURL(ctx, srv.URLOf("/a/firm-merger.html")); err != nil || pg.Kind != source.KindPage {
		t.Fatalf("added page: %+v %v", pg, err)
	}
	_, page = ed.get("/admin/sources?done=added")
	mustContain(t, page, "Subscribed.", "due now", "atom 1.0")

	// As `legists sources add`: what is neither a feed nor a readable page
	// is refused; a home page with several feeds lists them to pick one,
	// with the page policy kept.
	if resp, page := ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {srv.URLOf("/detect/sitemap.xml")}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "neither a feed nor a readable page") || !strings.Contains(page, "root &lt;urlset&gt;") {
		t.Errorf("sitemap: %d", resp.StatusCode)
	}
	resp, page = ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {srv.URLOf("/detect/home-several.html")}, "fetch_pages": {"never"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("several feeds: %d", resp.StatusCode)
	}
	mustContain(t, page, "announces 3 feeds: choose one.", `name="pick" value="1" checked`, `name="pick" value="3"`,
		"Data &amp; privacy", srv.URLOf("/feeds/feed11.json"), `<option value="never" selected>`)
	if resp, body := ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {srv.URLOf("/detect/home-several.html")},
		"pick": {"3"}, "fetch_pages": {"never"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pick 3: %d\n%s", resp.StatusCode, body)
	}
	if picked, err := st.GetSourceByURL(ctx, srv.URLOf("/feeds/feed11.json")); err != nil || picked.FeedType != "json 1.1" || picked.FetchPages != source.FetchPagesNever {
		t.Errorf("picked feed: %+v %v", picked, err)
	}
	if resp, _ := ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {srv.URLOf("/feeds/rss1.rdf")}, "fetch_pages": {"sometimes"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad page policy: %d", resp.StatusCode)
	}

	// Already subscribed; not a URL; unreachable without a kind; stored
	// without fetching when the kind is given.
	_, page = ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {srv.URLOf("/feeds/atom10.xml")}})
	mustContain(t, page, "Already subscribed")
	if resp, page := ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {"news.example/feed"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "starting with http") {
		t.Errorf("bad URL: %d", resp.StatusCode)
	}
	if resp, page := ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {srv.URLOf("/not-found.xml")}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "to tell a feed from a page") {
		t.Errorf("unreachable: %d", resp.StatusCode)
	}
	if resp, _ := ed.post("/admin/sources", url.Values{"csrf": {csrf}, "url": {srv.URLOf("/not-found.xml")}, "kind": {"feed"}, "title": {"Later"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("add with a kind: %d", resp.StatusCode)
	}
	if src, err := st.GetSourceByURL(ctx, srv.URLOf("/not-found.xml")); err != nil || src.Title != "Later" || src.Kind != source.KindFeed {
		t.Errorf("added without fetching: %+v %v", src, err)
	}

	// Remove: gone from the list, articles kept, audited.
	rss, _ := st.GetSourceByURL(ctx, srv.URLOf("/feeds/rss2.xml"))
	if resp, _ := ed.post(fmt.Sprintf("/admin/sources/%d/delete", rss.ID), url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("remove without CSRF: %d", resp.StatusCode)
	}
	if resp, _ := ed.post(fmt.Sprintf("/admin/sources/%d/delete", rss.ID), url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if _, err := st.GetSource(ctx, rss.ID); err == nil {
		t.Error("the source is still there")
	}
	if arts, _ := st.ListArticles(ctx, store.ArticleFilter{}); len(arts.Articles) == 0 {
		t.Error("the source's articles went with it")
	}
	_, page = ed.get("/admin/sources?done=removed")
	mustContain(t, page, "Unsubscribed.")
	mustNotContain(t, page, fmt.Sprintf(`id="source-%d"`, rss.ID))
	for _, action := range []string{"source.add", "source.remove"} {
		entries, _ := st.ListAudit(ctx, store.AuditFilter{Actor: "editor@example.org"})
		found := false
		for _, e := range entries {
			found = found || e.Action == action
		}
		if !found {
			t.Errorf("no %s in the audit log", action)
		}
	}
}

// The activity chart of a firm or topic page runs to the current week, so
// that weeks without briefs since the last one show as empty.
func TestActivityChartEndsThisWeek(t *testing.T) {
	st := storetest.OpenSQLite(t)
	s := newDeskSite(t, st, false)
	ctx := context.Background()
	now := time.Now().UTC()
	save := func(slug string, at time.Time) {
		b, err := brief.ParseMarkdown(strings.NewReader(strings.Replace(deskBrief, "# Regulator fines", "# "+slug+" Regulator fines", 1)))
		if err != nil {
			t.Fatal(err)
		}
		b.Slug, b.Status = slug, brief.StatusPublished
		at = at.Truncate(time.Second)
		b.PublishedAt = &at
		if _, err := st.SaveBrief(ctx, b, store.SaveOptions{Author: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.UpsertTopics(ctx, []brief.Topic{{Name: "Sanctions & Export Controls", Slug: brief.Slugify("Sanctions & Export Controls"), Kind: brief.TopicPracticeArea}}); err != nil {
		t.Fatal(err)
	}
	// The only brief is nine weeks old: the chart still ends this week.
	nineWeeks := now.AddDate(0, 0, -63)
	save("old-news", nineWeeks)
	s.srv.Invalidate()
	for _, p := range []string{"/firms/clifford-chance-llp", "/topics/" + brief.Slugify("Sanctions & Export Controls")} {
		resp, page := s.get(p)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", p, resp.StatusCode)
		}
		today := time.Now().UTC().Format("2 January 2006")
		mustContain(t, page, "Briefs per week, 26 weeks to "+today+": 1 in all.",
			"Week of "+weekStart(nineWeeks).Format("2 Jan 2006")+": 1 brief<",
			"Week of "+weekStart(now).Format("2 Jan 2006")+": 0 briefs<")
		if strings.Contains(page, "Week of "+weekStart(now).AddDate(0, 0, 7).Format("2 Jan 2006")) {
			t.Errorf("%s: the chart runs past this week", p)
		}
	}
	// A brief older than the 26 weeks: the chart shows the empty weeks.
	st2 := storetest.OpenSQLite(t)
	s = newDeskSite(t, st2, false)
	st = st2
	save("ancient-news", now.AddDate(0, 0, -7*40))
	_, page := s.get("/firms/clifford-chance-llp")
	mustContain(t, page, `<svg class="activity"`, "26 weeks to "+time.Now().UTC().Format("2 January 2006")+": 0 in all.", "no briefs in these weeks")
}

// An editor opens a story in the browser, starts a brief from it and lands
// in the editor with the draft and its fidelity check.
func TestBrowserStoryToBrief(t *testing.T) {
	c := newChrome(t)
	st := storetest.OpenSQLite(t)
	ingestFixtures(t, st, "/feeds/rss2.xml", "/feeds/atom03.xml", "/feeds/wire.xml", "/feeds/atom10.xml", "/feeds/broken.xml")
	s := newDeskSite(t, st, true)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	story := cementStory(t, st)

	c.do("log in", chromedp.Navigate(s.ts.URL+"/admin/login?next=/admin/stories"), chromedp.WaitVisible(css(`#email`)),
		chromedp.SendKeys(css(`#email`), "editor@example.org"), chromedp.SendKeys(css(`#password`), pw),
		chromedp.Submit(css(`#password`)), chromedp.WaitVisible(css(`table.stories`)))
	c.shot("20-stories")
	c.do("open the story", chromedp.Click(css(fmt.Sprintf(`a[href="/admin/stories/%d"]`, story.ID))), chromedp.WaitVisible(css(`svg.timeline`)))
	if n := run(c, "markers", chromedp.Evaluate[int](`document.querySelectorAll('svg.timeline circle.dot').length`)); n != 3 {
		t.Errorf("%d timeline markers, want 3", n)
	}
	if run(c, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)) {
		t.Error("the story page scrolls sideways")
	}
	c.shot("21-story")
	c.do("start a brief", chromedp.Click(css(`#start-brief`)), chromedp.WaitVisible(css(`#text`)), chromedp.WaitVisible(css(`.notice.ok`)))
	if loc := run(c, "location", chromedp.Location()); !strings.Contains(loc, "/admin/briefs/") || !strings.Contains(loc, "done=drafted") {
		t.Fatalf("after starting a brief: %s", loc)
	}
	text := run(c, "draft", chromedp.Evaluate[string](`document.getElementById('text').value`))
	for _, want := range []string{"## What just happened?", "## What does this mean?", "## How will this affect the legal sector?", "[1]", "## Sources"} {
		if !strings.Contains(text, want) {
			t.Errorf("the editor's text lacks %q", want)
		}
	}
	checks := run(c, "checks", chromedp.Evaluate[string](`document.getElementById('checks').innerText`))
	if !strings.Contains(checks, "No findings") {
		t.Errorf("fidelity panel: %q", checks)
	}
	c.shot("22-drafted-brief")
	c.do("sources", chromedp.Navigate(s.ts.URL+"/admin/sources"), chromedp.WaitVisible(css(`table.sources`)))
	c.shot("23-sources")
	c.checkConsole()
}
