// Package demo holds the content a newcomer sees with `legists serve --demo`:
// briefs in the house text format, the archived source articles they cite, a
// manifest with dates, topics and workflow states, and upcoming events.
//
// The layout of Files():
//
//	manifest.json              []Entry
//	events.json                []Event
//	briefs/<slug>.txt          a brief in the house text format
//	sources/<slug>/<n>.txt     source n of that brief: Key: value headers
//	                           (Title, URL, Publisher, Published), a blank
//	                           line, then the article's plain text
//
// The events are fictional; the briefs report fictional events. This package
// only embeds and decodes the files; parsing briefs and checking them against
// their sources is the job of the brief and fidelity packages.
package demo

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed content
var content embed.FS

// Files returns the demo content, rooted so that "manifest.json" is at the top.
func Files() fs.FS {
	sub, err := fs.Sub(content, "content")
	if err != nil {
		panic(err) // "content" is embedded at build time; cannot happen
	}
	return sub
}

// Entry is one brief of manifest.json.
type Entry struct {
	Slug string `json:"slug"`
	// File is the brief's path within Files(), "briefs/<slug>.txt".
	File        string    `json:"file"`
	PublishedAt time.Time `json:"published_at"`
	// Topics are names from the one taxonomy: practice areas and jurisdictions.
	Topics []string `json:"topics"`
	// Status is "draft", "review" or "published". For drafts and briefs in
	// review, PublishedAt is the date the desk is working towards.
	Status string `json:"status"`
}

// Event is one entry of events.json. Exactly one of Place and OnlineURL is set.
type Event struct {
	Title       string    `json:"title"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	TimeZone    string    `json:"time_zone"`
	Place       string    `json:"place,omitempty"`
	OnlineURL   string    `json:"online_url,omitempty"`
	Topics      []string  `json:"topics"`
	Description string    `json:"description"`
}

// Source is an archived article that a demo brief cites as number N.
type Source struct {
	N         int
	Title     string
	URL       string
	Publisher string
	Published time.Time
	// Text is the article's plain text, without the header block.
	Text string
}

// Manifest decodes manifest.json.
func Manifest() ([]Entry, error) {
	var out []Entry
	if err := decodeJSON("manifest.json", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Events decodes events.json.
func Events() ([]Event, error) {
	var out []Event
	if err := decodeJSON("events.json", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Brief returns the house-format text of the brief with this slug.
func Brief(slug string) ([]byte, error) {
	return fs.ReadFile(Files(), path.Join("briefs", slug+".txt"))
}

// Sources returns the sources of the brief with this slug, ordered by number.
func Sources(slug string) ([]Source, error) {
	dir := path.Join("sources", slug)
	ents, err := fs.ReadDir(Files(), dir)
	if err != nil {
		return nil, err
	}
	var out []Source
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".txt") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(name, ".txt"))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("demo: %s/%s: file name is not a citation number", dir, name)
		}
		data, err := fs.ReadFile(Files(), path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		src, err := ParseSource(n, data)
		if err != nil {
			return nil, fmt.Errorf("demo: %s/%s: %w", dir, name, err)
		}
		out = append(out, src)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N < out[j].N })
	return out, nil
}

// ParseSource reads a source file: "Key: value" header lines up to the first
// blank line, then the article text. Title, URL, Publisher and Published
// (RFC 3339) are required; other keys are ignored.
func ParseSource(n int, data []byte) (Source, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	head, body, ok := strings.Cut(text, "\n\n")
	if !ok {
		return Source{}, fmt.Errorf("no blank line after the header block")
	}
	src := Source{N: n, Text: strings.TrimSpace(body)}
	seen := map[string]bool{}
	for i, line := range strings.Split(head, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return Source{}, fmt.Errorf("line %d: expected \"Key: value\", got %q", i+1, line)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if seen[key] {
			return Source{}, fmt.Errorf("line %d: header %q repeated", i+1, key)
		}
		seen[key] = true
		switch key {
		case "Title":
			src.Title = val
		case "URL":
			src.URL = val
		case "Publisher":
			src.Publisher = val
		case "Published":
			t, err := time.Parse(time.RFC3339, val)
			if err != nil {
				return Source{}, fmt.Errorf("line %d: Published: %w", i+1, err)
			}
			src.Published = t
		}
	}
	for _, k := range []string{"Title", "URL", "Publisher", "Published"} {
		if !seen[k] {
			return Source{}, fmt.Errorf("missing header %q", k)
		}
	}
	if src.Title == "" || src.URL == "" || src.Publisher == "" {
		return Source{}, fmt.Errorf("empty Title, URL or Publisher")
	}
	if src.Text == "" {
		return Source{}, fmt.Errorf("no article text")
	}
	return src, nil
}

func decodeJSON(name string, v any) error {
	data, err := fs.ReadFile(Files(), name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("demo: %s: %w", name, err)
	}
	return nil
}
