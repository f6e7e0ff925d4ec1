package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"legists/internal/brief"
	"legists/internal/digest"
	"legists/internal/store"
)

// ---- home ----

// The front page has a hierarchy: the lead brief, a second row of three,
// then the rest of the page's briefs as a compact list, each brief once;
// beside them a rail of upcoming events, the practice areas and the firms
// of these briefs.
const (
	secondRow = 3
	railSize  = 8 // practice areas and firms in the rail
)

type railItem struct {
	Name, URL, Note string
}

type railEvent struct {
	Title, When, Where, URL string
}

type homePage struct {
	Common
	Lead   *brief.Brief
	Second []brief.Brief
	Latest []brief.Brief
	Pager  pager
	Stay   stayTuned
	// The rail.
	Events []railEvent
	Areas  []railItem
	Firms  []railItem
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
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
		data := homePage{Common: s.common("", "home"), Stay: s.stayFor(ctx, nil)}
		data.Canonical = s.abs("/")
		data.Description = "Legists: the day's world news in short, sourced briefs for the legal sector, with the law firms that matter to each story."
		mod := latestModified(pg.Briefs)
		list := pg.Briefs
		if cursor == "" && len(list) > 0 {
			data.Lead = &list[0]
			list = list[1:]
			n := min(secondRow, len(list))
			data.Second, list = list[:n], list[n:]
			if err := s.fillRail(ctx, &data, pg.Briefs); err != nil {
				return nil, err
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

// fillRail lists the next events, and the practice areas and firms of the
// page's briefs, most frequent first.
func (s *Server) fillRail(ctx context.Context, data *homePage, briefs []brief.Brief) error {
	evs, err := s.st.ListEvents(ctx, store.EventFilter{EndsAfter: time.Now(), Limit: 4})
	if err != nil {
		return err
	}
	for i := range evs {
		e := &evs[i]
		where := e.Place
		if where == "" && e.OnlineURL != "" {
			where = "Online"
		}
		data.Events = append(data.Events, railEvent{Title: e.Title, When: digest.EventWhen(e), Where: where, URL: "/events#" + e.Slug})
	}
	_, topics, idx := s.directory(ctx)
	areas := map[string]int{}
	type firmCount struct {
		item railItem
		n    int
	}
	firms := map[string]*firmCount{}
	for _, b := range briefs {
		for _, t := range b.Topics {
			areas[t]++
		}
		for _, f := range b.Firms {
			slug, name := s.firmSlug(idx, f)
			if cur, ok := idx[strings.ToLower(strings.TrimSpace(f))]; ok {
				name = cur.Name // the firm's current name, not a former one
			}
			if firms[slug] == nil {
				firms[slug] = &firmCount{item: railItem{Name: name, URL: "/firms/" + url.PathEscape(slug)}}
			}
			firms[slug].n++
		}
	}
	for _, t := range topics {
		if n := areas[t.Name]; n > 0 && t.Kind == brief.TopicPracticeArea {
			data.Areas = append(data.Areas, railItem{Name: t.Name, URL: "/topics/" + url.PathEscape(t.Slug), Note: count(n, "brief")})
		}
	}
	sort.SliceStable(data.Areas, func(i, j int) bool { return areas[data.Areas[i].Name] > areas[data.Areas[j].Name] })
	data.Areas = data.Areas[:min(railSize, len(data.Areas))]
	counts := make([]*firmCount, 0, len(firms))
	for _, fc := range firms {
		counts = append(counts, fc)
	}
	sort.Slice(counts, func(i, j int) bool {
		if counts[i].n != counts[j].n {
			return counts[i].n > counts[j].n
		}
		return counts[i].item.Name < counts[j].item.Name
	})
	for _, fc := range counts[:min(railSize, len(counts))] {
		fc.item.Note = count(fc.n, "brief")
		data.Firms = append(data.Firms, fc.item)
	}
	return nil
}

// count is "1 brief", "3 briefs".
func count(n int, word string) string {
	return strconv.Itoa(n) + " " + word + plural(n)
}
