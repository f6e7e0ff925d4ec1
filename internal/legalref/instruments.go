package legalref

import "strings"

// Version numbers the recogniser's output: stores that keep an index of
// the instruments their documents cite rebuild it when it changes.
const Version = 1

// Cited is an instrument a document refers to, with how often and where.
type Cited struct {
	Slug         string `json:"slug"`
	Name         string `json:"name"`  // canonical name
	Title        string `json:"title"` // the name to show
	Kind         string `json:"kind"`  // the instrument's kind
	Jurisdiction string `json:"jurisdiction"`
	URL          string `json:"url"` // the official text, or ""
	Mentions     int    `json:"mentions"`
	// Pinpoints are the provisions cited, canonical, in order of first mention.
	Pinpoints []string `json:"pinpoints,omitempty"`
}

// InstrumentOf is the instrument a reference is to, as Cited (Mentions 0);
// ok is false for a provision whose instrument could not be resolved.
func InstrumentOf(r Reference) (Cited, bool) {
	if r.inst == nil || r.Slug == "" {
		return Cited{}, false
	}
	in := r.inst
	kind := in.Kind
	if r.Kind != KindProvision && kind == "" {
		kind = r.Kind
	}
	title := in.Title
	if title == "" {
		title = in.Canonical
	}
	return Cited{Slug: r.Slug, Name: in.Canonical, Title: title, Kind: kind, Jurisdiction: r.Jurisdiction, URL: in.URL}, true
}

// Paragraphs finds the references of a document made of paragraphs, read
// as one text (so "section 12 of that Act" in a later paragraph continues
// an Act named earlier); offsets are relative to each paragraph.
func Paragraphs(paras []string) [][]Reference {
	const sep = "\n\n"
	out := make([][]Reference, len(paras))
	starts := make([]int, len(paras))
	var b strings.Builder
	for i, p := range paras {
		if i > 0 {
			b.WriteString(sep)
		}
		starts[i] = b.Len()
		b.WriteString(p)
	}
	i := 0
	for _, r := range Find(b.String()) {
		for i+1 < len(paras) && r.Start >= starts[i+1] {
			i++
		}
		if r.End > starts[i]+len(paras[i]) {
			continue // runs across paragraphs
		}
		r.Start -= starts[i]
		r.End -= starts[i]
		out[i] = append(out[i], r)
	}
	return out
}

// Index lists the instruments a document of paragraphs cites, in order of
// first mention.
func Index(paras []string) []Cited {
	var out []Cited
	at := map[string]int{}
	for _, refs := range Paragraphs(paras) {
		for _, r := range refs {
			c, ok := InstrumentOf(r)
			if !ok {
				continue
			}
			k, seen := at[c.Slug]
			if !seen {
				k = len(out)
				at[c.Slug] = k
				out = append(out, c)
			}
			out[k].Mentions++
			if r.Pinpoint != "" && r.Kind == KindProvision {
				pin := r.Canonical
				dup := false
				for _, p := range out[k].Pinpoints {
					dup = dup || p == pin
				}
				if !dup {
					out[k].Pinpoints = append(out[k].Pinpoints, pin)
				}
			}
		}
	}
	return out
}
