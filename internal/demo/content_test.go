package demo

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"legists/internal/directory" // time zones without relying on the host's zoneinfo
)

// taxonomy is the one taxonomy of practice areas and jurisdictions: the
// directory's, which the site and the newsletter offer.
var taxonomy = func() []string {
	var out []string
	for _, t := range directory.Topics() {
		out = append(out, t.Name)
	}
	return out
}()

// firms are the directory names the demo briefs may tag, spelled exactly.
var firms = []string{
	"Herbert Smith Freehills LLP", "Skadden, Arps, Slate, Meagher & Flom (UK) LLP", "Three Crowns LLP",
	"White & Case LLP", "WilmerHale", "Allen & Overy LLP", "Clifford Chance LLP",
	"Debevoise & Plimpton LLP", "Freshfields Bruckhaus Deringer LLP", "Hogan Lovells International LLP",
	"Latham & Watkins", "Quinn Emanuel Urquhart & Sullivan, LLP", "Linklaters LLP", "Slaughter and May",
	"Baker McKenzie", "DLA Piper", "Norton Rose Fulbright", "Kirkland & Ellis LLP",
	"Sullivan & Cromwell LLP", "Cleary Gottlieb Steen & Hamilton LLP", "Davis Polk & Wardwell LLP",
	"Gibson, Dunn & Crutcher LLP", "Covington & Burling LLP", "Hengeler Mueller", "Gleiss Lutz",
	"Bredin Prat", "Gide Loyrette Nouel", "King & Wood Mallesons", "Ashurst LLP",
	"Simmons & Simmons LLP", "Bird & Bird LLP", "Mayer Brown", "Jones Day", "Sidley Austin LLP",
	"Dentons", "CMS Cameron McKenna Nabarro Olswang LLP", "Eversheds Sutherland", "Pinsent Masons LLP", "Macfarlanes LLP",
	"Travers Smith LLP",
}

var headings = []string{
	"What just happened?",
	"What does this mean?",
	"How will this affect the legal sector?",
}

// demoNow is the "today" of the demo: briefs fall in the eight weeks before
// it, events after it.
var demoNow = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// markerRun matches a run of citation markers, "(1)", "(1, 2)" or "(1)(2)",
// standing as a word of its own. "Article 5(1)" and "(EU) 2016/679" do not
// match: the first is glued to a word, the second holds no number list.
var markerRun = regexp.MustCompile(`(?:^|\s)((?:\(\d+(?:\s*,\s*\d+)*\))+)(?:\s|$)`)
var markerNums = regexp.MustCompile(`\d+`)

// numberToken finds figures: "4.1", "1,280", "2016", "9".
var numberToken = regexp.MustCompile(`\d(?:[\d,.]*\d)?`)

type span struct {
	text  string
	cites []int
}

type paragraph struct {
	text  string
	spans []span
}

type houseBrief struct {
	title    string
	sections [3][]paragraph
	byline   string
	firms    []string
}

