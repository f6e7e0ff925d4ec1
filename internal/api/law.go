package api

// Legal references (issue 15): each brief carries the legal references of
// its paragraphs, and GET /api/v1/law/{slug} is an instrument with the
// published briefs that cite it.

import (
	"errors"
	"net/http"
	"time"

	"legists/internal/brief"
	"legists/internal/legalref"
	"legists/internal/store"
)

// Reference is a legal reference in a brief's paragraph: where it is
// (0-based section and paragraph, byte offsets into the paragraph's text)
// and what it refers to.
type Reference struct {
	Section      int    `json:"section"`
	Paragraph    int    `json:"paragraph"`
	Text         string `json:"text"`
	Start        int    `json:"start"`
	End          int    `json:"end"`
	Kind         string `json:"kind"`
	Jurisdiction string `json:"jurisdiction"`
	Canonical    string `json:"canonical"`
	// URL is the official text, or "".
	URL string `json:"url"`
	// Law is the slug of the instrument's page (/law/{slug}), or "".
	Law string `json:"law,omitempty"`
}

// briefReferences finds the legal references of b's paragraphs, read as one
// text so that "that Act" continues an Act named earlier.
func briefReferences(b *brief.Brief) []Reference {
	out := []Reference{}
	for si, sec := range legalref.OfSections(b.Sections) {
		for pi, refs := range sec {
			for _, r := range refs {
				out = append(out, Reference{Section: si, Paragraph: pi, Text: r.Text, Start: r.Start, End: r.End, Kind: r.Kind,
					Jurisdiction: r.Jurisdiction, Canonical: r.Canonical, URL: r.URL, Law: r.Slug})
			}
		}
	}
	return out
}

// Law is a legal instrument and the published briefs citing it, newest
// first.
type Law struct {
	Slug         string    `json:"slug"`
	Name         string    `json:"name"`
	Title        string    `json:"title"`
	Kind         string    `json:"kind"`
	Jurisdiction string    `json:"jurisdiction"`
	URL          string    `json:"url"`
	Page         string    `json:"page,omitempty"`
	Cited        int       `json:"cited"`
	LastCited    time.Time `json:"last_cited"`
	Pinpoints    []string  `json:"pinpoints"`
	Briefs       []Brief   `json:"briefs"`
	Next         string    `json:"next,omitempty"`
}

func (a *API) getLaw(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"), 20, 100)
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	li, err := a.o.Store.GetInstrument(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		a.notFound(w, r, "legal instrument", "slug")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	pg, err := a.o.Store.ListBriefs(r.Context(), store.BriefFilter{Status: brief.StatusPublished, Law: li.Slug, Limit: limit, Cursor: q.Get("cursor")})
	if a.pageFailed(w, r, err) {
		return
	}
	out := Law{Slug: li.Slug, Name: li.Name, Title: li.Title, Kind: li.Kind, Jurisdiction: li.Jurisdiction, URL: li.URL,
		Cited: li.Briefs, LastCited: li.LastCited, Pinpoints: li.Pinpoints, Briefs: []Brief{}, Next: pg.Next}
	if out.Pinpoints == nil {
		out.Pinpoints = []string{}
	}
	if a.o.BaseURL != "" {
		out.Page = a.o.BaseURL + "/law/" + li.Slug
	}
	for i := range pg.Briefs {
		out.Briefs = append(out.Briefs, FromBrief(&pg.Briefs[i], a.o.BaseURL))
	}
	writeJSON(w, http.StatusOK, out)
}
