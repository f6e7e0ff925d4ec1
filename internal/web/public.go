package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"legists/internal/brief"
	"legists/internal/legalref"
	"legists/internal/store"
)

const (
	pageSize   = 20
	searchSize = 10
)

func latestModified(bs []brief.Brief) time.Time {
	var t time.Time
	for _, b := range bs {
		m := b.UpdatedAt
		if m.IsZero() && b.PublishedAt != nil {
			m = *b.PublishedAt
		}
		if m.After(t) {
			t = m
		}
	}
	return t
}

func (s *Server) common(title, section string) Common {
	return Common{Title: title, Section: section, Now: time.Now()}
}

// ---- home ----

type area struct {
	Topic  brief.Topic
	Briefs []brief.Brief
}

type homePage struct {
	Common
	Lead   *brief.Brief
	Latest []brief.Brief
	Areas  []area
	Pager  pager
	Stay   stayTuned
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, func() (*page, error) {
		ctx := r.Context()
		cursor := r.URL.Query().Get("cursor")
		limit := pageSize
		if cursor == "" {
			limit = pageSize + 1 // lead + a page
		}
		pg, err := s.st.ListBriefs(ctx, store.BriefFilter{Status: brief.StatusPublished, Limit: limit, Cursor: cursor})
		if err != nil {
			if cursor != "" {
				return s.htmlPage(http.StatusNotFound, "error", errorPage{Common: s.common("Page not found", ""), Status: 404, Heading: "Page not found", Message: "That page of briefs does not exist."}, time.Time{})
			}
			return nil, err
		}
		_, topics, _ := s.directory(ctx)
		data := homePage{Common: s.common("", "home"), Stay: s.stayFor(ctx, nil)}
		data.Canonical = s.abs("/")
		data.Description = "Legists: the day's world news in short, sourced briefs for the legal sector, with the law firms that matter to each story."
		mod := latestModified(pg.Briefs)
		list := pg.Briefs
		if cursor == "" && len(list) > 0 {
			data.Lead = &list[0]
			list = list[1:]
			for _, t := range topics {
				if t.Kind != brief.TopicPracticeArea {
					continue
				}
				ap, err := s.st.ListBriefs(ctx, store.BriefFilter{Status: brief.StatusPublished, Topic: t.Slug, Limit: 3})
				if err != nil {
					return nil, err
				}
				if len(ap.Briefs) > 0 {
					data.Areas = append(data.Areas, area{Topic: t, Briefs: ap.Briefs})
				}
			}
		} else if cursor != "" {
			data.Title = "Older briefs"
			data.Pager.Prev = "/"
		}
		data.Latest = list
		if pg.Next != "" {
			data.Pager.Next = "/?cursor=" + url.QueryEscape(pg.Next)
		}
		return s.htmlPage(http.StatusOK, "home", data, mod)
	})
}

// stayFor is the subscribe box: the brief's topics and firms pre-ticked,
// or on other pages the practice areas.
func (s *Server) stayFor(ctx context.Context, b *brief.Brief) stayTuned {
	firms, topics, idx := s.directory(ctx)
	_ = firms
	var st stayTuned
	if b == nil {
		for _, t := range topics {
			if t.Kind == brief.TopicPracticeArea {
				st.Topics = append(st.Topics, choice{Slug: t.Slug, Name: t.Name})
			}
		}
		return st
	}
	for _, name := range b.Topics {
		// Only the taxonomy's topics: the newsletter drops other values,
		// so a box for one would promise what the digest cannot keep.
		slug := s.topicSlug(topics, name)
		if slices.ContainsFunc(topics, func(t brief.Topic) bool { return t.Slug == slug }) {
			st.Topics = append(st.Topics, choice{Slug: slug, Name: name, Checked: true})
		}
	}
	for _, name := range b.Firms {
		if _, ok := idx[strings.ToLower(strings.TrimSpace(name))]; !ok {
			continue // not in the directory: the newsletter cannot follow it
		}
		slug, display := s.firmSlug(idx, name)
		st.Firms = append(st.Firms, choice{Slug: slug, Name: display, Checked: true})
	}
	return st
}

