package web

import (
	"context"
	"slices"
	"strings"
	"time"

	"legists/internal/brief"
)

const (
	pageSize   = 20
	searchSize = 10
)

func latestModified(bs []brief.Brief) time.Time {
	var t time.Time
	for _, b := range bs {
		m := b.UpdatedAt
		if m.IsZero() && b.PublishedAt != nil {
			m = *b.PublishedAt
		}
		if m.After(t) {
			t = m
		}
	}
	return t
}

func (s *Server) common(title, section string) Common {
	return Common{Title: title, Section: section, Now: time.Now()}
}

// stayFor is the subscribe box: the brief's topics and firms pre-ticked,
// or on other pages the practice areas.
func (s *Server) stayFor(ctx context.Context, b *brief.Brief) stayTuned {
	firms, topics, idx := s.directory(ctx)
	_ = firms
	var st stayTuned
	if b == nil {
		for _, t := range topics {
			if t.Kind == brief.TopicPracticeArea {
				st.Topics = append(st.Topics, choice{Slug: t.Slug, Name: t.Name})
			}
		}
		return st
	}
	for _, name := range b.Topics {
		// Only the taxonomy's topics: the newsletter drops other values,
		// so a box for one would promise what the digest cannot keep.
		slug := s.topicSlug(topics, name)
		if slices.ContainsFunc(topics, func(t brief.Topic) bool { return t.Slug == slug }) {
			st.Topics = append(st.Topics, choice{Slug: slug, Name: name, Checked: true})
		}
	}
	for _, name := range b.Firms {
		if _, ok := idx[strings.ToLower(strings.TrimSpace(name))]; !ok {
			continue // not in the directory: the newsletter cannot follow it
		}
		slug, display := s.firmSlug(idx, name)
		st.Firms = append(st.Firms, choice{Slug: slug, Name: display, Checked: true})
	}
	return st
}

func (s *Server) topicSlug(topics []brief.Topic, name string) string {
	for _, t := range topics {
		if strings.EqualFold(t.Name, name) || t.Slug == name {
			return t.Slug
		}
	}
	return brief.Slugify(name)
}

// firmSlug resolves a firm name as tagged on a brief (the directory name
// or an alias) to its directory slug and display name.
func (s *Server) firmSlug(idx map[string]brief.Firm, name string) (slug, display string) {
	if f, ok := idx[strings.ToLower(strings.TrimSpace(name))]; ok {
		return f.Slug, name
	}
	return brief.Slugify(name), name
}
