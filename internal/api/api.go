// Package api is Legists' JSON API under /api/v1: briefs (list with
// cursor pagination, read, create, replace, delete, revisions), search,
// the firm directory and the taxonomy. Errors are RFC 9457 problem
// details; writes need a per-user API token (Authorization: Bearer). The
// OpenAPI 3.1 document, openapi.json, is embedded and served at
// /api/v1/openapi.json; tests check the handlers against it.
package api

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/source"
	"legists/internal/store"
)

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the embedded OpenAPI 3.1 document.
func OpenAPI() []byte { return openAPIDoc }

// Store is what the API reads and writes.
type Store interface {
	store.Store
	store.Desk
}

// Options configure the API.
type Options struct {
	Store   Store
	Auth    *auth.Manager
	BaseURL string
	Logger  *slog.Logger
	// OnChange is called after every successful write (the site drops its
	// page cache).
	OnChange func()
	// Normalizer fills defaults (slug, status, published time) before a
	// brief is validated and saved.
	Normalizer func(*brief.Brief)
}

// API serves /api/v1.
type API struct {
	o      Options
	routes []string
}

// Routes lists the method and path patterns Register adds, such as
// "GET /api/v1/briefs/{slug}"; tests check them against the OpenAPI
// document.
func (a *API) Routes() []string {
	if a.routes == nil {
		a.Register(http.NewServeMux())
	}
	return a.routes
}

// New makes the API.
func New(o Options) *API {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.OnChange == nil {
		o.OnChange = func() {}
	}
	if o.Normalizer == nil {
		o.Normalizer = func(*brief.Brief) {}
	}
	return &API{o: o}
}

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	a.routes = nil
	handle := func(pattern string, h http.HandlerFunc) {
		a.routes = append(a.routes, pattern)
		mux.HandleFunc(pattern, h)
	}
	handle("GET "+Prefix+"/openapi.json", a.openapi)
	handle("GET "+Prefix+"/briefs", a.listBriefs)
	handle("POST "+Prefix+"/briefs", a.createBrief)
	handle("GET "+Prefix+"/briefs/{slug}", a.getBrief)
	handle("PUT "+Prefix+"/briefs/{slug}", a.putBrief)
	handle("DELETE "+Prefix+"/briefs/{slug}", a.deleteBrief)
	handle("GET "+Prefix+"/briefs/{slug}/revisions", a.revisions)
	handle("GET "+Prefix+"/search", a.search)
	handle("GET "+Prefix+"/firms", a.listFirms)
	handle("GET "+Prefix+"/firms/{slug}", a.getFirm)
	handle("GET "+Prefix+"/topics", a.listTopics)
	handle("GET "+Prefix+"/topics/{slug}", a.getTopic)
	handle("GET "+Prefix+"/me", a.me)
	handle("GET "+Prefix+"/articles", a.listArticles)
	handle("GET "+Prefix+"/articles/{id}", a.getArticle)
	handle("GET "+Prefix+"/stories", a.listStories)
	handle("GET "+Prefix+"/stories/{id}", a.getStory)
}

// ---- responses ----

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type     string   `json:"type"`
	Title    string   `json:"title"`
	Status   int      `json:"status"`
	Detail   string   `json:"detail,omitempty"`
	Instance string   `json:"instance,omitempty"`
	Errors   []string `json:"errors,omitempty"`
}

func (a *API) problem(w http.ResponseWriter, r *http.Request, status int, detail string, errs ...string) {
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Instance: r.URL.Path, Errors: errs}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="legists"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func (a *API) serverError(w http.ResponseWriter, r *http.Request, err error) {
	a.o.Logger.Error("api", "path", r.URL.Path, "err", err)
	a.problem(w, r, http.StatusInternalServerError, "The request could not be completed; the error has been logged.")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(openAPIDoc)
}

// ---- JSON shapes ----

// Paragraph is the contract's paragraph: text and the sources it cites;
// spans give the exact cited runs.
type Paragraph struct {
	Text      string       `json:"text"`
	Citations []int        `json:"citations"`
	Spans     []brief.Span `json:"spans,omitempty"`
}

// Section is one of the three questions.
type Section struct {
	Heading    string      `json:"heading"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Source is a cited article.
type Source struct {
	N         int        `json:"n"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Publisher string     `json:"publisher"`
	FetchedAt *time.Time `json:"fetched_at,omitempty"`
	// Text is accepted on writes (the archived article) and never sent.
	Text string `json:"text,omitempty"`
}

