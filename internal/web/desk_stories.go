package web

// The desk's stories: the clusters of source articles the poller builds,
// each with a timeline drawn in SVG, and "start a brief from this story",
// which runs the extractive drafter over the story's archived articles
// and saves the result as a draft.

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/draft"
	"legists/internal/sentence"
	"legists/internal/source"
	"legists/internal/store"
)

func (s *Server) storyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/stories", s.desk(auth.PermWrite, s.handleStories))
	mux.HandleFunc("GET /admin/stories/{id}", s.desk(auth.PermWrite, s.handleStory))
	mux.HandleFunc("POST /admin/stories/{id}/brief", s.desk(auth.PermWrite, s.handleStoryBrief))
}

// storiesPerPage is the length of a page of the story list.
const storiesPerPage = 30

// maxDraftSources bounds the articles a draft is made from: past it, the
// ones with the most text are used.
const maxDraftSources = 30

type storyRow struct {
	ID         int64
	Title      string
	Terms      []string
	Articles   int // not counting reprints
	Reprints   int
	FirstSeen  time.Time
	LastSeen   time.Time
	Publishers []string
	More       int // publishers not listed
	Spark      template.HTML
}

type storiesPage struct {
	Desk
	Tabs  []deskTab
	Rows  []storyRow
	Next  string
	Empty string
}

