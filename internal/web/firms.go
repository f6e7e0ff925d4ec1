package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"legists/internal/brief"
	"legists/internal/directory"
	"legists/internal/store"
)

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
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
		firms, _, _ := s.directory(r.Context())
		data := indexPage{Common: s.common("Law firms", "firms"), Heading: "Law firms",
			Intro: fmt.Sprintf("The %d firms Legists assesses against each story: follow one for its briefs, its activity over time and its feed. "+
				"Names as of %s; a firm that changed its name is listed under its current one.", len(firms), directory.AsOf().Format("2 January 2006"))}
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
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
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
	if to := s.firmRedirect(r.Context(), slug); to != "" {
		http.Redirect(w, r, "/firms/"+url.PathEscape(to), http.StatusMovedPermanently)
		return
	}
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
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
		if c, ok := directory.ChangeOf(f.Slug); ok && c.Name == f.Name {
			data.Facts = append(data.Facts, fact{Label: "Formerly", Value: strings.Join(c.Formerly, "; ") + ". " + c.Note})
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
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
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

// firmRedirect returns the slug of the firm whose page /firms/{slug}
// belongs to when slug is the slug of another of its names (a former name:
// /firms/a-o-shearman and /firms/allen-overy-llp are one firm), or "".
func (s *Server) firmRedirect(ctx context.Context, slug string) string {
	firms, _, _ := s.directory(ctx)
	for _, f := range firms {
		if f.Slug == slug {
			return ""
		}
	}
	for _, f := range firms {
		for _, name := range append([]string{f.Name}, f.Aliases...) {
			if brief.Slugify(name) == slug {
				return f.Slug
			}
		}
	}
	return ""
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
