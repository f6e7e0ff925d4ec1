// Package draft turns a story's source articles into a draft brief in the
// three fixed sections, every sentence cited to the article it comes from.
//
// The default drafter (Extractive) writes nothing of its own: it picks
// sentences from the articles, so a draft can always be traced to, and
// checked against, its sources. It segments the articles into sentences,
// ranks them by centrality (LexRank over TF-IDF cosine similarity, biased
// towards each article's lead), drops redundant ones (maximal marginal
// relevance), and places them into the sections: the event, its context
// and meaning, and its legal consequences (sentences about courts,
// treaties, sanctions, regulation, liability, arbitration or compliance,
// found by a lexicon). The title is the most central headline.
//
// OpenAIDrafter asks an OpenAI-compatible chat completions endpoint for the
// brief instead; its output is always run through the fidelity check.
package draft

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"legists/internal/brief"
	"legists/internal/fidelity"
	"legists/internal/sentence"
	"legists/internal/tag"
)

// Article is one source article of a story, numbered from 1 as the brief
// will cite it.
type Article struct {
	N         int
	URL       string
	Title     string
	Publisher string
	Text      string
	Published time.Time
}

// Drafter writes a draft brief from a story's articles.
type Drafter interface {
	Draft(ctx context.Context, articles []Article) (*brief.Brief, error)
}

// DefaultWords is the default word limit of a draft.
const DefaultWords = 250

// ErrNoArticles is returned for an empty story.
var ErrNoArticles = errors.New("draft: no articles")

// ErrTooLittleText is returned when the articles do not hold enough usable
// sentences to fill the three sections.
var ErrTooLittleText = errors.New("draft: the articles have too few usable sentences for three sections")

// FidelityError reports a draft that fails the fidelity check. The drafter
// returns the draft with it, so an editor can still see and fix it.
type FidelityError struct {
	Report fidelity.Report
}

func (e *FidelityError) Error() string {
	var first string
	for _, f := range e.Report.Findings {
		if f.Severity == fidelity.SeverityError {
			first = fmt.Sprintf(": %s: %s", f.Kind, f.Message)
			break
		}
	}
	return fmt.Sprintf("draft: %d fidelity errors%s", e.Report.Errors(), first)
}

// Extractive is the default drafter. The zero value is ready to use.
type Extractive struct {
	// Words is the word limit (default DefaultWords). The draft stays
	// within it, except that each section gets at least one sentence.
	Words int
	// Byline of the draft (default "The Legists Content Team").
	Byline string
	// Tagger fills the draft's firms (those named in the articles) and
	// topics (the strongest); default tag.Default(). Set NoTags to leave
	// them empty.
	Tagger *tag.Tagger
	NoTags bool
}

// DefaultByline is the byline of drafts unless set.
const DefaultByline = "The Legists Content Team"

// Draft implements Drafter.
func (e Extractive) Draft(ctx context.Context, articles []Article) (*brief.Brief, error) {
	if err := validateArticles(articles); err != nil {
		return nil, err
	}
	words := e.Words
	if words <= 0 {
		words = DefaultWords
	}
	c := newCorpus(articles)
	if err := c.rank(ctx); err != nil {
		return nil, err
	}
	sources := sourceTexts(articles)
	banned := map[int]bool{}
	var b *brief.Brief
	var rep fidelity.Report
	// Verbatim sentences almost always pass the check; one that does not
	// (a doubled word in the source, say) is dropped and the draft made
	// again without it.
	for attempt := 0; attempt < 8; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sel, err := c.selectSentences(words, banned)
		if err != nil {
			if b != nil {
				break // keep the last draft and its findings
			}
			return nil, err
		}
		b = c.build(sel)
		rep = fidelity.Check(b, sources)
		if rep.OK {
			break
		}
		dropped := false
		for _, f := range rep.Findings {
			if f.Severity != fidelity.SeverityError {
				continue
			}
			st := strings.TrimSpace(f.Sentence)
			if st == "" {
				continue // about the brief's structure: no sentence to drop
			}
			for _, i := range sel.all() {
				if !banned[i] && (strings.Contains(c.sents[i].text, st) || strings.Contains(st, c.sents[i].text)) {
					banned[i] = true
					dropped = true
				}
			}
		}
		if !dropped {
			break
		}
	}
	b.Byline = e.Byline
	if b.Byline == "" {
		b.Byline = DefaultByline
	}
	if !e.NoTags {
		tagBrief(b, e.Tagger, sources)
	}
	if !rep.OK {
		return b, &FidelityError{Report: rep}
	}
	return b, nil
}

