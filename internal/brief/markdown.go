package brief

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The editing format is the team's own: Markdown that any editor can write,
// with a small front matter, [n] citation markers and a numbered source list.
//
//	---
//	slug: the-nato-stalemate
//	status: draft
//	published_at: 2026-11-20T09:00:00Z
//	byline: The Legists Content Team
//	firms:
//	  - Clifford Chance LLP
//	topics:
//	  - Sanctions & Export Controls
//	---
//
//	# The NATO Stalemate
//
//	## What just happened?
//
//	The secretary-general ruled out ... [1]
//
//	## What does this mean?
//	...
//	## How will this affect the legal sector?
//	...
//	## Sources
//
//	1. [Title](https://example.org/a) — Publisher

// ParseMarkdown reads a brief in the editing format.
func ParseMarkdown(r io.Reader) (*Brief, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	return ParseMarkdownBytes(data)
}

// ParseMarkdownBytes is ParseMarkdown over a byte slice.
func ParseMarkdownBytes(data []byte) (*Brief, error) {
	lines, err := textLines(data)
	if err != nil {
		return nil, err
	}
	b := &Brief{}
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i].text) == "" {
		i++
	}
	if i < len(lines) && strings.TrimSpace(lines[i].text) == "---" {
		i, err = parseFrontMatter(lines, i+1, b)
		if err != nil {
			return nil, err
		}
	}
	for i < len(lines) && strings.TrimSpace(lines[i].text) == "" {
		i++
	}
	if i >= len(lines) {
		return nil, &ParseError{Line: lastTextLine(lines), Msg: "reached the end of the input: expected a title line \"# Title\""}
	}
	t := strings.TrimSpace(lines[i].text)
	title, ok := strings.CutPrefix(t, "# ")
	if !ok {
		return nil, &ParseError{Line: lines[i].n, Msg: fmt.Sprintf("expected a title line \"# Title\", found %q", clip(t))}
	}
	b.Title = collapseSpace(title)
	titleLine := lines[i].n
	i++

	section := -1 // 0..2 the three sections, 3 the source list
	var sectionLine [3]int
	var para []string
	paraLine := 0
	flush := func() error {
		if len(para) == 0 {
			return nil
		}
		raw := collapseSpace(strings.Join(para, " "))
		para = nil
		if section < 0 {
			return &ParseError{Line: paraLine, Msg: fmt.Sprintf("expected the heading \"## %s\" after the title, found %q", Headings[0], clip(raw))}
		}
		markers, nums, _ := editingMarkers.findMarkers(raw)
		p := splitCited(raw, markers, nums)
		if p.Text == "" {
			return &ParseError{Line: paraLine, Msg: fmt.Sprintf("the paragraph %q has citation markers but no text for them to cite", clip(raw))}
		}
		b.Sections[section].Paragraphs = append(b.Sections[section].Paragraphs, p)
		return nil
	}
	for ; i < len(lines); i++ {
		ln := lines[i]
		t := strings.TrimSpace(ln.text)
		if t == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		// "##" alone or "##" and a tab is a heading too: as paragraph text
		// it would render as a heading and not read back.
		if h, ok := strings.CutPrefix(collapseSpace(t)+" ", "## "); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			if strings.EqualFold(strings.TrimSpace(h), "Sources") {
				if section != 2 {
					return nil, &ParseError{Line: ln.n, Msg: fmt.Sprintf("expected the heading \"## %s\" before \"## Sources\"", Headings[section+1])}
				}
				section = 3
				continue
			}
			idx := headingIndex(h)
			if idx < 0 {
				return nil, &ParseError{Line: ln.n, Msg: fmt.Sprintf("unknown heading %q: expected one of the three questions or \"## Sources\"", clip(t))}
			}
			if idx != section+1 {
				return nil, (&houseParser{}).headingOrderError(ln, idx, section)
			}
			section = idx
			sectionLine[idx] = ln.n
			b.Sections = append(b.Sections, Section{Heading: Headings[idx]})
			continue
		}
		if section == 3 {
			src, err := parseMarkdownSource(t)
			if err != nil {
				return nil, &ParseError{Line: ln.n, Msg: err.Error()}
			}
			if _, dup := b.Source(src.N); dup {
				return nil, &ParseError{Line: ln.n, Msg: fmt.Sprintf("source %d is listed twice", src.N)}
			}
			b.Sources = append(b.Sources, src)
			continue
		}
		if len(para) == 0 {
			paraLine = ln.n
		}
		para = append(para, t)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if section < 2 {
		return nil, &ParseError{Line: lastTextLine(lines), Msg: fmt.Sprintf("reached the end of the input: expected the heading \"## %s\"", Headings[section+1])}
	}
	for s := range 3 {
		if len(b.Sections[s].Paragraphs) == 0 {
			return nil, &ParseError{Line: sectionLine[s], Msg: fmt.Sprintf("the section %q has no paragraphs", Headings[s])}
		}
	}
	if b.Slug == "" {
		b.Slug = Slugify(b.Title)
	}
	if b.Slug == "" {
		return nil, &ParseError{Line: titleLine, Msg: fmt.Sprintf("the title %q has no letters or digits to make a slug from", clip(b.Title))}
	}
	return b.Normalize(), nil
}

