package digest

import (
	"errors"
	"net/http"

	"legists/internal/store"
)

// PreviewHandler serves Preview for the editor's desk: the HTML of the
// digest that the subscriber ?email= (default: a sample reader of
// everything) would get now, or with ?format=text its plain text. It does
// no authentication: mount it behind the desk's login, e.g.
//
//	mux.Handle("GET /admin/digest/preview", requireEditor(digest.PreviewHandler(st, baseURL)))
//
// and show it in an <iframe sandbox src="/admin/digest/preview">.
func PreviewHandler(st store.Store, baseURL string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var sub *store.Subscriber
		if email := r.URL.Query().Get("email"); email != "" {
			s, err := st.GetSubscriberByEmail(r.Context(), email)
			if errors.Is(err, store.ErrNotFound) {
				http.Error(w, "no such subscriber", http.StatusNotFound)
				return
			}
			if err != nil {
				http.Error(w, "cannot read the subscriber", http.StatusInternalServerError)
				return
			}
			sub = s
		}
		html, text, err := PreviewWith(r.Context(), st, sub, PreviewOptions{BaseURL: baseURL})
		if err != nil {
			http.Error(w, "cannot render the preview", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		// A mail body: no scripts, no requests but images.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'")
		if r.URL.Query().Get("format") == "text" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte(text))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(html))
	})
}
