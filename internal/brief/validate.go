package brief

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// Validate checks the invariants every stored brief keeps: a slug and a
// title, the three sections in order with at least one paragraph each,
// spans inside their paragraph and in order, citation and source numbers
// from 1, and a known status. It reports every problem at once.
func (b *Brief) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if strings.TrimSpace(b.Title) == "" {
		add("title: empty")
	}
	if b.Slug == "" {
		add("slug: empty")
	} else if Slugify(b.Slug) != b.Slug {
		add("slug %q: expected lower-case letters, digits and hyphens, such as %q", b.Slug, Slugify(b.Slug))
	}
	if b.Byline != "" && (endsLikeSentence(b.Byline) || strings.ContainsAny(b.Byline, "\r\n")) {
		add("byline %q: one line that does not end like a sentence", b.Byline)
	}
	if b.Status != "" && !b.Status.Valid() {
		add("status %q: expected draft, review or published", b.Status)
	}
	if len(b.Sections) != len(Headings) {
		add("sections: expected %d (%q, %q, %q), found %d", len(Headings), Headings[0], Headings[1], Headings[2], len(b.Sections))
	}
	for si, sec := range b.Sections {
		if si < len(Headings) && sec.Heading != Headings[si] {
			add("section %d: expected the heading %q, found %q", si+1, Headings[si], sec.Heading)
		}
		if len(sec.Paragraphs) == 0 {
			add("section %d (%q): no paragraphs", si+1, sec.Heading)
		}
		for pi, p := range sec.Paragraphs {
			if strings.TrimSpace(p.Text) == "" {
				add("section %d, paragraph %d: empty text", si+1, pi+1)
			}
			prev := 0
			for _, s := range p.Spans {
				if s.Start < prev || s.End < s.Start || s.End > len(p.Text) {
					add("section %d, paragraph %d: citation span %d-%d out of order or outside the text (%d bytes)", si+1, pi+1, s.Start, s.End, len(p.Text))
					break
				}
				if len(s.Citations) == 0 {
					add("section %d, paragraph %d: a citation span with no source number", si+1, pi+1)
				}
				for _, n := range s.Citations {
					if n < 1 || n > maxCitation {
						add("section %d, paragraph %d: citation %d out of range 1-%d", si+1, pi+1, n, maxCitation)
					}
				}
				prev = s.End
			}
		}
	}
	seen := map[int]bool{}
	for _, s := range b.Sources {
		if s.N < 1 || s.N > maxCitation {
			add("source %d: number out of range 1-%d", s.N, maxCitation)
		}
		if seen[s.N] {
			add("source %d: listed twice", s.N)
		}
		if s.URL != "" && !IsWebURL(s.URL) {
			add("source %d: the link %q is not a web address: only http:// and https:// links are allowed", s.N, clip(s.URL))
		}
		seen[s.N] = true
	}
	return errors.Join(errs...)
}

// IsWebURL reports whether raw is an absolute http:// or https:// URL with
// a host: the only links a brief may cite (not javascript:, data: or
// file:).
func IsWebURL(raw string) bool {
	if raw != strings.TrimSpace(raw) || strings.ContainsFunc(raw, unicode.IsControl) {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return (scheme == "http" || scheme == "https") && u.Host != "" && u.Opaque == ""
}
