package digest

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"

	"legists/internal/brief"
	"legists/internal/store"
)

//go:embed templates/digest.html templates/digest.txt
var templatesFS embed.FS

var (
	htmlTmpl = htmltemplate.Must(htmltemplate.New("digest.html").ParseFS(templatesFS, "templates/digest.html"))
	textTmpl = texttemplate.Must(texttemplate.New("digest.txt").Funcs(texttemplate.FuncMap{
		"wrap":       wrap,
		"add":        func(a, b int) int { return a + b },
		"trimIndent": func(s string) string { return strings.TrimLeft(s, " ") },
	}).ParseFS(templatesFS, "templates/digest.txt"))
)

// Rendered is a digest ready to be built into a message.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
}

type briefView struct {
	Title, URL, Dek, Kicker, Firms, Date string
}

type eventView struct {
	Title, URL, When, Where string
}

type view struct {
	Subject, Preheader              string
	EditionLabel, DateLabel         string
	FrequencyWord                   string
	Intro                           string
	BriefBlocks                     []htmltemplate.HTML
	BriefTexts                      []string
	More                            int
	EventBlocks                     []htmltemplate.HTML
	EventTexts                      []string
	Email, Interests                string
	SiteURL, EventsURL, CalendarURL string
	PreferencesURL, UnsubscribeURL  string
}

// block is a brief or an event rendered once per run and shared by every
// digest that carries it.
type block struct {
	html htmltemplate.HTML
	text string
}

func renderBlock(name string, data any) (block, error) {
	var hb, tb bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&hb, name, data); err != nil {
		return block{}, err
	}
	if err := textTmpl.ExecuteTemplate(&tb, name, data); err != nil {
		return block{}, err
	}
	return block{html: htmltemplate.HTML(hb.String()), text: tb.String()}, nil
}

// briefBlock renders b's part of a digest, cached in c.
func (c *Catalogue) briefBlock(b *brief.Brief, links Links) (block, error) {
	key := "b\x00" + links.Base + "\x00" + b.Slug
	c.mu.Lock()
	bl, ok := c.blocks[key]
	c.mu.Unlock()
	if ok {
		return bl, nil
	}
	bv := briefView{
		Title:  b.Title,
		URL:    links.Site("/briefs/" + b.Slug),
		Dek:    dek(b, 300),
		Kicker: strings.Join(first(b.Topics, 3), " · "),
		Firms:  strings.Join(first(b.Firms, 4), ", "),
	}
	if len(b.Firms) > 4 {
		bv.Firms += fmt.Sprintf(" and %d more", len(b.Firms)-4)
	}
	if b.PublishedAt != nil {
		bv.Date = b.PublishedAt.UTC().Format("2 Jan 2006")
	}
	bl, err := renderBlock("brief", bv)
	if err != nil {
		return block{}, err
	}
	c.mu.Lock()
	c.blocks[key] = bl
	c.mu.Unlock()
	return bl, nil
}

// eventBlock renders e's part of a digest, cached in c.
func (c *Catalogue) eventBlock(e *store.Event) (block, error) {
	key := "e\x00" + e.Slug
	c.mu.Lock()
	bl, ok := c.blocks[key]
	c.mu.Unlock()
	if ok {
		return bl, nil
	}
	bl, err := renderBlock("event", eventView{Title: e.Title, URL: e.OnlineURL, When: EventWhen(e), Where: eventWhere(e)})
	if err != nil {
		return block{}, err
	}
	c.mu.Lock()
	c.blocks[key] = bl
	c.mu.Unlock()
	return bl, nil
}

