package brief

import (
	"strconv"
	"strings"
)

// Render writes b in the house text format. Parse(Render(b)) gives b back
// for any brief that Parse produced.
func Render(b *Brief) string {
	var w strings.Builder
	w.WriteString(b.Title)
	w.WriteString("\n\n")
	for _, sec := range b.Sections {
		w.WriteString("\n")
		w.WriteString(sec.Heading)
		w.WriteString("\n\n")
		for _, p := range sec.Paragraphs {
			w.WriteString(renderCited(p, "(", ")"))
			w.WriteString("\n\n")
		}
	}
	if b.Byline != "" {
		w.WriteString(b.Byline)
		w.WriteString("\n\n")
	}
	if len(b.Firms) > 0 {
		w.WriteString("Assessing Firms:\n\n")
		w.WriteString(renderHashtags(b.Firms))
		w.WriteString("\n\n")
	}
	if len(b.Topics) > 0 {
		w.WriteString("Topics:\n\n")
		w.WriteString(renderHashtags(b.Topics))
		w.WriteString("\n\n")
	}
	if len(b.Sources) > 0 {
		w.WriteString("Sources:\n\n")
		for _, s := range b.Sources {
			var parts []string
			for _, part := range []string{s.Title, s.Publisher, s.URL} {
				if part != "" {
					parts = append(parts, part)
				}
			}
			w.WriteString("(" + strconv.Itoa(s.N) + ") " + strings.Join(parts, " — "))
			w.WriteString("\n")
		}
	}
	return strings.TrimRight(w.String(), "\n") + "\n"
}

// renderCited writes paragraph text with a marker at the end of each span.
func renderCited(p Paragraph, open, close string) string {
	var w strings.Builder
	pos := 0
	for _, s := range p.Spans {
		if s.End < pos || s.End > len(p.Text) || len(s.Citations) == 0 {
			continue
		}
		w.WriteString(p.Text[pos:s.End])
		w.WriteString(" " + open)
		for i, n := range s.Citations {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(strconv.Itoa(n))
		}
		w.WriteString(close)
		pos = s.End
	}
	w.WriteString(p.Text[pos:])
	return w.String()
}

func renderHashtags(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "#" + n
	}
	return strings.Join(parts, " ")
}
