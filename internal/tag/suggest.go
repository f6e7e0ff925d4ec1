package tag

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"legists/internal/brief"
)

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

// scratch is the working memory of one Suggest or Mentions: the hit lists
// of mentions and the evidence counts, in slots by keyword owner and by
// firm. Only the touched entries are set; they are cleared on return to
// the pool.
type scratch struct {
	firmHits, kwHits []hit
	pairs, sorted    []topicHit
	at               []int
	kw               [][3]int32 // counts by keyword slot: title, brief, sources
	kwTouched        []int32    // slots with counts
	firms            []firmEvidence
	firmTouched      []int32 // firms with evidence
	raw, score       []float64
	contribs         []contrib
}

// contrib is a keyword's part of its topic's evidence.
type contrib struct {
	phrase string
	value  float64
	count  int
}

type firmEvidence struct {
	brief       int   // mentions in the brief's title and text
	sources     []int // numbers of the sources that name the firm
	sourceCount int   // mentions in all sources
	seen        bool
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// getScratch takes a scratch from the pool, sized for t.
func (t *Tagger) getScratch() *scratch {
	sc := scratchPool.Get().(*scratch)
	if len(sc.kw) < len(t.slots) {
		sc.kw = make([][3]int32, len(t.slots))
	}
	if len(sc.firms) < len(t.firms) {
		sc.firms = make([]firmEvidence, len(t.firms))
	}
	return sc
}

// putScratch clears what sc's user touched and gives it back to the pool.
func (t *Tagger) putScratch(sc *scratch) {
	for _, s := range sc.kwTouched {
		sc.kw[s] = [3]int32{}
	}
	for _, f := range sc.firmTouched {
		sc.firms[f] = firmEvidence{sources: sc.firms[f].sources[:0]}
	}
	sc.kwTouched, sc.firmTouched = sc.kwTouched[:0], sc.firmTouched[:0]
	scratchPool.Put(sc)
}

// Suggest scores the firms and topics of b. sourceTexts holds the archived
// text of the sources by citation number; where it lacks a number, the
// Text of the brief's Source is used. Titles of sources count as their text.
func (t *Tagger) Suggest(b *brief.Brief, sourceTexts map[int]string) Result {
	if b == nil {
		b = &brief.Brief{}
	}
	sc := t.getScratch()
	defer t.putScratch(sc)
	// Topic evidence: keyword counts by keyword owner (topic and phrase)
	// and place; firm evidence by firm.
	region := func(text string, where int, source int) {
		t.mentions(text, sc, func(firm, topic int, o *owner, h hit) {
			if firm >= 0 {
				fe := &sc.firms[firm]
				if !fe.seen {
					fe.seen = true
					sc.firmTouched = append(sc.firmTouched, int32(firm))
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
			c := &sc.kw[o.slot]
			if *c == ([3]int32{}) {
				sc.kwTouched = append(sc.kwTouched, o.slot)
			}
			c[where]++
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

	// Topics. Slots are in order of topic, then phrase id: a fixed order
	// that keeps the sums, and so the scores, reproducible.
	slices.Sort(sc.kwTouched)
	sc.raw = append(sc.raw[:0], make([]float64, len(t.topics))...)
	sc.score = append(sc.score[:0], make([]float64, len(t.topics))...)
	raw, score := sc.raw, sc.score
	contribs := sc.contribs[:0]
	for _, slot := range sc.kwTouched {
		o, counts := t.slots[slot], sc.kw[slot]
		v := 0.0
		for where, c := range counts {
			if c == 0 {
				continue
			}
			w := [3]float64{titleWeight, briefWeight, sourceWeight}[where]
			v += w * o.weight * (1 + math.Log(float64(c)))
		}
		raw[o.topic] += v
		contribs = append(contribs, contrib{o.phrase, v, int(counts[0] + counts[1] + counts[2])})
	}
	sc.contribs = contribs
	var res Result
	for k := 0; k < len(contribs); {
		i := t.slots[sc.kwTouched[k]].topic
		end := k + 1
		for end < len(contribs) && t.slots[sc.kwTouched[end]].topic == i {
			end++
		}
		cs := contribs[k:end]
		k = end
		score[i] = round(1 - math.Exp(-raw[i]/topicScale))
		if score[i] < topicFloor {
			continue
		}
		slices.SortFunc(cs, func(a, b contrib) int {
			if a.value != b.value {
				if a.value > b.value {
					return -1
				}
				return 1
			}
			return strings.Compare(a.phrase, b.phrase)
		})
		ev := make([]string, 0, min(len(cs), 5))
		for _, c := range cs[:min(len(cs), 5)] {
			s := strconv.Quote(strings.TrimRight(c.phrase, "*"))
			if c.count > 1 {
				s += " ×" + strconv.Itoa(c.count)
			}
			ev = append(ev, s)
		}
		res.Topics = append(res.Topics, TopicScore{Name: t.topics[i].Name, Score: score[i], Slug: t.topics[i].Slug, Kind: t.topics[i].Kind, Evidence: ev})
	}
	slices.SortStableFunc(res.Topics, func(a, b TopicScore) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	if len(res.Topics) > t.maxTopics {
		res.Topics = res.Topics[:t.maxTopics]
	}

	// Firms.
	res.Firms = t.scoreFirms(score, sc)
	if res.Firms == nil {
		res.Firms = []FirmScore{}
	}
	if res.Topics == nil {
		res.Topics = []TopicScore{}
	}
	return res
}

// firmCand is a firm that made the list, before its reasons are written.
type firmCand struct {
	firm      int
	score     float64
	named     bool
	relevance float64
}

// scoreFirms ranks firms: named firms by how prominently they are named,
// then the others by how well their practice fits the brief's topics.
// Every firm is scored, but only those listed get their reasons written.
func (t *Tagger) scoreFirms(score []float64, sc *scratch) []FirmScore {
	// The brief's practice-area profile: the topics at or above the floor.
	var norm float64
	for i, s := range score {
		if t.topics[i].Kind != brief.TopicJurisdiction && s >= topicFloor {
			norm += s * s
		}
	}
	norm = math.Sqrt(norm)

	var cands []firmCand
	for i := range t.firms {
		// Fit: the cosine between the firm's practice areas, as a 0/1
		// vector, and the brief's topic scores; a firm that does
		// everything fits nothing in particular.
		var dot float64
		matched := 0
		for _, j := range t.firmPA[i] {
			if score[j] >= topicFloor {
				dot += score[j]
				matched++
			}
		}
		fit := 0.0
		if norm > 0 && len(t.firmPA[i]) > 0 {
			fit = dot / (norm * math.Sqrt(float64(len(t.firmPA[i]))))
		}
		jur := 0.0
		for _, j := range t.firmJur[i] {
			if score[j] >= topicFloor {
				jur = max(jur, score[j])
			}
		}
		relevance := 0.8*fit + 0.2*jur

		var s float64
		e := &sc.firms[i]
		if e.seen {
			strength := 0.0
			if e.brief > 0 {
				// The brief itself naming a firm says more than any source.
				strength += 6 * (1 + math.Log(float64(e.brief)))
			}
			if len(e.sources) > 0 {
				strength += 1.5*float64(len(e.sources)) + math.Log(float64(e.sourceCount))
			}
			m := 1 - math.Exp(-strength/4)
			s = namedFloor + 0.35*m + 0.15*relevance
		} else {
			if matched == 0 {
				continue
			}
			s = (namedFloor - 0.01) * relevance
		}
		s = round(s)
		if s <= 0 {
			continue
		}
		cands = append(cands, firmCand{firm: i, score: s, named: e.seen, relevance: relevance})
	}
	slices.SortStableFunc(cands, func(a, b firmCand) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(t.firms[a.firm].Name, t.firms[b.firm].Name)
	})
	limit := t.maxFirms
	for limit < len(cands) && cands[limit].named {
		limit++
	}
	if len(cands) > limit {
		cands = cands[:limit]
	}
	if len(cands) == 0 {
		return nil
	}
	out := make([]FirmScore, len(cands))
	for k, c := range cands {
		out[k] = t.firmReasons(c, score, &sc.firms[c.firm])
	}
	return out
}

// firmReasons writes the reasons and evidence of a listed firm.
func (t *Tagger) firmReasons(c firmCand, score []float64, e *firmEvidence) FirmScore {
	f := &t.firms[c.firm]
	fs := FirmScore{Name: f.Name, Slug: f.Slug, Score: c.score, Named: c.named}
	var matched, jurs []int
	for _, j := range t.firmPA[c.firm] {
		if score[j] >= topicFloor {
			matched = append(matched, j)
		}
	}
	for _, j := range t.firmJur[c.firm] {
		if score[j] >= topicFloor {
			jurs = append(jurs, j)
		}
	}
	if c.named {
		if e.brief > 0 {
			fs.InBrief = true
			fs.Reasons = append(fs.Reasons, "named in the brief")
		}
		if len(e.sources) > 0 {
			sort.Ints(e.sources)
			fs.Sources = slices.Clone(e.sources)
			fs.Reasons = append(fs.Reasons, "named in "+plural("source", e.sources))
		}
	}
	if len(matched) > 0 {
		sort.SliceStable(matched, func(a, b int) bool { return score[matched[a]] > score[matched[b]] })
		fs.Areas = t.names(matched)
		fs.Reasons = append(fs.Reasons, "practises "+joinAnd(fs.Areas))
	}
	if len(jurs) > 0 && (fs.Named || len(matched) > 0) {
		sort.SliceStable(jurs, func(a, b int) bool { return score[jurs[a]] > score[jurs[b]] })
		fs.Jurisdictions = t.names(jurs)
		fs.Reasons = append(fs.Reasons, "home jurisdiction: "+joinAnd(fs.Jurisdictions))
	}
	return fs
}

// names returns the names of the topics idx.
func (t *Tagger) names(idx []int) []string {
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = t.topics[j].Name
	}
	return names
}

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
		s[i] = strconv.Itoa(n)
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