// parseHouse is a deliberately small reader of the house format, enough to
// hold the demo content to it; the real parser lives in the brief package.
func parseHouse(data string) (*houseBrief, error) {
	lines := strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n")
	b := &houseBrief{}
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) {
		return nil, fmt.Errorf("empty file")
	}
	b.title = strings.TrimSpace(lines[i])
	i++

	// Split the rest into paragraphs, remembering headings and the firms line.
	sec := -1
	var cur []string
	var tail []string // paragraphs of the last section, byline included
	flush := func() {
		if len(cur) == 0 {
			return
		}
		p := strings.Join(cur, " ")
		cur = nil
		switch {
		case sec < 0:
			tail = append(tail, p) // text before the first heading: an error below
		case sec < 2:
			b.sections[sec] = append(b.sections[sec], paragraph{text: p})
		default:
			tail = append(tail, p)
		}
	}
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if h := slices.IndexFunc(headings, func(h string) bool { return strings.EqualFold(h, line) }); h >= 0 {
			flush()
			if h != sec+1 {
				return nil, fmt.Errorf("line %d: heading %q out of order", i+1, line)
			}
			if sec < 0 && len(tail) > 0 {
				return nil, fmt.Errorf("line %d: text between title and first heading", i+1)
			}
			sec = h
			continue
		}
		if line == "Assessing Firms:" {
			flush()
			if sec != 2 {
				return nil, fmt.Errorf("line %d: Assessing Firms: before the three headings", i+1)
			}
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) == ""; i++ {
			}
			if i == len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[i]), "#") {
				return nil, fmt.Errorf("no hashtag line after Assessing Firms:")
			}
			for _, f := range strings.Split(strings.TrimSpace(lines[i])[1:], " #") {
				b.firms = append(b.firms, strings.TrimSpace(f))
			}
			for i++; i < len(lines); i++ {
				if strings.TrimSpace(lines[i]) != "" {
					return nil, fmt.Errorf("line %d: text after the hashtag line", i+1)
				}
			}
			break
		}
		if line == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	if sec != 2 {
		return nil, fmt.Errorf("missing heading %q", headings[sec+1])
	}
	if b.firms == nil {
		return nil, fmt.Errorf("missing Assessing Firms:")
	}
	if len(tail) < 2 {
		return nil, fmt.Errorf("last section needs paragraphs and a byline")
	}
	b.byline = tail[len(tail)-1]
	for _, p := range tail[:len(tail)-1] {
		b.sections[2] = append(b.sections[2], paragraph{text: p})
	}
	for s := range b.sections {
		for k := range b.sections[s] {
			p := &b.sections[s][k]
			p.spans = splitSpans(p.text)
		}
	}
	return b, nil
}

// splitSpans cuts a paragraph at its marker runs: each marker cites the text
// since the previous marker. Trailing text without a marker gets a span with
// no citations.
func splitSpans(p string) []span {
	var out []span
	prev := 0
	for _, m := range markerRun.FindAllStringSubmatchIndex(p, -1) {
		var cites []int
		for _, d := range markerNums.FindAllString(p[m[2]:m[3]], -1) {
			n, _ := strconv.Atoi(d)
			cites = append(cites, n)
		}
		out = append(out, span{text: strings.TrimSpace(p[prev:m[2]]), cites: cites})
		prev = m[3]
	}
	if rest := strings.TrimSpace(p[prev:]); rest != "" {
		out = append(out, span{text: rest})
	}
	return out
}

func numbersIn(s string) []string {
	var out []string
	for _, t := range numberToken.FindAllString(s, -1) {
		out = append(out, strings.ReplaceAll(t, ",", ""))
	}
	return out
}

func wordCount(s string) int { return len(strings.Fields(s)) }

func TestManifest(t *testing.T) {
	entries, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 14 {
		t.Errorf("manifest lists %d briefs, want at least 14", len(entries))
	}
	status := map[string]int{}
	slugs := map[string]bool{}
	weeks := map[int]int{}
	for _, e := range entries {
		if e.Slug == "" || slugs[e.Slug] {
			t.Errorf("slug %q empty or repeated", e.Slug)
		}
		slugs[e.Slug] = true
		if want := "briefs/" + e.Slug + ".txt"; e.File != want {
			t.Errorf("%s: file %q, want %q", e.Slug, e.File, want)
		}
		if _, err := fs.Stat(Files(), e.File); err != nil {
			t.Errorf("%s: %v", e.Slug, err)
		}
		if e.PublishedAt.IsZero() || !e.PublishedAt.Before(demoNow) || e.PublishedAt.Before(demoNow.AddDate(0, 0, -56)) {
			t.Errorf("%s: published_at %v not in the 8 weeks before %v", e.Slug, e.PublishedAt, demoNow)
		}
		weeks[int(demoNow.Sub(e.PublishedAt).Hours()/(24*7))]++
		switch e.Status {
		case "draft", "review", "published":
			status[e.Status]++
		default:
			t.Errorf("%s: status %q", e.Slug, e.Status)
		}
		if len(e.Topics) == 0 {
			t.Errorf("%s: no topics", e.Slug)
		}
		for _, tp := range e.Topics {
			if !slices.Contains(taxonomy, tp) {
				t.Errorf("%s: topic %q not in the taxonomy", e.Slug, tp)
			}
		}
	}
	if status["draft"] < 2 || status["review"] < 1 {
		t.Errorf("statuses %v: want at least 2 drafts and 1 in review", status)
	}
	if len(weeks) < 6 {
		t.Errorf("briefs fall in %d distinct weeks, want a spread", len(weeks))
	}
	// Every brief file is listed.
	files, _ := fs.Glob(Files(), "briefs/*.txt")
	for _, f := range files {
		if !slugs[strings.TrimSuffix(path.Base(f), ".txt")] {
			t.Errorf("%s is not in manifest.json", f)
		}
	}
}

