package api

import (
	"legists/internal/brief"
	"strings"
	"time"
)

// Paragraph is the contract's paragraph: text and the sources it cites;
// spans give the exact cited runs.
type Paragraph struct {
	Text      string       `json:"text"`
	Citations []int        `json:"citations"`
	Spans     []brief.Span `json:"spans,omitempty"`
}

// Section is one of the three questions.
type Section struct {
	Heading    string      `json:"heading"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Source is a cited article.
type Source struct {
	N         int        `json:"n"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Publisher string     `json:"publisher"`
	FetchedAt *time.Time `json:"fetched_at,omitempty"`
	// Text is accepted on writes (the archived article) and never sent.
	Text string `json:"text,omitempty"`
}

// Brief is the contract's brief JSON.
type Brief struct {
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Byline      string     `json:"byline"`
	Status      string     `json:"status,omitempty"`
	PublishedAt *time.Time `json:"published_at"`
	UpdatedAt   *time.Time `json:"updated_at,omitempty"`
	URL         string     `json:"url,omitempty"`
	Sections    []Section  `json:"sections"`
	Firms       []string   `json:"firms"`
	Topics      []string   `json:"topics"`
	Sources     []Source   `json:"sources"`
	// References are the legal references of the paragraphs (law.go);
	// ignored on writes.
	References []Reference `json:"references"`
}

// FromBrief converts a domain brief to the API shape.
func FromBrief(b *brief.Brief, baseURL string) Brief {
	out := Brief{Slug: b.Slug, Title: b.Title, Byline: b.Byline, Status: string(b.Status), PublishedAt: b.PublishedAt,
		Sections: []Section{}, Firms: nonNil(b.Firms), Topics: nonNil(b.Topics), Sources: []Source{}}
	if !b.UpdatedAt.IsZero() {
		t := b.UpdatedAt
		out.UpdatedAt = &t
	}
	if baseURL != "" && b.Slug != "" {
		out.URL = baseURL + "/briefs/" + b.Slug
	}
	for _, s := range b.Sections {
		sec := Section{Heading: s.Heading, Paragraphs: []Paragraph{}}
		for _, p := range s.Paragraphs {
			sec.Paragraphs = append(sec.Paragraphs, Paragraph{Text: p.Text, Citations: p.Citations(), Spans: p.Spans})
		}
		out.Sections = append(out.Sections, sec)
	}
	for _, s := range b.Sources {
		out.Sources = append(out.Sources, Source{N: s.N, URL: s.URL, Title: s.Title, Publisher: s.Publisher, FetchedAt: s.FetchedAt})
	}
	out.References = briefReferences(b)
	return out
}

// ToBrief converts the API shape to a domain brief. A paragraph with
// citations but no spans cites its whole text.
func (in Brief) ToBrief() *brief.Brief {
	b := &brief.Brief{Slug: strings.TrimSpace(in.Slug), Title: strings.TrimSpace(in.Title), Byline: strings.TrimSpace(in.Byline),
		Status: brief.Status(in.Status), PublishedAt: in.PublishedAt, Firms: in.Firms, Topics: in.Topics}
	for _, s := range in.Sections {
		sec := brief.Section{Heading: s.Heading}
		for _, p := range s.Paragraphs {
			bp := brief.Paragraph{Text: p.Text, Spans: p.Spans}
			if len(bp.Spans) == 0 && len(p.Citations) > 0 {
				bp.Spans = []brief.Span{{Start: 0, End: len(p.Text), Citations: p.Citations}}
			}
			sec.Paragraphs = append(sec.Paragraphs, bp)
		}
		b.Sections = append(b.Sections, sec)
	}
	for _, s := range in.Sources {
		b.Sources = append(b.Sources, brief.Source{N: s.N, URL: s.URL, Title: s.Title, Publisher: s.Publisher, FetchedAt: s.FetchedAt, Text: s.Text})
	}
	return b.Normalize()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// BriefList is a page of briefs.
type BriefList struct {
	Briefs []Brief `json:"briefs"`
	Next   string  `json:"next,omitempty"`
}
