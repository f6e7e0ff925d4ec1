// Package tag suggests the law firms and topics of a brief, each with a
// score and the reasons for it.
//
// One pass of one Aho-Corasick automaton over each text finds every way of
// writing every firm of the directory (see directory.NameForms) and every
// keyword of the taxonomy. Topics are scored from their keyword evidence in
// the brief and its sources. Firms named in the brief or its sources come
// first; then firms whose practice areas and home jurisdictions fit the
// brief's strongest topics.
package tag

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"legists/internal/brief"
	"legists/internal/directory"
)

// Result is the tag suggestion for one brief, best first. It marshals to
// the Tag JSON of the interface contract.
type Result struct {
	Firms  []FirmScore  `json:"firms"`
	Topics []TopicScore `json:"topics"`
}

// FirmScore is a suggested firm. Score is in [0, 1]: 0.5 and above for a
// firm named in the brief or its sources, below 0.5 for a firm suggested by
// its practice.
type FirmScore struct {
	Name    string   `json:"name"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"`
	// Slug is the firm's directory slug.
	Slug string `json:"-"`
	// Named says the firm is named in the brief or one of its sources.
	Named bool `json:"-"`
	// The evidence the reasons state, for readers' links: InBrief says
	// the brief's own text names the firm, Sources are the numbers of the
	// sources that name it, Areas and Jurisdictions the firm's practice
	// areas and home jurisdictions that the brief is about.
	InBrief       bool     `json:"-"`
	Sources       []int    `json:"-"`
	Areas         []string `json:"-"`
	Jurisdictions []string `json:"-"`
}

// TopicScore is a suggested practice area or jurisdiction, with a score in
// [0, 1] that grows with the weight of its keyword evidence.
type TopicScore struct {
	Name  string  `json:"name"`
	Score float64 `json:"score"`
	// Slug and Kind are the topic's.
	Slug string          `json:"-"`
	Kind brief.TopicKind `json:"-"`
	// Evidence lists the keywords found, strongest first, with counts:
	// `"NATO" ×31`.
	Evidence []string `json:"-"`
}

// Mention is a firm or keyword found in a text, text[Start:End].
type Mention struct {
	Start, End int
	// Firm is the name of the firm mentioned, or "".
	Firm string
	// Topic is the name of the topic a keyword is evidence for, or "".
	Topic string
	// Phrase is the name form or keyword as the directory writes it.
	Phrase string
}

// Option configures a Tagger.
type Option func(*Tagger)

// WithKeywordWeight sets how much a topic's keyword weighs. The default
// takes the weight from the embedded taxonomy and otherwise gives 1 to a
// word and 1.5 to a phrase; a weight of 0 or less falls back to that.
func WithKeywordWeight(f func(topicSlug, phrase string) float64) Option {
	return func(t *Tagger) { t.weight = f }
}

// WithLimits caps the number of firms and topics a suggestion lists
// (defaults 12 and 8). Named firms are always listed.
func WithLimits(firms, topics int) Option {
	return func(t *Tagger) { t.maxFirms, t.maxTopics = firms, topics }
}

// owner is what a phrase is evidence for: a firm or a topic keyword.
type owner struct {
	firm   int // index into firms, or -1
	topic  int // index into topics, or -1
	weight float64
	phrase string // as the directory writes it
	// slot numbers the keyword owners (topic >= 0) in order of topic,
	// then phrase id: a Suggest counts each one's evidence in its slot.
	slot int32
}

// Kinds of owners a phrase has, a bit each.
const (
	kindFirm  = 1 << iota // the phrase names a firm
	kindTopic             // the phrase is a keyword of a topic
)

// Tagger suggests firms and topics. It is immutable once built and safe for
// concurrent use.
type Tagger struct {
	firms     []brief.Firm
	topics    []brief.Topic
	m         *matcher
	owners    [][]owner // by phrase id
	kinds     []uint8   // kindFirm and kindTopic, by phrase id
	slots     []*owner  // keyword owners by slot
	weight    func(topicSlug, phrase string) float64
	firmPA    [][]int // topic indexes of each firm's practice areas
	firmJur   [][]int // and home jurisdictions
	maxFirms  int
	maxTopics int
}

