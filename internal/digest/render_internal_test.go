package digest

import (
	"strings"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
)

// TestHolesMatchTemplate: a digest rendered once with holes and filled in
// for a reader is byte for byte what the templates write with the
// reader's parts given to them (html/template escaping them), whatever
// the address, the names followed and the links hold.
func TestHolesMatchTemplate(t *testing.T) {
	now := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
	at := now.Add(-time.Hour)
	c := &Catalogue{Now: now, topicNames: map[string]string{"m-a": "M&A <deals>", "tax": "Tax 'n' \"duty\""},
		firmNames: map[string]string{"a-b": "A+B LLP"}, firmSlug: map[string]string{}, blocks: map[string]*block{}}
	for i, title := range []string{"Tribunal upholds a “designation”", "Fines & <penalties> + more"} {
		b := brief.Brief{Slug: "brief-" + string(rune('a'+i)), Title: title, PublishedAt: &at, Topics: []string{"M&A <deals>"},
			Sections: []brief.Section{{Paragraphs: []brief.Paragraph{{Text: "The court held that 'x' + \"y\" < z & w."}}}}}
		c.items = append(c.items, item{b: b, at: at, topics: []string{"m-a"}})
	}
	c.events = []store.Event{{Slug: "forum", Title: "Forum & <talks>", StartsAt: now.Add(48 * time.Hour), EndsAt: now.Add(50 * time.Hour), Place: "London"}}
	c.eventTopics = [][]string{{"m-a"}}
	tok, err := NewTokens([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	last := now.Add(-24 * time.Hour)
	for _, base := range []string{"https://legists.example", "https://legists.example/a b'c(d)", "http://127.0.0.1:8080"} {
		links := Links{Base: base, Tokens: tok}
		for i, sub := range []store.Subscriber{
			{ID: 1, Email: "first+tag@example.org", Frequency: store.Daily, Topics: []string{"m-a"}, Nonce: "n1"},
			{ID: 2, Email: "o'brien&co@example.org", Frequency: store.Weekly, Topics: []string{"m-a", "tax"}, Firms: []string{"a-b"}, Nonce: "n2", LastDigestAt: &last},
			{Email: "preview@example.org", Frequency: store.Daily},
		} {
			sel := c.Select(&sub, now.Add(-48*time.Hour), 20, 5)
			got, err := Render(c, &sub, sel, links)
			if err != nil {
				t.Fatal(err)
			}
			want, err := renderView(c, &sub, sel, links, true)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != want.Subject || got.Text != want.Text || got.HTML != want.HTML {
				t.Errorf("base %q, reader %d: the filled body differs from the template's:\n%s\nwant\n%s", base, i, got.HTML, want.HTML)
			}
			if strings.Contains(got.HTML, holePrefix) || strings.Contains(got.Text, holePrefix) {
				t.Errorf("reader %d: a hole is left", i)
			}
		}
	}
}
