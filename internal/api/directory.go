package api

import (
	"legists/internal/auth"
	"legists/internal/brief"
	"net/http"
)

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
