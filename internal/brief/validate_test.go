package brief

import (
	"strings"
	"testing"
)

func TestValidateSourceURLs(t *testing.T) {
	b := &Brief{Slug: "s", Title: "T", Sections: []Section{
		{Heading: Headings[0], Paragraphs: []Paragraph{{Text: "a"}}},
		{Heading: Headings[1], Paragraphs: []Paragraph{{Text: "b"}}},
		{Heading: Headings[2], Paragraphs: []Paragraph{{Text: "c"}}},
	}}
	for _, bad := range []string{"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>x</script>", "file:///etc/passwd",
		"https://", "//example.com/x", "ftp://example.com/", " https://example.com/", "https://exa\x00mple.com/", "http:example.com"} {
		b.Sources = []Source{{N: 1, URL: bad}}
		err := b.Validate()
		if err == nil || !strings.Contains(err.Error(), "only http:// and https:// links") {
			t.Errorf("source URL %q: %v", bad, err)
		}
	}
	for _, good := range []string{"", "https://example.com/a?b=c", "HTTP://Example.com"} {
		b.Sources = []Source{{N: 1, URL: good}}
		if err := b.Validate(); err != nil {
			t.Errorf("source URL %q refused: %v", good, err)
		}
	}
}
