package api

import (
	"encoding/base64"
	"errors"
	"legists/internal/brief"
	"legists/internal/store"
	"net/http"
	"strconv"
	"strings"
)

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
	Hits []Hit `json:"hits"`
	// Total is the number of matches up to 1,000; TotalCapped says more
	// match (the hits then end at the 1,000th).
	Total       int    `json:"total"`
	TotalCapped bool   `json:"total_capped,omitempty"`
	Next        string `json:"next,omitempty"`
	// Suggestion is "did you mean": for a query that found nothing, the
	// query with its misspelt words corrected from the index's vocabulary.
	Suggestion string `json:"suggestion,omitempty"`
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
	if !a.queryDate(w, r, "since", &sq.Since) || !a.queryDate(w, r, "until", &sq.Until) {
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
	out := SearchResult{Hits: []Hit{}, Total: res.Total, TotalCapped: res.TotalCapped, Suggestion: res.Suggestion}
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
