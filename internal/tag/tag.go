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
	"math"
	"slices"
	"sort"
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
}

// Tagger suggests firms and topics. It is immutable once built and safe for
// concurrent use.
type Tagger struct {
	firms     []brief.Firm
	topics    []brief.Topic
	m         *matcher
	owners    [][]owner // by phrase id
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
	t.mentions(text, func(firm, topic int, o owner, h hit) {
		m := Mention{Start: h.start, End: h.end, Phrase: o.phrase}
		if firm >= 0 {
			m.Firm = t.firms[firm].Name
		} else {
			m.Topic = t.topics[topic].Name
		}
		out = append(out, m)
	})
	sort.SliceStable(out, func(a, b int) bool { return out[a].Start < out[b].Start })
	return out
}

// mentions scans text once and reports resolved firm and keyword hits.
func (t *Tagger) mentions(text string, fn func(firm, topic int, o owner, h hit)) {
	// Room for a keyword every 64 bytes and a firm every 256 saves
	// growing the slices on dense text.
	firmHits := make([]hit, 0, len(text)/256+4)
	kwHits := make([]hit, 0, len(text)/64+4)
	t.m.scan(text, func(h hit) {
		for _, o := range t.owners[h.id] {
			if o.firm >= 0 {
				firmHits = append(firmHits, h)
				break
			}
		}
		for _, o := range t.owners[h.id] {
			if o.topic >= 0 {
				kwHits = append(kwHits, h)
				break
			}
		}
	})
	firmHits = leftmostLongest(firmHits)
	for _, h := range firmHits {
		for _, o := range t.owners[h.id] {
			if o.firm >= 0 {
				fn(o.firm, -1, o, h)
			}
		}
	}
	if len(kwHits) == 0 {
		return
	}
	// Keywords: drop those inside a firm's name, then resolve overlaps
	// topic by topic.
	inFirm := func(h hit) bool {
		i := sort.Search(len(firmHits), func(i int) bool { return firmHits[i].end > h.start })
		return i < len(firmHits) && firmHits[i].start < h.end
	}
	pairs := make([]topicHit, 0, len(kwHits))
	for _, h := range kwHits {
		if inFirm(h) {
			continue
		}
		for _, o := range t.owners[h.id] {
			if o.topic >= 0 {
				pairs = append(pairs, topicHit{o.topic, h})
			}
		}
	}
	pairs = sortTopicHits(pairs)

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
		for _, o := range t.owners[p.id] {
			if o.topic == p.topic {
				fn(-1, p.topic, o, p.hit)
			}
		}
	}
}

// Weights of the places evidence is found in.
const (
	titleWeight  = 1.5 // keywords of the brief's title
	briefWeight  = 1.0 // keywords of the brief's text
	sourceWeight = 0.5 // keywords of the sources, all together
	// topicScale sets how much evidence makes a topic certain: score =
	// 1 - exp(-evidence/topicScale).
	topicScale = 8.0
	// topicFloor is the least score of a listed topic; firms are matched
	// against topics at or above it.
	topicFloor = 0.25
	// namedFloor is the least score of a firm named in the brief or its
	// sources; firms suggested by practice stay below it.
	namedFloor = 0.5
)

