// Package api is Legists' JSON API under /api/v1: briefs (list with
// cursor pagination, read, create, replace, delete, revisions), search,
// the firm directory and the taxonomy. Errors are RFC 9457 problem
// details; writes need a per-user API token (Authorization: Bearer). The
// OpenAPI 3.1 document, openapi.json, is embedded and served at
// /api/v1/openapi.json; tests check the handlers against it.
package api

import (
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"legists/internal/auth"
	"legists/internal/brief"
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
	// Cache, when set, wraps the handler of each GET route (its pattern,
	// such as "GET /api/v1/briefs"): the site serves anonymous reads from
	// its page cache.
	Cache func(pattern string, h http.HandlerFunc) http.HandlerFunc
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
		if a.o.Cache != nil && strings.HasPrefix(pattern, "GET ") {
			h = a.o.Cache(pattern, h)
		}
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
	handle("GET "+Prefix+"/law/{slug}", a.getLaw) // law.go
}

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

// pageFailed answers a failed page of a list: 400 for a malformed cursor
// (store.ErrInvalid), 500 for anything else. It reports whether err was
// an error (the handler then returns).
func (a *API) pageFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrInvalid):
		a.problem(w, r, http.StatusBadRequest, "The cursor is not valid; start again without it.")
	default:
		a.serverError(w, r, err)
	}
	return true
}