// Brief is the contract's brief JSON.
type Brief struct {
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Byline      string     `json:"byline"`
	Status      string     `json:"status,omitempty"`
	PublishedAt *time.Time `json:"published_at"`
	UpdatedAt   *time.Time `json:"updated_at,omitempty"`
	URL         string     `json:"url,omitempty"`
	Sections    []Section  `json:"sections"`
	Firms       []string   `json:"firms"`
	Topics      []string   `json:"topics"`
	Sources     []Source   `json:"sources"`
}

// FromBrief converts a domain brief to the API shape.
func FromBrief(b *brief.Brief, baseURL string) Brief {
	out := Brief{Slug: b.Slug, Title: b.Title, Byline: b.Byline, Status: string(b.Status), PublishedAt: b.PublishedAt,
		Sections: []Section{}, Firms: nonNil(b.Firms), Topics: nonNil(b.Topics), Sources: []Source{}}
	if !b.UpdatedAt.IsZero() {
		t := b.UpdatedAt
		out.UpdatedAt = &t
	}
	if baseURL != "" && b.Slug != "" {
		out.URL = baseURL + "/briefs/" + b.Slug
	}
	for _, s := range b.Sections {
		sec := Section{Heading: s.Heading, Paragraphs: []Paragraph{}}
		for _, p := range s.Paragraphs {
			sec.Paragraphs = append(sec.Paragraphs, Paragraph{Text: p.Text, Citations: p.Citations(), Spans: p.Spans})
		}
		out.Sections = append(out.Sections, sec)
	}
	for _, s := range b.Sources {
		out.Sources = append(out.Sources, Source{N: s.N, URL: s.URL, Title: s.Title, Publisher: s.Publisher, FetchedAt: s.FetchedAt})
	}
	return out
}

// ToBrief converts the API shape to a domain brief. A paragraph with
// citations but no spans cites its whole text.
func (in Brief) ToBrief() *brief.Brief {
	b := &brief.Brief{Slug: strings.TrimSpace(in.Slug), Title: strings.TrimSpace(in.Title), Byline: strings.TrimSpace(in.Byline),
		Status: brief.Status(in.Status), PublishedAt: in.PublishedAt, Firms: in.Firms, Topics: in.Topics}
	for _, s := range in.Sections {
		sec := brief.Section{Heading: s.Heading}
		for _, p := range s.Paragraphs {
			bp := brief.Paragraph{Text: p.Text, Spans: p.Spans}
			if len(bp.Spans) == 0 && len(p.Citations) > 0 {
				bp.Spans = []brief.Span{{Start: 0, End: len(p.Text), Citations: p.Citations}}
			}
			sec.Paragraphs = append(sec.Paragraphs, bp)
		}
		b.Sections = append(b.Sections, sec)
	}
	for _, s := range in.Sources {
		b.Sources = append(b.Sources, brief.Source{N: s.N, URL: s.URL, Title: s.Title, Publisher: s.Publisher, FetchedAt: s.FetchedAt, Text: s.Text})
	}
	return b.Normalize()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// BriefList is a page of briefs.
type BriefList struct {
	Briefs []Brief `json:"briefs"`
	Next   string  `json:"next,omitempty"`
}

// ---- auth ----

// writer returns the user behind the request's API token, answering 401
// or 403 itself when there is none or it lacks perm.
func (a *API) writer(w http.ResponseWriter, r *http.Request, perm auth.Permission) (*store.User, bool) {
	u, _, err := a.o.Auth.BearerUser(r.Context(), r)
	switch {
	case errors.Is(err, auth.ErrNoSession):
		a.problem(w, r, http.StatusUnauthorized, "This request needs an API token: send Authorization: Bearer TOKEN (create one at /admin/tokens).")
		return nil, false
	case errors.Is(err, auth.ErrBadToken):
		a.problem(w, r, http.StatusUnauthorized, "The API token is not valid.")
		return nil, false
	case err != nil:
		a.serverError(w, r, err)
		return nil, false
	}
	if !auth.Can(u.Role, perm) {
		a.problem(w, r, http.StatusForbidden, fmt.Sprintf("Your role (%s) may not do this.", u.Role))
		return nil, false
	}
	return u, true
}

// reader returns the token's user when the request carries one (reads of
// unpublished briefs need it), nil otherwise.
func (a *API) reader(r *http.Request) *store.User {
	u, _, err := a.o.Auth.BearerUser(r.Context(), r)
	if err != nil {
		return nil
	}
	return u
}

func (a *API) audit(r *http.Request, u *store.User, action, target, detail string) {
	e := &store.AuditEntry{Actor: u.Email, Action: action, Target: target, Detail: detail}
	if err := a.o.Store.AppendAudit(r.Context(), e); err != nil {
		a.o.Logger.Error("audit", "err", err)
	}
}

// ---- briefs ----

func parseLimit(v string, def, maxN int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxN {
		return 0, fmt.Errorf("limit must be a whole number from 1 to %d", maxN)
	}
	return n, nil
}

// parseDate reads a date (2025-03-31) or an RFC 3339 time.
func parseDate(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2025-03-31) or an RFC 3339 time", v)
	}
	return t, nil
}

