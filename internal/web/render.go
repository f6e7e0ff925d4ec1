package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"legists/internal/brief"
	"legists/internal/store"
)

//go:embed templates/*.html templates/desk/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// engine holds one parsed template set per view, each together with its
// layout (as Miniflux does).
type engine struct {
	views map[string]*template.Template
}

// assetVersion fingerprints static files for cache-busting URLs.
var assetVersion = func() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := staticFS.ReadFile(p)
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	return out
}()

func staticURL(name string) string {
	if v, ok := assetVersion[name]; ok {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}

var funcs = template.FuncMap{
	"static":    staticURL,
	"briefURL":  briefURL,
	"firmURL":   func(slug string) string { return "/firms/" + url.PathEscape(slug) },
	"topicURL":  func(slug string) string { return "/topics/" + url.PathEscape(slug) },
	"isoDate":   func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"isoTime":   isoTime,
	"longDate":  longDate,
	"shortDate": shortDate,
	"dateTime":  func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
	"dek":       dek,
	"highlight": highlight,
	"add":       func(a, b int) int { return a + b },
	"number":    number,
	"first": func(n int, l []string) []string {
		if len(l) > n {
			return l[:n]
		}
		return l
	},
	"join":     strings.Join,
	"roleName": func(r brief.Role) string { return string(r) },
}

// number writes n with commas between thousands: 1,000.
func number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func briefURL(slug string) string { return "/briefs/" + url.PathEscape(slug) }

func isoTime(t any) string {
	switch v := t.(type) {
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case *time.Time:
		if v == nil {
			return ""
		}
		return v.UTC().Format(time.RFC3339)
	}
	return ""
}

func asTime(t any) (time.Time, bool) {
	switch v := t.(type) {
	case time.Time:
		return v, !v.IsZero()
	case *time.Time:
		if v == nil {
			return time.Time{}, false
		}
		return *v, !v.IsZero()
	}
	return time.Time{}, false
}

func longDate(t any) string {
	if v, ok := asTime(t); ok {
		return v.UTC().Format("Monday 2 January 2006")
	}
	return ""
}

func shortDate(t any) string {
	if v, ok := asTime(t); ok {
		return v.UTC().Format("2 Jan 2006")
	}
	return ""
}

// dek is the standfirst of a brief: the start of "What just happened?",
// cut at a word boundary.
func dek(b brief.Brief) string {
	for _, s := range b.Sections {
		for _, p := range s.Paragraphs {
			if strings.TrimSpace(p.Text) != "" {
				return truncate(p.Text, 220)
			}
		}
	}
	return ""
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	out := string(r)
	if i := strings.LastIndexByte(out, ' '); i > n/2 {
		out = out[:i]
	}
	return strings.TrimRight(out, " ,;:.–—-") + "…"
}

// highlight escapes a search snippet and turns the store's highlight
// markers into <mark> elements.
func highlight(snippet string) template.HTML {
	esc := html.EscapeString(snippet)
	var b strings.Builder
	open := false
	for _, r := range esc {
		switch string(r) {
		case store.HighlightStart:
			if !open {
				b.WriteString("<mark>")
				open = true
			}
		case store.HighlightEnd:
			if open {
				b.WriteString("</mark>")
				open = false
			}
		default:
			b.WriteRune(r)
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

func newEngine() (*engine, error) {
	e := &engine{views: map[string]*template.Template{}}
	common, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	deskCommon, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/desk/layout.html")
	if err != nil {
		return nil, err
	}
	add := func(base *template.Template, pattern, prefix string) error {
		files, err := fs.Glob(templateFS, pattern)
		if err != nil {
			return err
		}
		for _, f := range files {
			name := strings.TrimSuffix(path.Base(f), ".html")
			if name == "layout" {
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
			if err != nil {
				return fmt.Errorf("web: template %s: %w", f, err)
			}
			e.views[prefix+name] = t
		}
		return nil
	}
	if err := add(common, "templates/*.html", ""); err != nil {
		return nil, err
	}
	if err := add(deskCommon, "templates/desk/*.html", "desk/"); err != nil {
		return nil, err
	}
	return e, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes a view with its layout into a fresh byte slice.
func (e *engine) render(view string, data any) ([]byte, error) {
	t, ok := e.views[view]
	if !ok {
		return nil, fmt.Errorf("web: no view %q", view)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	root := "layout"
	if strings.HasPrefix(view, "desk/") {
		root = "desk"
	}
	if err := t.ExecuteTemplate(buf, root, data); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// Common is the part of every page's data the layout reads.
type Common struct {
	Title       string
	Description string
	Canonical   string
	Section     string // highlights the site navigation
	BodyClass   string
	Query       string
	Feeds       []feedLink
	OG          *openGraph
	JSONLD      template.JS
	Now         time.Time
	// Robots, when set, is the page's robots meta ("noindex" for pages
	// reached through a personal link).
	Robots string
	// Scripts are more files of static/ the page loads (deferred).
	Scripts []string
}

type feedLink struct{ Type, Title, Href string }

type openGraph struct {
	Type, Title, Description, URL, Published string
	Tags                                     []string
}

// choice is a checkbox of the subscribe form.
type choice struct {
	Slug, Name string
	Checked    bool
}

type stayTuned struct {
	Topics []choice
	Firms  []choice
}

type pager struct{ Prev, Next string }

// htmlPage renders a public view as a cacheable page.
func (s *Server) htmlPage(status int, view string, data any, modified time.Time) (*page, error) {
	body, err := s.tmpl.render(view, data)
	if err != nil {
		return nil, err
	}
	cc := "public, no-cache"
	if status != http.StatusOK {
		cc = "no-store"
	}
	return newPage(status, "text/html; charset=utf-8", cc, body, modified), nil
}

// serveCached answers a GET from the page cache, rendering with fill on a
// miss. fill gets the request with a context of the render's own (see
// pageCache.get): it must read everything from that request, not from the
// handler's.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, fill func(r *http.Request) (*page, error)) {
	s.serveFrom(s.cache, w, r, fill)
}

func (s *Server) serveFrom(c *pageCache, w http.ResponseWriter, r *http.Request, fill func(r *http.Request) (*page, error)) {
	key := r.URL.Path + "?" + r.URL.RawQuery
	p, err := c.get(r.Context(), key, func(ctx context.Context) (*page, error) { return fill(r.WithContext(ctx)) })
	if err != nil {
		if r.Context().Err() != nil {
			return // the reader has gone
		}
		s.serverError(w, r, err)
		return
	}
	p.serve(w, r)
}

type errorPage struct {
	Common
	Status           int
	Heading, Message string
}

func (s *Server) errorPageBytes(status int, heading, msg string) []byte {
	data := errorPage{Common: Common{Title: heading, Now: time.Now()}, Status: status, Heading: heading, Message: msg}
	body, err := s.tmpl.render("error", data)
	if err != nil {
		s.log.Error("render error page", "err", err)
		return []byte(heading)
	}
	return body
}

// notFound writes the site's 404 page.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "Page not found",
		"There is no page at this address. It may have moved, or the brief may have been withdrawn.")
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	body := s.errorPageBytes(status, heading, msg)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "serving request", "path", r.URL.Path, "err", err)
	s.errorPage(w, r, http.StatusInternalServerError, "Something went wrong",
		"The page could not be shown. The error has been logged; please try again shortly.")
}

// staticPages are the files of static/ as pages: read, fingerprinted and
// (on first use) compressed once, not at every request.
var staticPages = func() map[string]*page {
	out := map[string]*page{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := staticFS.ReadFile(p)
		name := strings.TrimPrefix(p, "static/")
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = http.DetectContentType(b)
		}
		pg := newPage(http.StatusOK, ct, "", b, time.Time{})
		pg.etag = `"` + assetVersion[name] + `"`
		out[name] = pg
		return nil
	})
	return out
}()

func (s *Server) staticHandler() http.Handler {
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := staticPages[r.URL.Path]
		if !ok {
			s.notFound(w, r)
			return
		}
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		p.serve(w, r)
	}))
}

const faviconSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="4" fill="#7a1f2b"/><text x="16" y="23" font-family="Georgia,serif" font-size="20" text-anchor="middle" fill="#fff">L</text></svg>`

func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write([]byte(faviconSVG))
}
