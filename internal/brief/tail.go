package brief

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isTailLine reports lines that end the third section: the firm list, the
// topic list, the source list, or the site footer; t is trimmed.
func isTailLine(t string) bool {
	return trimmedTailKind(t) != ""
}

func tailKind(t string) string {
	return trimmedTailKind(strings.TrimSpace(t))
}

// trimmedTailKind is tailKind for t without white space at its ends.
func trimmedTailKind(t string) string {
	// The keywords start with "a", "s" and "t"; a line that starts with
	// another ASCII byte is none of them ("s" also folds to "ſ", which is
	// not ASCII).
	if t == "" {
		return ""
	}
	if c := t[0] | 0x20; t[0] < utf8.RuneSelf && c != 'a' && c != 's' && c != 't' {
		return ""
	}
	for _, k := range []string{"assessing firms", "topics", "sources", "stay tuned"} {
		if len(t) < len(k) || t[0] < utf8.RuneSelf && t[0]|0x20 != k[0] || !strings.EqualFold(t[:len(k)], k) {
			continue
		}
		rest := strings.ToLower(t[len(k):])
		rest = strings.TrimSpace(rest)
		switch k {
		case "assessing firms", "topics":
			// "Topics:" alone or followed by hashtags; not a sentence
			// that happens to start with the word
			if rest == "" || rest == ":" || (rest[0] == ':' && strings.HasPrefix(strings.TrimSpace(rest[1:]), "#")) {
				return k
			}
		case "sources":
			if rest == "" || rest == ":" {
				return k
			}
		case "stay tuned":
			if rest == "" || strings.ContainsAny(rest[:1], ":!.-") || strings.HasPrefix(rest, "—") || strings.HasPrefix(rest, "–") {
				return k
			}
		}
	}
	return ""
}

// isByline: a short paragraph with no citation marker that does not end
// like a sentence ("The Legists Content Team"). An uncited closing sentence
// stays a paragraph.
func isByline(rp rawParagraph) bool {
	return rp.m0 == rp.m1 && !moreFields(rp.text, 12) && !endsLikeSentence(rp.text)
}

// moreFields reports whether s has more than n fields as strings.Fields
// splits them, without making the list.
func moreFields(s string, n int) bool {
	fields := 0
	in := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
			continue
		}
		if !in {
			in = true
			if fields++; fields > n {
				return true
			}
		}
	}
	return false
}

func endsLikeSentence(s string) bool {
	s = strings.TrimRight(strings.TrimSpace(s), "\"”’'")
	return s != "" && strings.ContainsAny(s[len(s)-1:], ".!?")
}

// parseTail reads "Assessing Firms:", "Topics:" and "Sources:" blocks, and
// stops at "Stay Tuned".
func (p *houseParser) parseTail(b *Brief) error {
	var block string
	for ; !p.eof; p.next() {
		ln := line{n: p.n, text: p.cur()}
		t := strings.TrimSpace(ln.text)
		if t == "" {
			continue
		}
		if k := trimmedTailKind(t); k != "" {
			if k == "stay tuned" {
				return nil
			}
			block = k
			// hashtags may follow the colon on the same line
			_, rest, _ := strings.Cut(t, ":")
			t = strings.TrimSpace(rest)
			if t == "" {
				continue
			}
		}
		switch block {
		case "assessing firms", "topics":
			if !strings.HasPrefix(t, "#") {
				return &ParseError{Line: ln.n, Msg: fmt.Sprintf("expected hashtags such as \"#Firm Name #Other Firm LLP\" after %q, found %q", titleCase(block)+":", clip(t))}
			}
			tags := appendHashtags(p.tags[:0], t)
			p.tags = tags
			for i := range tags {
				tags[i] = p.keep(tags[i])
			}
			if block == "topics" {
				if b.Topics == nil {
					b.Topics = make([]string, 0, len(tags))
				}
				b.Topics = appendUnique(b.Topics, tags...)
			} else {
				if b.Firms == nil {
					b.Firms = make([]string, 0, len(tags))
				}
				b.Firms = appendUnique(b.Firms, tags...)
			}
		case "sources":
			src, err := parseSourceLine(t)
			if err != nil {
				return &ParseError{Line: ln.n, Msg: err.Error()}
			}
			if _, dup := b.Source(src.N); dup {
				return &ParseError{Line: ln.n, Msg: fmt.Sprintf("source (%d) is listed twice", src.N)}
			}
			src.URL, src.Title, src.Publisher = p.keep(src.URL), p.keep(src.Title), p.keep(src.Publisher)
			b.Sources = append(b.Sources, src)
		}
	}
	return nil
}

// appendHashtags appends to out the names of a hashtag line such as
// "#Herbert Smith Freehills LLP #Skadden, Arps ... LLP". A '#' starts a
// new name only at the start or after a space, so
// names keep commas, '&', parentheses and full stops.
func appendHashtags(out []string, t string) []string {
	start := -1
	for i := 0; i < len(t); i++ {
		if t[i] == '#' && (i == 0 || t[i-1] == ' ' || t[i-1] == '\t') {
			if start >= 0 {
				out = appendTag(out, t[start:i])
			}
			start = i + 1
		}
	}
	if start >= 0 {
		out = appendTag(out, t[start:])
	}
	return out
}

func appendTag(out []string, s string) []string {
	s = collapseSpace(s)
	if s == "" {
		return out
	}
	return append(out, s)
}

func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		dup := false
		for _, have := range list {
			if strings.EqualFold(have, it) {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, it)
		}
	}
	return list
}

// parseSourceLine reads "(n) Title — Publisher — https://url"; publisher
// and URL are optional.
func parseSourceLine(t string) (Source, error) {
	var src Source
	if !strings.HasPrefix(t, "(") {
		return src, fmt.Errorf("expected a source line such as \"(1) Title — Publisher — https://...\", found %q", clip(t))
	}
	end := strings.IndexByte(t, ')')
	n, err := atoiCitation(t[1:max(end, 1)])
	if end < 0 || err != nil {
		return src, fmt.Errorf("expected a source number such as (1) at the start of %q", clip(t))
	}
	src.N = n
	parts := strings.Split(strings.TrimSpace(t[end+1:]), " — ")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if last := parts[len(parts)-1]; looksLikeURL(last) {
		if !IsWebURL(last) {
			return src, fmt.Errorf("source (%d): %q is not a web address (http:// or https:// and a host)", n, clip(last))
		}
		src.URL = last
		parts = parts[:len(parts)-1]
	}
	if len(parts) >= 2 {
		src.Publisher = parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	src.Title = strings.Join(parts, " — ")
	return src, nil
}

func looksLikeURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

func atoiCitation(s string) (int, error) {
	n := 0
	if s == "" || len(s) > 3 {
		return 0, errors.New("not a citation number")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a citation number")
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 {
		return 0, errors.New("citation numbers start at 1")
	}
	return n, nil
}
