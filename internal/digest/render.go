package digest

import (
	"bytes"
	"crypto/rand"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"

	"legists/internal/brief"
	"legists/internal/mail"
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

// view is what the templates show. It is rendered once for every digest
// with the same selection (group): the fields that differ between readers
// (Intro, Footer and the links carrying their token) hold holes, filled
// per reader (see group.values).
type view struct {
	Subject, Preheader              string
	EditionLabel, DateLabel         string
	Intro                           string
	BriefBlocks                     []htmltemplate.HTML
	BriefTexts                      []string
	More                            int
	EventBlocks                     []htmltemplate.HTML
	EventTexts                      []string
	Footer                          string
	SiteURL, EventsURL, CalendarURL string
	PreferencesURL, UnsubscribeURL  string
}

// block is a brief or an event rendered once per run and shared by every
// digest that carries it.
type block struct {
	id   int // in its catalogue
	html htmltemplate.HTML
	text string
	// htmlQP and textQP are html and text encoded for mail.
	htmlQP, textQP *mail.Chunk
}

func renderBlock(name string, data any) (*block, error) {
	var hb, tb bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&hb, name, data); err != nil {
		return nil, err
	}
	if err := textTmpl.ExecuteTemplate(&tb, name, data); err != nil {
		return nil, err
	}
	bl := &block{html: htmltemplate.HTML(hb.String()), text: tb.String()}
	bl.htmlQP, bl.textQP = mail.NewChunk(string(bl.html)), mail.NewChunk(bl.text)
	return bl, nil
}

// addBlock keeps bl under key, numbered, unless another goroutine was
// first, and returns the kept one.
func (c *Catalogue) addBlock(key string, bl *block) *block {
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.blocks[key]; ok {
		return have
	}
	bl.id = len(c.blocks)
	c.blocks[key] = bl
	return bl
}

// briefBlock renders b's part of a digest, cached in c.
func (c *Catalogue) briefBlock(b *brief.Brief, links Links) (*block, error) {
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
		return nil, err
	}
	return c.addBlock(key, bl), nil
}

// eventBlock renders e's part of a digest, cached in c.
func (c *Catalogue) eventBlock(e *store.Event) (*block, error) {
	key := "e\x00" + e.Slug
	c.mu.Lock()
	bl, ok := c.blocks[key]
	c.mu.Unlock()
	if ok {
		return bl, nil
	}
	bl, err := renderBlock("event", eventView{Title: e.Title, URL: e.OnlineURL, When: EventWhen(e), Where: eventWhere(e)})
	if err != nil {
		return nil, err
	}
	return c.addBlock(key, bl), nil
}

// The holes of a group's body, in the order of reader values: the HTML
// ones first (escaped), then the text ones.
const (
	holeIntroHTML = iota
	holeFooterHTML
	holePrefsHTML
	holeUnsubHTML
	holeIntroText
	holeFooterText
	holePrefsText
	holeUnsubText
	nHoles
)

// holePrefix starts the placeholders of a group's body: letters and
// digits (which no escaping changes), with a random part so that no brief
// can contain one.
var holePrefix = func() string {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	return fmt.Sprintf("lgsthole%x", rnd)
}()

// holes are the placeholders of the reader's parts.
var holes = func() []string {
	h := make([]string, nHoles)
	for i := range h {
		h[i] = holePrefix + "n" + strconv.Itoa(i) + "z"
	}
	return h
}()

// blockHole is the placeholder of block id's HTML or text.
func blockHole(id int, html bool) string {
	if html {
		return holePrefix + "k" + strconv.Itoa(id) + "hz"
	}
	return holePrefix + "k" + strconv.Itoa(id) + "tz"
}

// group is a digest body rendered once for every reader with the same
// selection, with holes for each reader's parts.
type group struct {
	Rendered // HTML and Text with holes
	welcome  bool
	n        int // briefs, with those left out
	freqWord string
	blocks   []*block
	// titleHTML and preHTML are the subject and the preheader as the HTML
	// shows them (escaped), in the holes titleHole and preHole: kept
	// apart, so that the skeleton around them is the same in every body.
	titleHTML, preHTML string
}

// titleHole and preHole are the places of a body's subject and preheader
// in its HTML.
var titleHole, preHole = holePrefix + "title" + "z", holePrefix + "pre" + "z"