func (s *Server) topicSlug(topics []brief.Topic, name string) string {
	for _, t := range topics {
		if strings.EqualFold(t.Name, name) || t.Slug == name {
			return t.Slug
		}
	}
	return brief.Slugify(name)
}

// firmSlug resolves a firm name as tagged on a brief (the directory name
// or an alias) to its directory slug and display name.
func (s *Server) firmSlug(idx map[string]brief.Firm, name string) (slug, display string) {
	if f, ok := idx[strings.ToLower(strings.TrimSpace(name))]; ok {
		return f.Slug, name
	}
	return brief.Slugify(name), name
}

// ---- brief ----

type paraView struct {
	HTML     template.HTML
	Class    string
	ID       string
	Findings []Finding
}

type sectionView struct {
	Heading    string
	Paragraphs []paraView
}

type sourceView struct {
	N                                     int
	URL, Title, Publisher, Host, Archived string
	FetchedAt                             *time.Time
	Backrefs                              []string
}

type linkView struct{ Name, URL string }

type briefPage struct {
	Common
	Brief    *brief.Brief
	Sections []sectionView
	Sources  []sourceView
	Firms    []linkView
	Topics   []linkView
	Stay     stayTuned
	Draft    bool
}

func (s *Server) handleBrief(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	s.serveCached(w, r, func() (*page, error) {
		ctx := r.Context()
		b, err := s.st.GetBrief(ctx, slug)
		if errors.Is(err, store.ErrNotFound) || (err == nil && b.Status != brief.StatusPublished) {
			return s.notFoundPage()
		}
		if err != nil {
			return nil, err
		}
		data := s.briefView(ctx, b, nil)
		mod := b.UpdatedAt
		if mod.IsZero() && b.PublishedAt != nil {
			mod = *b.PublishedAt
		}
		return s.htmlPage(http.StatusOK, "brief", data, mod)
	})
}

func (s *Server) notFoundPage() (*page, error) {
	body := s.errorPageBytes(http.StatusNotFound, "Page not found",
		"There is no page at this address. It may have moved, or the brief may have been withdrawn.")
	return newPage(http.StatusNotFound, "text/html; charset=utf-8", "no-store", body, time.Time{}), nil
}

// briefView lays a brief out as the seed reads; findings (from the desk's
// fidelity check) are attached to their paragraphs.
func (s *Server) briefView(ctx context.Context, b *brief.Brief, findings []Finding) briefPage {
	_, topics, idx := s.directory(ctx)
	data := briefPage{Common: s.common(b.Title, ""), Brief: b, Draft: b.Status != brief.StatusPublished}
	u := s.abs(briefURL(b.Slug))
	data.Canonical = u
	data.Description = dek(*b)
	data.Stay = s.stayFor(ctx, b)

	backrefs := map[int][]string{}
	counts := map[int]int{}
	refs := briefRefs(b) // law.go
	for si, sec := range b.Sections {
		sv := sectionView{Heading: sec.Heading}
		for pi, p := range sec.Paragraphs {
			pv := paraView{HTML: paragraphHTML(p, refs[si][pi], counts, backrefs)}
			for _, f := range findings {
				if f.Section == si && f.Paragraph == pi {
					pv.Findings = append(pv.Findings, f)
				}
			}
			if len(pv.Findings) > 0 {
				pv.Class = "flagged"
				pv.ID = fmt.Sprintf("p-%d-%d", si, pi)
			}
			sv.Paragraphs = append(sv.Paragraphs, pv)
		}
		data.Sections = append(data.Sections, sv)
	}
	for _, src := range b.Sources {
		sv := sourceView{N: src.N, URL: safeURL(src.URL), Title: src.Title, Publisher: src.Publisher, FetchedAt: src.FetchedAt, Backrefs: backrefs[src.N]}
		if pu, err := url.Parse(src.URL); err == nil && pu.Host != "" {
			sv.Host = strings.TrimPrefix(pu.Hostname(), "www.")
		}
		if strings.TrimSpace(src.Text) != "" && !data.Draft {
			sv.Archived = fmt.Sprintf("%s/sources/%d", briefURL(b.Slug), src.N)
		}
		data.Sources = append(data.Sources, sv)
	}
	for _, name := range b.Firms {
		slug, display := s.firmSlug(idx, name)
		data.Firms = append(data.Firms, linkView{Name: display, URL: "/firms/" + url.PathEscape(slug)})
	}
	for _, name := range b.Topics {
		data.Topics = append(data.Topics, linkView{Name: name, URL: "/topics/" + url.PathEscape(s.topicSlug(topics, name))})
	}
	og := &openGraph{Type: "article", Title: b.Title, Description: data.Description, URL: u}
	if b.PublishedAt != nil {
		og.Published = b.PublishedAt.UTC().Format(time.RFC3339)
	}
	og.Tags = append(append([]string{}, b.Topics...), b.Firms...)
	data.OG = og
	data.JSONLD = s.newsArticleJSONLD(b, u, data.Description)
	return data
}

