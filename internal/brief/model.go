// Package brief is the domain model of Legists: a brief in three fixed
// sections, every paragraph cited to numbered sources, tagged with firms and
// topics. It parses and renders the house text format and the editing format
// (Markdown with [n] citations). It imports no database or web code.
package brief

import (
	"slices"
	"time"
)

// The three questions every brief answers, in this order.
const (
	HeadingHappened = "What just happened?"
	HeadingMeaning  = "What does this mean?"
	HeadingLegal    = "How will this affect the legal sector?"
)

// Headings lists the three section headings in their required order.
var Headings = [3]string{HeadingHappened, HeadingMeaning, HeadingLegal}

// Status is a brief's place in the editorial workflow.
type Status string

// Workflow states.
const (
	StatusDraft     Status = "draft"
	StatusReview    Status = "review"
	StatusPublished Status = "published"
)

// Valid reports whether s is one of the workflow states.
func (s Status) Valid() bool {
	return s == StatusDraft || s == StatusReview || s == StatusPublished
}

// Brief is one short, sourced story for the legal sector.
type Brief struct {
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Byline      string     `json:"byline"`
	Status      Status     `json:"status,omitempty"`
	PublishedAt *time.Time `json:"published_at"`
	Sections    []Section  `json:"sections"`
	Firms       []string   `json:"firms"`
	Topics      []string   `json:"topics"`
	Sources     []Source   `json:"sources"`
	// UpdatedAt is set by storage; zero for a brief that was only parsed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Section is one of the three fixed questions and its paragraphs.
type Section struct {
	Heading    string      `json:"heading"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Paragraph is running text without citation markers, and the spans of that
// text each marker covered.
type Paragraph struct {
	Text  string `json:"text"`
	Spans []Span `json:"spans,omitempty"`
}

// Span is a run of a paragraph's text, [Start, End) in bytes, cited to the
// sources numbered in Citations. In the house format a marker cites the text
// since the previous marker of the same paragraph.
type Span struct {
	Start     int   `json:"start"`
	End       int   `json:"end"`
	Citations []int `json:"citations"`
}

// Citations returns the distinct source numbers cited anywhere in the
// paragraph, in order of first appearance.
func (p Paragraph) Citations() []int {
	out := []int{}
	for _, s := range p.Spans {
		for _, n := range s.Citations {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// Uncited returns the text of the paragraph not covered by any span, trimmed;
// empty when every part of the paragraph carries a citation.
func (p Paragraph) Uncited() string {
	end := 0
	for _, s := range p.Spans {
		if s.End > end {
			end = s.End
		}
	}
	if end >= len(p.Text) {
		return ""
	}
	return trimSpace(p.Text[end:])
}

// Source is an article a brief cites, numbered from 1 within the brief.
type Source struct {
	N         int        `json:"n"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Publisher string     `json:"publisher"`
	FetchedAt *time.Time `json:"fetched_at,omitempty"`
	// Text is the archived plain text of the article, when known.
	Text string `json:"text,omitempty"`
	// ContentHash is the hex SHA-256 of Text.
	ContentHash string `json:"content_hash,omitempty"`
}

// Source returns the source numbered n, or false.
func (b *Brief) Source(n int) (Source, bool) {
	for _, s := range b.Sources {
		if s.N == n {
			return s, true
		}
	}
	return Source{}, false
}

// Citations returns every source number cited in the brief, in order of
// first appearance.
func (b *Brief) Citations() []int {
	out := []int{}
	for _, sec := range b.Sections {
		for _, p := range sec.Paragraphs {
			for _, n := range p.Citations() {
				if !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// Firm is a law firm of the directory.
type Firm struct {
	Name          string   `json:"name"`
	Slug          string   `json:"slug"`
	Aliases       []string `json:"aliases,omitempty"`
	PracticeAreas []string `json:"practice_areas,omitempty"`
	Jurisdictions []string `json:"jurisdictions,omitempty"`
	Website       string   `json:"website,omitempty"`
}

// TopicKind separates the two axes of the one taxonomy.
type TopicKind string

// Topic kinds.
const (
	TopicPracticeArea TopicKind = "practice-area"
	TopicJurisdiction TopicKind = "jurisdiction"
)

// Topic is a practice area or a jurisdiction.
type Topic struct {
	Name     string    `json:"name"`
	Slug     string    `json:"slug"`
	Kind     TopicKind `json:"kind"`
	Keywords []string  `json:"keywords,omitempty"`
}

// Role is what an author may do at the editor's desk.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleAuthor Role = "author"
)

// Author is a person who writes or edits briefs.
type Author struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  Role   `json:"role"`
}