// groupKey identifies the body of sub's digest of sel: readers with the
// same key get the same digest but for their own parts.
func groupKey(sub *store.Subscriber, sel Selection, links Links) string {
	var b strings.Builder
	b.Grow(16 + 48*(len(sel.Briefs)+len(sel.Events)))
	b.WriteString(links.Base)
	b.WriteByte(0)
	b.WriteString(string(sub.Frequency))
	if sub.LastDigestAt == nil {
		b.WriteString("\x00new")
	}
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(sel.More))
	for i := range sel.Briefs {
		b.WriteString("\x00b")
		b.WriteString(sel.Briefs[i].Slug)
	}
	for i := range sel.Events {
		b.WriteString("\x00e")
		b.WriteString(sel.Events[i].Slug)
	}
	return b.String()
}

// Render renders sub's digest of sel. links makes the URLs; a subscriber
// without an ID (a preview sample) gets placeholder links.
func Render(c *Catalogue, sub *store.Subscriber, sel Selection, links Links) (Rendered, error) {
	g, err := renderGroup(c, sub, sel, links)
	if err != nil {
		return Rendered{}, err
	}
	vals := g.values(c, sub, links)
	r := make([]string, 0, 2*nHoles)
	for i, h := range holes {
		r = append(r, h, vals[i])
	}
	for _, bl := range g.blocks {
		r = append(r, blockHole(bl.id, true), string(bl.html), blockHole(bl.id, false), bl.text)
	}
	r = append(r, titleHole, g.titleHTML, preHole, g.preHTML)
	rep := strings.NewReplacer(r...)
	return Rendered{Subject: g.Subject, HTML: rep.Replace(g.HTML), Text: rep.Replace(g.Text)}, nil
}

// values are sub's parts of a digest of g, in the order of the holes.
func (g *group) values(c *Catalogue, sub *store.Subscriber, links Links) []string {
	intro, footer, prefs, unsub := g.parts(c, sub, links)
	v := make([]string, nHoles)
	v[holeIntroHTML] = escapeText(intro)
	v[holeFooterHTML] = escapeText(footer)
	v[holePrefsHTML] = escapeURL(prefs)
	v[holeUnsubHTML] = escapeURL(unsub)
	v[holeIntroText] = wrap(intro, 72, "")
	v[holeFooterText] = wrap(footer, 72, "")
	v[holePrefsText] = prefs
	v[holeUnsubText] = unsub
	return v
}

// parts are sub's own parts of a digest of g: the opening line, the
// footer, and the preferences and unsubscribe links.
func (g *group) parts(c *Catalogue, sub *store.Subscriber, links Links) (intro, footer, prefs, unsub string) {
	interests := joinAnd(c.interests(sub))
	switch {
	case g.n == 1:
		intro = "One new brief"
	default:
		intro = strconv.Itoa(g.n) + " new briefs"
	}
	if interests != "" {
		intro += " on " + interests
	}
	if g.welcome {
		intro += ". Welcome to Legists."
	} else {
		intro += " since your last digest."
	}
	footer = "You receive this " + g.freqWord + " digest at " + sub.Email + " because you subscribed on Legists"
	if interests != "" {
		footer += " to " + interests
	}
	footer += "."
	if sub.ID != 0 && links.Tokens != nil {
		prefs, unsub = links.Preferences(sub), links.Unsubscribe(sub)
	} else {
		prefs, unsub = links.Site("/preferences"), links.Site("/unsubscribe")
	}
	return intro, footer, prefs, unsub
}

// htmlEscaper writes what html/template writes for a string in an HTML
// text node or a quoted attribute (its escaper's table), so that a value
// spliced into a hole reads exactly as if the template had escaped it.
var htmlEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

func escapeText(s string) string { return htmlEscaper.Replace(s) }

// urlTmpl escapes a URL as the digest's href attributes do, for the URLs
// escapeURL cannot pass through as they are.
var urlTmpl = htmltemplate.Must(htmltemplate.New("url").Parse(`<a href="{{.}}">`))

// escapeURL is what html/template writes for url in an href attribute:
// an http(s) URL made only of the bytes its normalizer and escaper leave
// alone (the links carry base64url tokens) is written as it is; any other
// goes through the template.
func escapeURL(url string) string {
	if strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://") {
		plain := true
		for i := 0; i < len(url) && plain; i++ {
			c := url[i]
			plain = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!#$*,/:;=?@[]%", c) >= 0
		}
		if plain {
			return url
		}
	}
	var b strings.Builder
	if err := urlTmpl.Execute(&b, url); err != nil {
		return "#ZgotmplZ"
	}
	return strings.TrimSuffix(strings.TrimPrefix(b.String(), `<a href="`), `">`)
}

