// Package directory is Legists' built-in firm directory and topic taxonomy:
// real law firms with the names the press uses for them, their main practice
// areas and home jurisdictions, and the practice areas and jurisdictions a
// brief is tagged with, each with weighted keywords that detect it in text.
//
// The data is embedded (directory/firms.json, directory/topics.json), so a
// fresh installation has a directory before anyone edits one; the store
// keeps the editable copy.
package directory

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"legists/internal/brief"
)

//go:embed directory/firms.json directory/topics.json
var files embed.FS

// Keyword is a word or phrase that is evidence for a topic, and how strong
// that evidence is (1 is ordinary; 4 is a term of art that all but settles
// it). A phrase ending in "*" matches any word that begins with the rest
// ("cartel*": cartel, cartels). A phrase with capitals matches only text
// with the same capitals at the starts of its words; an all-capitals phrase
// ("GDPR", "US") matches only itself.
type Keyword struct {
	Phrase string  `json:"k"`
	Weight float64 `json:"w"`
}

type topicFile struct {
	Name     string          `json:"name"`
	Slug     string          `json:"slug"`
	Kind     brief.TopicKind `json:"kind"`
	Keywords []Keyword       `json:"keywords"`
}

type data struct {
	firms    []brief.Firm
	topics   []brief.Topic
	keywords map[string][]Keyword // by topic slug
	err      error
}

var load = sync.OnceValue(func() *data {
	d := &data{keywords: map[string][]Keyword{}}
	raw, err := files.ReadFile("directory/firms.json")
	if err == nil {
		err = json.Unmarshal(raw, &d.firms)
	}
	if err != nil {
		d.err = fmt.Errorf("directory: firms.json: %w", err)
		return d
	}
	for i := range d.firms {
		if d.firms[i].Slug == "" {
			d.firms[i].Slug = brief.Slugify(d.firms[i].Name)
		}
	}
	var tf []topicFile
	raw, err = files.ReadFile("directory/topics.json")
	if err == nil {
		err = json.Unmarshal(raw, &tf)
	}
	if err != nil {
		d.err = fmt.Errorf("directory: topics.json: %w", err)
		return d
	}
	for _, t := range tf {
		if t.Slug == "" {
			t.Slug = brief.Slugify(t.Name)
		}
		phrases := make([]string, len(t.Keywords))
		for i, k := range t.Keywords {
			phrases[i] = k.Phrase
		}
		d.topics = append(d.topics, brief.Topic{Name: t.Name, Slug: t.Slug, Kind: t.Kind, Keywords: phrases})
		d.keywords[t.Slug] = t.Keywords
	}
	return d
})

func must() *data {
	d := load()
	if d.err != nil {
		// The files are embedded and checked by the package's tests: a
		// failure here is a build that skipped them.
		panic(d.err)
	}
	return d
}

// Firms returns the firm directory, in file order. The slices are copies the
// caller may change.
func Firms() []brief.Firm {
	src := must().firms
	out := make([]brief.Firm, len(src))
	for i, f := range src {
		f.Aliases = slices.Clone(f.Aliases)
		f.PracticeAreas = slices.Clone(f.PracticeAreas)
		f.Jurisdictions = slices.Clone(f.Jurisdictions)
		out[i] = f
	}
	return out
}

// Topics returns the taxonomy: practice areas first, then jurisdictions.
// Keywords holds the plain phrases; KeywordWeight gives their weights.
func Topics() []brief.Topic {
	src := must().topics
	out := make([]brief.Topic, len(src))
	for i, t := range src {
		t.Keywords = slices.Clone(t.Keywords)
		out[i] = t
	}
	return out
}

// TopicKeywords returns the weighted keywords of the topic with the slug.
func TopicKeywords(slug string) []Keyword {
	return slices.Clone(must().keywords[slug])
}

// KeywordWeight returns the weight of phrase for the topic with the slug,
// or 0 when the embedded taxonomy does not have it (a topic or keyword an
// editor added).
func KeywordWeight(topicSlug, phrase string) float64 {
	for _, k := range must().keywords[topicSlug] {
		if k.Phrase == phrase {
			return k.Weight
		}
	}
	return 0
}

// Firm returns the firm with the slug, or false.
func Firm(slug string) (brief.Firm, bool) {
	for _, f := range Firms() {
		if f.Slug == slug {
			return f, true
		}
	}
	return brief.Firm{}, false
}

// Topic returns the topic with the slug, or false.
func Topic(slug string) (brief.Topic, bool) {
	for _, t := range Topics() {
		if t.Slug == slug {
			return t, true
		}
	}
	return brief.Topic{}, false
}

// Validate checks a directory and taxonomy: names and unique slugs present,
// topic kinds known, no way of writing a firm's name (see NameForms) shared
// by two firms, and every practice area and jurisdiction a firm names
// present in the taxonomy with that kind. It returns every problem found,
// joined.
func Validate(firms []brief.Firm, topics []brief.Topic) error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	kinds := map[string]brief.TopicKind{}
	slugs := map[string]string{}
	for _, t := range topics {
		switch {
		case strings.TrimSpace(t.Name) == "":
			add("topic with slug %q has no name", t.Slug)
		case t.Slug == "":
			add("topic %q has no slug", t.Name)
		case t.Kind != brief.TopicPracticeArea && t.Kind != brief.TopicJurisdiction:
			add("topic %q has kind %q", t.Name, t.Kind)
		}
		if prev, dup := slugs[t.Slug]; dup {
			add("topics %q and %q share the slug %q", prev, t.Name, t.Slug)
		}
		slugs[t.Slug] = t.Name
		if _, dup := kinds[strings.ToLower(t.Name)]; dup {
			add("topic name %q appears twice", t.Name)
		}
		kinds[strings.ToLower(t.Name)] = t.Kind
		if len(t.Keywords) == 0 {
			add("topic %q has no keywords", t.Name)
		}
		seen := map[string]bool{}
		for _, k := range t.Keywords {
			if strings.TrimSpace(strings.TrimSuffix(k, "*")) == "" {
				add("topic %q has an empty keyword", t.Name)
			}
			if seen[k] {
				add("topic %q lists keyword %q twice", t.Name, k)
			}
			seen[k] = true
		}
	}

	slugs = map[string]string{}
	forms := map[string]string{}
	for _, f := range firms {
		if strings.TrimSpace(f.Name) == "" {
			add("firm with slug %q has no name", f.Slug)
			continue
		}
		if f.Slug == "" || f.Slug != brief.Slugify(f.Slug) {
			add("firm %q has slug %q", f.Name, f.Slug)
		}
		if prev, dup := slugs[f.Slug]; dup {
			add("firms %q and %q share the slug %q", prev, f.Name, f.Slug)
		}
		slugs[f.Slug] = f.Name
		for _, form := range NameForms(f) {
			key := foldForm(form)
			if prev, dup := forms[key]; dup && prev != f.Name {
				add("firms %q and %q are both written %q", prev, f.Name, form)
			}
			forms[key] = f.Name
		}
		for _, pa := range f.PracticeAreas {
			if k, ok := kinds[strings.ToLower(pa)]; !ok || k != brief.TopicPracticeArea {
				add("firm %q: practice area %q is not in the taxonomy", f.Name, pa)
			}
		}
		for _, j := range f.Jurisdictions {
			if k, ok := kinds[strings.ToLower(j)]; !ok || k != brief.TopicJurisdiction {
				add("firm %q: jurisdiction %q is not in the taxonomy", f.Name, j)
			}
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("directory: %s", strings.Join(probs, "; "))
}

// foldForm is the key under which two ways of writing a name collide.
func foldForm(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
