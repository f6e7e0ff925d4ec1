package web

// The desk's sources: the subscribed feeds and pages with their polling
// state, a form to subscribe to another and a button to unsubscribe.
// Adding stores the source, due at once; the background poller of
// `legists serve` reads it on its next round. Only telling a feed from a
// page may fetch the URL once, with a short timeout.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"legists/internal/auth"
	"legists/internal/ingest"
	"legists/internal/source"
	"legists/internal/store"
)

func (s *Server) sourceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/sources", s.desk(auth.PermWrite, s.handleSources))
	mux.HandleFunc("POST /admin/sources", s.desk(auth.PermPublish, s.handleAddSource))
	mux.HandleFunc("POST /admin/sources/{id}/delete", s.desk(auth.PermPublish, s.handleRemoveSource))
}

// detectTimeout bounds the one fetch that tells a feed from a page.
const detectTimeout = 8 * time.Second

type sourceRow struct {
	source.Source
	Name        string
	KindLabel   string
	LastFetched string
	LastOK      string // the HTTP status, the last success after a failure
	NextPoll    string
	Backoff     string
	ErrorAt     string
}

type sourcesPage struct {
	Desk
	Rows      []sourceRow
	CanManage bool
	// The add form.
	URL, Kind, Name string
	FetchPages      string
	// Feeds are the feeds the address announced, to pick one from (as
	// `legists sources add --pick N`).
	Feeds []ingest.FeedLink
	Pick  int
}

func (s *Server) handleSources(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	data := sourcesPage{Kind: ""}
	switch r.URL.Query().Get("done") {
	case "added":
		data.Notice = "Subscribed. The source is due now: the background poller reads it on its next round, and its articles join the stories."
	case "removed":
		data.Notice = "Unsubscribed. The source's articles stay archived: briefs may cite them."
	}
	s.renderSources(w, r, dc, http.StatusOK, data)
}