// parseFrontMatter reads "key: value" lines and "key:" lists of "- item"
// until the closing "---", and returns the index after it.
func parseFrontMatter(lines []line, i int, b *Brief) (int, error) {
	list := ""
	for ; i < len(lines); i++ {
		ln := lines[i]
		t := strings.TrimSpace(ln.text)
		if t == "---" {
			return i + 1, nil
		}
		if t == "" || strings.HasPrefix(t, "#") && list == "" {
			continue
		}
		if item, ok := strings.CutPrefix(t, "- "); ok {
			item = collapseSpace(item)
			switch list {
			case "firms":
				b.Firms = appendUnique(b.Firms, item)
			case "topics":
				b.Topics = appendUnique(b.Topics, item)
			default:
				return 0, &ParseError{Line: ln.n, Msg: "a list item here needs \"firms:\" or \"topics:\" above it"}
			}
			continue
		}
		key, val, ok := strings.Cut(t, ":")
		if !ok {
			return 0, &ParseError{Line: ln.n, Msg: fmt.Sprintf("expected \"key: value\" in the front matter, found %q", clip(t))}
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		list = ""
		switch key {
		case "slug":
			b.Slug = val
		case "title":
			b.Title = val
		case "byline":
			b.Byline = val
		case "status":
			st := Status(strings.ToLower(val))
			if !st.Valid() {
				return 0, &ParseError{Line: ln.n, Msg: fmt.Sprintf("status %q: expected draft, review or published", val)}
			}
			b.Status = st
		case "published_at", "published":
			if val == "" {
				continue
			}
			ts, err := ParseTime(val)
			if err != nil {
				return 0, &ParseError{Line: ln.n, Msg: fmt.Sprintf("published_at %q: expected a date such as 2026-11-20 or 2026-11-20T09:00:00Z", val)}
			}
			b.PublishedAt = &ts
		case "firms", "topics":
			list = key
			if val != "" {
				for _, item := range strings.Split(val, ";") {
					if item = collapseSpace(item); item != "" {
						if key == "firms" {
							b.Firms = appendUnique(b.Firms, item)
						} else {
							b.Topics = appendUnique(b.Topics, item)
						}
					}
				}
			}
		default:
			return 0, &ParseError{Line: ln.n, Msg: fmt.Sprintf("unknown front matter key %q: expected slug, byline, status, published_at, firms or topics", key)}
		}
	}
	return 0, &ParseError{Line: lines[len(lines)-1].n, Msg: "the front matter opened with \"---\" is never closed with \"---\""}
}

// ParseTime accepts RFC 3339 and plain dates (2026-11-20, 2026-11-20T09:00).
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

// parseMarkdownSource reads "1. [Title](url) — Publisher", "1. <url> —
// Publisher" or "1. Title — Publisher".
func parseMarkdownSource(t string) (Source, error) {
	var src Source
	num, rest, ok := strings.Cut(t, ". ")
	n, err := atoiCitation(num)
	if !ok || err != nil {
		return src, fmt.Errorf("expected a numbered source such as \"1. [Title](https://...) — Publisher\", found %q", clip(t))
	}
	src.N = n
	rest = strings.TrimSpace(rest)
	switch {
	case strings.HasPrefix(rest, "["):
		close := strings.LastIndex(rest, "](")
		end := -1
		if close > 0 {
			end = strings.IndexByte(rest[close:], ')')
		}
		if close < 0 || end < 0 {
			return src, fmt.Errorf("source %d: expected a link \"[Title](https://...)\"", n)
		}
		src.Title = strings.TrimSpace(rest[1:close])
		src.URL = strings.TrimSpace(rest[close+2 : close+end])
		rest = rest[close+end+1:]
	case strings.HasPrefix(rest, "<"):
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			return src, fmt.Errorf("source %d: expected \"<https://...>\"", n)
		}
		src.URL = rest[1:end]
		rest = rest[end+1:]
	default:
		title, after, _ := strings.Cut(rest, " — ")
		src.Title = strings.TrimSpace(title)
		rest = " — " + after
		if after == "" {
			rest = ""
		}
	}
	rest = strings.TrimSpace(rest)
	if p, ok := strings.CutPrefix(rest, "—"); ok {
		src.Publisher = strings.TrimSpace(p)
	} else if rest != "" {
		return src, fmt.Errorf("source %d: expected \" — Publisher\" after the link, found %q", n, clip(rest))
	}
	return src, nil
}

// RenderMarkdown writes b in the editing format; ParseMarkdown reads it back
// to the same brief.
func RenderMarkdown(b *Brief) string {
	var w strings.Builder
	w.WriteString("---\n")
	fmt.Fprintf(&w, "slug: %s\n", b.Slug)
	if b.Status != "" {
		fmt.Fprintf(&w, "status: %s\n", b.Status)
	}
	if b.PublishedAt != nil {
		fmt.Fprintf(&w, "published_at: %s\n", b.PublishedAt.UTC().Format(time.RFC3339))
	}
	if b.Byline != "" {
		fmt.Fprintf(&w, "byline: %s\n", b.Byline)
	}
	for _, l := range []struct {
		key   string
		items []string
	}{{"firms", b.Firms}, {"topics", b.Topics}} {
		if len(l.items) == 0 {
			continue
		}
		w.WriteString(l.key + ":\n")
		for _, it := range l.items {
			w.WriteString("  - " + it + "\n")
		}
	}
	w.WriteString("---\n\n# " + b.Title + "\n")
	for _, sec := range b.Sections {
		w.WriteString("\n## " + sec.Heading + "\n\n")
		for _, p := range sec.Paragraphs {
			w.WriteString(renderCited(p, "[", "]") + "\n\n")
		}
	}
	if len(b.Sources) > 0 {
		w.WriteString("## Sources\n\n")
		for _, s := range b.Sources {
			w.WriteString(strconv.Itoa(s.N) + ". ")
			switch {
			case s.URL != "":
				w.WriteString("[" + s.Title + "](" + s.URL + ")")
			default:
				w.WriteString(s.Title)
			}
			if s.Publisher != "" {
				w.WriteString(" — " + s.Publisher)
			}
			w.WriteString("\n")
		}
	}
	return strings.TrimRight(w.String(), "\n") + "\n"
}
