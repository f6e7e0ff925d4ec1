package web

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
)

const feedSize = 30

// feedSpec says which briefs a feed carries and how it is titled.
type feedSpec struct {
	title, subtitle string
	path            string // site path of the feed's HTML page
	selfAtom        string
	selfJSON        string
	filter          store.BriefFilter
}

func (s *Server) siteFeed() feedSpec {
	return feedSpec{title: "Legists", subtitle: "The day's news, briefed for the legal sector. Every sentence sourced.",
		path: "/", selfAtom: "/feed.xml", selfJSON: "/feed.json"}
}

func (s *Server) handleAtom(w http.ResponseWriter, r *http.Request) {
	s.serveFeed(w, r, func(*http.Request) (feedSpec, error) { return s.siteFeed(), nil }, true)
}

func (s *Server) handleJSONFeed(w http.ResponseWriter, r *http.Request) {
	s.serveFeed(w, r, func(*http.Request) (feedSpec, error) { return s.siteFeed(), nil }, false)
}

func (s *Server) firmFeed(r *http.Request) (feedSpec, error) {
	f, err := s.lookupFirm(r.Context(), r.PathValue("slug"))
	if err != nil {
		return feedSpec{}, err
	}
	p := "/firms/" + url.PathEscape(f.Slug)
	return feedSpec{title: "Legists: " + f.Name, subtitle: "Briefs assessing " + f.Name + ".", path: p,
		selfAtom: p + "/feed.xml", selfJSON: p + "/feed.json", filter: store.BriefFilter{Firm: f.Slug}}, nil
}

func (s *Server) topicFeed(r *http.Request) (feedSpec, error) {
	t, err := s.st.GetTopic(r.Context(), r.PathValue("slug"))
	if err != nil {
		return feedSpec{}, err
	}
	p := "/topics/" + url.PathEscape(t.Slug)
	return feedSpec{title: "Legists: " + t.Name, subtitle: "Briefs on " + t.Name + ".", path: p,
		selfAtom: p + "/feed.xml", selfJSON: p + "/feed.json", filter: store.BriefFilter{Topic: t.Slug}}, nil
}

func (s *Server) handleFirmAtom(w http.ResponseWriter, r *http.Request) {
	s.serveFeed(w, r, s.firmFeed, true)
}
func (s *Server) handleFirmJSONFeed(w http.ResponseWriter, r *http.Request) {
	s.serveFeed(w, r, s.firmFeed, false)
}
func (s *Server) handleTopicAtom(w http.ResponseWriter, r *http.Request) {
	s.serveFeed(w, r, s.topicFeed, true)
}
func (s *Server) handleTopicJSONFeed(w http.ResponseWriter, r *http.Request) {
	s.serveFeed(w, r, s.topicFeed, false)
}

func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request, spec func(*http.Request) (feedSpec, error), atom bool) {
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
		fs, err := spec(r)
		if errors.Is(err, store.ErrNotFound) {
			return s.notFoundPage()
		}
		if err != nil {
			return nil, err
		}
		f := fs.filter
		f.Status = brief.StatusPublished
		f.Limit = feedSize
		pg, err := s.st.ListBriefs(r.Context(), f)
		if err != nil {
			return nil, err
		}
		mod := latestModified(pg.Briefs)
		if atom {
			body, err := s.atomFeed(r.Context(), fs, pg.Briefs, mod)
			if err != nil {
				return nil, err
			}
			return newPage(http.StatusOK, "application/atom+xml; charset=utf-8", "public, max-age=300", body, mod), nil
		}
		body, err := s.jsonFeed(r.Context(), fs, pg.Briefs)
		if err != nil {
			return nil, err
		}
		return newPage(http.StatusOK, "application/feed+json; charset=utf-8", "public, max-age=300", body, mod), nil
	})
}