func TestBriefs(t *testing.T) {
	entries, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, e := range entries {
		t.Run(e.Slug, func(t *testing.T) {
			data, err := Brief(e.Slug)
			if err != nil {
				t.Fatal(err)
			}
			b, err := parseHouse(string(data))
			if err != nil {
				t.Fatal(err)
			}
			if b.title == "" || strings.HasSuffix(b.title, ".") {
				t.Errorf("title %q", b.title)
			}
			if b.byline == "" || markerRun.MatchString(b.byline) || wordCount(b.byline) > 5 {
				t.Errorf("byline %q", b.byline)
			}

			// Sources: each file parses, is plausible, and predates the brief.
			srcs, err := Sources(e.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if len(srcs) < 2 || len(srcs) > 5 {
				t.Errorf("%d sources, want 2-5", len(srcs))
			}
			byN := map[int]Source{}
			for _, s := range srcs {
				byN[s.N] = s
				u, err := url.Parse(s.URL)
				if err != nil || u.Scheme != "https" || !strings.HasSuffix(u.Hostname(), ".example") {
					t.Errorf("source %d: URL %q is not https on a .example host", s.N, s.URL)
				}
				if other, dup := urls[s.URL]; dup {
					t.Errorf("source %d: URL also used by %s", s.N, other)
				}
				urls[s.URL] = fmt.Sprintf("%s/%d", e.Slug, s.N)
				if s.Published.After(e.PublishedAt) {
					t.Errorf("source %d published %v, after the brief (%v)", s.N, s.Published, e.PublishedAt)
				}
				if w := wordCount(s.Text); w < 150 || w > 400 {
					t.Errorf("source %d: %d words, want 150-400", s.N, w)
				}
			}

			// Structure, citations and the figures each citation vouches for.
			words := 0
			cited := map[int]bool{}
			for si, sec := range b.sections {
				if len(sec) < 1 || len(sec) > 3 {
					t.Errorf("section %q: %d paragraphs, want 1-3", headings[si], len(sec))
				}
				for pi, p := range sec {
					last := p.spans[len(p.spans)-1]
					if len(last.cites) == 0 {
						t.Errorf("section %d paragraph %d does not end with a citation marker: %q", si, pi, last.text)
					}
					for _, sp := range p.spans {
						words += wordCount(sp.text)
						if sp.text == "" {
							t.Errorf("section %d paragraph %d: marker with no text before it", si, pi)
						}
						var corpus []string
						for _, n := range sp.cites {
							cited[n] = true
							s, ok := byN[n]
							if !ok {
								t.Errorf("citation (%d) has no sources/%s/%d.txt", n, e.Slug, n)
								continue
							}
							corpus = append(corpus, numbersIn(s.Text)...)
						}
						if len(corpus) == 0 {
							continue
						}
						for _, num := range numbersIn(sp.text) {
							if !slices.Contains(corpus, num) {
								t.Errorf("section %d paragraph %d: figure %q is not in cited source(s) %v: %q", si, pi, num, sp.cites, sp.text)
							}
						}
					}
				}
			}
			if words < 200 || words > 400 {
				t.Errorf("%d words in the three sections, want 200-400", words)
			}
			for n := range byN {
				if !cited[n] {
					t.Errorf("sources/%s/%d.txt is never cited", e.Slug, n)
				}
			}

			// Firms: 3-8 real names from the directory, never in the prose.
			if len(b.firms) < 3 || len(b.firms) > 8 {
				t.Errorf("%d firms tagged, want 3-8", len(b.firms))
			}
			for _, f := range b.firms {
				if !slices.Contains(firms, f) {
					t.Errorf("firm %q is not a directory name", f)
				}
			}
			texts := []string{b.title}
			for _, sec := range b.sections {
				for _, p := range sec {
					texts = append(texts, p.text)
				}
			}
			for _, s := range srcs {
				texts = append(texts, s.Title, s.Text)
			}
			for _, f := range firms {
				re := regexp.MustCompile(`\b` + regexp.QuoteMeta(firmCore(f)) + `\b`)
				for _, txt := range texts {
					if re.MatchString(txt) {
						t.Errorf("firm %q is named in the text; firms belong only in the hashtags", f)
						break
					}
				}
			}
		})
	}
}

// firmCore drops the legal-form suffix: "Skadden, Arps, Slate, Meagher & Flom (UK) LLP"
// gives "Skadden, Arps, Slate, Meagher & Flom".
func firmCore(name string) string {
	for _, suf := range []string{" (UK) LLP", ", LLP", " LLP"} {
		if c, ok := strings.CutSuffix(name, suf); ok {
			return c
		}
	}
	return name
}

func TestEvents(t *testing.T) {
	events, err := Events()
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 6 {
		t.Errorf("%d events, want at least 6", len(events))
	}
	for _, ev := range events {
		if ev.Title == "" || ev.Description == "" {
			t.Errorf("event %q: empty title or description", ev.Title)
		}
		loc, err := time.LoadLocation(ev.TimeZone)
		if err != nil || ev.TimeZone == "" || ev.TimeZone == "Local" {
			t.Errorf("event %q: time zone %q: %v", ev.Title, ev.TimeZone, err)
			continue
		}
		if !ev.StartsAt.After(demoNow) {
			t.Errorf("event %q starts %v, not after %v", ev.Title, ev.StartsAt, demoNow)
		}
		if !ev.EndsAt.After(ev.StartsAt) {
			t.Errorf("event %q ends %v, not after it starts %v", ev.Title, ev.EndsAt, ev.StartsAt)
		}
		// The written offsets agree with the zone's rules at that instant.
		for _, at := range []time.Time{ev.StartsAt, ev.EndsAt} {
			_, want := at.In(loc).Zone()
			if _, got := at.Zone(); got != want {
				t.Errorf("event %q: offset %ds at %v, but %s has %ds", ev.Title, got, at, ev.TimeZone, want)
			}
		}
		if (ev.Place == "") == (ev.OnlineURL == "") {
			t.Errorf("event %q: want exactly one of place and online_url", ev.Title)
		}
		if ev.OnlineURL != "" {
			u, err := url.Parse(ev.OnlineURL)
			if err != nil || u.Scheme != "https" || !strings.HasSuffix(u.Hostname(), ".example") {
				t.Errorf("event %q: online_url %q is not https on a .example host", ev.Title, ev.OnlineURL)
			}
		}
		for _, tp := range ev.Topics {
			if !slices.Contains(taxonomy, tp) {
				t.Errorf("event %q: topic %q not in the taxonomy", ev.Title, tp)
			}
		}
	}
}

func TestParseSourceErrors(t *testing.T) {
	good := "Title: T\nURL: https://a.example/x\nPublisher: P\nPublished: 2026-10-01T00:00:00Z\n\nText."
	if _, err := ParseSource(1, []byte(good)); err != nil {
		t.Fatalf("good source: %v", err)
	}
	if _, err := ParseSource(1, []byte(strings.ReplaceAll(good, "\n", "\r\n"))); err != nil {
		t.Fatalf("CRLF source: %v", err)
	}
	for name, bad := range map[string]string{
		"no blank line":  "Title: T\nURL: u\nPublisher: P\nPublished: 2026-10-01T00:00:00Z\nText.",
		"missing header": "Title: T\nURL: u\nPublished: 2026-10-01T00:00:00Z\n\nText.",
		"bad date":       "Title: T\nURL: u\nPublisher: P\nPublished: 1 October 2026\n\nText.",
		"no text":        "Title: T\nURL: u\nPublisher: P\nPublished: 2026-10-01T00:00:00Z\n\n  ",
	} {
		if _, err := ParseSource(1, []byte(bad)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSplitSpans(t *testing.T) {
	got := splitSpans(`Under Article 5(1) and Regulation (EU) 2016/679, A. (1) B (2, 3)(4)`)
	if len(got) != 2 || !slices.Equal(got[0].cites, []int{1}) || !slices.Equal(got[1].cites, []int{2, 3, 4}) {
		t.Fatalf("spans %+v", got)
	}
	if got[0].text != "Under Article 5(1) and Regulation (EU) 2016/679, A." {
		t.Errorf("first span %q", got[0].text)
	}
}
