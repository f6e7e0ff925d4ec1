package web

import (
	"net/http"
	"net/url"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
)

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