// safeURL keeps http(s) links and drops anything else (javascript:, data:).
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// paragraphHTML escapes a paragraph's text and puts a citation marker,
// linked to the numbered source, after each cited span; refs, the legal
// references of the paragraph, link to their instruments' pages.
func paragraphHTML(p brief.Paragraph, refs []legalref.Reference, counts map[int]int, backrefs map[int][]string) template.HTML {
	var b strings.Builder
	spans := slices.Clone(p.Spans)
	slices.SortStableFunc(spans, func(a, b brief.Span) int { return a.End - b.End })
	pos := 0
	text := p.Text
	for _, sp := range spans {
		end := min(max(sp.End, pos), len(text))
		writeLinked(&b, text, pos, end, refs)
		pos = end
		if len(sp.Citations) == 0 {
			continue
		}
		b.WriteString(`<sup class="cite">`)
		for i, n := range sp.Citations {
			counts[n]++
			id := fmt.Sprintf("cite-%d-%d", n, counts[n])
			backrefs[n] = append(backrefs[n], id)
			if i > 0 {
				b.WriteString(`<span class="sep">,</span>`)
			}
			fmt.Fprintf(&b, `<a href="#source-%d" id="%s" aria-label="Source %d">%d</a>`, n, id, n, n)
		}
		b.WriteString(`</sup>`)
	}
	writeLinked(&b, text, pos, len(text), refs)
	return template.HTML(b.String())
}

