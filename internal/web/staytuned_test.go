package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"legists/internal/store"
	"legists/internal/store/storetest"
)

// formValues finds the form posting to action in page and returns what a
// browser would send for it: text fields as given, ticked boxes and
// radios, hidden fields; and the names of every field it has.
func formValues(t *testing.T, page, action string) (url.Values, []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, key string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" {
			if a, _ := attr(n, "action"); a == action {
				form = n
				break
			}
		}
	}
	if form == nil {
		t.Fatalf("no form posting to %s", action)
	}
	if m, _ := attr(form, "method"); !strings.EqualFold(m, "post") {
		t.Errorf("the form's method is %q", m)
	}
	vals := url.Values{}
	var names []string
	for n := range form.Descendants() {
		if n.Type != html.ElementNode || (n.Data != "input" && n.Data != "select" && n.Data != "textarea") {
			continue
		}
		name, _ := attr(n, "name")
		if name == "" {
			continue
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		typ, _ := attr(n, "type")
		value, _ := attr(n, "value")
		switch strings.ToLower(typ) {
		case "checkbox", "radio":
			if _, checked := attr(n, "checked"); checked {
				vals.Add(name, value)
			}
		case "submit", "button", "image":
		default:
			vals.Add(name, value)
		}
	}
	return vals, names
}

// TestStayTunedForm posts the Stay Tuned box of a brief page, as the page
// renders it, to the newsletter's /subscribe on the same server.
func TestStayTunedForm(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	outbox := t.TempDir()
	s := newNewsletterSite(t, st, outbox)
	entry := demoBrief(t)
	b, err := st.GetBrief(ctx, entry.Slug)
	if err != nil {
		t.Fatal(err)
	}
	_, page := s.get("/briefs/" + entry.Slug)
	mustContain(t, page, `<div class="visually-hidden" aria-hidden="true"><label>Leave empty<input name="website" tabindex="-1" autocomplete="off"></label></div>`)
	form, names := formValues(t, page, "/subscribe")
	// The names internal/newsletter reads.
	for _, want := range []string{"email", "topics", "firms", "frequency", "website"} {
		if !slices.Contains(names, want) {
			t.Errorf("the form has no %q field (has %q)", want, names)
		}
	}
	for _, n := range names {
		if !slices.Contains([]string{"email", "topics", "firms", "frequency", "website"}, n) {
			t.Errorf("the form has a field %q the newsletter does not read", n)
		}
	}
	if form.Get("frequency") != "weekly" || form.Get("website") != "" {
		t.Errorf("defaults: frequency %q, website %q", form.Get("frequency"), form.Get("website"))
	}
	// The brief's topics and firms are ticked, those the directory has
	// (the newsletter follows nothing else): this brief's "M&A" is not a
	// topic of the taxonomy.
	if len(form["topics"]) == 0 || len(form["firms"]) != len(b.Firms) || len(form["topics"]) > len(b.Topics) {
		t.Errorf("ticked: %q and %q; the brief has %q and %q", form["topics"], form["firms"], b.Topics, b.Firms)
	}
	if slices.Contains(form["topics"], "m-a") {
		t.Error("the form offers a topic the taxonomy does not have")
	}

	post := func(f url.Values) (int, string) {
		t.Helper()
		resp, body := s.do(http.MethodPost, "/subscribe", strings.NewReader(f.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Origin", s.ts.URL, "Sec-Fetch-Site", "same-origin")
		return resp.StatusCode, body
	}

	// A person: the confirmation page, a pending subscriber with the
	// brief's topics and firms, one mail.
	form.Set("email", "reader@firm.example")
	status, accepted := post(form)
	if status != http.StatusOK {
		t.Fatalf("POST /subscribe: %d\n%s", status, accepted)
	}
	mustContain(t, accepted, "Check your inbox")
	sub, err := st.GetSubscriberByEmail(ctx, "reader@firm.example")
	if err != nil {
		t.Fatalf("no subscriber stored: %v", err)
	}
	if sub.Status != store.SubscriberPending || sub.Frequency != store.Weekly {
		t.Errorf("subscriber: %s, %s", sub.Status, sub.Frequency)
	}
	if !slices.Equal(sub.Topics, form["topics"]) || !slices.Equal(sub.Firms, form["firms"]) || len(sub.Firms) == 0 {
		t.Errorf("subscriber follows topics %q and firms %q; the brief has %q and %q", sub.Topics, sub.Firms, b.Topics, b.Firms)
	}
	mails, _ := os.ReadDir(outbox)
	if len(mails) != 1 {
		t.Fatalf("%d mails in the outbox, want the confirmation", len(mails))
	}

	// A bot fills in the honeypot: the same answer, nothing stored or sent.
	form.Set("email", "bot@spam.example")
	form.Set("website", "https://spam.example")
	status2, body2 := post(form)
	if status2 != status || body2 != accepted {
		t.Errorf("honeypot answer differs: %d\n%s", status2, body2)
	}
	if _, err := st.GetSubscriberByEmail(ctx, "bot@spam.example"); err == nil {
		t.Error("the honeypot sign-up was stored")
	}
	if mails, _ := os.ReadDir(outbox); len(mails) != 1 {
		t.Errorf("%d mails in the outbox after the honeypot sign-up, want 1", len(mails))
	}
}
