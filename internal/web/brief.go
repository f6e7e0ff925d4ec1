package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"legists/internal/brief"
	"legists/internal/legalref"
	"legists/internal/store"
)

// ---- brief ----

type paraView struct {
	HTML     template.HTML
	Class    string
	ID       string
	Findings []Finding
}

type sectionView struct {
	Heading    string
	Paragraphs []paraView
}

type sourceView struct {
	N                                     int
	URL, Title, Publisher, Host, Archived string
	FetchedAt                             *time.Time
	Backrefs                              []string
}

type linkView struct{ Name, URL string }

type briefPage struct {
	Common
	Brief    *brief.Brief
	Sections []sectionView
	Sources  []sourceView
	Firms    []firmView
	Topics   []linkView
	Stay     stayTuned
	Draft    bool
}

func (s *Server) handleBrief(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
		ctx := r.Context()
		b, err := s.st.GetBrief(ctx, slug)
		if errors.Is(err, store.ErrNotFound) || (err == nil && b.Status != brief.StatusPublished) {
			return s.notFoundPage()
		}
		if err != nil {
			return nil, err
		}
		data := s.briefView(ctx, b, nil)
		mod := b.UpdatedAt
		if mod.IsZero() && b.PublishedAt != nil {
			mod = *b.PublishedAt
		}
		return s.htmlPage(http.StatusOK, "brief", data, mod)
	})
}

func (s *Server) notFoundPage() (*page, error) {
	body := s.errorPageBytes(http.StatusNotFound, "Page not found",
		"There is no page at this address. It may have moved, or the brief may have been withdrawn.")
	return newPage(http.StatusNotFound, "text/html; charset=utf-8", "no-store", body, time.Time{}), nil
}

// briefView lays a brief out as the seed reads; findings (from the desk's
// fidelity check) are attached to their paragraphs.
func (s *Server) briefView(ctx context.Context, b *brief.Brief, findings []Finding) briefPage {
	_, topics, _ := s.directory(ctx)
	data := briefPage{Common: s.common(b.Title, ""), Brief: b, Draft: b.Status != brief.StatusPublished}
	u := s.abs(briefURL(b.Slug))
	data.Canonical = u
	data.Description = dek(*b)
	data.Stay = s.stayFor(ctx, b)

	backrefs := map[int][]string{}
	refs := legalref.OfSections(b.Sections)
	counts := map[int]int{}
	for si, sec := range b.Sections {
		sv := sectionView{Heading: sec.Heading}
		for pi, p := range sec.Paragraphs {
			pv := paraView{HTML: paragraphHTML(p, refs[si][pi], counts, backrefs)}
			for _, f := range findings {
				if f.Section == si && f.Paragraph == pi {
					pv.Findings = append(pv.Findings, f)
				}
			}
			if len(pv.Findings) > 0 {
				pv.Class = "flagged"
				pv.ID = fmt.Sprintf("p-%d-%d", si, pi)
			}
			sv.Paragraphs = append(sv.Paragraphs, pv)
		}
		data.Sections = append(data.Sections, sv)
	}
	for _, src := range b.Sources {
		sv := sourceView{N: src.N, URL: safeURL(src.URL), Title: src.Title, Publisher: src.Publisher, FetchedAt: src.FetchedAt, Backrefs: backrefs[src.N]}
		if pu, err := url.Parse(src.URL); err == nil && pu.Host != "" {
			sv.Host = strings.TrimPrefix(pu.Hostname(), "www.")
		}
		if strings.TrimSpace(src.Text) != "" && !data.Draft {
			sv.Archived = fmt.Sprintf("%s/sources/%d", briefURL(b.Slug), src.N)
		}
		data.Sources = append(data.Sources, sv)
	}
	archived := map[int]string{}
	for _, sv := range data.Sources {
		archived[sv.N] = cmpOr(sv.Archived, "#source-"+fmt.Sprint(sv.N))
	}
	data.Firms = s.firmViews(ctx, b, archived)
	for _, name := range b.Topics {
		data.Topics = append(data.Topics, linkView{Name: name, URL: "/topics/" + url.PathEscape(s.topicSlug(topics, name))})
	}
	og := &openGraph{Type: "article", Title: b.Title, Description: data.Description, URL: u}
	if b.PublishedAt != nil {
		og.Published = b.PublishedAt.UTC().Format(time.RFC3339)
	}
	og.Tags = append(append([]string{}, b.Topics...), b.Firms...)
	data.OG = og
	data.JSONLD = s.newsArticleJSONLD(b, u, data.Description)
	return data
}