func (s *Server) newsArticleJSONLD(b *brief.Brief, u, desc string) template.JS {
	type org struct {
		Type string `json:"@type"`
		Name string `json:"name"`
		URL  string `json:"url,omitempty"`
	}
	type work struct {
		Type      string `json:"@type"`
		Name      string `json:"name,omitempty"`
		URL       string `json:"url,omitempty"`
		Publisher string `json:"publisher,omitempty"`
	}
	doc := struct {
		Context          string   `json:"@context"`
		Type             string   `json:"@type"`
		Headline         string   `json:"headline"`
		Description      string   `json:"description,omitempty"`
		URL              string   `json:"url"`
		MainEntityOfPage string   `json:"mainEntityOfPage"`
		DatePublished    string   `json:"datePublished,omitempty"`
		DateModified     string   `json:"dateModified,omitempty"`
		Author           org      `json:"author"`
		Publisher        org      `json:"publisher"`
		ArticleSection   []string `json:"articleSection,omitempty"`
		Keywords         []string `json:"keywords,omitempty"`
		Citation         []work   `json:"citation,omitempty"`
		InLanguage       string   `json:"inLanguage"`
	}{
		Context: "https://schema.org", Type: "NewsArticle", Headline: truncate(b.Title, 110),
		Description: desc, URL: u, MainEntityOfPage: u,
		Author:         org{Type: "Organization", Name: cmpOr(b.Byline, "The Legists Content Team")},
		Publisher:      org{Type: "Organization", Name: "Legists", URL: s.abs("/")},
		ArticleSection: b.Topics, Keywords: append(append([]string{}, b.Topics...), b.Firms...),
		InLanguage: "en",
	}
	if b.PublishedAt != nil {
		doc.DatePublished = b.PublishedAt.UTC().Format(time.RFC3339)
	}
	if !b.UpdatedAt.IsZero() {
		doc.DateModified = b.UpdatedAt.UTC().Format(time.RFC3339)
	}
	for _, src := range b.Sources {
		doc.Citation = append(doc.Citation, work{Type: "CreativeWork", Name: src.Title, URL: safeURL(src.URL), Publisher: src.Publisher})
	}
	// json.Marshal escapes <, > and & so the block cannot close its script
	// element.
	out, _ := json.Marshal(doc)
	return template.JS(out)
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// ---- archived source ----

type sourcePage struct {
	Common
	Brief      *brief.Brief
	Source     brief.Source
	Paragraphs []string
}

func (s *Server) handleSource(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	s.serveCached(w, r, func() (*page, error) {
		b, err := s.st.GetBrief(r.Context(), slug)
		if errors.Is(err, store.ErrNotFound) || (err == nil && b.Status != brief.StatusPublished) {
			return s.notFoundPage()
		}
		if err != nil {
			return nil, err
		}
		src, ok := b.Source(n)
		if !ok {
			return s.notFoundPage()
		}
		src.URL = safeURL(src.URL)
		data := sourcePage{Common: s.common(cmpOr(src.Title, "Archived source"), ""), Brief: b, Source: src}
		data.Canonical = s.abs(fmt.Sprintf("%s/sources/%d", briefURL(slug), n))
		for _, para := range strings.Split(strings.ReplaceAll(src.Text, "\r\n", "\n"), "\n\n") {
			if p := strings.TrimSpace(para); p != "" {
				data.Paragraphs = append(data.Paragraphs, p)
			}
		}
		return s.htmlPage(http.StatusOK, "source", data, b.UpdatedAt)
	})
}

// ---- firm and topic indexes ----

type indexItem struct{ Name, URL, Note string }

type indexGroup struct {
	ID, Label string
	Items     []indexItem
}

type indexPage struct {
	Common
	Heading, Intro string
	Groups         []indexGroup
}

func (s *Server) handleFirms(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, func() (*page, error) {
		firms, _, _ := s.directory(r.Context())
		data := indexPage{Common: s.common("Law firms", "firms"), Heading: "Law firms",
			Intro: "The firms Legists assesses against each story: follow one for its briefs, its activity over time and its feed."}
		data.Canonical = s.abs("/firms/")
		groups := map[string]*indexGroup{}
		var order []string
		for _, f := range firms {
			letter := strings.ToUpper(string([]rune(f.Name)[:1]))
			if letter < "A" || letter > "Z" {
				letter = "#"
			}
			g, ok := groups[letter]
			if !ok {
				g = &indexGroup{ID: "letter-" + strings.ToLower(letter), Label: letter}
				if letter == "#" {
					g.ID = "letter-other"
				}
				groups[letter] = g
				order = append(order, letter)
			}
			g.Items = append(g.Items, indexItem{Name: f.Name, URL: "/firms/" + url.PathEscape(f.Slug), Note: strings.Join(f.Jurisdictions, ", ")})
		}
		slices.Sort(order)
		for _, l := range order {
			g := groups[l]
			slices.SortFunc(g.Items, func(a, b indexItem) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
			data.Groups = append(data.Groups, *g)
		}
		return s.htmlPage(http.StatusOK, "index", data, time.Time{})
	})
}

func (s *Server) handleTopics(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, func() (*page, error) {
		_, topics, _ := s.directory(r.Context())
		data := indexPage{Common: s.common("Practice areas and jurisdictions", "topics"), Heading: "Practice areas and jurisdictions",
			Intro: "Every brief is tagged with the practice areas it touches and the jurisdictions it concerns."}
		data.Canonical = s.abs("/topics/")
		pa := indexGroup{ID: "practice-areas", Label: "Practice areas"}
		ju := indexGroup{ID: "jurisdictions", Label: "Jurisdictions"}
		for _, t := range topics {
			it := indexItem{Name: t.Name, URL: "/topics/" + url.PathEscape(t.Slug)}
			if t.Kind == brief.TopicJurisdiction {
				ju.Items = append(ju.Items, it)
			} else {
				pa.Items = append(pa.Items, it)
			}
		}
		for _, g := range []indexGroup{pa, ju} {
			if len(g.Items) > 0 {
				data.Groups = append(data.Groups, g)
			}
		}
		return s.htmlPage(http.StatusOK, "index", data, time.Time{})
	})
}

