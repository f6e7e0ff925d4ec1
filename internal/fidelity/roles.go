package fidelity

import (
	"fmt"
	"iter"
	"slices"
	"strings"
)

// Roles: who did what to whom. A brief sentence may use only names its
// source uses and still be wrong, by giving a name another's role: the
// source's "Australia's Anti-Dumping Commission" becomes "Vietnam's", the
// company a stake is sold to becomes the company being sold, the claimant
// becomes the defendant. These checks align the claim with the source at
// the level of a possessor and what it owns, a verb and its "by", "to",
// "against" or "from" argument, and the names either side of a verb; a
// name the source has, but in another role, is a role-mismatch that quotes
// the source's version. They are deliberately narrow: a role is compared
// only where the source states the same relation with a different name
// and never with the claim's.

// roleArgs are the prepositions whose object is a role of the verb before.
var roleArgs = setOf("by", "to", "against", "from")

// nameRun is a run of capitalised tokens: a name as the source writes it.
type nameRun struct {
	first, last int
	keys        []string
}

// nameAt returns the name that starts at token i ("the" skipped), if any.
func nameAt(toks []token, i int) (nameRun, bool) {
	if i < len(toks) && toks[i].lower == "the" {
		i++
	}
	if i >= len(toks) || !(toks[i].cap || toks[i].acronym) || toks[i].num {
		return nameRun{}, false
	}
	j := i
	for j+1 < len(toks) && !toks[j].poss && (toks[j+1].cap || toks[j+1].acronym) && !toks[j+1].brk && !toks[j+1].num {
		j++
	}
	if j+1 < len(toks) && !toks[j+1].brk && !toks[j+1].stop && !toks[j+1].cap && !toks[j+1].num {
		return nameRun{}, false // "the German investor": a modifier, not the argument
	}
	return nameRun{first: i, last: j, keys: runKeys(toks, i, j)}, true
}

// nameBefore returns the name that ends at token j.
func nameBefore(toks []token, j int) (nameRun, bool) {
	if j < 0 || !(toks[j].cap || toks[j].acronym) || toks[j].num {
		return nameRun{}, false
	}
	i := j
	for i > 0 && (toks[i-1].cap || toks[i-1].acronym) && !toks[i-1].poss && !toks[i].brk && !toks[i-1].num {
		i--
	}
	return nameRun{first: i, last: j, keys: runKeys(toks, i, j)}, true
}

func runKeys(toks []token, i, j int) []string {
	var words []string
	for k := i; k <= j; k++ {
		if !connectors[toks[k].lower] && !titleWords[toks[k].lower] && len(toks[k].lower) > 1 {
			words = append(words, strings.ReplaceAll(toks[k].lower, "’", "'"))
		}
	}
	return nameKeys(words)
}

// sameName reports two names that share a key (aliases and capitals folded).
func sameName(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y || metonyms[x] == y || metonyms[y] == x {
				return true
			}
		}
	}
	return initialsOf(a, b) || initialsOf(b, a)
}

// initialsOf: a is one acronym and b's words are its initials, or its last
// ones: "SEC" and "Securities Exchange Commission", or "Exchange
// Commission" where the source's run of capitals stops at "and".
func initialsOf(a, b []string) bool {
	if len(a) != 1 || len(b) < 2 || len(a[0]) < 2 || len(a[0]) > 6 || !isLowerAlpha(a[0]) {
		return false
	}
	var in strings.Builder
	for _, w := range b {
		if w == "" {
			return false
		}
		in.WriteByte(w[0])
	}
	return strings.HasSuffix(a[0], in.String())
}

// keyAt yields every source sentence of docs where key occurs, with the
// token's index.
func keyAt(docs []*doc, key string) iter.Seq2[*doc, sentAt] {
	return func(yield func(*doc, sentAt) bool) {
		for _, d := range docs {
			for _, at := range d.at[key] {
				if !yield(d, sentAt{d.sents[at.s], int(at.t)}) {
					return
				}
			}
		}
	}
}

// sentAt is a token of a source sentence.
type sentAt struct {
	s srcSentence
	p int
}

func quoteToks(s srcSentence, i, j int) string {
	return s.text[s.toks[i].start:s.toks[j].end]
}