func (a *API) listBriefs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"), 20, 100)
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	f := store.BriefFilter{Status: brief.StatusPublished, Firm: q.Get("firm"), Topic: q.Get("topic"), Limit: limit, Cursor: q.Get("cursor")}
	if st := q.Get("status"); st != "" {
		if !brief.Status(st).Valid() {
			a.problem(w, r, http.StatusBadRequest, "status must be draft, review or published")
			return
		}
		f.Status = brief.Status(st)
		if f.Status != brief.StatusPublished {
			if _, ok := a.writer(w, r, auth.PermWrite); !ok {
				return
			}
		}
	}
	if f.Since, err = parseDate(q.Get("since")); err != nil {
		a.problem(w, r, http.StatusBadRequest, "since: "+err.Error())
		return
	}
	if f.Until, err = parseDate(q.Get("until")); err != nil {
		a.problem(w, r, http.StatusBadRequest, "until: "+err.Error())
		return
	}
	pg, err := a.o.Store.ListBriefs(r.Context(), f)
	if errors.Is(err, store.ErrInvalid) {
		a.problem(w, r, http.StatusBadRequest, "The cursor is not valid; start again without it.")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	out := BriefList{Briefs: []Brief{}, Next: pg.Next}
	for i := range pg.Briefs {
		out.Briefs = append(out.Briefs, FromBrief(&pg.Briefs[i], a.o.BaseURL))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getBrief(w http.ResponseWriter, r *http.Request) {
	b, err := a.o.Store.GetBrief(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r, "brief", "slug")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if b.Status != brief.StatusPublished {
		if u := a.reader(r); u == nil {
			a.notFound(w, r, "brief", "slug")
			return
		}
	}
	writeJSON(w, http.StatusOK, FromBrief(b, a.o.BaseURL))
}

// readBrief decodes a request body: JSON (the Brief shape), or a brief in
// the house text format (text/plain) or the editing format
// (text/markdown).
func (a *API) readBrief(w http.ResponseWriter, r *http.Request) (*brief.Brief, bool) {
	mt := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0]))
	var b *brief.Brief
	var err error
	switch mt {
	case "application/json", "":
		var in Brief
		dec := json.NewDecoder(r.Body)
		if err = dec.Decode(&in); err == nil {
			b = in.ToBrief()
		}
	case "text/plain":
		b, err = brief.Parse(r.Body)
	case "text/markdown":
		b, err = brief.ParseMarkdown(r.Body)
	default:
		a.problem(w, r, http.StatusUnsupportedMediaType, "Send application/json, text/plain (the house format) or text/markdown (the editing format).")
		return nil, false
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, brief.ErrTooLarge) {
			a.problem(w, r, http.StatusRequestEntityTooLarge, "The body is too large.")
			return nil, false
		}
		a.problem(w, r, http.StatusBadRequest, "The body is not a brief: "+err.Error())
		return nil, false
	}
	return b, true
}

func (a *API) validate(w http.ResponseWriter, r *http.Request, b *brief.Brief) bool {
	a.o.Normalizer(b)
	b.Normalize()
	if err := b.Validate(); err != nil {
		a.problem(w, r, http.StatusUnprocessableEntity, "The brief is not valid.", strings.Split(err.Error(), "\n")...)
		return false
	}
	return true
}