// renderGroup renders the body of sub's digest of sel with holes for the
// reader's parts.
func renderGroup(c *Catalogue, sub *store.Subscriber, sel Selection, links Links) (*group, error) {
	return renderView(c, sub, sel, links, false)
}

// renderView renders sub's digest of sel: with holes for the reader's
// parts, or (direct, for tests) with them written in by the templates.
func renderView(c *Catalogue, sub *store.Subscriber, sel Selection, links Links, direct bool) (*group, error) {
	g := &group{welcome: sub.LastDigestAt == nil, n: len(sel.Briefs) + sel.More}
	v := view{
		DateLabel:   c.Now.UTC().Format("Monday 2 January 2006"),
		SiteURL:     links.Site("/"),
		EventsURL:   links.Site("/events"),
		CalendarURL: links.Site("/events.ics"),
	}
	if sub.Frequency == store.Daily {
		v.EditionLabel, g.freqWord = "Daily briefing", "daily"
	} else {
		v.EditionLabel, g.freqWord = "Weekly briefing", "weekly"
	}
	for i := range sel.Briefs {
		bl, err := c.briefBlock(&sel.Briefs[i], links)
		if err != nil {
			return nil, fmt.Errorf("digest: render brief %s: %w", sel.Briefs[i].Slug, err)
		}
		g.blocks = append(g.blocks, bl)
		if direct {
			v.BriefBlocks, v.BriefTexts = append(v.BriefBlocks, bl.html), append(v.BriefTexts, bl.text)
			continue
		}
		v.BriefBlocks = append(v.BriefBlocks, htmltemplate.HTML(blockHole(bl.id, true)))
		v.BriefTexts = append(v.BriefTexts, blockHole(bl.id, false))
	}
	v.More = sel.More
	for i := range sel.Events {
		bl, err := c.eventBlock(&sel.Events[i])
		if err != nil {
			return nil, fmt.Errorf("digest: render event %s: %w", sel.Events[i].Slug, err)
		}
		g.blocks = append(g.blocks, bl)
		if direct {
			v.EventBlocks, v.EventTexts = append(v.EventBlocks, bl.html), append(v.EventTexts, bl.text)
			continue
		}
		v.EventBlocks = append(v.EventBlocks, htmltemplate.HTML(blockHole(bl.id, true)))
		v.EventTexts = append(v.EventTexts, blockHole(bl.id, false))
	}
	kind := "Legists daily"
	if sub.Frequency != store.Daily {
		kind = "Legists weekly"
	}
	if len(sel.Briefs) > 0 {
		v.Subject = kind + ": " + truncate(sel.Briefs[0].Title, 90)
		if g.n > 1 {
			v.Subject += fmt.Sprintf(" (+%d more)", g.n-1)
		}
		v.Preheader = dek(&sel.Briefs[0], 140)
	} else {
		v.Subject = kind + ": your briefing"
	}
	g.Subject = v.Subject
	if !direct {
		g.titleHTML, g.preHTML = escapeText(v.Subject), escapeText(v.Preheader)
		v.Subject, v.Preheader = titleHole, preHole
	}
	var hb, tb bytes.Buffer
	v.Intro, v.Footer, v.PreferencesURL, v.UnsubscribeURL = holes[holeIntroHTML], holes[holeFooterHTML], holes[holePrefsHTML], holes[holeUnsubHTML]
	if direct {
		v.Intro, v.Footer, v.PreferencesURL, v.UnsubscribeURL = g.parts(c, sub, links)
	}
	if err := htmlTmpl.Execute(&hb, &v); err != nil {
		return nil, fmt.Errorf("digest: render HTML: %w", err)
	}
	v.Intro, v.Footer, v.PreferencesURL, v.UnsubscribeURL = holes[holeIntroText], holes[holeFooterText], holes[holePrefsText], holes[holeUnsubText]
	if direct {
		v.Intro, v.Footer, v.PreferencesURL, v.UnsubscribeURL = g.parts(c, sub, links)
	}
	if err := textTmpl.Execute(&tb, &v); err != nil {
		return nil, fmt.Errorf("digest: render text: %w", err)
	}
	g.HTML, g.Text = hb.String(), tb.String()
	return g, nil
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