func (s *Server) handleStories(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	q := r.URL.Query()
	minArticles, _ := strconv.Atoi(q.Get("min"))
	minArticles = max(minArticles, 0)
	f := store.StoryFilter{MinArticles: minArticles, WithArticles: true, Limit: storiesPerPage, Cursor: q.Get("cursor")}
	pg, err := s.st.ListStories(r.Context(), f)
	if errors.Is(err, store.ErrInvalid) {
		s.badListPosition(w, r, dc)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := storiesPage{Desk: s.deskCommon(dc, "Stories", "stories")}
	for _, t := range []struct {
		min   int
		label string
	}{{0, "All stories"}, {2, "Two or more articles"}} {
		u := "/admin/stories"
		if t.min > 0 {
			u += "?min=" + strconv.Itoa(t.min)
		}
		data.Tabs = append(data.Tabs, deskTab{Key: strconv.Itoa(t.min), Label: t.label, URL: u, Current: t.min == minArticles})
	}
	for i := range pg.Stories {
		st := &pg.Stories[i]
		row := storyRow{ID: st.ID, Title: st.Title, Terms: first(st.Terms, 5), Articles: st.ArticleCount,
			FirstSeen: st.FirstSeen, LastSeen: st.LastSeen}
		for _, a := range st.Articles {
			if a.DuplicateOf != nil {
				row.Reprints++
			}
		}
		pubs := storyPublishers(st.Articles)
		row.Publishers = first(pubs, 4)
		row.More = len(pubs) - len(row.Publishers)
		row.Spark = storySparkSVG(st.Timeline, fmt.Sprintf("%s: %d article%s over time", st.Title, len(st.Timeline), plural(len(st.Timeline))))
		data.Rows = append(data.Rows, row)
	}
	if pg.Next != "" {
		v := url.Values{"cursor": {pg.Next}}
		if minArticles > 0 {
			v.Set("min", strconv.Itoa(minArticles))
		}
		data.Next = "/admin/stories?" + v.Encode()
	}
	data.Empty = "No stories yet. Subscribe to feeds under “Sources”: the poller groups the articles it reads into stories."
	if minArticles > 0 {
		data.Empty = fmt.Sprintf("No story has %d or more articles yet.", minArticles)
	}
	s.deskRender(w, r, http.StatusOK, "stories", data)
}

func first[T any](l []T, n int) []T {
	if len(l) > n {
		return l[:n]
	}
	return l
}

// publisherOf names an article's publisher: its own, else its host.
func publisherOf(a source.ArticleSummary) string {
	if p := strings.TrimSpace(a.Publisher); p != "" {
		return p
	}
	if u, err := url.Parse(a.CanonicalURL); err == nil && u.Host != "" {
		return strings.TrimPrefix(u.Hostname(), "www.")
	}
	return ""
}

// storyPublishers lists the publishers of a story's articles, originals
// before reprints, each once, in order of appearance.
func storyPublishers(arts []source.ArticleSummary) []string {
	var out []string
	seen := map[string]bool{}
	for _, dup := range []bool{false, true} {
		for _, a := range arts {
			if (a.DuplicateOf != nil) != dup {
				continue
			}
			p := publisherOf(a)
			if k := strings.ToLower(p); p != "" && !seen[k] {
				seen[k] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// ---- one story ----

type storyArticleRow struct {
	N          int
	ID         int64
	Title      string
	Publisher  string
	URL        string
	At         time.Time
	Fetched    bool // At is the fetch time: the article gave no date
	Duplicate  bool
	DupOfID    int64
	DupOfN     int // the original's row, 0 when it is in another story
	DupOfTitle string
}

type storyPage struct {
	Desk
	Story      *source.Story
	Rows       []storyArticleRow
	Publishers []string
	Articles   int
	Reprints   int
	Timeline   template.HTML
	Caption    string
}

func (s *Server) loadStory(w http.ResponseWriter, r *http.Request, dc *deskCtx) (*source.Story, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such story", "There is no story "+strconv.Quote(r.PathValue("id"))+".")
		return nil, false
	}
	st, err := s.st.GetStory(r.Context(), id)
	return deskFound(s, w, r, dc, st, err, "No such story", fmt.Sprintf("There is no story %d.", id))
}

func (s *Server) handleStory(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	st, ok := s.loadStory(w, r, dc)
	if !ok {
		return
	}
	s.renderStory(w, r, dc, st, http.StatusOK, "")
}

func (s *Server) renderStory(w http.ResponseWriter, r *http.Request, dc *deskCtx, st *source.Story, status int, errMsg string) {
	data := storyPage{Desk: s.deskCommon(dc, st.Title, "stories"), Story: st, Publishers: storyPublishers(st.Articles)}
	data.Error = errMsg
	num := map[int64]int{}
	for i, a := range st.Articles {
		num[a.ID] = i + 1
	}
	titles := map[int64]string{}
	for _, a := range st.Articles {
		titles[a.ID] = a.Title
	}
	for i, a := range st.Articles {
		row := storyArticleRow{N: i + 1, ID: a.ID, Title: a.Title, Publisher: publisherOf(a), URL: a.URL, At: a.FetchedAt, Fetched: true}
		if a.CanonicalURL != "" {
			row.URL = a.CanonicalURL
		}
		if a.PublishedAt != nil && !a.PublishedAt.IsZero() {
			row.At, row.Fetched = *a.PublishedAt, false
		}
		if a.DuplicateOf != nil {
			row.Duplicate = true
			row.DupOfID, row.DupOfN = *a.DuplicateOf, num[*a.DuplicateOf]
			row.DupOfTitle = titles[*a.DuplicateOf]
			data.Reprints++
		} else {
			data.Articles++
		}
		data.Rows = append(data.Rows, row)
	}
	data.Timeline = storyTimelineSVG(st.Timeline, num, "When each article of “"+st.Title+"” appeared")
	if n := len(st.Timeline); n > 0 {
		from, to := st.Timeline[0].At, st.Timeline[n-1].At
		data.Caption = fmt.Sprintf("%d article%s, %s to %s (UTC). Each marker is one article, numbered as in the list below; a dashed marker is a reprint.",
			n, plural(n), from.UTC().Format("2 Jan 2006 15:04"), to.UTC().Format("2 Jan 2006 15:04"))
	}
	if r.URL.Query().Get("done") == "" && errMsg == "" && data.Articles == 0 && len(st.Articles) > 0 {
		data.Notice = "Every article of this story is a reprint of an article in another story."
	}
	s.deskRender(w, r, status, "story", data)
}

// ---- start a brief from a story ----

// draftMu serialises choosing a free slug and saving, so that two drafts
// started at once from one story do not overwrite each other.
var draftMu sync.Mutex

// minDraftWords is the least archived text worth handing to the drafter.
const minDraftWords = 60

func (s *Server) handleStoryBrief(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	st, ok := s.loadStory(w, r, dc)
	if !ok {
		return
	}
	pg, err := s.st.ListArticles(ctx, store.ArticleFilter{StoryID: st.ID, WithText: true, Limit: 500})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	chosen, arts := draftArticles(pg.Articles)
	words := 0
	for _, a := range arts {
		words += len(sentence.Words(a.Text))
	}
	tooLittle := func() {
		s.renderStory(w, r, dc, st, http.StatusUnprocessableEntity, fmt.Sprintf(
			"This story has too little text to draft a brief from: %d article%s with archived text, %d word%s in all. "+
				"The drafter quotes and cites whole sentences and needs enough of them for all three sections. "+
				"Wait for more coverage of the story, or write the brief by hand under “New brief”.",
			len(arts), plural(len(arts)), words, plural(words)))
	}
	if len(arts) == 0 || words < minDraftWords {
		tooLittle()
		return
	}
	b, err := draft.Extractive{}.Draft(ctx, arts)
	var fe *draft.FidelityError
	switch {
	case errors.Is(err, draft.ErrTooLittleText), errors.Is(err, draft.ErrNoArticles):
		tooLittle()
		return
	case errors.As(err, &fe) && b != nil:
		// Saved all the same: the editor page shows the findings.
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	// The sources, numbered as the drafter cited them, with the archived
	// text, fetch time and content hash of each article.
	b.Sources = make([]brief.Source, len(chosen))
	for i := range chosen {
		b.Sources[i] = chosen[i].BriefSource(arts[i].N)
	}
	b.Status = brief.StatusDraft
	b.PublishedAt = nil

	draftMu.Lock()
	defer draftMu.Unlock()
	slug, err := s.freeSlug(ctx, b.Slug, st.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	b.Slug = slug
	s.normalizeBrief(b)
	if err := b.Validate(); err != nil {
		s.renderStory(w, r, dc, st, http.StatusUnprocessableEntity, "The draft made from this story is not a valid brief: "+err.Error())
		return
	}
	note := fmt.Sprintf("drafted from story %d (%d source%s)", st.ID, len(b.Sources), plural(len(b.Sources)))
	actx := store.WithSaveAudit(ctx, store.AuditEntry{Actor: dc.User.Email, Action: "brief.create", Target: b.Slug}, func(e *store.AuditEntry, res store.SaveResult) {
		e.Detail = fmt.Sprintf("revision %d, %s", res.Revision, note)
	})
	if _, err := s.st.SaveBrief(actx, b, store.SaveOptions{Author: dc.User.Email, Note: note}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.Invalidate()
	http.Redirect(w, r, "/admin/briefs/"+url.PathEscape(b.Slug)+"?done=drafted", http.StatusSeeOther)
}

// draftArticles chooses the articles of a story a draft is made from
// (reprints left out): those with text, at most maxDraftSources of them
// (the longest), oldest first; and makes the drafter's input of them,
// numbered 1..n in that order.
func draftArticles(all []source.Article) ([]source.Article, []draft.Article) {
	var arts []source.Article
	for _, a := range all {
		if a.DuplicateOf == nil && strings.TrimSpace(a.Text) != "" {
			arts = append(arts, a)
		}
	}
	if len(arts) > maxDraftSources {
		slices.SortStableFunc(arts, func(a, b source.Article) int { return len(b.Text) - len(a.Text) })
		arts = arts[:maxDraftSources]
	}
	slices.SortStableFunc(arts, func(a, b source.Article) int {
		if c := a.Time().Compare(b.Time()); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	out := make([]draft.Article, len(arts))
	for i, a := range arts {
		out[i] = draft.Article{N: i + 1, URL: a.CanonicalURL, Title: a.Title, Publisher: a.Publisher, Text: a.Text, Published: a.Time()}
	}
	return arts, out
}

// freeSlug returns slug, or slug-2, slug-3, ... when a brief has it.
func (s *Server) freeSlug(ctx context.Context, slug string, storyID int64) (string, error) {
	if slug == "" {
		slug = fmt.Sprintf("story-%d", storyID)
	}
	for i := 1; i < 1000; i++ {
		cand := slug
		if i > 1 {
			suffix := "-" + strconv.Itoa(i)
			cand = strings.TrimRight(slug[:min(len(slug), 90)], "-") + suffix
		}
		_, err := s.st.GetBrief(ctx, cand)
		if errors.Is(err, store.ErrNotFound) {
			return cand, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("web: no free slug for %q", slug)
}

// ---- timelines ----

// timeScale maps a time range onto x coordinates.
type timeScale struct {
	t0, t1   time.Time
	x0, x1   float64
	min, max time.Time // the data's own range
}

func newTimeScale(entries []source.TimelineEntry, x0, x1 float64) timeScale {
	lo, hi := entries[0].At.UTC(), entries[0].At.UTC()
	for _, e := range entries {
		t := e.At.UTC()
		if t.Before(lo) {
			lo = t
		}
		if t.After(hi) {
			hi = t
		}
	}
	t0, t1 := lo, hi
	if span := t1.Sub(t0); span < time.Hour {
		mid := t0.Add(span / 2)
		t0, t1 = mid.Add(-30*time.Minute), mid.Add(30*time.Minute)
	}
	pad := t1.Sub(t0) / 20
	return timeScale{t0: t0.Add(-pad), t1: t1.Add(pad), x0: x0, x1: x1, min: lo, max: hi}
}

func (sc timeScale) x(t time.Time) float64 {
	span := sc.t1.Sub(sc.t0)
	return sc.x0 + (sc.x1-sc.x0)*float64(t.Sub(sc.t0))/float64(span)
}

// ticks returns round times within the scale and their labels: hours
// (with the date where the day changes) for spans of up to a few days,
// days, weeks or months beyond.
func (sc timeScale) ticks() (at []time.Time, labels [][2]string) {
	span := sc.t1.Sub(sc.t0)
	steps := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour,
		12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour}
	const most = 8
	step := time.Duration(0)
	for _, st := range steps {
		if span/st <= most {
			step = st
			break
		}
	}
	if step == 0 {
		// Months: the first of every kth month.
		months := 1
		for float64(span)/float64(months*30*24*int(time.Hour)) > most {
			months *= 2
		}
		t := time.Date(sc.t0.Year(), sc.t0.Month(), 1, 0, 0, 0, 0, time.UTC)
		for ; !t.After(sc.t1); t = t.AddDate(0, months, 0) {
			if t.Before(sc.t0) {
				continue
			}
			at = append(at, t)
			labels = append(labels, [2]string{t.Format("Jan 2006"), ""})
		}
		return at, labels
	}
	lastDay := ""
	for t := sc.t0.Truncate(step); !t.After(sc.t1); t = t.Add(step) {
		if t.Before(sc.t0) {
			continue
		}
		at = append(at, t)
		day := t.Format("2 Jan")
		if sc.t0.Year() != sc.t1.Year() {
			day = t.Format("2 Jan 2006")
		}
		if step < 24*time.Hour {
			l := [2]string{t.Format("15:04"), ""}
			if day != lastDay {
				l[1] = day
				lastDay = day
			}
			labels = append(labels, l)
		} else {
			labels = append(labels, [2]string{day, ""})
		}
	}
	return at, labels
}

// lanes stacks markers that would overlap: each goes into the lowest lane
// whose last marker is at least gap to its left. At most maxLanes lanes;
// past that, markers share the least crowded lane.
func lanes(xs []float64, gap float64, maxLanes int) ([]int, int) {
	out := make([]int, len(xs))
	var last []float64
	for i, x := range xs {
		placed := -1
		for l := range last {
			if x-last[l] >= gap {
				placed = l
				break
			}
		}
		if placed < 0 && len(last) < maxLanes {
			last = append(last, x)
			placed = len(last) - 1
		}
		if placed < 0 {
			placed = 0
			for l := range last {
				if last[l] < last[placed] {
					placed = l
				}
			}
		}
		last[placed] = x
		out[i] = placed
	}
	return out, max(len(last), 1)
}

func timelineLabel(e source.TimelineEntry) string {
	var b strings.Builder
	b.WriteString(e.Title)
	if e.Publisher != "" {
		b.WriteString(" — " + e.Publisher)
	}
	b.WriteString(", " + e.At.UTC().Format("2 Jan 2006 15:04 UTC"))
	if e.Duplicate {
		b.WriteString(" (reprint)")
	}
	return b.String()
}

// storyTimelineSVG draws when each article of a story appeared: a time
// axis with one numbered marker per article (num maps article ids to the
// numbers of the article list), markers that would overlap stacked above
// each other, reprints dashed. Each marker links to its row of the list.
// Plain SVG, no script or inline style: the site CSS styles it by class.
func storyTimelineSVG(entries []source.TimelineEntry, num map[int64]int, title string) template.HTML {
	if len(entries) == 0 {
		return ""
	}
	const (
		w              = 760
		left, right    = 18, 18
		top            = 10
		r              = 10.0
		laneH          = 2*r + 4
		labelsH        = 34
		maxLanes       = 8
		tickHalfHeight = 4
	)
	sc := newTimeScale(entries, left+r, w-right-r)
	xs := make([]float64, len(entries))
	for i, e := range entries {
		xs[i] = sc.x(e.At.UTC())
	}
	lane, nl := lanes(xs, 2*r+2, maxLanes)
	axisY := float64(top) + float64(nl)*laneH + 6
	h := int(axisY) + labelsH
	id := fmt.Sprintf("chart%d", chartSeq.Add(1))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, w, h, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, id, html.EscapeString(title))
	var desc []string
	for _, e := range entries {
		desc = append(desc, fmt.Sprintf("%d: %s", num[e.ArticleID], timelineLabel(e)))
	}
	fmt.Fprintf(&b, `<desc id="%s-d">%d article%s. %s.</desc>`, id, len(entries), plural(len(entries)), html.EscapeString(strings.Join(desc, "; ")))
	ticks, labels := sc.ticks()
	for i, t := range ticks {
		x := sc.x(t)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%d" x2="%.1f" y2="%.1f"/>`, x, top, x, axisY)
		fmt.Fprintf(&b, `<text class="xlabel" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, axisY+14, html.EscapeString(labels[i][0]))
		if labels[i][1] != "" {
			fmt.Fprintf(&b, `<text class="xlabel day" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, axisY+27, html.EscapeString(labels[i][1]))
		}
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, left, axisY, w-right, axisY)
	for i, e := range entries {
		x := xs[i]
		cy := axisY - 6 - r - float64(lane[i])*laneH
		fmt.Fprintf(&b, `<line class="stem" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x, axisY-tickHalfHeight, x, axisY+tickHalfHeight)
		cls, numCls := "dot", "num"
		if e.Duplicate {
			cls, numCls = "dot dup", "num dupnum"
		}
		n := num[e.ArticleID]
		fmt.Fprintf(&b, `<a href="#article-%d"><title>%s</title>`, e.ArticleID, html.EscapeString(fmt.Sprintf("%d. %s", n, timelineLabel(e))))
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="%.0f"/>`, cls, x, cy, r)
		if n > 0 {
			fmt.Fprintf(&b, `<text class="%s" x="%.1f" y="%.1f" text-anchor="middle">%d</text>`, numCls, x, cy+3.5, n)
		}
		b.WriteString(`</a>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// storySparkSVG is the story list's small timeline: one dot per article
// between the story's first and last article, reprints hollow.
func storySparkSVG(entries []source.TimelineEntry, title string) template.HTML {
	if len(entries) == 0 {
		return ""
	}
	const (
		w, h     = 180, 32
		r        = 4.0
		axisY    = 25.0
		laneH    = 2*r + 1
		maxLanes = 3
	)
	sc := newTimeScale(entries, 4+r, w-4-r)
	xs := make([]float64, len(entries))
	for i, e := range entries {
		xs[i] = sc.x(e.At.UTC())
	}
	lane, _ := lanes(xs, 2*r+1, maxLanes)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline spark" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		w, h, w, h, html.EscapeString(title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	fmt.Fprintf(&b, `<line class="axis" x1="2" y1="%.1f" x2="%d" y2="%.1f"/>`, axisY+r+1, w-2, axisY+r+1)
	for i, e := range entries {
		cls := "dot"
		if e.Duplicate {
			cls = "dot dup"
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="%.1f"><title>%s</title></circle>`,
			cls, xs[i], axisY-float64(lane[i])*laneH, r, html.EscapeString(timelineLabel(e)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
