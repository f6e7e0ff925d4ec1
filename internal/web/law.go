package web

// Legal references (issue 15): the references in a brief's paragraphs link
// to the page of their instrument, /law/{slug}, which lists the published
// briefs that cite it, with its own feeds, and is in the sitemap.

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"

	"legists/internal/legalref"
	"legists/internal/store"
)

// lawURL is the site path of an instrument's page.
func lawURL(slug string) string { return "/law/" + url.PathEscape(slug) }

// writeLinked writes text[from:to] escaped, with each legal reference that
// has an instrument page as a link to it (the part of a reference inside
// [from,to): a citation marker may fall inside one).
func writeLinked(b *strings.Builder, text string, from, to int, refs []legalref.Reference) {
	pos := from
	for _, r := range refs {
		start, end := max(r.Start, pos), min(r.End, to)
		if r.Slug == "" || start >= end {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:start]))
		b.WriteString(`<a class="lawref" href="`)
		b.WriteString(html.EscapeString(lawURL(r.Slug)))
		b.WriteString(`" title="`)
		b.WriteString(html.EscapeString(r.Canonical))
		b.WriteString(`">`)
		b.WriteString(html.EscapeString(text[start:end]))
		b.WriteString(`</a>`)
		pos = end
	}
	b.WriteString(html.EscapeString(text[pos:to]))
}

var kindLabel = map[string]string{
	legalref.KindLegislation: "Legislation", legalref.KindRegulation: "Regulation", legalref.KindDirective: "Directive",
	legalref.KindTreaty: "Treaty", legalref.KindCase: "Case", legalref.KindCourt: "Court", legalref.KindRule: "Rules",
	legalref.KindProvision: "Provision",
}

var jurisdictionLabel = map[string]string{"uk": "United Kingdom", "eu": "European Union", "us": "United States",
	"int": "International", "au": "Australia", "in": "India", "ie": "Ireland", "sg": "Singapore", "de": "Germany",
	"fr": "France", "nl": "Netherlands", "cn": "China", "ca": "Canada", "hk": "Hong Kong", "ch": "Switzerland"}

func (s *Server) handleLaw(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
		li, err := s.st.GetInstrument(r.Context(), slug)
		if errorsIsNotFoundOrInvalid(err) {
			return s.notFoundPage()
		}
		if err != nil {
			return nil, err
		}
		data := listingPage{Common: s.common(li.Title, ""), Kicker: cmpOr(kindLabel[li.Kind], "Legal instrument"), Heading: li.Title}
		data.Description = "Legists briefs citing " + li.Name + "."
		if li.Name != li.Title {
			data.Facts = append(data.Facts, fact{Label: "Official name", Value: li.Name})
		}
		data.Facts = append(data.Facts, fact{Label: "Jurisdiction", Value: cmpOr(jurisdictionLabel[li.Jurisdiction], strings.ToUpper(li.Jurisdiction))})
		if u := safeURL(li.URL); u != "" {
			data.Facts = append(data.Facts, fact{Label: "Official text", Value: strings.TrimPrefix(u, "https://"), Href: u})
		}
		if len(li.Pinpoints) > 0 {
			data.Facts = append(data.Facts, fact{Label: "Provisions cited", Value: strings.Join(li.Pinpoints, "; ")})
		}
		return s.listing(r, data, store.BriefFilter{Law: li.Slug}, lawURL(li.Slug), stayTuned{})
	})
}

func errorsIsNotFoundOrInvalid(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid)
}

func (s *Server) lawFeed(r *http.Request) (feedSpec, error) {
	li, err := s.st.GetInstrument(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrInvalid) {
		return feedSpec{}, store.ErrNotFound
	}
	if err != nil {
		return feedSpec{}, err
	}
	p := lawURL(li.Slug)
	return feedSpec{title: "Legists: " + li.Title, subtitle: "Briefs citing " + li.Name + ".", path: p,
		selfAtom: p + "/feed.xml", selfJSON: p + "/feed.json", filter: store.BriefFilter{Law: li.Slug}}, nil
}

func (s *Server) handleLawAtom(w http.ResponseWriter, r *http.Request) {
	s.serveFeed(w, r, s.lawFeed, true)
}

func (s *Server) handleLawJSONFeed(w http.ResponseWriter, r *http.Request) {
	s.serveFeed(w, r, s.lawFeed, false)
}

// lawSitemapURLs are the instrument pages for the sitemap.
func (s *Server) lawSitemapURLs(ctx context.Context) ([]sitemapURL, error) {
	lis, err := s.st.ListInstruments(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sitemapURL, 0, len(lis))
	for _, li := range lis {
		su := sitemapURL{Loc: s.abs(lawURL(li.Slug))}
		if !li.LastCited.IsZero() {
			su.LastMod = rfc3339(li.LastCited)
		}
		out = append(out, su)
	}
	return out, nil
}
