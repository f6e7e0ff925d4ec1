package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"legists/internal/brief"
	"legists/internal/store"
)

// ---- archived source ----

type sourcePage struct {
	Common
	Brief      *brief.Brief
	Source     brief.Source
	Paragraphs []string
}

func (s *Server) handleSource(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	s.serveCached(w, r, func(r *http.Request) (*page, error) {
		b, err := s.st.GetBrief(r.Context(), slug)
		if errors.Is(err, store.ErrNotFound) || (err == nil && b.Status != brief.StatusPublished) {
			return s.notFoundPage()
		}
		if err != nil {
			return nil, err
		}
		src, ok := b.Source(n)
		if !ok {
			return s.notFoundPage()
		}
		src.URL = safeURL(src.URL)
		data := sourcePage{Common: s.common(cmpOr(src.Title, "Archived source"), ""), Brief: b, Source: src}
		data.Canonical = s.abs(fmt.Sprintf("%s/sources/%d", briefURL(slug), n))
		for _, para := range strings.Split(strings.ReplaceAll(src.Text, "\r\n", "\n"), "\n\n") {
			if p := strings.TrimSpace(para); p != "" {
				data.Paragraphs = append(data.Paragraphs, p)
			}
		}
		return s.htmlPage(http.StatusOK, "source", data, b.UpdatedAt)
	})
}
