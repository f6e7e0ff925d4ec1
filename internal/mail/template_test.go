package mail_test

import (
	"mime"
	"strings"
	"testing"
	"time"

	"legists/internal/mail"
	"legists/internal/mail/mailtest"
)

// TestTemplateMatchesBuild: every copy of a template reads back (headers
// and decoded parts) exactly as the message Build makes of the same
// content with the holes filled in, whatever the values and wherever the
// holes fall on a line.
func TestTemplateMatchesBuild(t *testing.T) {
	holes := []string{"HOLEaX", "HOLEbX", "HOLEcX"}
	long := strings.Repeat("word ", 30)
	content := mail.Content{
		From:            "Legists <newsletter@legists.example>",
		Subject:         "Legists daily: Tribunal — upholds a “designation” of a shipping group with a long title (+3 more)",
		Text:            "Intro: HOLEaX\n\n1. HOLEkX\n" + long + "\nAt the end of a long line " + long + "HOLEbX trailing \n\nUnsubscribe:\nHOLEcX\n",
		HTML:            "<p>HOLEaX</p>HOLEkX\n<p>" + long + "ünïcödé <a href=\"HOLEbX\">x</a> </p><p>HOLEcX</p>",
		ListUnsubscribe: "set per recipient",
		ListID:          "Legists digest <digest.legists.example>",
		Bulk:            true,
	}
	block := "A shared block, ünïcödé, " + long + "\n  with = signs "
	tmpl, err := mail.NewTemplate(content, holes, map[string]*mail.Chunk{"HOLEkX": mail.NewChunk(block)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
	for i, values := range [][]string{
		{"One new brief on Sanctions since your last digest.", "https://legists.example/preferences?token=AbC-_12", "https://legists.example/unsubscribe?token=xyz"},
		{"", "= equals =3D and spaces   ", strings.Repeat("long value with ünïcödé ", 10) + "\nand a second line"},
		{"a.b+c@example.org", " ", "x"},
	} {
		r := mail.Recipient{To: "reader" + string(rune('a'+i)) + "@example.org", MessageID: "digest.1.abc@legists.example",
			ListUnsubscribe: "https://legists.example/unsubscribe?token=t" + string(rune('a'+i)), Date: date, Values: values}
		got, err := tmpl.Message(r)
		if err != nil {
			t.Fatal(err)
		}
		c := content
		c.To, c.MessageID, c.ListUnsubscribe, c.Date = r.To, r.MessageID, r.ListUnsubscribe, r.Date
		fill := strings.NewReplacer(holes[0], values[0], holes[1], values[1], holes[2], values[2], "HOLEkX", block)
		c.Text, c.HTML = fill.Replace(c.Text), fill.Replace(c.HTML)
		want, err := mail.Build(c)
		if err != nil {
			t.Fatal(err)
		}
		if got.From != want.From || got.To != want.To || got.ID != want.ID {
			t.Errorf("envelope %q %q %q, want %q %q %q", got.From, got.To, got.ID, want.From, want.To, want.ID)
		}
		gp, err := mailtest.Message{Data: got.Data}.Parse()
		if err != nil {
			t.Fatalf("copy %d does not parse: %v\n%s", i, err, got.Data)
		}
		wp, err := mailtest.Message{Data: want.Data}.Parse()
		if err != nil {
			t.Fatal(err)
		}
		if gp.Text != wp.Text || gp.HTML != wp.HTML {
			t.Errorf("copy %d: parts differ:\n%q\n%q\nwant\n%q\n%q", i, gp.Text, gp.HTML, wp.Text, wp.HTML)
		}
		dec := new(mime.WordDecoder)
		for k := range wp.Header {
			if k == "Content-Type" {
				continue // the boundary differs
			}
			g, _ := dec.DecodeHeader(gp.Header.Get(k))
			w, _ := dec.DecodeHeader(wp.Header.Get(k))
			if g != w {
				t.Errorf("copy %d: %s: %q, want %q", i, k, g, w)
			}
		}
		if len(gp.Header) != len(wp.Header) {
			t.Errorf("copy %d: %d header fields, want %d", i, len(gp.Header), len(wp.Header))
		}
		for _, line := range strings.Split(string(got.Data), "\r\n") {
			if len(line) > 78 {
				t.Errorf("copy %d: line of %d bytes: %q", i, len(line), line)
			}
		}
	}
	// Templates sharing their skeleton (mail.Shared) write the same
	// bytes as each other and parse as the unshared one does.
	var sh mail.Shared
	r := mail.Recipient{To: "a@example.org", MessageID: "m@legists.example", ListUnsubscribe: "https://legists.example/u", Date: date,
		Values: []string{"a", "b", "c"}}
	var copies [][]byte
	for range 2 {
		st, err := mail.NewTemplate(content, holes, map[string]*mail.Chunk{"HOLEkX": mail.NewChunk(block)}, &sh)
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.Message(r)
		if err != nil {
			t.Fatal(err)
		}
		copies = append(copies, m.Data)
	}
	plain, err := tmpl.Message(r)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := mailtest.Message{Data: copies[0]}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	pp, _ := mailtest.Message{Data: plain.Data}.Parse()
	if string(copies[0]) != string(copies[1]) || sp.Text != pp.Text || sp.HTML != pp.HTML {
		t.Error("templates sharing their skeleton differ")
	}
	if _, err := tmpl.Message(mail.Recipient{To: "not an address"}); err == nil {
		t.Error("a bad address was accepted")
	}
	if _, err := mail.NewTemplate(content, []string{"HOLE", "HOLEaX"}, nil, nil); err == nil {
		t.Error("a hole inside another was accepted")
	}
}