// validateArticles checks numbering and text.
func validateArticles(articles []Article) error {
	if len(articles) == 0 {
		return ErrNoArticles
	}
	seen := map[int]bool{}
	for _, a := range articles {
		if a.N < 1 {
			return fmt.Errorf("draft: article %q has number %d; articles are numbered from 1", a.Title, a.N)
		}
		if seen[a.N] {
			return fmt.Errorf("draft: two articles numbered %d", a.N)
		}
		seen[a.N] = true
	}
	return nil
}

// sourceTexts maps citation numbers to article texts for the fidelity
// check.
func sourceTexts(articles []Article) map[int]string {
	m := make(map[int]string, len(articles))
	for _, a := range articles {
		m[a.N] = a.Text
	}
	return m
}

// sourcesOf lists the articles as the brief's sources, in number order.
func sourcesOf(articles []Article) []brief.Source {
	out := make([]brief.Source, 0, len(articles))
	for _, a := range articles {
		out = append(out, brief.Source{N: a.N, URL: a.URL, Title: a.Title, Publisher: a.Publisher, Text: a.Text})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N < out[j].N })
	return out
}

// tagBrief sets the firms named in the draft or its sources and the
// strongest topics.
func tagBrief(b *brief.Brief, t *tag.Tagger, sources map[int]string) {
	if t == nil {
		t = tag.Default()
	}
	res := t.Suggest(b, sources)
	b.Firms = []string{}
	for _, f := range res.Firms {
		if f.Named {
			b.Firms = append(b.Firms, f.Name)
		}
	}
	b.Topics = []string{}
	for _, tp := range res.Topics {
		if tp.Score >= 0.5 && len(b.Topics) < 5 {
			b.Topics = append(b.Topics, tp.Name)
		}
	}
}

// sent is one candidate sentence of the corpus.
type sent struct {
	article int    // index into corpus.articles
	pos     int    // index among the article's sentences
	text    string // the sentence with white space collapsed
	words   int
	terms   map[string]float64 // TF-IDF, unit length
	legal   float64            // legal-lexicon evidence
	penalty float64            // 1, or less for sentences that lean on context
	rank    float64            // centrality with lead bias, max 1
}

// corpus is the candidate sentences of a story.
type corpus struct {
	articles []Article
	sents    []sent
	sim      [][]float64
	idf      map[string]float64
	headline []map[string]float64 // TF-IDF of each article's title
}

// maxPerArticle bounds the sentences read from one article: the lead
// carries the story, and LexRank is quadratic.
const maxPerArticle = 60

func newCorpus(articles []Article) *corpus {
	arts := slices.Clone(articles)
	sort.SliceStable(arts, func(i, j int) bool { return arts[i].N < arts[j].N })
	c := &corpus{articles: arts}
	for ai, a := range arts {
		text := strings.ReplaceAll(a.Text, "\r\n", "\n")
		pos := 0
		for _, sp := range sentence.Split(text) {
			st := collapse(sp.Text(text))
			if pos >= maxPerArticle {
				break
			}
			p, ok := usable(st, a.Title)
			if !ok {
				continue
			}
			c.sents = append(c.sents, sent{article: ai, pos: pos, text: st, words: countWords(st), penalty: p, legal: legalScore(st)})
			pos++
		}
	}
	// TF-IDF over sentences.
	df := map[string]int{}
	toks := make([][]string, len(c.sents))
	for i, s := range c.sents {
		toks[i] = terms(s.text)
		seen := map[string]bool{}
		for _, t := range toks[i] {
			if !seen[t] {
				seen[t] = true
				df[t]++
			}
		}
	}
	n := float64(len(c.sents))
	c.idf = make(map[string]float64, len(df))
	for t, d := range df {
		c.idf[t] = logf((n+1)/(float64(d)+1)) + 1
	}
	for i := range c.sents {
		c.sents[i].terms = c.vector(toks[i])
	}
	for _, a := range arts {
		c.headline = append(c.headline, c.vector(terms(a.Title)))
	}
	return c
}