func (s *Server) renderSources(w http.ResponseWriter, r *http.Request, dc *deskCtx, status int, data sourcesPage) {
	srcs, err := s.st.ListSources(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	notice, errMsg := data.Notice, data.Error
	data.Desk = s.deskCommon(dc, "Sources", "sources")
	data.Notice, data.Error = notice, errMsg
	data.CanManage = auth.Can(dc.User.Role, auth.PermPublish)
	now := time.Now()
	for _, src := range srcs {
		data.Rows = append(data.Rows, sourceRowOf(src, now))
	}
	s.deskRender(w, r, status, "sources", data)
}

func sourceRowOf(src source.Source, now time.Time) sourceRow {
	row := sourceRow{Source: src, Name: src.Title, KindLabel: string(src.Kind)}
	if row.Name == "" {
		row.Name = src.URL
	}
	if src.FeedType != "" {
		row.KindLabel += " · " + src.FeedType
	}
	row.LastFetched = "never"
	if src.LastPolledAt != nil {
		row.LastFetched = whenText(*src.LastPolledAt, now)
		if src.LastStatus != 0 {
			row.LastOK = fmt.Sprintf("HTTP %d", src.LastStatus)
		}
	}
	if src.LastSuccessAt != nil && src.LastError != "" {
		if row.LastOK != "" {
			row.LastOK += "; "
		}
		row.LastOK += "last success " + whenText(*src.LastSuccessAt, now)
	}
	if src.LastErrorAt != nil {
		row.ErrorAt = whenText(*src.LastErrorAt, now)
	}
	switch {
	case src.Status == source.StatusRunning:
		row.NextPoll = "being polled now"
	case !src.NextPollAt.After(now):
		row.NextPoll = "due now"
	default:
		row.NextPoll = whenText(src.NextPollAt, now)
	}
	if src.ErrorCount > 0 {
		row.Backoff = fmt.Sprintf("backing off after %d failure%s in a row (waits %s)", src.ErrorCount, plural(src.ErrorCount),
			shortDuration(source.Backoff(src.ErrorCount)))
	}
	return row
}

// whenText is a time with how long ago or ahead it is: "2 Mar 2026,
// 16:00 UTC (3 h ago)".
func whenText(t, now time.Time) string {
	d := now.Sub(t)
	rel := ""
	switch {
	case d >= 0 && d <= time.Minute:
		rel = "just now"
	case d < 0 && d >= -time.Minute:
		rel = "in under a minute"
	case d > 0:
		rel = shortDuration(d) + " ago"
	default:
		rel = "in " + shortDuration(-d)
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC") + " (" + rel + ")"
}

// shortDuration is a rounded duration for people: "45 s", "12 min",
// "3 h", "2 days".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func (s *Server) handleAddSource(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	f := r.PostForm
	data := sourcesPage{URL: strings.TrimSpace(f.Get("url")), Kind: f.Get("kind"), Name: strings.TrimSpace(f.Get("title")),
		FetchPages: f.Get("fetch_pages")}
	pick, _ := strconv.Atoi(f.Get("pick"))
	fetchPages, err := source.ParseFetchPages(data.FetchPages)
	if err != nil || pick < 0 {
		data.Error = "Choose whether to fetch the pages the feed's items link to: automatically, always or never."
		if pick < 0 {
			data.Error = "Choose one of the feeds the address announces."
		}
		s.renderSources(w, r, dc, http.StatusUnprocessableEntity, data)
		return
	}
	u, err := source.ParseURL(data.URL)
	if err != nil {
		data.Error = "Give the address of a feed or a page, starting with http:// or https://."
		s.renderSources(w, r, dc, http.StatusUnprocessableEntity, data)
		return
	}
	kind := source.Kind(data.Kind)
	if kind != "" && !kind.Valid() {
		data.Error = "Choose whether the address is a feed or a single page."
		s.renderSources(w, r, dc, http.StatusUnprocessableEntity, data)
		return
	}
	src := source.Source{URL: u.String(), Kind: kind, Title: truncate(data.Name, 200), FetchPages: fetchPages}
	if existing, err := s.st.GetSourceByURL(ctx, src.URL); err == nil {
		data = sourcesPage{Desk: Desk{Notice: fmt.Sprintf("Already subscribed: %s (source %d).", existing.URL, existing.ID)}}
		s.renderSources(w, r, dc, http.StatusOK, data)
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	if kind == "" {
		err := detectSource(ctx, &src, pick)
		var several *ingest.SeveralFeedsError
		if errors.As(err, &several) {
			data.Error = fmt.Sprintf("%s announces %d feeds: choose one.", several.Page, len(several.Feeds))
			data.Feeds, data.Pick = several.Feeds, 1
			s.renderSources(w, r, dc, http.StatusUnprocessableEntity, data)
			return
		}
		if err != nil {
			data.Error = fmt.Sprintf("%v. Check the address, or choose “Feed” or “Single page” to subscribe anyway: the poller will keep trying.", err)
			s.renderSources(w, r, dc, http.StatusUnprocessableEntity, data)
			return
		}
		if src.URL != u.String() {
			// The address announced a feed: that is the subscription.
			if existing, err := s.st.GetSourceByURL(ctx, src.URL); err == nil {
				data = sourcesPage{Desk: Desk{Notice: fmt.Sprintf("Already subscribed: %s (source %d).", existing.URL, existing.ID)}}
				s.renderSources(w, r, dc, http.StatusOK, data)
				return
			}
		}
	}
	added, err := s.st.AddSource(audited(ctx, dc.User.Email, "source.add", src.URL, string(src.Kind)), src)
	switch {
	case errors.Is(err, store.ErrConflict) && added != nil:
		data = sourcesPage{Desk: Desk{Notice: fmt.Sprintf("Already subscribed: %s (source %d).", added.URL, added.ID)}}
		s.renderSources(w, r, dc, http.StatusOK, data)
		return
	case errors.Is(err, store.ErrInvalid):
		data.Error = err.Error()
		s.renderSources(w, r, dc, http.StatusUnprocessableEntity, data)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/sources?done=added#source-"+strconv.FormatInt(added.ID, 10), http.StatusSeeOther)
}

// allowPrivateFetch is LEGISTS_ALLOW_PRIVATE, as the serve command's
// poller reads it: fetches may reach loopback and private addresses.
func allowPrivateFetch() bool {
	switch strings.ToLower(os.Getenv("LEGISTS_ALLOW_PRIVATE")) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// detectSource fetches src.URL, with a short timeout, and sets its kind
// (feed or page), title, site and feed type, or the feed a page announces
// (the pick-th of several), as `legists sources add` does.
func detectSource(ctx context.Context, src *source.Source, pick int) error {
	ctx, cancel := context.WithTimeout(ctx, detectTimeout)
	defer cancel()
	return ingest.Detect(ctx, ingest.FetchConfig{AllowPrivate: allowPrivateFetch(), Timeout: detectTimeout, MaxBodyBytes: 4 << 20},
		src, ingest.DetectOptions{Pick: pick})
}

func (s *Server) handleRemoveSource(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such source", "")
		return
	}
	src, err := s.st.GetSource(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		http.Redirect(w, r, "/admin/sources?done=removed", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	actx := audited(ctx, dc.User.Email, "source.remove", src.URL, fmt.Sprintf("source %d, %d article%s kept", id, src.ArticleCount, plural(src.ArticleCount)))
	if err := s.st.RemoveSource(actx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/sources?done=removed", http.StatusSeeOther)
}