// mayPublish answers 403 when u's role may not give b the status it has.
func (a *API) mayStatus(w http.ResponseWriter, r *http.Request, u *store.User, b *brief.Brief, old *brief.Brief) bool {
	if auth.Can(u.Role, auth.PermPublish) {
		return true
	}
	if b.Status == brief.StatusPublished || (old != nil && old.Status == brief.StatusPublished) {
		a.problem(w, r, http.StatusForbidden, fmt.Sprintf("Your role (%s) may not publish or change a published brief.", u.Role))
		return false
	}
	return true
}

func (a *API) createBrief(w http.ResponseWriter, r *http.Request) {
	u, ok := a.writer(w, r, auth.PermWrite)
	if !ok {
		return
	}
	b, ok := a.readBrief(w, r)
	if !ok || !a.validate(w, r, b) || !a.mayStatus(w, r, u, b, nil) {
		return
	}
	if _, err := a.o.Store.GetBrief(r.Context(), b.Slug); err == nil {
		a.problem(w, r, http.StatusConflict, "A brief "+strconv.Quote(b.Slug)+" exists; PUT /api/v1/briefs/"+b.Slug+" to change it.")
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		a.serverError(w, r, err)
		return
	}
	res, err := a.o.Store.SaveBrief(r.Context(), b, store.SaveOptions{Author: u.Email, Note: "created through the API"})
	if errors.Is(err, store.ErrInvalid) {
		a.problem(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.audit(r, u, "brief.create", b.Slug, fmt.Sprintf("via API, status %s, revision %d", b.Status, res.Revision))
	a.o.OnChange()
	saved, err := a.o.Store.GetBrief(r.Context(), b.Slug)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/briefs/"+b.Slug)
	writeJSON(w, http.StatusCreated, FromBrief(saved, a.o.BaseURL))
}

func (a *API) putBrief(w http.ResponseWriter, r *http.Request) {
	u, ok := a.writer(w, r, auth.PermWrite)
	if !ok {
		return
	}
	slug := r.PathValue("slug")
	b, ok := a.readBrief(w, r)
	if !ok {
		return
	}
	if b.Slug == "" {
		b.Slug = slug
	}
	if b.Slug != slug {
		a.problem(w, r, http.StatusUnprocessableEntity, "The slug in the body ("+b.Slug+") differs from the one in the path ("+slug+").")
		return
	}
	old, err := a.o.Store.GetBrief(r.Context(), slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.serverError(w, r, err)
		return
	}
	if old == nil && errors.Is(err, store.ErrNotFound) {
		old = nil
	}
	if b.PublishedAt == nil && old != nil && b.Status == brief.StatusPublished {
		b.PublishedAt = old.PublishedAt
	}
	if !a.validate(w, r, b) || !a.mayStatus(w, r, u, b, old) {
		return
	}
	// Sources keep their archived text unless the body brings new text.
	if old != nil {
		for i := range b.Sources {
			if b.Sources[i].Text == "" {
				if os, ok := old.Source(b.Sources[i].N); ok && os.URL == b.Sources[i].URL {
					b.Sources[i].Text, b.Sources[i].FetchedAt = os.Text, cmpTime(b.Sources[i].FetchedAt, os.FetchedAt)
				}
			}
		}
	}
	res, err := a.o.Store.SaveBrief(r.Context(), b, store.SaveOptions{Author: u.Email, Note: "saved through the API"})
	if errors.Is(err, store.ErrInvalid) {
		a.problem(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if res.Action != store.SaveUnchanged {
		a.audit(r, u, "brief."+string(res.Action), slug, fmt.Sprintf("via API, status %s, revision %d", b.Status, res.Revision))
		a.o.OnChange()
	}
	saved, err := a.o.Store.GetBrief(r.Context(), slug)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Action == store.SaveCreated {
		status = http.StatusCreated
		w.Header().Set("Location", Prefix+"/briefs/"+slug)
	}
	writeJSON(w, status, FromBrief(saved, a.o.BaseURL))
}

func cmpTime(a, b *time.Time) *time.Time {
	if a != nil {
		return a
	}
	return b
}

func (a *API) deleteBrief(w http.ResponseWriter, r *http.Request) {
	u, ok := a.writer(w, r, auth.PermPublish)
	if !ok {
		return
	}
	slug := r.PathValue("slug")
	err := a.o.Store.DeleteBrief(r.Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		a.problem(w, r, http.StatusNotFound, "No brief "+strconv.Quote(slug)+".")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.audit(r, u, "brief.delete", slug, "via API")
	a.o.OnChange()
	w.WriteHeader(http.StatusNoContent)
}

// RevisionList is a brief's saved versions, newest first.
type RevisionList struct {
	Revisions []store.Revision `json:"revisions"`
}

func (a *API) revisions(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.writer(w, r, auth.PermWrite); !ok {
		return
	}
	revs, err := a.o.Store.Revisions(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && len(revs) == 0) {
		a.notFound(w, r, "brief", "slug")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, RevisionList{Revisions: revs})
}

// ---- search ----

// Hit is one search result. Snippet is plain text; SnippetHTML is the
// same, HTML-escaped, with the matched terms in <mark>.
type Hit struct {
	Brief       Brief   `json:"brief"`
	Snippet     string  `json:"snippet"`
	SnippetHTML string  `json:"snippet_html"`
	Rank        float64 `json:"rank"`
}

// SearchResult is a page of hits.
type SearchResult struct {
	Hits  []Hit  `json:"hits"`
	Total int    `json:"total"`
	Next  string `json:"next,omitempty"`
}

func encodeOffset(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(n)))
}

func decodeOffset(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "o:"))
	if err != nil || n < 0 || !strings.HasPrefix(string(raw), "o:") {
		return 0, errors.New("bad cursor")
	}
	return n, nil
}

func (a *API) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	text := strings.TrimSpace(q.Get("q"))
	if text == "" {
		a.problem(w, r, http.StatusBadRequest, "q (the words to find) is required.")
		return
	}
	if len(text) > 200 {
		a.problem(w, r, http.StatusBadRequest, "q is too long (200 bytes at most).")
		return
	}
	limit, err := parseLimit(q.Get("limit"), 10, 100)
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	off, err := decodeOffset(q.Get("cursor"))
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, "The cursor is not valid; start again without it.")
		return
	}
	sq := store.SearchQuery{Q: text, Firm: q.Get("firm"), Topic: q.Get("topic"), Status: brief.StatusPublished, Limit: limit, Offset: off}
	if sq.Since, err = parseDate(q.Get("since")); err != nil {
		a.problem(w, r, http.StatusBadRequest, "since: "+err.Error())
		return
	}
	if sq.Until, err = parseDate(q.Get("until")); err != nil {
		a.problem(w, r, http.StatusBadRequest, "until: "+err.Error())
		return
	}
	res, err := a.o.Store.SearchBriefs(r.Context(), sq)
	if errors.Is(err, store.ErrInvalid) {
		a.problem(w, r, http.StatusBadRequest, "The query could not be understood: "+err.Error())
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	out := SearchResult{Hits: []Hit{}, Total: res.Total}
	for i := range res.Hits {
		h := res.Hits[i]
		out.Hits = append(out.Hits, Hit{Brief: FromBrief(&h.Brief, a.o.BaseURL), Snippet: stripMarks(h.Snippet), SnippetHTML: markHTML(h.Snippet), Rank: h.Rank})
	}
	if off+len(res.Hits) < res.Total && len(res.Hits) > 0 {
		out.Next = encodeOffset(off + len(res.Hits))
	}
	writeJSON(w, http.StatusOK, out)
}