// roles runs the role checks of one claim sentence against docs and
// reports each conflict through f; it returns the number of errors.
func (c *checker) roles(toks []token, ms []mention, docs []*doc, f func(kind, sev string, cite int, msg string)) int {
	errs := 0
	report := func(d *doc, claimText, srcText string) {
		f(KindRoleMismatch, SeverityError, d.n, fmt.Sprintf("the sentence says %q where source %d says %q", claimText, d.n, srcText))
		errs++
	}
	named := func(m mention) bool {
		return anyDoc(docs, func(d *doc) bool { ok, _ := d.names.supports(m); return ok })
	}
	for _, m := range ms {
		if !m.poss || !named(m) {
			continue
		}
		if d, claimText, srcText, ok := possessorConflict(toks, m, docs); ok {
			report(d, claimText, srcText)
		}
	}
	for i, t := range toks {
		if !roleArgs[t.lower] {
			continue
		}
		x, ok := nameAt(toks, i+1)
		if !ok || !namedKeys(docs, x.keys) {
			continue
		}
		v := governor(toks, i)
		if v < 0 {
			continue
		}
		if d, srcText, ok := argumentConflict(toks[v].key, t.lower, x.keys, docs); ok {
			report(d, joinTokens(toks, v, x.last), srcText)
		}
	}
	if v, x, d, srcText, ok := passiveAgentConflict(toks, docs); ok {
		report(d, joinTokens(toks, v, x.last), srcText)
	}
	if d, claimText, srcText, ok := titleConflict(toks, docs); ok {
		report(d, claimText, srcText)
	}
	if fc, d, srcText, ok := swappedFrame(toks, docs); ok {
		lo, hi := min(fc.agent.first, fc.patient.first), max(fc.agent.last, fc.patient.last)
		report(d, joinTokens(toks, lo, hi), srcText)
	}
	return errs
}

// namedKeys reports whether some doc names every key.
func namedKeys(docs []*doc, keys []string) bool {
	if len(keys) == 0 {
		return false
	}
	return anyDoc(docs, func(d *doc) bool {
		for _, k := range keys {
			if !d.names[k] {
				if t, ok := metonyms[k]; !ok || !d.names[t] {
					return false
				}
			}
		}
		return true
	})
}

// governor returns the content word a preposition at i attaches to: the
// nearest lower-case content word before it, within three tokens and the
// same clause.
func governor(toks []token, i int) int {
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		if toks[k+1].brk {
			return -1
		}
		t := toks[k]
		if t.cap || t.num || t.acronym || scales[t.lower] > 0 || numberWords[t.lower] > 0 || currencyWords[t.lower] != "" {
			return -1
		}
		if !t.stop && len(t.lower) > 2 {
			return k
		}
	}
	return -1
}

// possessorConflict finds, for the claim's "X's H", a source sentence that
// gives H to another possessor and none that gives it to X.
func possessorConflict(toks []token, m mention, docs []*doc) (*doc, string, string, bool) {
	h := m.last + 1
	if h >= len(toks) || toks[h].brk || toks[h].num || toks[h].stop {
		return nil, "", "", false
	}
	// The possessed: a capitalised name ("Anti-Dumping Commission") or one
	// common noun ("pump").
	end := h
	if toks[h].cap {
		for end+1 < len(toks) && toks[end+1].cap && !toks[end+1].brk {
			end++
		}
	}
	head := make([]string, 0, end-h+1)
	for k := h; k <= end; k++ {
		head = append(head, toks[k].key)
	}
	var conflict *doc
	var srcText string
	for d, at := range keyAt(docs, head[0]) {
		s, p := at.s, at.p
		if p+len(head) > len(s.toks) || !matchKeys(s.toks[p:p+len(head)], head) {
			continue
		}
		// the possessor: just before, or before up to three
		// modifiers ("Valmora's 25 per cent tariffs")
		q := p - 1
		for k := 0; k < 3 && q > 0 && !s.toks[q].poss && !s.toks[q].cap && !s.toks[q+1].brk && (!s.toks[q].stop || s.toks[q].lower == "per"); k++ {
			q--
		}
		if q < 0 || !s.toks[q].poss {
			continue
		}
		owner, ok := nameBefore(s.toks, q)
		if !ok || len(owner.keys) == 0 {
			continue
		}
		if sameName(owner.keys, m.keys) {
			return nil, "", "", false // the source gives it to X too
		}
		if conflict == nil {
			conflict, srcText = d, quoteToks(s, owner.first, p+len(head)-1)
		}
	}
	if conflict == nil {
		return nil, "", "", false
	}
	return conflict, joinTokens(toks, m.first, end), srcText, true
}

