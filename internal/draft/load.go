package draft

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"legists/internal/fidelity"
)

// ArticleFormat documents the files LoadDir reads; the draft command
// prints it in its help.
const ArticleFormat = `DIR holds one file per source article, named by its citation number:
N.txt or N.html (N = 1, 2, ...). When both exist, N.txt is used.

N.txt is plain UTF-8 text:
  line 1          the article's title
  header lines    optional, right after the title, in any order:
                    URL: https://...
                    Publisher: Name of the publication
                    Published: 2026-03-10 (or 2026-03-10T08:00:00Z)
  a blank line, then the article's text; paragraphs separated by blank lines.

N.html is a web page: the title is taken from og:title, <title> or the first
<h1>; the URL from <link rel="canonical"> or og:url; the publisher from
og:site_name; the date from article:published_time or the first
<time datetime>; the text from the page body without scripts, styles and
navigation.`

var articleName = regexp.MustCompile(`^([0-9]+)\.(txt|html?)$`)

// maxArticleBytes bounds one article file.
const maxArticleBytes = 8 << 20

// LoadDir reads the articles of a story from dir (see ArticleFormat),
// ordered by number. Errors name the file.
func LoadDir(dir string) ([]Article, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[int]string{}
	for _, e := range entries {
		m := articleName.FindStringSubmatch(strings.ToLower(e.Name()))
		if m == nil || e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: articles are numbered from 1", filepath.Join(dir, e.Name()))
		}
		if prev, ok := files[n]; ok && strings.HasSuffix(strings.ToLower(prev), ".txt") {
			continue
		}
		files[n] = e.Name()
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no N.txt or N.html articles", dir)
	}
	ns := make([]int, 0, len(files))
	for n := range files {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	var out []Article
	for _, n := range ns {
		path := filepath.Join(dir, files[n])
		a, err := loadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		a.N = n
		out = append(out, a)
	}
	return out, nil
}

func loadFile(path string) (Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return Article{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxArticleBytes+1))
	if err != nil {
		return Article{}, err
	}
	if len(data) > maxArticleBytes {
		return Article{}, fmt.Errorf("larger than %d bytes", maxArticleBytes)
	}
	if strings.HasSuffix(strings.ToLower(path), ".txt") {
		return ParseText(data)
	}
	return ParseHTML(data)
}

// ParseText reads an article in the N.txt format of ArticleFormat.
func ParseText(data []byte) (Article, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return Article{}, fmt.Errorf("not UTF-8 text")
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) {
		return Article{}, fmt.Errorf("empty: want a title on the first line, then the text")
	}
	a := Article{Title: strings.TrimSpace(lines[i])}
	i++
headers:
	for ; i < len(lines); i++ {
		key, val, ok := strings.Cut(lines[i], ":")
		if !ok {
			break
		}
		val = strings.TrimSpace(val)
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "url":
			a.URL = val
		case "publisher":
			a.Publisher = val
		case "published", "date":
			t, err := parseDate(val)
			if err != nil {
				return Article{}, fmt.Errorf("line %d: %w", i+1, err)
			}
			a.Published = t
		default:
			break headers
		}
	}
	a.Text = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	if a.Text == "" {
		return Article{}, fmt.Errorf("no text after the title %q", a.Title)
	}
	return a, nil
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q: want YYYY-MM-DD or RFC 3339", s)
}

// ParseHTML reads an article from a web page (see ArticleFormat).
func ParseHTML(data []byte) (Article, error) {
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return Article{}, err
	}
	var a Article
	var title, h1, ogTitle, ogURL, canonical, published, timeAttr string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Title:
				if title == "" {
					title = textOf(n)
				}
			case atom.H1:
				if h1 == "" {
					h1 = textOf(n)
				}
			case atom.Meta:
				prop := strings.ToLower(attr(n, "property") + attr(n, "name"))
				content := strings.TrimSpace(attr(n, "content"))
				switch prop {
				case "og:title":
					ogTitle = content
				case "og:url":
					ogURL = content
				case "og:site_name":
					a.Publisher = content
				case "article:published_time", "date", "pubdate":
					published = content
				}
			case atom.Link:
				if strings.EqualFold(attr(n, "rel"), "canonical") {
					canonical = strings.TrimSpace(attr(n, "href"))
				}
			case atom.Time:
				if timeAttr == "" {
					timeAttr = attr(n, "datetime")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	a.Title = firstNonEmpty(ogTitle, h1, title)
	if a.Title == title && a.Publisher != "" {
		// "Headline | Site" titles lose the site name.
		for _, sep := range []string{" | ", " - ", " — "} {
			if i := strings.LastIndex(a.Title, sep); i > 0 && strings.TrimSpace(a.Title[i+len(sep):]) == a.Publisher {
				a.Title = strings.TrimSpace(a.Title[:i])
			}
		}
	}
	a.URL = firstNonEmpty(canonical, ogURL)
	if d := firstNonEmpty(published, timeAttr); d != "" {
		if t, err := parseDate(d); err == nil {
			a.Published = t
		}
	}
	text, err := fidelity.HTMLText(bytes.NewReader(data))
	if err != nil {
		return Article{}, err
	}
	a.Text = strings.TrimSpace(text)
	if a.Text == "" {
		return Article{}, fmt.Errorf("the page has no text")
	}
	return a, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
