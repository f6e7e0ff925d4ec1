package web

// The desk's digest preview (issue 6): the e-mail a sample reader would get
// now, for the topics, firms and frequency chosen in a small form, shown in
// a sandboxed frame beside a link to its plain-text part. The preview
// itself (/admin/digest/preview) is the mail's HTML, served with a policy
// of its own: no scripts, inline styles only, framable by the desk alone.

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/digest"
	"legists/internal/store"
)

func (s *Server) digestRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/digest", s.desk(auth.PermWrite, s.handleDigestPage))
	mux.HandleFunc("GET /admin/digest/preview", s.desk(auth.PermWrite, s.handleDigestPreview))
}

// previewCSP is the policy of the preview: a mail body (inline styles,
// images from anywhere secure, nothing else), framable by the desk only.
const previewCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"

// digestPageCSP is the site's policy plus frames from the site itself, for
// the page that shows the preview.
const digestPageCSP = ContentSecurityPolicy + "; frame-src 'self'"

// previewWindow and previewHorizon are those of digest.PreviewWith: how
// far back briefs and how far ahead events are looked for.
const (
	previewWindow  = 31 * 24 * time.Hour
	previewHorizon = 60 * 24 * time.Hour
)

// sampleReader is the subscriber the preview is made for.
type sampleReader struct {
	Topics    []string // slugs; empty: all
	Firms     []string // slugs
	Frequency store.Frequency
	AllTopics bool
}

// readSample reads ?topics=&firms=&frequency= against the directory.
// Without a query, the sample follows every topic, weekly.
func (s *Server) readSample(r *http.Request) sampleReader {
	q := r.URL.Query()
	firms, topics, _ := s.directory(r.Context())
	sr := sampleReader{Frequency: store.Weekly}
	if f := store.Frequency(q.Get("frequency")); f.Valid() {
		sr.Frequency = f
	}
	if len(q) == 0 || q.Get("topics") == "all" {
		sr.AllTopics = true
	} else {
		want := q["topics"]
		for _, t := range topics {
			if slices.Contains(want, t.Slug) {
				sr.Topics = append(sr.Topics, t.Slug)
			}
		}
		sr.AllTopics = len(sr.Topics) == len(topics)
	}
	want := q["firms"]
	for _, f := range firms {
		if slices.Contains(want, f.Slug) {
			sr.Firms = append(sr.Firms, f.Slug)
		}
	}
	return sr
}

// query is the sample as a query string, for the frame and the text link.
func (sr sampleReader) query() string {
	v := url.Values{"frequency": {string(sr.Frequency)}}
	if sr.AllTopics {
		v.Set("topics", "all")
	} else {
		v["topics"] = sr.Topics
	}
	if len(sr.Firms) > 0 {
		v["firms"] = sr.Firms
	}
	return v.Encode()
}

// subscriber is the sample as a subscriber whose last digest went out one
// period ago. Every topic ticked is a reader of everything.
func (sr sampleReader) subscriber(now time.Time) *store.Subscriber {
	period := 7 * 24 * time.Hour
	if sr.Frequency == store.Daily {
		period = 24 * time.Hour
	}
	last := now.Add(-period)
	sub := &store.Subscriber{Email: "reader@example.com", Status: store.SubscriberConfirmed, Frequency: sr.Frequency,
		Firms: sr.Firms, LastDigestAt: &last, CreatedAt: now.Add(-period), ConfirmedAt: &last}
	if !sr.AllTopics {
		sub.Topics = sr.Topics
	}
	return sub
}

type digestChoice struct {
	Slug, Name string
	Checked    bool
}

type digestPage struct {
	Desk
	Areas, Regions, Firms []digestChoice
	Daily                 bool
	FirmsChosen           int
	FrameURL, TextURL     string
	Summary               string
	NothingNew            string
}

func (s *Server) handleDigestPage(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	sr := s.readSample(r)
	firms, topics, _ := s.directory(r.Context())
	data := digestPage{Desk: s.deskCommon(dc, "Digest preview", "digest"), Daily: sr.Frequency == store.Daily, FirmsChosen: len(sr.Firms)}
	for _, t := range topics {
		c := digestChoice{Slug: t.Slug, Name: t.Name, Checked: sr.AllTopics || slices.Contains(sr.Topics, t.Slug)}
		if t.Kind == brief.TopicJurisdiction {
			data.Regions = append(data.Regions, c)
		} else {
			data.Areas = append(data.Areas, c)
		}
	}
	// Followed firms first: the directory is long.
	var rest []digestChoice
	for _, f := range firms {
		c := digestChoice{Slug: f.Slug, Name: f.Name, Checked: slices.Contains(sr.Firms, f.Slug)}
		if c.Checked {
			data.Firms = append(data.Firms, c)
		} else {
			rest = append(rest, c)
		}
	}
	data.Firms = append(data.Firms, rest...)
	q := sr.query()
	data.FrameURL = "/admin/digest/preview?" + q
	data.TextURL = "/admin/digest/preview?format=text&" + q
	data.Summary = "a " + string(sr.Frequency) + " reader of "
	switch {
	case (sr.AllTopics || len(sr.Topics) == 0) && len(sr.Firms) == 0:
		data.Summary += "everything"
	case sr.AllTopics:
		data.Summary += "every topic and " + countOf(len(sr.Firms), "firm")
	case len(sr.Firms) == 0:
		data.Summary += countOf(len(sr.Topics), "topic")
	case len(sr.Topics) == 0:
		data.Summary += countOf(len(sr.Firms), "firm")
	default:
		data.Summary += countOf(len(sr.Topics), "topic") + " and " + countOf(len(sr.Firms), "firm")
	}
	// Would a digest go out at all? The preview shows the latest briefs
	// when nothing matches, so say so.
	now := time.Now()
	sub := sr.subscriber(now)
	cat, err := digest.LoadCatalogue(r.Context(), s.st, now, previewWindow, previewHorizon)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if sel := cat.Select(sub, digest.WindowStart(sub, now, previewWindow), 20, 5); len(sel.Briefs) == 0 {
		data.NothingNew = "No brief published in the last " + map[store.Frequency]string{store.Daily: "day", store.Weekly: "week"}[sr.Frequency] +
			" matches this reader, so no digest would go out now. The preview shows the latest briefs instead."
	}
	w.Header().Set("Content-Security-Policy", digestPageCSP)
	s.deskRender(w, r, http.StatusOK, "digest", data)
}

func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// handleDigestPreview serves the sample's digest as HTML (or, with
// ?format=text, its plain-text part), for a sandboxed frame of the desk.
// Links are absolute against the site; none is signed, so a click cannot
// change any reader's subscription.
func (s *Server) handleDigestPreview(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	sr := s.readSample(r)
	now := time.Now()
	html, text, err := digest.PreviewWith(r.Context(), s.st, sr.subscriber(now), digest.PreviewOptions{BaseURL: s.base.String(), Now: now})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", previewCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cache-Control", "no-store")
	if r.URL.Query().Get("format") == "text" {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(text))
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(html))
}