func stripMarks(s string) string {
	return strings.NewReplacer(store.HighlightStart, "", store.HighlightEnd, "").Replace(s)
}

func markHTML(s string) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
	return strings.NewReplacer(store.HighlightStart, "<mark>", store.HighlightEnd, "</mark>").Replace(esc)
}

// ---- directory ----

// FirmList is the firm directory.
type FirmList struct {
	Firms []brief.Firm `json:"firms"`
}

// TopicList is the taxonomy.
type TopicList struct {
	Topics []brief.Topic `json:"topics"`
}

func (a *API) listFirms(w http.ResponseWriter, r *http.Request) {
	firms, err := a.o.Store.ListFirms(r.Context())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if firms == nil {
		firms = []brief.Firm{}
	}
	writeJSON(w, http.StatusOK, FirmList{Firms: firms})
}

func (a *API) getFirm(w http.ResponseWriter, r *http.Request) {
	f, err := a.o.Store.GetFirm(r.Context(), r.PathValue("slug"))
	a.writeLookup(w, r, f, err, "firm", "slug")
}

func (a *API) listTopics(w http.ResponseWriter, r *http.Request) {
	topics, err := a.o.Store.ListTopics(r.Context())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if topics == nil {
		topics = []brief.Topic{}
	}
	writeJSON(w, http.StatusOK, TopicList{Topics: topics})
}