// vector is the unit TF-IDF vector of tokens.
func (c *corpus) vector(toks []string) map[string]float64 {
	v := map[string]float64{}
	for _, t := range toks {
		v[t]++
	}
	var norm float64
	for t, tf := range v {
		idf, ok := c.idf[t]
		if !ok {
			idf = logf(float64(len(c.sents))+1) + 1
		}
		v[t] = tf * idf
		norm += v[t] * v[t]
	}
	if norm > 0 {
		norm = sqrtf(norm)
		for t := range v {
			v[t] /= norm
		}
	}
	return v
}

// usable says whether a sentence can stand in a brief on its own, and
// returns a penalty below 1 for one that leans on what came before.
func usable(s, title string) (float64, bool) {
	w := countWords(s)
	if w < 6 || w > 60 {
		return 0, false
	}
	if strings.EqualFold(s, strings.TrimSpace(title)) {
		return 0, false
	}
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, "”’\"')]"))
	if last != '.' && last != '!' {
		return 0, false // questions, headlines, fragments
	}
	first, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) && first != '“' && first != '"' && first != '‘' && first != '\'' {
		return 0, false
	}
	if strings.Count(s, "“") != strings.Count(s, "”") || strings.Count(s, "\"")%2 != 0 || strings.Count(s, "(") != strings.Count(s, ")") {
		return 0, false // part of a quotation or aside that runs on
	}
	lower := strings.ToLower(s)
	for _, b := range boilerplate {
		if strings.Contains(lower, b) {
			return 0, false
		}
	}
	fw := strings.ToLower(strings.Trim(firstWord(s), "“\"‘'"))
	switch {
	case pronounStarts[fw]:
		return 0.35, true
	case connectiveStarts[fw]:
		return 0.6, true
	}
	return 1, true
}

var boilerplate = []string{
	"click here", "subscribe", "sign up", "newsletter", "all rights reserved", "cookie", "read more",
	"follow us", "reporting by", "editing by", "contact us", "http://", "https://", "www.", "©", "advertisement",
	"this article", "this story", "our journalism", "terms of use", "privacy policy",
}

var pronounStarts = setOf("he", "she", "they", "it", "his", "her", "their", "its", "this", "that", "these", "those", "we", "i", "there", "such")

var connectiveStarts = setOf("but", "and", "however", "also", "meanwhile", "still", "yet", "so", "instead", "then", "moreover", "furthermore", "nevertheless", "nonetheless", "besides", "likewise", "similarly", "otherwise", "or")

func firstWord(s string) string {
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }); i >= 0 {
		return s[:i]
	}
	return s
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func countWords(s string) int { return len(sentence.Words(s)) }

// selection is the sentences chosen for each section, as indexes into
// corpus.sents.
type selection [3][]int

func (s selection) all() []int { return slices.Concat(s[0], s[1], s[2]) }

// Shares of the word limit: the event is told briefly; the rest is split
// between meaning and legal consequences.
const (
	eventShare = 0.35
	legalShare = 0.4
	// legalFloor is the lexicon evidence that makes a sentence about the
	// legal consequences.
	legalFloor = 2.0
	// mmrLambda trades centrality against novelty; redundant is the
	// similarity above which a sentence repeats one already chosen.
	mmrLambda = 0.7
	redundant = 0.5
)

