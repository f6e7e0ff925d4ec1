package source

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestReadOPML(t *testing.T) {
	f, err := os.Open("testdata/subscriptions.opml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o, err := ReadOPML(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(o.Title, "Müller") {
		t.Errorf("title %q: ISO-8859-1 not decoded", o.Title)
	}
	if len(o.Entries) != 4 || o.Skipped != 2 {
		t.Fatalf("entries %+v skipped %d", o.Entries, o.Skipped)
	}
	e := o.Entries[0]
	if e.Kind != KindFeed || e.URL != "https://gazette.example/feed.xml" || e.SiteURL != "https://gazette.example/" || e.Title != "Appeals Gazette" || e.Category != "Courts" {
		t.Errorf("entry 0 %+v", e)
	}
	if p := o.Entries[3]; p.Kind != KindPage || p.URL != "https://commission.example/press/decision-41" || p.Category != "Regulators" {
		t.Errorf("entry 3 %+v", p)
	}
}

func TestOPMLRoundTrip(t *testing.T) {
	in := []Source{
		{URL: "https://a.example/feed?x=1&y=2", Kind: KindFeed, Title: `A & "B"`, SiteURL: "https://a.example/"},
		{URL: "https://b.example/page", Kind: KindPage},
	}
	var buf bytes.Buffer
	if err := WriteOPML(&buf, "Legists", in, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	o, err := ReadOPML(&buf)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if o.Title != "Legists" || len(o.Entries) != 2 {
		t.Fatalf("%+v", o)
	}
	if o.Entries[0].URL != in[0].URL || o.Entries[0].Title != in[0].Title || o.Entries[0].Kind != KindFeed || o.Entries[0].SiteURL != in[0].SiteURL {
		t.Errorf("%+v", o.Entries[0])
	}
	if o.Entries[1].URL != in[1].URL || o.Entries[1].Kind != KindPage {
		t.Errorf("%+v", o.Entries[1])
	}
}

func TestReadOPMLRejects(t *testing.T) {
	for _, doc := range []string{"", "<rss version='2.0'></rss>", "<opml><body><outline", "not xml at all"} {
		if _, err := ReadOPML(strings.NewReader(doc)); err == nil {
			t.Errorf("ReadOPML(%q): no error", doc)
		}
	}
	deep := "<opml><body>" + strings.Repeat("<outline text='x'>", 200) + "</body></opml>"
	if _, err := ReadOPML(strings.NewReader(deep)); err == nil {
		t.Error("deep nesting accepted")
	}
}

func FuzzReadOPML(f *testing.F) {
	if b, err := os.ReadFile("testdata/subscriptions.opml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`<opml version="2.0"><head><title>t</title></head><body><outline type="link" url="http://x.example/"/></body></opml>`))
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1251"?><opml><body><outline xmlUrl="https://a.example/f" text="\xe0"/></body></opml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ReadOPML(bytes.NewReader(b))
		if err != nil {
			return
		}
		var srcs []Source
		for _, e := range o.Entries {
			if _, err := ParseURL(e.URL); err != nil {
				t.Fatalf("entry with bad URL %q", e.URL)
			}
			if !e.Kind.Valid() {
				t.Fatalf("entry with kind %q", e.Kind)
			}
			srcs = append(srcs, Source{URL: e.URL, Kind: e.Kind, Title: e.Title})
		}
		// What was read writes back and reads again to the same URLs.
		var buf bytes.Buffer
		if err := WriteOPML(&buf, o.Title, srcs, time.Time{}); err != nil {
			t.Fatal(err)
		}
		o2, err := ReadOPML(&buf)
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, buf.String())
		}
		if len(o2.Entries) != len(o.Entries) {
			t.Fatalf("re-read %d entries, want %d", len(o2.Entries), len(o.Entries))
		}
	})
}