func matchKeys(toks []token, keys []string) bool {
	for i, k := range keys {
		if toks[i].key != k {
			return false
		}
	}
	return true
}

// argumentConflict finds a source sentence where verb key v takes the
// preposition prep with another name, and none where it takes x.
func argumentConflict(v, prep string, x []string, docs []*doc) (*doc, string, bool) {
	var conflict *doc
	var srcText string
	for d, at := range keyAt(docs, v) {
		s, p := at.s, at.p
		for k := p + 1; k < len(s.toks) && k <= p+6; k++ {
			if s.toks[k].brk && k > p+1 {
				break
			}
			if s.toks[k].lower != prep {
				continue
			}
			// "by the campaign group Open Hands": a name after a
			// description of it
			y, ok := nameAt(s.toks, k+1)
			for skip := k + 2; !ok && skip <= k+4 && skip < len(s.toks) && !s.toks[skip-1].cap && !s.toks[skip].brk; skip++ {
				y, ok = nameAt(s.toks, skip)
			}
			if !ok || len(y.keys) == 0 {
				break
			}
			if sameName(y.keys, x) || abbreviatedAs(s.toks, y, x) {
				return nil, "", false
			}
			if conflict == nil {
				conflict, srcText = d, quoteToks(s, p, y.last)
			}
			break
		}
	}
	return conflict, srcText, conflict != nil
}

// frame is who did what to whom around one verb: the names either side,
// put in order agent then patient ("Velmora sued Castrel"; "Castrel was
// sued by Velmora" gives the same frame).
type frame struct {
	verb           string
	agent, patient nameRun
	v              int // the verb's token
}

var beAux = setOf("is", "are", "was", "were", "been", "be", "being")

// frameAt reads the frame around a lower-case content word at v: a name
// ending at most three tokens before it and one starting at most three
// tokens after it, in the same clause.
func frameAt(toks []token, v int) (frame, bool) {
	t := toks[v]
	if t.cap || t.num || t.stop || len(t.lower) < 3 || t.brk {
		return frame{}, false
	}
	passive := false
	var left nameRun
	found := false
	for k := v - 1; k >= 0 && k >= v-5; k-- {
		if toks[k+1].brk {
			break
		}
		if toks[k].cap || toks[k].acronym {
			left, found = nameBefore(toks, k)
			break
		}
		if beAux[toks[k].lower] {
			passive = true
		}
		// "X, which is 74% owned by Y": the relative clause's subject is
		// the name it follows.
		if (toks[k].lower == "which" || toks[k].lower == "who") && toks[k].brk && k > 0 {
			left, found = nameBefore(toks, k-1)
			break
		}
		if !toks[k].stop && !toks[k].num {
			break
		}
	}
	if !found || toks[left.last].poss {
		return frame{}, false
	}
	var right nameRun
	found = false
	described := false // lower-case words of a description passed: "the defendant, X"
	for k := v + 1; k < len(toks) && k <= v+5; k++ {
		if toks[k].brk && !(described && (toks[k].cap || toks[k].acronym)) {
			break
		}
		if toks[k].cap || toks[k].acronym {
			right, found = nameAt(toks, k)
			if !found {
				// "Acme's costs", "Indonesian miner PT Halmera": a
				// possessor is a name whatever follows; a capitalised
				// modifier is passed over to the name it describes.
				if r, ok := nameBefore(toks, capRunEnd(toks, k)); ok && toks[r.last].poss {
					right, found = r, true
				} else if toks[k+min(1, len(toks)-k-1)].cap {
					break
				} else {
					described = true
					continue
				}
			}
			if found && toks[k-1].lower != "by" && !(described && passive) {
				passive = false
			}
			break
		}
		if toks[k].lower == "to" || roleArgs[toks[k].lower] && toks[k].lower != "by" {
			break
		}
		if !toks[k].stop {
			if k > v+1 && (toks[k-1].stop || described) {
				described = true // "the defendant", "nickel miner"
				continue
			}
			break
		}
	}
	if !found || len(left.keys) == 0 || len(right.keys) == 0 || sameName(left.keys, right.keys) {
		return frame{}, false
	}
	if passive {
		left, right = right, left
	}
	return frame{verb: t.key, agent: left, patient: right, v: v}, true
}

