package fidelity

import "slices"

// A title or role noun written beside a name ("its former chief
// executive, Lorna Hale"; "Judge Ana Ruiz"; "lead claimant Tom Reed")
// says who that person is. A paraphrase that gives the title to another
// name the source has ("former chief executive Dev Patel" where the source
// makes Patel the regulator's director and Hale the chief executive) puts
// a real name in the wrong role.

// roleNouns are the titles and roles a brief binds to a name.
var roleNouns = setOf("executive", "ceo", "chairman", "chairwoman", "chair", "president", "director",
	"prosecutor", "judge", "justice", "spokesperson", "spokesman", "spokeswoman", "lawyer", "claimant",
	"founder", "minister", "commissioner", "controller", "parent", "subsidiary", "lender", "landlord",
	"complainant", "applicant", "arbitrator", "treasurer", "regulator", "auditor", "liquidator", "administrator")

// roleModifiers may stand between a role and the comma after a name:
// "Lorna Hale, its former chief executive".
var roleModifiers = setOf("its", "the", "a", "an", "former", "lead", "chief", "deputy", "acting", "then",
	"interim", "senior", "managing", "executive", "general", "his", "her", "their", "co-founder", "also")

// binding is a role beside a name.
type binding struct {
	role string
	name nameRun
	at   int // the role's token
}

// roleBindings lists the roles of toks that stand beside a name: before
// it ("former prosecutor Ana Ruiz", "chief executive, Lorna Hale") or
// after it and a comma ("Lorna Hale, its former chief executive").
func roleBindings(toks []token) []binding {
	var out []binding
	for k, t := range toks {
		if !roleNouns[t.lower] || t.poss {
			continue
		}
		if k+1 < len(toks) && roleNouns[toks[k+1].lower] {
			continue // "chief executive officer": the last noun is the head
		}
		m := k + 1
		if m < len(toks) && toks[m].lower == "officer" && !toks[m].brk {
			m++ // "chief executive officer" is the chief executive
		}
		if m < len(toks) && (toks[m].cap || toks[m].acronym) && !toks[m].num && toks[m].lower != "the" {
			// the capitalised run after the title, whatever follows it
			e := m
			for e+1 < len(toks) && (toks[e+1].cap || toks[e+1].acronym) && !toks[e+1].brk && !toks[e+1].num && !toks[e].poss {
				e++
			}
			if n := (nameRun{first: m, last: e, keys: runKeys(toks, m, e)}); len(n.keys) > 0 && !toks[e].poss {
				out = append(out, binding{t.lower, n, k})
			}
			continue
		}
		// after a name and a comma, over modifiers: toks[j] is the first
		// word of the role phrase
		j := k
		for j > 0 && k-j < 5 && !toks[j].brk && (roleModifiers[toks[j-1].lower] || roleNouns[toks[j-1].lower] || toks[j-1].poss) {
			j--
		}
		if toks[j].brk && j > 0 {
			e := j - 1
			if e > 0 && toks[e].num && toks[e].brk {
				e-- // "Ana Ruiz, 46, a former prosecutor": the age between
			}
			if n, ok := nameBefore(toks, e); ok && len(n.keys) > 0 {
				out = append(out, binding{t.lower, n, k})
			}
		}
	}
	return out
}

// sameBearer reports two names of one person or body: every key of the
// shorter is in the longer ("Hale" and "Lorna Hale", not "Lorna Hale" and
// "Lorna Ruiz").
func sameBearer(a, b []string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return false
	}
	for _, k := range a {
		if !slices.Contains(b, k) && !slices.ContainsFunc(b, func(y string) bool { return metonyms[k] == y || metonyms[y] == k }) {
			return false
		}
	}
	return true
}

// titleConflict finds a claim's role beside a name the sources have,
// where the sources give that role to another name and never to this
// one. It returns the claim's words and the source's.
func titleConflict(toks []token, docs []*doc) (*doc, string, string, bool) {
	for _, cb := range roleBindings(toks) {
		if !namedKeys(docs, cb.name.keys) {
			continue
		}
		var other *doc
		var otherText string
		confirmed := false
		for _, d := range docs {
			for _, sb := range d.bindings() {
				if sb.b.role != cb.role {
					continue
				}
				if sameBearer(sb.b.name.keys, cb.name.keys) {
					confirmed = true
					break
				}
				if other == nil {
					lo, hi := min(sb.b.at, sb.b.name.first), max(sb.b.at, sb.b.name.last)
					other, otherText = d, quoteToks(sb.s, lo, hi)
				}
			}
		}
		if !confirmed && other != nil {
			lo, hi := min(cb.at, cb.name.first), max(cb.at, cb.name.last)
			return other, joinTokens(toks, lo, hi), otherText, true
		}
	}
	return nil, "", "", false
}

// srcBinding is a role beside a name in a source sentence.
type srcBinding struct {
	b binding
	s srcSentence
}

// bindings returns the role bindings of every sentence of the text,
// computed once per text.
func (p *prepared) bindings() []srcBinding {
	p.bindOnce.Do(func() {
		for _, s := range p.sents {
			for _, b := range roleBindings(s.toks) {
				p.binds = append(p.binds, srcBinding{b, s})
			}
		}
	})
	return p.binds
}
