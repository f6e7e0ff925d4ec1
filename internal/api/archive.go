package api

import (
	"errors"
	"legists/internal/source"
	"legists/internal/store"
	"net/http"
	"strconv"
)

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
	if !a.queryDate(w, r, "since", &f.Since) || !a.queryDate(w, r, "until", &f.Until) {
		return
	}
	pg, err := a.o.Store.ListArticles(r.Context(), f)
	if a.pageFailed(w, r, err) {
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
	if !a.queryDate(w, r, "since", &f.Since) {
		return
	}
	pg, err := a.o.Store.ListStories(r.Context(), f)
	if a.pageFailed(w, r, err) {
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