// New builds a Tagger over a directory and a taxonomy. Practice areas and
// jurisdictions of firms are looked up in topics by name or slug, case
// aside; ones not found are ignored.
func New(firms []brief.Firm, topics []brief.Topic, opts ...Option) *Tagger {
	t := &Tagger{
		firms:     slices.Clone(firms),
		topics:    slices.Clone(topics),
		weight:    directory.KeywordWeight,
		maxFirms:  12,
		maxTopics: 8,
	}
	for _, o := range opts {
		o(t)
	}
	byName := map[string]int{}
	for i, tp := range t.topics {
		byName[strings.ToLower(tp.Name)] = i
		byName[strings.ToLower(tp.Slug)] = i
	}
	t.firmPA = make([][]int, len(t.firms))
	t.firmJur = make([][]int, len(t.firms))
	for i, f := range t.firms {
		for _, pa := range f.PracticeAreas {
			if j, ok := byName[strings.ToLower(pa)]; ok && t.topics[j].Kind != brief.TopicJurisdiction && !slices.Contains(t.firmPA[i], j) {
				t.firmPA[i] = append(t.firmPA[i], j)
			}
		}
		for _, jur := range f.Jurisdictions {
			if j, ok := byName[strings.ToLower(jur)]; ok && t.topics[j].Kind == brief.TopicJurisdiction && !slices.Contains(t.firmJur[i], j) {
				t.firmJur[i] = append(t.firmJur[i], j)
			}
		}
	}

	// One phrase per distinct spelling; each may serve several owners.
	var phrases []phrase
	ids := map[string]int{}
	add := func(text string, o owner) {
		p := newPhrase(text)
		if p.text == "" {
			return
		}
		key := fmt.Sprintf("%s\x00%d\x00%t", p.text, p.mode, p.prefix)
		id, ok := ids[key]
		if !ok {
			id = len(phrases)
			ids[key] = id
			phrases = append(phrases, p)
			t.owners = append(t.owners, nil)
		}
		for _, prev := range t.owners[id] {
			if prev.firm == o.firm && prev.topic == o.topic {
				return
			}
		}
		t.owners[id] = append(t.owners[id], o)
	}
	for i, f := range t.firms {
		for _, form := range directory.NameForms(f) {
			add(form, owner{firm: i, topic: -1, phrase: form})
		}
	}
	for i, tp := range t.topics {
		for _, k := range tp.Keywords {
			w := 0.0
			if t.weight != nil {
				w = t.weight(tp.Slug, k)
			}
			if w <= 0 {
				w = 1
				if strings.Contains(strings.TrimSpace(k), " ") {
					w = 1.5
				}
			}
			add(k, owner{firm: -1, topic: i, weight: w, phrase: k})
		}
	}
	t.m = newMatcher(phrases)
	t.kinds = make([]uint8, len(phrases))
	for id := range t.owners {
		for k := range t.owners[id] {
			o := &t.owners[id][k]
			if o.firm >= 0 {
				t.kinds[id] |= kindFirm
			} else {
				t.kinds[id] |= kindTopic
				t.slots = append(t.slots, o)
			}
		}
	}
	// Phrase ids grow with the owners' lists, so a stable sort by topic
	// leaves each topic's keywords in order of phrase id.
	slices.SortStableFunc(t.slots, func(a, b *owner) int { return a.topic - b.topic })
	for i, o := range t.slots {
		o.slot = int32(i)
	}
	return t
}

var defaultTagger = sync.OnceValue(func() *Tagger {
	return New(directory.Firms(), directory.Topics())
})

// Default returns the Tagger over the embedded directory and taxonomy.
func Default() *Tagger { return defaultTagger() }

// Mentions returns the firms and keywords found in text, in order. Of
// overlapping firm names the leftmost longest wins ("Herbert Smith
// Freehills", not "Herbert Smith"); a keyword inside a firm's name does not
// count; overlapping keywords of one topic resolve the same way, while
// keywords of different topics may overlap ("military alliance" and
// "military").
func (t *Tagger) Mentions(text string) []Mention {
	var out []Mention
	sc := t.getScratch()
	defer t.putScratch(sc)
	t.mentions(text, sc, func(firm, topic int, o *owner, h hit) {
		m := Mention{Start: h.start, End: h.end, Phrase: o.phrase}
		if firm >= 0 {
			m.Firm = t.firms[firm].Name
		} else {
			m.Topic = t.topics[topic].Name
		}
		out = append(out, m)
	})
	slices.SortStableFunc(out, func(a, b Mention) int { return a.Start - b.Start })
	return out
}

// mentions scans text once and reports resolved firm and keyword hits. Its
// work lists are sc's, kept from one call to the next.
func (t *Tagger) mentions(text string, sc *scratch, fn func(firm, topic int, o *owner, h hit)) {
	firmHits, kwHits := sc.firmHits[:0], sc.kwHits[:0]
	kinds := t.kinds
	t.m.scan(text, func(h hit) {
		k := kinds[h.id]
		if k&kindFirm != 0 {
			firmHits = append(firmHits, h)
		}
		if k&kindTopic != 0 {
			kwHits = append(kwHits, h)
		}
	})
	sc.firmHits, sc.kwHits = firmHits, kwHits
	firmHits = leftmostLongest(firmHits)
	for _, h := range firmHits {
		os := t.owners[h.id]
		for k := range os {
			if o := &os[k]; o.firm >= 0 {
				fn(o.firm, -1, o, h)
			}
		}
	}
	if len(kwHits) == 0 {
		return
	}
	// Keywords: drop those inside a firm's name, then resolve overlaps
	// topic by topic.
	pairs := sc.pairs[:0]
	for _, h := range kwHits {
		if len(firmHits) > 0 {
			// The first firm hit that ends after h starts (they do
			// not overlap, so their ends grow with their starts).
			lo, hi := 0, len(firmHits)
			for lo < hi {
				mid := int(uint(lo+hi) >> 1)
				if firmHits[mid].end > h.start {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			if lo < len(firmHits) && firmHits[lo].start < h.end {
				continue
			}
		}
		os := t.owners[h.id]
		for k := range os {
			if o := &os[k]; o.topic >= 0 {
				pairs = append(pairs, topicHit{o.topic, h})
			}
		}
	}
	sc.pairs = pairs
	sc.sorted, sc.at = sortTopicHitsTo(pairs, sc.sorted, sc.at)
	pairs = sc.sorted

	// Leftmost longest within each topic, as leftmostLongest does.
	lastTopic, lastStart, lastEnd := -1, -1, -1
	for _, p := range pairs {
		if p.topic != lastTopic {
			lastTopic, lastStart, lastEnd = p.topic, -1, -1
		}
		switch {
		case p.start == lastStart && p.end == lastEnd:
		case p.start >= lastEnd:
			lastStart, lastEnd = p.start, p.end
		default:
			continue
		}
		os := t.owners[p.id]
		for k := range os {
			if o := &os[k]; o.topic == p.topic {
				fn(-1, p.topic, o, p.hit)
			}
		}
	}
}
