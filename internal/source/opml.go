package source

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// OPML is a subscription list read from an OPML 1.0 or 2.0 document.
type OPML struct {
	Title   string
	Entries []OPMLEntry
	// Skipped counts outlines that named a URL that is not an absolute
	// http(s) URL, or repeated one already listed.
	Skipped int
}

// OPMLEntry is one subscription of an OPML document.
type OPMLEntry struct {
	Kind    Kind   // KindFeed for xmlUrl outlines, KindPage for type="link"
	URL     string // the feed's xmlUrl or the link's url
	Title   string
	SiteURL string // the feed's htmlUrl
	// Category is the path of the enclosing outlines, "News/Courts".
	Category string
}

// ErrNotOPML is returned for a document whose root is not <opml>.
var ErrNotOPML = errors.New("not an OPML document")

// maxOPMLDepth bounds outline nesting.
const maxOPMLDepth = 64

// ReadOPML reads a subscription list. Outlines with an xmlUrl are feeds;
// outlines of type "link" with a url are pages; outlines nest as
// categories. The document's declared encoding is honoured.
func ReadOPML(r io.Reader) (*OPML, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset.NewReaderLabel
	d.Strict = false
	out := &OPML{}
	seen := map[string]bool{}
	var stack []string // titles of open outline elements
	depth := 0
	rootSeen := false
	inHeadTitle := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("opml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxOPMLDepth+3 {
				return nil, errors.New("opml: outlines nested too deeply")
			}
			name := strings.ToLower(t.Name.Local)
			if !rootSeen {
				if name != "opml" {
					return nil, ErrNotOPML
				}
				rootSeen = true
				continue
			}
			switch name {
			case "title":
				inHeadTitle = len(stack) == 0 && out.Title == ""
			case "outline":
				e := outlineEntry(t.Attr)
				e.Category = strings.Join(stack, "/")
				label := e.Title
				if e.URL != "" {
					if u, err := ParseURL(e.URL); err != nil {
						out.Skipped++
					} else if key := Canonical(u); seen[key] {
						out.Skipped++
					} else {
						seen[key] = true
						e.URL = u.String()
						out.Entries = append(out.Entries, e)
					}
				}
				stack = append(stack, strings.ReplaceAll(label, "/", " "))
			}
		case xml.EndElement:
			depth--
			switch strings.ToLower(t.Name.Local) {
			case "outline":
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			case "title":
				inHeadTitle = false
			}
		case xml.CharData:
			if inHeadTitle {
				out.Title += string(t)
			}
		}
	}
	if !rootSeen {
		return nil, ErrNotOPML
	}
	out.Title = strings.TrimSpace(out.Title)
	return out, nil
}

func outlineEntry(attrs []xml.Attr) OPMLEntry {
	var e OPMLEntry
	var text, typ, link string
	for _, a := range attrs {
		v := strings.TrimSpace(a.Value)
		switch strings.ToLower(a.Name.Local) {
		case "xmlurl":
			e.URL = v
		case "htmlurl":
			e.SiteURL = v
		case "title":
			e.Title = v
		case "text":
			text = v
		case "type":
			typ = strings.ToLower(v)
		case "url":
			link = v
		}
	}
	if e.Title == "" {
		e.Title = text
	}
	switch {
	case e.URL != "":
		e.Kind = KindFeed
	case link != "" && (typ == "link" || typ == "" || typ == "page"):
		e.Kind = KindPage
		e.URL = link
	case link != "":
		// type="rss" with url= instead of xmlUrl, seen in the wild.
		e.Kind = KindFeed
		e.URL = link
	}
	return e
}

// WriteOPML writes sources as an OPML 2.0 document: feeds as outlines of
// type "rss" with xmlUrl, pages as outlines of type "link" with url.
func WriteOPML(w io.Writer, title string, sources []Source, now time.Time) error {
	type outline struct {
		Text    string `xml:"text,attr"`
		Title   string `xml:"title,attr,omitempty"`
		Type    string `xml:"type,attr"`
		XMLURL  string `xml:"xmlUrl,attr,omitempty"`
		HTMLURL string `xml:"htmlUrl,attr,omitempty"`
		URL     string `xml:"url,attr,omitempty"`
	}
	type doc struct {
		XMLName xml.Name `xml:"opml"`
		Version string   `xml:"version,attr"`
		Head    struct {
			Title       string `xml:"title"`
			DateCreated string `xml:"dateCreated,omitempty"`
		} `xml:"head"`
		Body struct {
			Outlines []outline `xml:"outline"`
		} `xml:"body"`
	}
	var d doc
	d.Version = "2.0"
	d.Head.Title = title
	if !now.IsZero() {
		d.Head.DateCreated = now.UTC().Format(time.RFC1123Z)
	}
	for _, s := range sources {
		text := s.Title
		if text == "" {
			text = s.URL
		}
		o := outline{Text: text, Title: s.Title}
		if s.Kind == KindPage {
			o.Type, o.URL = "link", s.URL
		} else {
			o.Type, o.XMLURL, o.HTMLURL = "rss", s.URL, s.SiteURL
		}
		d.Body.Outlines = append(d.Body.Outlines, o)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
