package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
)

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
	// TotalCapped: more than Total briefs match (the store counts up
	// to a cap); the page says "More than 1,000 results".
	TotalCapped bool
	Pager       pager
	// Suggestion is "did you mean" for a query that found nothing.
	Suggestion *suggestionView
}

type suggestionView struct{ Q, URL string }

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
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
			return s.badSearch(data)
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
			if errors.Is(err, store.ErrInvalid) {
				data.Error = "That page of results does not exist (its position in the list is malformed); start the search again."
				return s.badSearch(data)
			}
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
				return s.badSearch(data)
			}
			return nil, err
		}
		data.Hits, data.Total, data.TotalCapped = res.Hits, res.Total, res.TotalCapped
		if res.Suggestion != "" {
			v := url.Values{"q": {res.Suggestion}}
			for _, kv := range [][2]string{{"topic", data.Topic}, {"firm", data.Firm}, {"from", data.From}, {"to", data.To}} {
				if kv[1] != "" {
					v.Set(kv[0], kv[1])
				}
			}
			data.Suggestion = &suggestionView{Q: res.Suggestion, URL: "/search?" + v.Encode()}
		}
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

// badSearch is the search page with data.Error, answered 400.
func (s *Server) badSearch(data searchPage) (*page, error) {
	body, err := s.tmpl.render("search", data)
	if err != nil {
		return nil, err
	}
	return newPage(http.StatusBadRequest, "text/html; charset=utf-8", "no-store", body, time.Time{}), nil
}
