package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"legists/internal/brief"
	"legists/internal/tag"
)

// firmView is a firm tagged on a brief, as a reader sees it: its name (the
// directory's current one when the brief uses a former name), its page, and
// why it is there, each reason linked to its evidence.
type firmView struct {
	Name, URL string
	// Tagged is the name the brief was tagged with, when it differs
	// ("Allen & Overy LLP" for A&O Shearman).
	Tagged  string
	Reasons []reasonView
}

type reasonView struct{ Text, URL string }

// briefTagger is a tagger over the site's directory, rebuilt when the
// directory is reloaded.
func (s *Server) briefTagger(ctx context.Context) *tag.Tagger {
	d := s.dirSnapshot(ctx)
	if d == nil {
		return tag.New(nil, nil)
	}
	d.taggerOnce.Do(func() { d.tagger = tag.New(d.firms, d.topics) })
	return d.tagger
}

// firmViews says why each firm of b is tagged. The reasons are computed at
// render from what is stored, the brief and its archived sources, by the
// same tagger the desk suggests firms with: named in the brief or in source
// n (linked to the archived copy), the practice areas and jurisdictions of
// the firm the brief is about (linked to the firm's page).
func (s *Server) firmViews(ctx context.Context, b *brief.Brief, archived map[int]string) []firmView {
	_, _, idx := s.directory(ctx)
	texts := map[int]string{}
	for _, src := range b.Sources {
		if strings.TrimSpace(src.Text) != "" {
			texts[src.N] = src.Text
		}
	}
	why := s.briefTagger(ctx).Explain(b, texts)
	var out []firmView
	for _, name := range b.Firms {
		slug, display := s.firmSlug(idx, name)
		fv := firmView{Name: display, URL: "/firms/" + url.PathEscape(slug)}
		f, known := idx[strings.ToLower(strings.TrimSpace(name))]
		if known && f.Name != strings.TrimSpace(name) {
			fv.Name, fv.Tagged = f.Name, name
		}
		ev := why[slug]
		if ev.InBrief {
			fv.Reasons = append(fv.Reasons, reasonView{Text: "named in this brief"})
		}
		for _, n := range ev.Sources {
			fv.Reasons = append(fv.Reasons, reasonView{Text: fmt.Sprintf("named in source %d", n), URL: archived[n]})
		}
		if len(ev.Areas) > 0 {
			fv.Reasons = append(fv.Reasons, reasonView{Text: "practises " + joinAnd(ev.Areas), URL: fv.URL})
		}
		if len(ev.Jurisdictions) > 0 {
			fv.Reasons = append(fv.Reasons, reasonView{Text: "based in " + joinAnd(ev.Jurisdictions), URL: fv.URL})
		}
		if len(fv.Reasons) == 0 {
			text := "assessed by the editors"
			if !known {
				text = "assessed by the editors; not in the firm directory"
			}
			fv.Reasons = append(fv.Reasons, reasonView{Text: text})
		}
		out = append(out, fv)
	}
	return out
}

// joinAnd writes "A", "A and B", "A, B and C".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