// selectSentences fills the three sections within the word limit.
func (c *corpus) selectSentences(limit int, banned map[int]bool) (selection, error) {
	var sel selection
	chosen := map[int]bool{}
	used := 0
	ok := func(i int) bool { return !banned[i] && !chosen[i] }
	// novelty is the largest similarity to a chosen sentence.
	novelty := func(i int) float64 {
		m := 0.0
		for j := range chosen {
			m = max(m, c.sim[i][j])
		}
		return m
	}
	// pick chooses by MMR among the candidates that fit in budget words,
	// or, when must is set and none fits, the shortest candidate.
	pick := func(cands []int, value func(i int) float64, budget int, must bool) int {
		best, bestV := -1, 0.0
		shortest := -1
		for _, i := range cands {
			if !ok(i) {
				continue
			}
			nov := novelty(i)
			if nov > redundant {
				continue
			}
			if shortest < 0 || c.sents[i].words < c.sents[shortest].words {
				shortest = i
			}
			if c.sents[i].words > budget {
				continue
			}
			v := mmrLambda*value(i) - (1-mmrLambda)*nov
			if best < 0 || v > bestV {
				best, bestV = i, v
			}
		}
		if best < 0 && must {
			return shortest
		}
		return best
	}
	take := func(sec, i int) {
		sel[sec] = append(sel[sec], i)
		chosen[i] = true
		used += c.sents[i].words
	}
	all := make([]int, len(c.sents))
	for i := range all {
		all[i] = i
	}
	rank := func(i int) float64 { return c.sents[i].rank }

	// 1. The event: the lead of the story, from the opening sentences
	// of the articles.
	var leads []int
	for _, i := range all {
		if c.sents[i].pos < 3 {
			leads = append(leads, i)
		}
	}
	eventBudget := int(float64(limit) * eventShare)
	leadValue := func(i int) float64 {
		return math.Sqrt(c.sents[i].rank) * (1 - 0.25*float64(c.sents[i].pos)) * eventness(c.sents[i].text)
	}
	i := pick(leads, leadValue, eventBudget, false)
	if i < 0 {
		i = pick(all, rank, eventBudget, true)
	}
	if i < 0 {
		return sel, ErrTooLittleText
	}
	take(0, i)
	// The event takes the next lead sentences too while they fit: a news
	// article's opening sentences carry what a reader most needs.
	for {
		i := pick(leads, leadValue, eventBudget-wordsOf(c, sel[0]), false)
		if i < 0 {
			break
		}
		take(0, i)
	}

	// 2. The legal consequences: sentences with legal evidence.
	var legal []int
	for _, i := range all {
		if c.sents[i].legal >= legalFloor {
			legal = append(legal, i)
		}
	}
	legalValue := func(i int) float64 { return c.sents[i].rank * (1 + min(c.sents[i].legal, 8)/8) }
	legalBudget := int(float64(limit) * legalShare)
	legalUsed := 0
	for {
		i := pick(legal, legalValue, min(legalBudget-legalUsed, limit-used), len(sel[2]) == 0)
		if i < 0 {
			break
		}
		take(2, i)
		legalUsed += c.sents[i].words
	}
	if len(sel[2]) == 0 {
		// No sentence says enough that is legal: the one that comes
		// closest, or failing any, the most central left; the editor
		// has a section to rewrite rather than a missing one.
		var any []int
		for _, i := range all {
			if c.sents[i].legal > 0 {
				any = append(any, i)
			}
		}
		i := pick(any, legalValue, limit-used, true)
		if i < 0 {
			// Nothing legal at all: what an authority decided or what
			// must happen next (a council's plan, a deadline), never
			// unrelated colour.
			var next []int
			for _, i := range all {
				if consequenceScore(c.sents[i].text) > 0 {
					next = append(next, i)
				}
			}
			i = pick(next, func(i int) float64 { return c.sents[i].rank * consequenceScore(c.sents[i].text) }, limit-used, true)
		}
		if i < 0 {
			i = pick(all, rank, limit-used, true)
		}
		if i >= 0 {
			take(2, i)
		}
	}

	// 3. The meaning: the most central of the rest, as the budget allows,
	// earlier sentences first: news puts what matters high.
	meaningValue := func(i int) float64 { return c.sents[i].rank / (1 + 0.1*float64(c.sents[i].pos)) }
	for {
		i := pick(all, meaningValue, limit-used, len(sel[1]) == 0)
		if i < 0 {
			break
		}
		take(1, i)
	}
	// The event may take a second sentence if room is left.
	if i := pick(leads, leadValue, min(eventBudget-wordsOf(c, sel[0]), limit-used), false); i >= 0 {
		take(0, i)
	}
	if len(sel[2]) == 0 {
		if i := pick(all, rank, limit-used, true); i >= 0 {
			take(2, i)
		}
	}
	for _, s := range sel {
		if len(s) == 0 {
			return sel, ErrTooLittleText
		}
	}
	// Within a section, sentences keep the order of their articles; the
	// event's lead sentence stays first.
	for k := range sel {
		rest := sel[k]
		if k == 0 && !oneArticle(c, rest) {
			rest = rest[1:]
		}
		slices.SortFunc(rest, func(a, b int) int {
			sa, sb := c.sents[a], c.sents[b]
			if sa.article != sb.article {
				return sa.article - sb.article
			}
			return sa.pos - sb.pos
		})
	}
	return sel, nil
}

