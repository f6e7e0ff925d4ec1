package fidelity

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var sourceName = regexp.MustCompile(`^([0-9]+)\.(txt|html?)$`)

// maxSourceBytes bounds one source file: archived articles are small, and
// a runaway file should not stall a check.
const maxSourceBytes = 8 << 20

// LoadSources reads the source texts of a brief from dir: N.txt (plain
// text) or N.html / N.htm (text extracted) for citation N. When both exist
// the plain text wins, being the archived extraction. Texts are returned
// as stored, metadata header included: Check skips the header.
func LoadSources(dir string) (map[int]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[int]string{}
	isText := map[int]bool{}
	for _, e := range entries {
		m := sourceName.FindStringSubmatch(strings.ToLower(e.Name()))
		if m == nil || e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 {
			continue
		}
		if isText[n] {
			continue
		}
		data, err := readFileLimited(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if m[2] == "txt" {
			out[n], isText[n] = string(data), true
			continue
		}
		text, err := HTMLText(strings.NewReader(string(data)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		out[n] = text
	}
	return out, nil
}

// headerKeys are the metadata fields an archived source file may open with
// ("Title: ...", "URL: ...", then a blank line, then the article).
var headerKeys = setOf("title", "url", "publisher", "published", "author", "authors", "byline",
	"date", "source", "updated", "modified", "language", "lang", "section", "canonical", "fetched", "archived")

// articleText returns a source text without its metadata header: a first
// block of "Key: value" lines with known keys, ended by a blank line. The
// header is about the article, not part of it: a title line is not a claim
// of the source and would only blur the alignment. Text without such a
// block is returned unchanged.
func articleText(text string) string {
	rest := strings.TrimPrefix(text, "\ufeff")
	lines := 0
	for rest != "" {
		line, after, found := strings.Cut(rest, "\n")
		line = strings.TrimSpace(line)
		if line == "" {
			if lines == 0 {
				rest = after
				continue
			}
			return after
		}
		key, _, ok := strings.Cut(line, ":")
		if !ok || !headerKeys[strings.ToLower(strings.TrimSpace(key))] {
			return text
		}
		lines++
		if !found {
			return "" // a header and no article
		}
		rest = after
	}
	return text
}

func readFileLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSourceBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSourceBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxSourceBytes)
	}
	return data, nil
}

// HTMLText extracts the readable text of an HTML page: scripts, styles and
// other non-content elements are dropped, and block elements become blank
// lines so that sentence splitting sees paragraph breaks.
func HTMLText(r io.Reader) (string, error) {
	z := html.NewTokenizer(r)
	var b strings.Builder
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return tidy(b.String()), nil
			}
			return "", z.Err()
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Body:
				skip = 0 // a head left unclosed ends here
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Head, atom.Nav, atom.Iframe, atom.Object:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case atom.P, atom.Div, atom.Br, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Li, atom.Tr, atom.Article, atom.Section, atom.Blockquote, atom.Header, atom.Footer,
				atom.Ul, atom.Ol, atom.Table, atom.Figure, atom.Figcaption, atom.Pre, atom.Hr, atom.Main:
				b.WriteString("\n\n")
			case atom.Td, atom.Th:
				b.WriteString(" ")
			}
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		}
	}
}

// tidy collapses runs of spaces within lines and of blank lines.
func tidy(s string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