// ---- firm and topic pages ----

type fact struct{ Label, Value, Href string }

type chartView struct {
	SVG     template.HTML
	Caption string
}

type listingPage struct {
	Common
	Kicker, Heading  string
	Facts            []fact
	AtomURL, JSONURL string
	Chart            *chartView
	Briefs           []brief.Brief
	Pager            pager
	Stay             stayTuned
}

func (s *Server) handleFirm(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	s.serveCached(w, r, func() (*page, error) {
		ctx := r.Context()
		f, err := s.lookupFirm(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			return s.notFoundPage()
		}
		if err != nil {
			return nil, err
		}
		data := listingPage{Common: s.common(f.Name, "firms"), Kicker: "Law firm", Heading: f.Name}
		data.Description = "Legists briefs assessing " + f.Name + ", and the firm's activity over time."
		if len(f.PracticeAreas) > 0 {
			data.Facts = append(data.Facts, fact{Label: "Practice areas", Value: strings.Join(f.PracticeAreas, ", ")})
		}
		if len(f.Jurisdictions) > 0 {
			data.Facts = append(data.Facts, fact{Label: "Jurisdictions", Value: strings.Join(f.Jurisdictions, ", ")})
		}
		if len(f.Aliases) > 0 {
			data.Facts = append(data.Facts, fact{Label: "Also known as", Value: strings.Join(f.Aliases, "; ")})
		}
		if w := safeURL(f.Website); w != "" {
			data.Facts = append(data.Facts, fact{Label: "Website", Value: strings.TrimPrefix(strings.TrimPrefix(w, "https://"), "http://"), Href: w})
		}
		base := "/firms/" + url.PathEscape(f.Slug)
		st := stayTuned{Firms: []choice{{Slug: f.Slug, Name: f.Name, Checked: true}}}
		return s.listing(r, data, store.BriefFilter{Firm: f.Slug}, base, st)
	})
}

func (s *Server) handleTopic(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	s.serveCached(w, r, func() (*page, error) {
		ctx := r.Context()
		t, err := s.st.GetTopic(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			return s.notFoundPage()
		}
		if err != nil {
			return nil, err
		}
		kicker := "Practice area"
		if t.Kind == brief.TopicJurisdiction {
			kicker = "Jurisdiction"
		}
		data := listingPage{Common: s.common(t.Name, "topics"), Kicker: kicker, Heading: t.Name}
		data.Description = "Legists briefs on " + t.Name + " for the legal sector."
		base := "/topics/" + url.PathEscape(t.Slug)
		st := stayTuned{Topics: []choice{{Slug: t.Slug, Name: t.Name, Checked: true}}}
		return s.listing(r, data, store.BriefFilter{Topic: t.Slug}, base, st)
	})
}