// Render renders sub's digest of sel. links makes the URLs; a subscriber
// without an ID (a preview sample) gets placeholder links.
func Render(c *Catalogue, sub *store.Subscriber, sel Selection, links Links) (Rendered, error) {
	v := view{
		DateLabel:   c.Now.UTC().Format("Monday 2 January 2006"),
		Email:       sub.Email,
		SiteURL:     links.Site("/"),
		EventsURL:   links.Site("/events"),
		CalendarURL: links.Site("/events.ics"),
	}
	if sub.Frequency == store.Daily {
		v.EditionLabel, v.FrequencyWord = "Daily briefing", "daily"
	} else {
		v.EditionLabel, v.FrequencyWord = "Weekly briefing", "weekly"
	}
	if sub.ID != 0 && links.Tokens != nil {
		v.PreferencesURL, v.UnsubscribeURL = links.Preferences(sub), links.Unsubscribe(sub)
	} else {
		v.PreferencesURL, v.UnsubscribeURL = links.Site("/preferences"), links.Site("/unsubscribe")
	}
	interests := c.interests(sub)
	v.Interests = joinAnd(interests)
	n := len(sel.Briefs) + sel.More
	switch {
	case n == 1:
		v.Intro = "One new brief"
	default:
		v.Intro = fmt.Sprintf("%d new briefs", n)
	}
	if len(interests) > 0 {
		v.Intro += " on " + v.Interests
	}
	v.Intro += " since your last digest."
	if sub.LastDigestAt == nil {
		v.Intro = strings.TrimSuffix(v.Intro, " since your last digest.") + ". Welcome to Legists."
	}
	for i := range sel.Briefs {
		bl, err := c.briefBlock(&sel.Briefs[i], links)
		if err != nil {
			return Rendered{}, fmt.Errorf("digest: render brief %s: %w", sel.Briefs[i].Slug, err)
		}
		v.BriefBlocks = append(v.BriefBlocks, bl.html)
		v.BriefTexts = append(v.BriefTexts, bl.text)
	}
	v.More = sel.More
	for i := range sel.Events {
		bl, err := c.eventBlock(&sel.Events[i])
		if err != nil {
			return Rendered{}, fmt.Errorf("digest: render event %s: %w", sel.Events[i].Slug, err)
		}
		v.EventBlocks = append(v.EventBlocks, bl.html)
		v.EventTexts = append(v.EventTexts, bl.text)
	}
	kind := "Legists daily"
	if sub.Frequency != store.Daily {
		kind = "Legists weekly"
	}
	if len(sel.Briefs) > 0 {
		v.Subject = kind + ": " + truncate(sel.Briefs[0].Title, 90)
		if n > 1 {
			v.Subject += fmt.Sprintf(" (+%d more)", n-1)
		}
		v.Preheader = dek(&sel.Briefs[0], 140)
	} else {
		v.Subject = kind + ": your briefing"
	}
	var hb, tb bytes.Buffer
	if err := htmlTmpl.Execute(&hb, &v); err != nil {
		return Rendered{}, fmt.Errorf("digest: render HTML: %w", err)
	}
	if err := textTmpl.Execute(&tb, &v); err != nil {
		return Rendered{}, fmt.Errorf("digest: render text: %w", err)
	}
	return Rendered{Subject: v.Subject, HTML: hb.String(), Text: tb.String()}, nil
}

// EventWhen says when an event is, in its own time zone, e.g. "Thu 3 Dec
// 2026, 09:00–17:30 GMT" or "Wed 20 Jan – Thu 21 Jan 2027 (+08)".
func EventWhen(e *store.Event) string {
	loc := e.Location()
	s, t := e.StartsAt.In(loc), e.EndsAt.In(loc)
	zone := s.Format("MST")
	if zone == "UTC" && e.TimeZone != "UTC" && e.TimeZone != "" {
		zone = e.TimeZone
	}
	sy, sm, sd := s.Date()
	ty, tm, td := t.Date()
	if sy == ty && sm == tm && sd == td {
		return fmt.Sprintf("%s, %s–%s %s", s.Format("Mon 2 Jan 2006"), s.Format("15:04"), t.Format("15:04"), zone)
	}
	return fmt.Sprintf("%s %s – %s %s %s", s.Format("Mon 2 Jan"), s.Format("15:04"), t.Format("Mon 2 Jan 2006"), t.Format("15:04"), zone)
}

func eventWhere(e *store.Event) string {
	switch {
	case e.Place != "" && e.OnlineURL != "":
		return e.Place + " and online"
	case e.Place != "":
		return e.Place
	case e.OnlineURL != "":
		return "Online: " + e.OnlineURL
	}
	return ""
}

// dek is the opening of a brief: its first paragraph, cut at a word
// boundary to at most n characters.
func dek(b *brief.Brief, n int) string {
	for _, s := range b.Sections {
		for _, p := range s.Paragraphs {
			if t := strings.TrimSpace(p.Text); t != "" {
				return truncate(t, n)
			}
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.-–—") + "…"
}

func first(l []string, n int) []string {
	if len(l) > n {
		return l[:n]
	}
	return l
}

func joinAnd(l []string) string {
	switch len(l) {
	case 0:
		return ""
	case 1:
		return l[0]
	}
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}

// wrap folds s into lines of at most width characters (longer words stay
// whole), each line prefixed with indent.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	line := 0
	for _, w := range strings.Fields(s) {
		wl := utf8.RuneCountInString(w)
		switch {
		case line == 0:
			b.WriteString(indent)
			line = utf8.RuneCountInString(indent)
		case line+1+wl > width:
			b.WriteString("\n")
			b.WriteString(indent)
			line = utf8.RuneCountInString(indent)
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += wl
	}
	return b.String()
}