// Suggest scores the firms and topics of b. sourceTexts holds the archived
// text of the sources by citation number; where it lacks a number, the
// Text of the brief's Source is used. Titles of sources count as their text.
func (t *Tagger) Suggest(b *brief.Brief, sourceTexts map[int]string) Result {
	if b == nil {
		b = &brief.Brief{}
	}
	// Topic evidence: weighted keyword counts by topic and keyword.
	type kwKey struct {
		topic  int
		phrase int // phrase id
	}
	type kwEv struct {
		phrase string
		weight float64
		counts [3]int // title, brief, sources
	}
	kws := map[kwKey]*kwEv{}
	firmIn := map[int]*firmEvidence{}
	region := func(text string, where int, source int) {
		t.mentions(text, func(firm, topic int, o owner, h hit) {
			if firm >= 0 {
				fe := firmIn[firm]
				if fe == nil {
					fe = &firmEvidence{}
					firmIn[firm] = fe
				}
				if source > 0 {
					if !slices.Contains(fe.sources, source) {
						fe.sources = append(fe.sources, source)
					}
					fe.sourceCount++
				} else {
					fe.brief++
				}
				return
			}
			k := kwKey{topic, h.id}
			e := kws[k]
			if e == nil {
				e = &kwEv{weight: o.weight, phrase: o.phrase}
				kws[k] = e
			}
			e.counts[where]++
		})
	}
	region(b.Title, 0, 0)
	var body strings.Builder
	for _, sec := range b.Sections {
		for _, p := range sec.Paragraphs {
			body.WriteString(p.Text)
			body.WriteString("\n\n")
		}
	}
	region(body.String(), 1, 0)
	for _, n := range sourceNumbers(b, sourceTexts) {
		text, ok := sourceTexts[n]
		s, _ := b.Source(n)
		if !ok {
			text = s.Text
		}
		if s.Title != "" {
			text = s.Title + "\n\n" + text
		}
		region(text, 2, n)
	}

	// Topics.
	raw := make([]float64, len(t.topics))
	type contrib struct {
		phrase string
		value  float64
		count  int
	}
	contribs := make([][]contrib, len(t.topics))
	keys := make([]kwKey, 0, len(kws))
	for k := range kws {
		keys = append(keys, k)
	}
	// A fixed order keeps the sums, and so the scores, reproducible.
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].topic != keys[b].topic {
			return keys[a].topic < keys[b].topic
		}
		return keys[a].phrase < keys[b].phrase
	})
	for _, k := range keys {
		e := kws[k]
		v := 0.0
		for where, c := range e.counts {
			if c == 0 {
				continue
			}
			w := [3]float64{titleWeight, briefWeight, sourceWeight}[where]
			v += w * e.weight * (1 + math.Log(float64(c)))
		}
		raw[k.topic] += v
		contribs[k.topic] = append(contribs[k.topic], contrib{e.phrase, v, e.counts[0] + e.counts[1] + e.counts[2]})
	}
	score := make([]float64, len(t.topics))
	var res Result
	for i, r := range raw {
		score[i] = round(1 - math.Exp(-r/topicScale))
		if score[i] < topicFloor {
			continue
		}
		cs := contribs[i]
		sort.Slice(cs, func(a, b int) bool {
			if cs[a].value != cs[b].value {
				return cs[a].value > cs[b].value
			}
			return cs[a].phrase < cs[b].phrase
		})
		var ev []string
		for _, c := range cs[:min(len(cs), 5)] {
			s := fmt.Sprintf("%q", strings.TrimRight(c.phrase, "*"))
			if c.count > 1 {
				s += fmt.Sprintf(" ×%d", c.count)
			}
			ev = append(ev, s)
		}
		res.Topics = append(res.Topics, TopicScore{Name: t.topics[i].Name, Score: score[i], Slug: t.topics[i].Slug, Kind: t.topics[i].Kind, Evidence: ev})
	}
	sort.SliceStable(res.Topics, func(a, b int) bool {
		if res.Topics[a].Score != res.Topics[b].Score {
			return res.Topics[a].Score > res.Topics[b].Score
		}
		return res.Topics[a].Name < res.Topics[b].Name
	})
	if len(res.Topics) > t.maxTopics {
		res.Topics = res.Topics[:t.maxTopics]
	}

	// Firms.
	res.Firms = t.scoreFirms(score, firmIn)
	if res.Firms == nil {
		res.Firms = []FirmScore{}
	}
	if res.Topics == nil {
		res.Topics = []TopicScore{}
	}
	return res
}

type firmEvidence struct {
	brief       int   // mentions in the brief's title and text
	sources     []int // numbers of the sources that name the firm
	sourceCount int   // mentions in all sources
}

