package ingest

import (
	"bytes"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"

	"codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"legists/internal/source"
)

// Extracted is the readable article of a web page.
type Extracted struct {
	Title     string
	Byline    string
	SiteName  string
	Language  string
	Excerpt   string
	Canonical string // the page's canonical URL (rel=canonical or og:url), if it names one on its own site
	HTML      string // sanitised article HTML
	Text      string // plain text, paragraphs separated by blank lines
	Published *time.Time
	Modified  *time.Time
}

// ErrNoArticle is returned for a page with no readable article.
var ErrNoArticle = errors.New("no readable article found")

// maxElements bounds the work readability does on one page.
const maxElements = 60000

// policy sanitises article HTML: the user-generated-content policy
// (paragraphs, headings, lists, links, images, tables, quotes; no scripts,
// styles, forms, frames or event handlers). Policies are safe for
// concurrent use once built.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return p
}()

// Extract finds the readable article of a page fetched from pageURL with
// the given Content-Type header.
func Extract(body []byte, contentType string, pageURL *url.URL) (*Extracted, error) {
	utf8Body, _ := DecodeHTML(body, contentType)
	doc, err := html.Parse(bytes.NewReader(utf8Body))
	if err != nil {
		return nil, err
	}
	ex := &Extracted{Canonical: canonicalLink(doc, pageURL)}
	p := readability.NewParser()
	p.MaxElemsToParse = maxElements
	art, err := p.ParseAndMutate(doc, pageURL)
	if err != nil {
		return nil, err
	}
	if art.Node == nil {
		return nil, ErrNoArticle
	}
	var buf bytes.Buffer
	if err := art.RenderHTML(&buf); err != nil {
		return nil, err
	}
	ex.HTML = strings.TrimSpace(policy.Sanitize(buf.String()))
	ex.Text = NormalizeText(render.InnerText(art.Node))
	if ex.Text == "" {
		return nil, ErrNoArticle
	}
	ex.Title = clean(art.Title())
	ex.Byline = clean(art.Byline())
	ex.SiteName = clean(art.SiteName())
	ex.Language = clean(art.Language())
	ex.Excerpt = clean(art.Excerpt())
	if t, err := art.PublishedTime(); err == nil {
		ex.Published = validTime(&t)
	}
	if t, err := art.ModifiedTime(); err == nil {
		ex.Modified = validTime(&t)
	}
	return ex, nil
}

// canonicalLink returns the page's rel=canonical (or og:url) when it is an
// http(s) URL on the page's own site; a canonical on another site (a
// syndication partner naming the original) is ignored, so the copy is
// judged by its text instead.
func canonicalLink(doc *html.Node, pageURL *url.URL) string {
	var canon, og string
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > 64 || (canon != "" && og != "") {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Link:
				if canon == "" && hasToken(attr(n, "rel"), "canonical") {
					canon = attr(n, "href")
				}
			case atom.Meta:
				if og == "" && strings.EqualFold(attr(n, "property"), "og:url") {
					og = attr(n, "content")
				}
			case atom.Body:
				return // the head is enough
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(doc, 0)
	for _, c := range []string{canon, og} {
		abs := source.Resolve(pageURL, c)
		u, err := source.ParseURL(abs)
		if err != nil {
			continue
		}
		if pageURL == nil || sameSite(u.Hostname(), pageURL.Hostname()) {
			return abs
		}
	}
	return ""
}

// sameSite compares hosts ignoring a leading www. or m.
func sameSite(a, b string) bool {
	trim := func(h string) string {
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		for _, p := range []string{"www.", "m.", "amp."} {
			h = strings.TrimPrefix(h, p)
		}
		return h
	}
	return trim(a) == trim(b)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

func hasToken(list, tok string) bool {
	for f := range strings.FieldsSeq(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

var blankLinesRE = regexp.MustCompile(`\n{3,}`)

// NormalizeText trims every line, collapses runs of spaces and of blank
// lines, and trims the whole.
func NormalizeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	s = blankLinesRE.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s)
}

// HTMLToText turns an HTML fragment (a feed's summary or content) into
// sanitised HTML and plain text.
func HTMLToText(fragment string) (safeHTML, text string) {
	safeHTML = strings.TrimSpace(policy.Sanitize(fragment))
	nodes, err := html.ParseFragment(strings.NewReader(safeHTML), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return safeHTML, NormalizeText(fragment)
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return safeHTML, NormalizeText(render.InnerText(root))
}