// Atom (RFC 4287).

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	Title      atomText       `xml:"title"`
	ID         string         `xml:"id"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
}

type atomFeedDoc struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"xml:lang,attr"`
	Title     atomText    `xml:"title"`
	Subtitle  atomText    `xml:"subtitle"`
	ID        string      `xml:"id"`
	Links     []atomLink  `xml:"link"`
	Updated   string      `xml:"updated"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Icon      string      `xml:"icon"`
	Entries   []atomEntry `xml:"entry"`
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) atomFeed(ctx context.Context, fs feedSpec, briefs []brief.Brief, mod time.Time) ([]byte, error) {
	if mod.IsZero() {
		mod = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	doc := atomFeedDoc{
		Lang: "en", Title: atomText{Type: "text", Body: fs.title}, Subtitle: atomText{Type: "text", Body: fs.subtitle},
		ID: s.abs(fs.path),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: s.abs(fs.selfAtom)},
			{Rel: "alternate", Type: "text/html", Href: s.abs(fs.path)},
			{Rel: "alternate", Type: "application/feed+json", Href: s.abs(fs.selfJSON)},
		},
		Updated: rfc3339(mod), Author: atomPerson{Name: "Legists", URI: s.abs("/")},
		Generator: "Legists", Icon: s.abs("/favicon.ico"),
	}
	_, topics, idx := s.directory(ctx)
	for _, b := range briefs {
		u := s.abs(briefURL(b.Slug))
		e := atomEntry{
			Title: atomText{Type: "text", Body: b.Title}, ID: u,
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: u}},
			Authors: []atomPerson{{Name: cmpOr(b.Byline, "The Legists Content Team")}},
			Summary: &atomText{Type: "text", Body: dek(b)},
			Content: &atomText{Type: "html", Body: s.briefHTML(ctx, &b)},
		}
		if b.PublishedAt != nil {
			e.Published = rfc3339(*b.PublishedAt)
		}
		up := lastRevised(b)
		if up.IsZero() {
			up = mod
		}
		e.Updated = rfc3339(up)
		for _, t := range b.Topics {
			e.Categories = append(e.Categories, atomCategory{Term: s.topicSlug(topics, t), Label: t, Scheme: s.abs("/topics/")})
		}
		for _, f := range b.Firms {
			slug, _ := s.firmSlug(idx, f)
			e.Categories = append(e.Categories, atomCategory{Term: slug, Label: f, Scheme: s.abs("/firms/")})
		}
		doc.Entries = append(doc.Entries, e)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// briefHTML is a brief as a self-contained HTML fragment for feeds:
// absolute links, markers linking to the brief page's source list.
func (s *Server) briefHTML(ctx context.Context, b *brief.Brief) string {
	u := s.abs(briefURL(b.Slug))
	var out strings.Builder
	counts, back := map[int]int{}, map[int][]string{}
	for _, sec := range b.Sections {
		fmt.Fprintf(&out, "<h2>%s</h2>\n", html.EscapeString(sec.Heading))
		for _, p := range sec.Paragraphs {
			ph := string(paragraphHTML(p, nil, counts, back))
			ph = strings.ReplaceAll(ph, `href="#source-`, `href="`+html.EscapeString(u)+`#source-`)
			fmt.Fprintf(&out, "<p>%s</p>\n", ph)
		}
	}
	if len(b.Sources) > 0 {
		out.WriteString("<h3>Sources</h3>\n<ol>\n")
		for _, src := range b.Sources {
			fmt.Fprintf(&out, `<li value="%d">`, src.N)
			if su := safeURL(src.URL); su != "" {
				fmt.Fprintf(&out, `<a href="%s">%s</a>`, html.EscapeString(su), html.EscapeString(cmpOr(src.Title, su)))
			} else {
				out.WriteString(html.EscapeString(src.Title))
			}
			if src.Publisher != "" {
				fmt.Fprintf(&out, ", %s", html.EscapeString(src.Publisher))
			}
			out.WriteString("</li>\n")
		}
		out.WriteString("</ol>\n")
	}
	if len(b.Firms) > 0 {
		_, _, idx := s.directory(ctx)
		out.WriteString("<p>Assessing Firms: ")
		for i, f := range b.Firms {
			if i > 0 {
				out.WriteString(" ")
			}
			slug, _ := s.firmSlug(idx, f)
			fmt.Fprintf(&out, `<a href="%s">#%s</a>`, html.EscapeString(s.abs("/firms/"+url.PathEscape(slug))), html.EscapeString(f))
		}
		out.WriteString("</p>\n")
	}
	return out.String()
}

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

type jsonFeedAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonFeedItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	Title         string           `json:"title"`
	ContentHTML   string           `json:"content_html"`
	Summary       string           `json:"summary,omitempty"`
	DatePublished string           `json:"date_published,omitempty"`
	DateModified  string           `json:"date_modified,omitempty"`
	Authors       []jsonFeedAuthor `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	Language      string           `json:"language"`
}

type jsonFeedDoc struct {
	Version     string           `json:"version"`
	Title       string           `json:"title"`
	HomePageURL string           `json:"home_page_url"`
	FeedURL     string           `json:"feed_url"`
	Description string           `json:"description"`
	Icon        string           `json:"icon,omitempty"`
	Favicon     string           `json:"favicon,omitempty"`
	Authors     []jsonFeedAuthor `json:"authors"`
	Language    string           `json:"language"`
	Items       []jsonFeedItem   `json:"items"`
}

// lastRevised is when a brief last changed for its readers: its last saved
// revision (the store keeps the time of the last save that changed it), and
// never before its publication.
func lastRevised(b brief.Brief) time.Time {
	up := b.UpdatedAt
	if b.PublishedAt != nil && b.PublishedAt.After(up) {
		up = *b.PublishedAt
	}
	return up
}

func (s *Server) jsonFeed(ctx context.Context, fs feedSpec, briefs []brief.Brief) ([]byte, error) {
	doc := jsonFeedDoc{
		Version: "https://jsonfeed.org/version/1.1", Title: fs.title, HomePageURL: s.abs(fs.path),
		FeedURL: s.abs(fs.selfJSON), Description: fs.subtitle, Favicon: s.abs("/favicon.ico"),
		Authors: []jsonFeedAuthor{{Name: "Legists", URL: s.abs("/")}}, Language: "en", Items: []jsonFeedItem{},
	}
	for _, b := range briefs {
		u := s.abs(briefURL(b.Slug))
		it := jsonFeedItem{ID: u, URL: u, Title: b.Title, ContentHTML: s.briefHTML(ctx, &b), Summary: dek(b),
			Authors: []jsonFeedAuthor{{Name: cmpOr(b.Byline, "The Legists Content Team")}}, Language: "en"}
		if b.PublishedAt != nil {
			it.DatePublished = rfc3339(*b.PublishedAt)
		}
		if up := lastRevised(b); !up.IsZero() {
			it.DateModified = rfc3339(up)
		}
		it.Tags = append(append(it.Tags, b.Topics...), b.Firms...)
		doc.Items = append(doc.Items, it)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Sitemap (sitemaps.org 0.9) and robots.txt.

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapDoc struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

const maxSitemapURLs = 50000

func (s *Server) handleSitemap(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
		ctx := r.Context()
		firms, topics, _ := s.directory(ctx)
		doc := sitemapDoc{}
		var mod time.Time
		doc.URLs = append(doc.URLs, sitemapURL{Loc: s.abs("/")}, sitemapURL{Loc: s.abs("/firms/")}, sitemapURL{Loc: s.abs("/topics/")})
		for _, t := range topics {
			doc.URLs = append(doc.URLs, sitemapURL{Loc: s.abs("/topics/" + url.PathEscape(t.Slug))})
		}
		for _, f := range firms {
			doc.URLs = append(doc.URLs, sitemapURL{Loc: s.abs("/firms/" + url.PathEscape(f.Slug))})
		}
		laws, err := s.lawSitemapURLs(ctx) // law.go
		if err != nil {
			return nil, err
		}
		doc.URLs = append(doc.URLs, laws...)
		f := store.BriefFilter{Status: brief.StatusPublished, Limit: 500}
		for len(doc.URLs) < maxSitemapURLs {
			pg, err := s.st.ListBriefs(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, b := range pg.Briefs {
				if len(doc.URLs) >= maxSitemapURLs {
					break
				}
				su := sitemapURL{Loc: s.abs(briefURL(b.Slug))}
				m := b.UpdatedAt
				if m.IsZero() && b.PublishedAt != nil {
					m = *b.PublishedAt
				}
				if !m.IsZero() {
					su.LastMod = rfc3339(m)
					if m.After(mod) {
						mod = m
					}
				}
				doc.URLs = append(doc.URLs, su)
			}
			if pg.Next == "" {
				break
			}
			f.Cursor = pg.Next
		}
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		enc := xml.NewEncoder(&buf)
		enc.Indent("", " ")
		if err := enc.Encode(doc); err != nil {
			return nil, err
		}
		buf.WriteByte('\n')
		return newPage(http.StatusOK, "application/xml; charset=utf-8", "public, max-age=3600", buf.Bytes(), mod), nil
	})
}

func (s *Server) handleRobots(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
		body := "User-agent: *\nAllow: /\nDisallow: /admin/\nDisallow: /api/\nDisallow: /search\n\nSitemap: " + s.abs("/sitemap.xml") + "\n"
		return newPage(http.StatusOK, "text/plain; charset=utf-8", "public, max-age=86400", []byte(body), time.Time{}), nil
	})
}