// oneArticle reports sentences all from one article, which then keep its
// order.
func oneArticle(c *corpus, idx []int) bool {
	for _, i := range idx {
		if c.sents[i].article != c.sents[idx[0]].article {
			return false
		}
	}
	return true
}

func wordsOf(c *corpus, idx []int) int {
	n := 0
	for _, i := range idx {
		n += c.sents[i].words
	}
	return n
}

// maxParagraphWords splits a long section into paragraphs.
const maxParagraphWords = 90

// build writes the brief: each section's sentences as paragraphs, one span
// per sentence cited to its article.
func (c *corpus) build(sel selection) *brief.Brief {
	b := &brief.Brief{Status: brief.StatusDraft, Firms: []string{}, Topics: []string{}}
	for k, idx := range sel {
		sec := brief.Section{Heading: brief.Headings[k]}
		var p brief.Paragraph
		words := 0
		flush := func() {
			if p.Text != "" {
				sec.Paragraphs = append(sec.Paragraphs, p)
			}
			p, words = brief.Paragraph{}, 0
		}
		for _, i := range idx {
			s := c.sents[i]
			if words > 0 && words+s.words > maxParagraphWords {
				flush()
			}
			if p.Text != "" {
				p.Text += " "
			}
			start := len(p.Text)
			p.Text += s.text
			p.Spans = append(p.Spans, brief.Span{Start: start, End: len(p.Text), Citations: []int{c.articles[s.article].N}})
			words += s.words
		}
		flush()
		b.Sections = append(b.Sections, sec)
	}
	b.Title = c.title(sel[0][0])
	b.Slug = brief.Slugify(b.Title)
	b.Sources = sourcesOf(c.articles)
	return b
}

// title is the most central headline: the one closest to the centre of
// the story (the rank-weighted sum of all sentences) and to the event
// sentence, so that title and lead tell the same news. Failing any
// headline, it is the event sentence, shortened.
func (c *corpus) title(event int) string {
	centre := map[string]float64{}
	var norm float64
	for _, s := range c.sents {
		for t, w := range s.terms {
			centre[t] += w * s.rank
		}
	}
	for _, w := range centre {
		norm += w * w
	}
	if norm > 0 {
		norm = sqrtf(norm)
		for t := range centre {
			centre[t] /= norm
		}
	}
	best, bestV := -1, -1.0
	for ai, a := range c.articles {
		if strings.TrimSpace(a.Title) == "" {
			continue
		}
		v := cosine(c.headline[ai], centre) + cosine(c.headline[ai], c.sents[event].terms)
		if v > bestV {
			best, bestV = ai, v
		}
	}
	if best >= 0 {
		return collapse(c.articles[best].Title)
	}
	s := strings.TrimRight(c.sents[event].text, ".!")
	if ws := strings.Fields(s); len(ws) > 14 {
		s = strings.Join(ws[:14], " ") + "…"
	}
	return s
}

// speculative words mark a sentence about what may come, not what
// happened; a present perfect ("has ordered", "have imposed") is how news
// leads report an event.
var (
	speculative    = regexp.MustCompile(`(?i)\b(would|could|might|may|likely|expected|expects|should|plans? to|considering|aims? to)\b`)
	presentPerfect = regexp.MustCompile(`(?i)\b(has|have)\s+(been\s+)?[a-z]+(ed|en|un|ught|ade|id)\b`)
)

// eventness weighs a candidate for "What just happened?".
func eventness(s string) float64 {
	v := 1.0
	if speculative.MatchString(s) {
		v *= 0.6
	}
	if presentPerfect.MatchString(s) {
		v *= 1.3
	}
	return v
}