// scoreFirms ranks firms: named firms by how prominently they are named,
// then the others by how well their practice fits the brief's topics.
func (t *Tagger) scoreFirms(score []float64, named map[int]*firmEvidence) []FirmScore {
	// The brief's practice-area profile: the topics at or above the floor.
	var norm float64
	for i, s := range score {
		if t.topics[i].Kind != brief.TopicJurisdiction && s >= topicFloor {
			norm += s * s
		}
	}
	norm = math.Sqrt(norm)

	var out []FirmScore
	for i, f := range t.firms {
		// Fit: the cosine between the firm's practice areas, as a 0/1
		// vector, and the brief's topic scores; a firm that does
		// everything fits nothing in particular.
		var dot float64
		var matched []int
		for _, j := range t.firmPA[i] {
			if score[j] >= topicFloor {
				dot += score[j]
				matched = append(matched, j)
			}
		}
		fit := 0.0
		if norm > 0 && len(t.firmPA[i]) > 0 {
			fit = dot / (norm * math.Sqrt(float64(len(t.firmPA[i]))))
		}
		jur := 0.0
		var jurs []int
		for _, j := range t.firmJur[i] {
			if score[j] >= topicFloor {
				jur = max(jur, score[j])
				jurs = append(jurs, j)
			}
		}
		relevance := 0.8*fit + 0.2*jur

		fs := FirmScore{Name: f.Name, Slug: f.Slug}
		if e := named[i]; e != nil {
			fs.Named = true
			strength := 0.0
			if e.brief > 0 {
				fs.InBrief = true
				fs.Reasons = append(fs.Reasons, "named in the brief")
				// The brief itself naming a firm says more than any source.
				strength += 6 * (1 + math.Log(float64(e.brief)))
			}
			if len(e.sources) > 0 {
				sort.Ints(e.sources)
				fs.Sources = slices.Clone(e.sources)
				fs.Reasons = append(fs.Reasons, "named in "+plural("source", e.sources))
				strength += 1.5*float64(len(e.sources)) + math.Log(float64(e.sourceCount))
			}
			m := 1 - math.Exp(-strength/4)
			fs.Score = namedFloor + 0.35*m + 0.15*relevance
		} else {
			if len(matched) == 0 {
				continue
			}
			fs.Score = (namedFloor - 0.01) * relevance
		}
		if len(matched) > 0 {
			sort.SliceStable(matched, func(a, b int) bool { return score[matched[a]] > score[matched[b]] })
			fs.Areas = t.names(matched)
			fs.Reasons = append(fs.Reasons, "practises "+t.list(matched))
		}
		if len(jurs) > 0 && (fs.Named || len(matched) > 0) {
			sort.SliceStable(jurs, func(a, b int) bool { return score[jurs[a]] > score[jurs[b]] })
			fs.Jurisdictions = t.names(jurs)
			fs.Reasons = append(fs.Reasons, "home jurisdiction: "+t.list(jurs))
		}
		fs.Score = round(fs.Score)
		if fs.Score <= 0 {
			continue
		}
		out = append(out, fs)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Score != out[b].Score {
			return out[a].Score > out[b].Score
		}
		return out[a].Name < out[b].Name
	})
	limit := t.maxFirms
	for limit < len(out) && out[limit].Named {
		limit++
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// names returns the names of the topics idx.
func (t *Tagger) names(idx []int) []string {
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = t.topics[j].Name
	}
	return names
}

// list writes topic names as "A", "A and B", "A, B and C".
func (t *Tagger) list(idx []int) string { return joinAnd(t.names(idx)) }

// Explain says why each firm tagged on b is there: for every firm of
// b.Firms that the directory knows (by name or alias), by its directory
// slug, the tagger's evidence from the brief and the source texts. Firms the
// directory does not know are left out.
func (t *Tagger) Explain(b *brief.Brief, sourceTexts map[int]string) map[string]FirmScore {
	all := *t
	all.maxFirms = len(t.firms)
	out := map[string]FirmScore{}
	for _, fs := range all.Suggest(b, sourceTexts).Firms {
		out[fs.Slug] = fs
	}
	tagged := map[string]FirmScore{}
	for _, name := range b.Firms {
		if i := t.firmIndex(name); i >= 0 {
			slug := t.firms[i].Slug
			tagged[slug] = out[slug] // zero FirmScore: no evidence found
		}
	}
	return tagged
}

// firmIndex finds a firm of the directory by its name or an alias, case
// and surrounding space aside; -1 when none.
func (t *Tagger) firmIndex(name string) int {
	key := strings.ToLower(strings.TrimSpace(name))
	for i, f := range t.firms {
		if strings.ToLower(f.Name) == key {
			return i
		}
		for _, a := range f.Aliases {
			if strings.ToLower(a) == key {
				return i
			}
		}
	}
	return -1
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// plural writes "source 2" or "sources 2, 5 and 7".
func plural(word string, ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	if len(ns) == 1 {
		return word + " " + s[0]
	}
	return word + "s " + joinAnd(s)
}

// sourceNumbers are the numbers of the sources to read: the brief's and
// those of sourceTexts, in order.
func sourceNumbers(b *brief.Brief, texts map[int]string) []int {
	var ns []int
	for _, s := range b.Sources {
		if !slices.Contains(ns, s.N) {
			ns = append(ns, s.N)
		}
	}
	for n := range texts {
		if !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	sort.Ints(ns)
	return ns
}

// round keeps scores readable in JSON: three decimals.
func round(x float64) float64 { return math.Round(x*1000) / 1000 }