func (a *API) getTopic(w http.ResponseWriter, r *http.Request) {
	t, err := a.o.Store.GetTopic(r.Context(), r.PathValue("slug"))
	a.writeLookup(w, r, t, err, "topic", "slug")
}

// Me is the token's user.
type Me struct {
	Email string     `json:"email"`
	Name  string     `json:"name"`
	Role  brief.Role `json:"role"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	u, ok := a.writer(w, r, auth.PermWrite)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, Me{Email: u.Email, Name: u.Name, Role: u.Role})
}

// ---- articles and stories (the sources' archive) ----

func (a *API) listArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"), 50, 500)
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	f := store.ArticleFilter{Q: q.Get("q"), Limit: limit, Cursor: q.Get("cursor"), Duplicates: q.Get("duplicates") == "true"}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"source", &f.SourceID}, {"story", &f.StoryID}} {
		if v := q.Get(p.name); v != "" {
			if *p.dst, err = strconv.ParseInt(v, 10, 64); err != nil || *p.dst < 1 {
				a.problem(w, r, http.StatusBadRequest, p.name+" must be a positive whole number")
				return
			}
		}
	}
	if f.Since, err = parseDate(q.Get("since")); err != nil {
		a.problem(w, r, http.StatusBadRequest, "since: "+err.Error())
		return
	}
	if f.Until, err = parseDate(q.Get("until")); err != nil {
		a.problem(w, r, http.StatusBadRequest, "until: "+err.Error())
		return
	}
	pg, err := a.o.Store.ListArticles(r.Context(), f)
	if errors.Is(err, store.ErrInvalid) {
		a.problem(w, r, http.StatusBadRequest, "The cursor is not valid; start again without it.")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if pg.Articles == nil {
		pg.Articles = []source.Article{}
	}
	writeJSON(w, http.StatusOK, pg)
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (a *API) getArticle(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r, "article", "id")
		return
	}
	art, err := a.o.Store.GetArticle(r.Context(), id)
	a.writeLookup(w, r, art, err, "article", "id")
}

func (a *API) listStories(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"), 50, 500)
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	f := store.StoryFilter{Limit: limit, Cursor: q.Get("cursor"), WithArticles: q.Get("articles") == "true"}
	if v := q.Get("min_articles"); v != "" {
		if f.MinArticles, err = strconv.Atoi(v); err != nil || f.MinArticles < 0 {
			a.problem(w, r, http.StatusBadRequest, "min_articles must be a whole number")
			return
		}
	}
	if f.Since, err = parseDate(q.Get("since")); err != nil {
		a.problem(w, r, http.StatusBadRequest, "since: "+err.Error())
		return
	}
	pg, err := a.o.Store.ListStories(r.Context(), f)
	if errors.Is(err, store.ErrInvalid) {
		a.problem(w, r, http.StatusBadRequest, "The cursor is not valid; start again without it.")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if pg.Stories == nil {
		pg.Stories = []source.Story{}
	}
	writeJSON(w, http.StatusOK, pg)
}

func (a *API) getStory(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r, "story", "id")
		return
	}
	st, err := a.o.Store.GetStory(r.Context(), id)
	a.writeLookup(w, r, st, err, "story", "id")
}

// notFound answers 404 naming what was looked up by the path value key:
// No firm "x".
func (a *API) notFound(w http.ResponseWriter, r *http.Request, what, key string) {
	a.problem(w, r, http.StatusNotFound, "No "+what+" "+strconv.Quote(r.PathValue(key))+".")
}

// writeLookup writes the result v of a store lookup: 404 when it was not
// found, 500 for any other error.
func (a *API) writeLookup(w http.ResponseWriter, r *http.Request, v any, err error, what, key string) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.notFound(w, r, what, key)
	case err != nil:
		a.serverError(w, r, err)
	default:
		writeJSON(w, http.StatusOK, v)
	}
}