// safeURL keeps http(s) links and drops anything else (javascript:, data:).
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// paragraphHTML escapes a paragraph's text and puts a citation marker,
// linked to the numbered source, after each cited span; refs, the legal
// references of the paragraph, link to their instruments' pages.
func paragraphHTML(p brief.Paragraph, refs []legalref.Reference, counts map[int]int, backrefs map[int][]string) template.HTML {
	var b strings.Builder
	spans := slices.Clone(p.Spans)
	slices.SortStableFunc(spans, func(a, b brief.Span) int { return a.End - b.End })
	pos := 0
	text := p.Text
	for _, sp := range spans {
		end := min(max(sp.End, pos), len(text))
		writeLinked(&b, text, pos, end, refs)
		pos = end
		if len(sp.Citations) == 0 {
			continue
		}
		b.WriteString(`<sup class="cite">`)
		for i, n := range sp.Citations {
			counts[n]++
			id := fmt.Sprintf("cite-%d-%d", n, counts[n])
			backrefs[n] = append(backrefs[n], id)
			if i > 0 {
				b.WriteString(`<span class="sep">,</span>`)
			}
			fmt.Fprintf(&b, `<a href="#source-%d" id="%s" aria-label="Source %d">%d</a>`, n, id, n, n)
		}
		b.WriteString(`</sup>`)
	}
	writeLinked(&b, text, pos, len(text), refs)
	return template.HTML(b.String())
}

func (s *Server) newsArticleJSONLD(b *brief.Brief, u, desc string) template.JS {
	type org struct {
		Type string `json:"@type"`
		Name string `json:"name"`
		URL  string `json:"url,omitempty"`
	}
	type work struct {
		Type      string `json:"@type"`
		Name      string `json:"name,omitempty"`
		URL       string `json:"url,omitempty"`
		Publisher string `json:"publisher,omitempty"`
	}
	doc := struct {
		Context          string   `json:"@context"`
		Type             string   `json:"@type"`
		Headline         string   `json:"headline"`
		Description      string   `json:"description,omitempty"`
		URL              string   `json:"url"`
		MainEntityOfPage string   `json:"mainEntityOfPage"`
		DatePublished    string   `json:"datePublished,omitempty"`
		DateModified     string   `json:"dateModified,omitempty"`
		Author           org      `json:"author"`
		Publisher        org      `json:"publisher"`
		ArticleSection   []string `json:"articleSection,omitempty"`
		Keywords         []string `json:"keywords,omitempty"`
		Citation         []work   `json:"citation,omitempty"`
		InLanguage       string   `json:"inLanguage"`
	}{
		Context: "https://schema.org", Type: "NewsArticle", Headline: truncate(b.Title, 110),
		Description: desc, URL: u, MainEntityOfPage: u,
		Author:         org{Type: "Organization", Name: cmpOr(b.Byline, "The Legists Content Team")},
		Publisher:      org{Type: "Organization", Name: "Legists", URL: s.abs("/")},
		ArticleSection: b.Topics, Keywords: append(append([]string{}, b.Topics...), b.Firms...),
		InLanguage: "en",
	}
	if b.PublishedAt != nil {
		doc.DatePublished = b.PublishedAt.UTC().Format(time.RFC3339)
	}
	if !b.UpdatedAt.IsZero() {
		doc.DateModified = b.UpdatedAt.UTC().Format(time.RFC3339)
	}
	for _, src := range b.Sources {
		doc.Citation = append(doc.Citation, work{Type: "CreativeWork", Name: src.Title, URL: safeURL(src.URL), Publisher: src.Publisher})
	}
	// json.Marshal escapes <, > and & so the block cannot close its script
	// element.
	out, _ := json.Marshal(doc)
	return template.JS(out)
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