// lookupFirm finds a firm in the directory, or (for a firm tagged on
// briefs but missing from the directory) makes one from the tag.
func (s *Server) lookupFirm(ctx context.Context, slug string) (*brief.Firm, error) {
	f, err := s.st.GetFirm(ctx, slug)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return f, err
	}
	pg, err := s.st.ListBriefs(ctx, store.BriefFilter{Status: brief.StatusPublished, Firm: slug, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(pg.Briefs) == 0 {
		return nil, store.ErrNotFound
	}
	for _, name := range pg.Briefs[0].Firms {
		if brief.Slugify(name) == slug {
			return &brief.Firm{Name: name, Slug: slug}, nil
		}
	}
	return nil, store.ErrNotFound
}

func (s *Server) listing(r *http.Request, data listingPage, f store.BriefFilter, base string, st stayTuned) (*page, error) {
	ctx := r.Context()
	cursor := r.URL.Query().Get("cursor")
	f.Status = brief.StatusPublished
	f.Limit = pageSize
	f.Cursor = cursor
	pg, err := s.st.ListBriefs(ctx, f)
	if err != nil {
		if cursor != "" {
			return s.notFoundPage()
		}
		return nil, err
	}
	data.Canonical = s.abs(base)
	data.AtomURL = base + "/feed.xml"
	data.JSONURL = base + "/feed.json"
	data.Feeds = []feedLink{
		{Type: "application/atom+xml", Title: "Legists: " + data.Heading, Href: data.AtomURL},
		{Type: "application/feed+json", Title: "Legists: " + data.Heading + " (JSON Feed)", Href: data.JSONURL},
	}
	data.Briefs = pg.Briefs
	data.Stay = st
	if pg.Next != "" {
		data.Pager.Next = base + "?cursor=" + url.QueryEscape(pg.Next)
	}
	if cursor != "" {
		data.Pager.Prev = base
		data.Title += " (older briefs)"
	}
	if cursor == "" {
		ch, err := s.activityChart(ctx, f, pg.Briefs, data.Heading, time.Now())
		if err != nil {
			return nil, err
		}
		data.Chart = ch
	}
	return s.htmlPage(http.StatusOK, "listing", data, latestModified(pg.Briefs))
}

// activityChart counts briefs per week over the 26 weeks to the current
// week (the week of now, so that recent quiet shows as empty weeks, not as
// a chart that stops at the last brief) and draws them. A listing with no
// briefs at all has no chart.
func (s *Server) activityChart(ctx context.Context, f store.BriefFilter, first []brief.Brief, name string, now time.Time) (*chartView, error) {
	if len(first) == 0 || first[0].PublishedAt == nil {
		return nil, nil
	}
	const weeks = 26
	end := weekStart(now).AddDate(0, 0, 7)
	start := end.AddDate(0, 0, -7*weeks)
	counts := make([]int, weeks)
	f.Since = start
	f.Until = end
	f.Limit = 500
	f.Cursor = ""
	for range 40 { // at most 20,000 briefs
		pg, err := s.st.ListBriefs(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, b := range pg.Briefs {
			if b.PublishedAt == nil {
				continue
			}
			i := int(weekStart(*b.PublishedAt).Sub(start).Hours() / (24 * 7))
			if i >= 0 && i < weeks {
				counts[i]++
			}
		}
		if pg.Next == "" {
			break
		}
		f.Cursor = pg.Next
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	svg := activitySVG(counts, start, "Briefs per week mentioning "+name)
	return &chartView{SVG: svg, Caption: fmt.Sprintf("Briefs per week, %d weeks to %s: %d in all.", weeks, now.UTC().Format("2 January 2006"), total)}, nil
}

// weekStart is the Monday 00:00 UTC of t's week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	wd := (int(d.Weekday()) + 6) % 7 // Monday = 0
	return d.AddDate(0, 0, -wd)
}

// ---- search ----

type searchPage struct {
	Common
	Q, Topic, Firm, From, To string
	Topics                   []brief.Topic
	Firms                    []brief.Firm
	Searched                 bool
	Error                    string
	Hits                     []store.SearchHit
	Total, Page, Pages       int
	Pager                    pager
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, func() (*page, error) {
		ctx := r.Context()
		q := r.URL.Query()
		firms, topics, _ := s.directory(ctx)
		data := searchPage{Common: s.common("Search", "search"),
			Q: strings.TrimSpace(q.Get("q")), Topic: q.Get("topic"), Firm: q.Get("firm"), From: q.Get("from"), To: q.Get("to"),
			Topics: topics, Firms: firms, Page: 1}
		data.Query = data.Q
		if data.Q != "" {
			data.Title = "Search: " + data.Q
		}
		status := http.StatusOK
		var since, until time.Time
		var err error
		if data.From != "" {
			if since, err = time.Parse("2006-01-02", data.From); err != nil {
				data.Error = "The “From” date must be a date such as 2025-03-31."
			}
		}
		if data.To != "" {
			if until, err = time.Parse("2006-01-02", data.To); err != nil {
				data.Error = "The “To” date must be a date such as 2025-03-31."
			} else {
				until = until.AddDate(0, 0, 1)
			}
		}
		if p := q.Get("page"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 1000 {
				data.Error = "There is no such page of results."
			} else {
				data.Page = n
			}
		}
		if len(data.Q) > 200 {
			data.Error = "The search is too long; use fewer words."
		}
		if data.Error != "" {
			status = http.StatusBadRequest
			body, err := s.tmpl.render("search", data)
			if err != nil {
				return nil, err
			}
			return newPage(status, "text/html; charset=utf-8", "no-store", body, time.Time{}), nil
		}
		filtered := data.Topic != "" || data.Firm != "" || data.From != "" || data.To != ""
		if data.Q == "" && !filtered {
			return s.htmlPage(http.StatusOK, "search", data, time.Time{})
		}
		data.Searched = true
		link := func(page int) string {
			v := url.Values{}
			for _, kv := range [][2]string{{"q", data.Q}, {"topic", data.Topic}, {"firm", data.Firm}, {"from", data.From}, {"to", data.To}} {
				if kv[1] != "" {
					v.Set(kv[0], kv[1])
				}
			}
			if page > 1 {
				v.Set("page", strconv.Itoa(page))
			}
			return "/search?" + v.Encode()
		}
		if data.Q == "" {
			// Filters alone: the newest matching briefs.
			pg, err := s.st.ListBriefs(ctx, store.BriefFilter{Status: brief.StatusPublished, Topic: data.Topic, Firm: data.Firm,
				Since: since, Until: until, Limit: searchSize, Cursor: q.Get("cursor")})
			if err != nil {
				return nil, err
			}
			for _, b := range pg.Briefs {
				data.Hits = append(data.Hits, store.SearchHit{Brief: b, Snippet: dek(b)})
			}
			data.Total = len(pg.Briefs)
			if pg.Next != "" {
				data.Pager.Next = link(1) + "&cursor=" + url.QueryEscape(pg.Next)
			}
			return s.htmlPage(http.StatusOK, "search", data, time.Time{})
		}
		res, err := s.st.SearchBriefs(ctx, store.SearchQuery{Q: data.Q, Topic: data.Topic, Firm: data.Firm,
			Since: since, Until: until, Status: brief.StatusPublished, Limit: searchSize, Offset: (data.Page - 1) * searchSize})
		if err != nil {
			if errors.Is(err, store.ErrInvalid) {
				data.Error = "That search could not be understood; try plain words."
				body, rerr := s.tmpl.render("search", data)
				if rerr != nil {
					return nil, rerr
				}
				return newPage(http.StatusBadRequest, "text/html; charset=utf-8", "no-store", body, time.Time{}), nil
			}
			return nil, err
		}
		data.Hits, data.Total = res.Hits, res.Total
		data.Pages = (res.Total + searchSize - 1) / searchSize
		if data.Page > 1 {
			data.Pager.Prev = link(data.Page - 1)
		}
		if data.Page < data.Pages {
			data.Pager.Next = link(data.Page + 1)
		}
		return s.htmlPage(http.StatusOK, "search", data, time.Time{})
	})
}
