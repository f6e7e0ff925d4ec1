package newsletter

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"legists/internal/brief"
	"legists/internal/digest"
	"legists/internal/mail"
	"legists/internal/store"
)

//go:embed templates/pages.html
var pagesFS embed.FS

var pages = template.Must(template.New("pages").ParseFS(pagesFS, "templates/pages.html"))

// pageData is what every page template gets.
type pageData struct {
	Title, Notice, NoticeKind string
	// Body names the template of the page's content.
	Body               string
	Form               *formView
	Sub                *subView
	Token              string
	PrefsURL, UnsubURL string
	// Events page.
	Feed   bool
	Events []eventView
	Months []monthView
	// Webcal is the calendar feed under the webcal: scheme, built by
	// webcalURL alone (html/template would otherwise refuse the scheme).
	Webcal template.URL
}

type choice struct {
	Field, Slug, Name string
	Checked           bool
}

type formView struct {
	Email                       string
	Areas, Jurisdictions, Firms []choice
	Frequency                   store.Frequency
}

type subView struct {
	Email, Status, Frequency string
	Following                []string
	Inactive                 bool
}

func (h *Handler) subView(sub *store.Subscriber) *subView {
	h.directory(context.Background())
	v := &subView{Email: sub.Email, Status: string(sub.Status), Frequency: string(sub.Frequency),
		Inactive: sub.Status == store.SubscriberUnsubscribed || sub.Status == store.SubscriberBounced}
	v.Following = append(h.names(sub.Topics, false), h.names(sub.Firms, true)...)
	return v
}

// formView lists the directory as choices, the selected ones ticked;
// followed firms come first (the list is long).
func (h *Handler) formView(topics []brief.Topic, firms []brief.Firm, selTopics, selFirms []string, freq store.Frequency) *formView {
	fv := &formView{Frequency: freq}
	for _, t := range topics {
		c := choice{Field: "topics", Slug: t.Slug, Name: t.Name, Checked: slices.Contains(selTopics, t.Slug)}
		if t.Kind == brief.TopicJurisdiction {
			fv.Jurisdictions = append(fv.Jurisdictions, c)
		} else {
			fv.Areas = append(fv.Areas, c)
		}
	}
	var rest []choice
	for _, f := range firms {
		c := choice{Field: "firms", Slug: f.Slug, Name: f.Name, Checked: slices.Contains(selFirms, f.Slug)}
		if c.Checked {
			fv.Firms = append(fv.Firms, c)
		} else {
			rest = append(rest, c)
		}
	}
	fv.Firms = append(fv.Firms, rest...)
	return fv
}

// page renders a whole page.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	if d.Form == nil {
		d.Form = &formView{}
	}
	name := "page"
	if h.d.Wrap != nil {
		name = "framed"
	}
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, d); err != nil {
		h.log.Error("newsletter: render", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if h.d.Wrap != nil {
		h.d.Wrap(w, r, status, d.Title, template.HTML(buf.String()))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// ---- transactional mail ----

func (h *Handler) following(sub *store.Subscriber) string {
	names := append(h.names(sub.Topics, false), h.names(sub.Firms, true)...)
	if len(names) == 0 {
		return "every brief"
	}
	return strings.Join(names, ", ")
}

func (h *Handler) confirmMail(sub *store.Subscriber, links digest.Links) (*mail.Message, error) {
	link := links.Confirm(sub)
	follow := h.following(sub)
	text := fmt.Sprintf(`Confirm your subscription to Legists

Someone, probably you, asked to receive the Legists %s digest at
%s, following: %s.

Confirm with this link (it works for 48 hours):
%s

If you did not ask for this, ignore this message: you will hear nothing
more from us.

Legists
%s
`, sub.Frequency, sub.Email, follow, link, links.Site("/"))
	html := fmt.Sprintf(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Confirm your subscription</title></head>
<body style="margin:0;padding:24px 12px;background-color:#f4f1ec;">
<table role="presentation" width="100%%" cellpadding="0" cellspacing="0" border="0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0" style="width:100%%;max-width:560px;background-color:#ffffff;border-top:4px solid #7a1f2b;">
<tr><td style="padding:24px 28px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:22px;color:#333333;">
<p style="margin:0 0 16px 0;font-family:Georgia,'Times New Roman',serif;font-size:24px;line-height:30px;font-weight:bold;color:#1c1c1c;">Confirm your subscription</p>
<p style="margin:0 0 16px 0;">Someone, probably you, asked to receive the Legists %s digest at <strong>%s</strong>, following: %s.</p>
<p style="margin:0 0 24px 0;"><a href="%s" style="display:inline-block;padding:12px 20px;background-color:#7a1f2b;color:#ffffff;text-decoration:none;font-weight:bold;border-radius:3px;">Confirm my subscription</a></p>
<p style="margin:0 0 8px 0;font-size:13px;line-height:19px;color:#6b6b6b;">The link works for 48 hours. If you did not ask for this, ignore this message: you will hear nothing more from us.</p>
</td></tr></table></td></tr></table>
</body></html>`, sub.Frequency, template.HTMLEscapeString(sub.Email), template.HTMLEscapeString(follow), template.HTMLEscapeString(link))
	return mail.Build(mail.Content{From: h.d.From, To: sub.Email, Subject: "Confirm your Legists subscription", Text: text, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
}

func (h *Handler) alreadyMail(sub *store.Subscriber, links digest.Links) (*mail.Message, error) {
	link := links.Preferences(sub)
	text := fmt.Sprintf(`You are already subscribed to Legists

Someone, probably you, asked to subscribe %s to the Legists digest.
This address is already subscribed: nothing has changed.

To change your topics, firms or frequency, or to unsubscribe:
%s

Legists
%s
`, sub.Email, link, links.Site("/"))
	html := fmt.Sprintf(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>You are already subscribed</title></head>
<body style="margin:0;padding:24px 12px;background-color:#f4f1ec;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:22px;color:#333333;">
<div style="max-width:560px;margin:0 auto;background-color:#ffffff;border-top:4px solid #7a1f2b;padding:24px 28px;">
<p style="margin:0 0 16px 0;font-family:Georgia,'Times New Roman',serif;font-size:24px;line-height:30px;font-weight:bold;color:#1c1c1c;">You are already subscribed</p>
<p style="margin:0 0 16px 0;">Someone, probably you, asked to subscribe <strong>%s</strong> to the Legists digest. This address is already subscribed: nothing has changed.</p>
<p style="margin:0 0 16px 0;"><a href="%s" style="color:#7a1f2b;font-weight:bold;">Change topics, firms or frequency, or unsubscribe</a></p>
</div></body></html>`, template.HTMLEscapeString(sub.Email), template.HTMLEscapeString(link))
	return mail.Build(mail.Content{From: h.d.From, To: sub.Email, Subject: "You are already subscribed to Legists", Text: text, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
}