// swappedFrame finds a claim frame whose names the source has the other
// way round around the same verb, and never the claim's way.
func swappedFrame(toks []token, docs []*doc) (frame, *doc, string, bool) {
	for v := range toks {
		fc, ok := frameAt(toks, v)
		if !ok || !namedKeys(docs, fc.agent.keys) || !namedKeys(docs, fc.patient.keys) {
			continue
		}
		var conflict *doc
		var srcText string
		same := false
		for _, vk := range verbKeys(fc.verb) {
			for d, at := range keyAt(docs, vk) {
				s, p := at.s, at.p
				fs, ok := frameAt(s.toks, p)
				if !ok {
					continue
				}
				switch {
				case sameName(fs.agent.keys, fc.agent.keys) && sameName(fs.patient.keys, fc.patient.keys):
					same = true
				case sameName(fs.agent.keys, fc.patient.keys) && sameName(fs.patient.keys, fc.agent.keys) && conflict == nil:
					lo, hi := min(fs.agent.first, fs.patient.first), max(fs.agent.last, fs.patient.last)
					conflict, srcText = d, quoteToks(s, lo, hi)
				}
			}
		}
		if conflict != nil && !same {
			return fc, conflict, srcText, true
		}
	}
	return frame{}, nil, "", false
}

// passiveAgentConflict finds "the case was brought by X" where the source
// says "Y brought the case" and never that X did.
func passiveAgentConflict(toks []token, docs []*doc) (int, nameRun, *doc, string, bool) {
	for v := 1; v+2 < len(toks); v++ {
		t := toks[v]
		if t.cap || t.stop || t.num || toks[v+1].lower != "by" || !beAux[toks[v-1].lower] && !(v >= 2 && beAux[toks[v-2].lower] && toks[v-1].stop) {
			continue
		}
		x, ok := nameAt(toks, v+2)
		if !ok || !namedKeys(docs, x.keys) {
			continue
		}
		// the patient: the content words before the auxiliary, in its clause
		var objs []string
		for k := v - 1; k >= 0 && k >= v-6; k-- {
			if !toks[k].stop && !toks[k].cap && !toks[k].num {
				objs = append(objs, toks[k].key)
			}
			if toks[k].brk {
				break
			}
		}
		if len(objs) == 0 {
			continue
		}
		var conflict *doc
		var srcText string
		same := false
		for d, at := range keyAt(docs, t.key) {
			s, p := at.s, at.p
			// active: a name just before the verb, the patient after it
			if p == 0 || beAux[s.toks[p-1].lower] {
				continue
			}
			y, ok := nameBefore(s.toks, p-1)
			if !ok || len(y.keys) == 0 {
				continue
			}
			o := p + 1
			for o < len(s.toks) && o <= p+2 && s.toks[o].stop {
				o++
			}
			if o >= len(s.toks) || !slices.Contains(objs, s.toks[o].key) {
				continue
			}
			if sameName(y.keys, x.keys) {
				same = true
			} else if conflict == nil {
				conflict, srcText = d, quoteToks(s, y.first, o)
			}
		}
		if conflict != nil && !same {
			return v, x, conflict, srcText, true
		}
	}
	return 0, nameRun{}, nil, "", false
}

// abbreviatedAs reports a name the source follows with its abbreviation in
// brackets, "the European Association of Widget Makers (EAWM)", when the
// claim uses the abbreviation x: one party named two ways.
// The name may run on through "of", "for", "and": "Federation of
// Independent Bakers (FIB)".
func abbreviatedAs(toks []token, y nameRun, x []string) bool {
	for k := y.last + 1; k < len(toks) && k <= y.last+8; k++ {
		t := toks[k]
		if t.acronym && t.brk {
			return sameName(runKeys(toks, k, k), x)
		}
		if t.brk || !t.cap && !connectors[t.lower] {
			return false
		}
	}
	return false
}

// capRunEnd returns the last token of the capitalised run starting at k.
func capRunEnd(toks []token, k int) int {
	for k+1 < len(toks) && (toks[k+1].cap || toks[k+1].acronym) && !toks[k+1].brk && !toks[k].poss {
		k++
	}
	return k
}

// verbKeys are the keys one short verb may have: the stemmer leaves
// "owned" whole (its stem would be too short) while "owns" is "own".
func verbKeys(k string) []string {
	out := []string{k}
	for _, v := range []string{k + "ed", k + "d", strings.TrimSuffix(k, "ed"), strings.TrimSuffix(k, "d")} {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
