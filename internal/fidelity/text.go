package fidelity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"legists/internal/sentence"
)

// token is one word of a sentence with the forms the checks compare.
type token struct {
	text       string // as written, possessive removed
	lower      string // lower case of text
	key        string // stem after synonym folding: what support overlap compares
	start, end int    // bytes in the sentence, possessive included
	cap        bool   // starts with a capital letter
	acronym    bool   // two or more capitals and no lower case: NATO, U.S., EU
	stop       bool   // function word: carries no claim
	num        bool   // starts with a digit
	poss       bool   // written with a possessive 's
	brk        bool   // clause punctuation (, ; : dash bracket) stands before it
	line       bool   // a line break stands before it
}

// tokenize splits s into tokens. It is the one place that decides what a
// word is for the checks, so claims and sources are always compared alike.
func tokenize(s string) []token {
	spans := sentence.Words(s)
	out := make([]token, 0, len(spans))
	prev := 0
	for _, sp := range spans {
		w := s[sp.Start:sp.End]
		t := token{start: sp.Start, end: sp.End}
		t.brk = len(out) > 0 && clauseBreak(s[prev:sp.Start])
		t.line = len(out) > 0 && strings.IndexByte(s[prev:sp.Start], '\n') >= 0
		prev = sp.End
		for _, suf := range []string{"'s", "’s", "'S", "’S"} {
			if len(w) > len(suf)+1 && strings.HasSuffix(w, suf) {
				w, t.poss = w[:len(w)-len(suf)], true
				break
			}
		}
		t.text = w
		t.lower = strings.ToLower(w)
		r, _ := utf8.DecodeRuneInString(w)
		t.cap = unicode.IsUpper(r)
		t.num = unicode.IsDigit(r)
		t.acronym = isAcronym(w)
		t.stop = stopwords[t.lower]
		t.key = keyOf(t.lower)
		out = append(out, t)
	}
	return out
}

// clauseBreak reports whether the text between two words ends a clause:
// a comma, semicolon, colon, bracket, dash or sentence point. A negation
// does not reach across it.
func clauseBreak(gap string) bool {
	return strings.ContainsAny(gap, ",;:()[]—–.!?") || strings.Contains(gap, " - ")
}

// isAcronym reports NATO, EU, U.S., UK, G7-style words: at least two capitals
// and no lower-case letter.
func isAcronym(w string) bool {
	caps := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			caps++
		}
	}
	return caps >= 2
}

// keyOf folds a lower-case word to the form support overlap compares: an
// irregular or synonym group's head if it has one, otherwise a light stem.
func keyOf(lower string) string {
	lower = strings.ReplaceAll(lower, "’", "'")
	if k, ok := synonyms[lower]; ok {
		return k
	}
	s := stem(lower)
	if k, ok := synonyms[s]; ok {
		return k
	}
	return s
}

// stem is a light English suffix stripper. It need not produce words, only
// map inflections of one word to one form; over-stemming mostly costs
// nothing here because both sides of every comparison are stemmed alike.
func stem(w string) string {
	if irr, ok := irregular[w]; ok {
		return irr
	}
	if len(w) <= 3 || !isAlpha(w) {
		return strings.TrimSuffix(w, ".")
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:len(w)-1]
	}
	for _, suf := range []string{"ations", "ation", "ments", "ment", "ings", "ing", "edly", "ed", "ly", "ers", "er", "ions", "ion", "ive", "ity", "al", "e"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 4 {
			w = w[:len(w)-len(suf)]
			// "planned" -> "plann" -> "plan"
			if n := len(w); n >= 2 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) {
				w = w[:n-1]
			}
			break
		}
	}
	if strings.HasSuffix(w, "i") && len(w) > 4 {
		w = w[:len(w)-1] + "y"
	}
	return w
}

func isAlpha(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '\'' && r != '-' {
			return false
		}
	}
	return true
}

// irregular maps irregular inflections to one form.
var irregular = map[string]string{
	"said": "say", "says": "say", "won": "win", "wins": "win", "lost": "lose", "loses": "lose",
	"fell": "fall", "fallen": "fall", "rose": "rise", "risen": "rise", "took": "take", "taken": "take",
	"made": "make", "gave": "give", "given": "give", "held": "hold", "brought": "bring",
	"sought": "seek", "told": "tell", "met": "meet", "left": "leave", "paid": "pay", "sold": "sell",
	"bought": "buy", "struck": "strike", "stricken": "strike", "found": "find", "thought": "think",
	"began": "begin", "begun": "begin", "wrote": "write", "written": "write", "went": "go", "gone": "go",
	"came": "come", "knew": "know", "known": "know", "saw": "see", "seen": "see", "became": "become",
	"led": "lead", "kept": "keep", "spent": "spend", "sent": "send", "built": "build", "felt": "feel",
	"drew": "draw", "drawn": "draw", "grew": "grow", "grown": "grow", "chose": "choose",
	"chosen": "choose", "upheld": "uphold", "withheld": "withhold", "withdrew": "withdraw",
	"withdrawn": "withdraw", "overtook": "overtake", "forbade": "forbid", "forbidden": "forbid",
	"children": "child", "women": "woman", "men": "man", "people": "person", "countries": "country",
	"economies": "economy", "rulings": "ruling", "ran": "run", "sat": "sit", "stood": "stand",
	"understood": "understand", "fought": "fight", "caught": "catch", "taught": "teach",
	"spoke": "speak", "spoken": "speak", "broke": "break", "broken": "break", "threw": "throw",
	"heard": "hear", "meant": "mean", "lent": "lend", "bound": "bind", "hid": "hide", "rode": "ride",
}

// synonyms folds cheap, safe synonyms (and their stems) into one head so a
// fair paraphrase that swaps "ruling" for "judgment" keeps its support.
// Antonym pairs are NOT folded: they live in the negation lexicon.
var synonyms = func() map[string]string {
	groups := [][]string{
		{"say", "said", "says", "stated", "told", "tell", "declar", "declare", "declared", "remark", "comment", "commented", "note", "noted", "add", "added"},
		{"ruling", "rul", "ruled", "judgment", "judgement", "decision", "decid", "decide", "decided", "verdict", "determination"},
		{"court", "tribunal"},
		{"company", "firm", "business", "corporation", "group"},
		{"law", "legislation", "statute"},
		{"rule", "regulation", "regulat", "regulate", "regulatory"},
		{"fine", "fined", "penalty", "penalti"},
		{"big", "large", "larg", "major", "significant", "signific", "substantial", "substanti"},
		{"begin", "start", "commenc", "commence", "launch", "open", "initiat"},
		{"buy", "acquir", "acquire", "acquisition", "purchas", "purchase", "takeover"},
		{"sue", "sued", "sues", "suing", "lawsuit", "suit", "litigat", "litigation"},
		{"lawyer", "attorney", "counsel", "solicitor", "barrister", "advocat", "advocate", "adviser", "advis"},
		{"help", "assist", "aid"},
		{"need", "requir", "require", "necessary", "must"},
		{"warn", "caution"},
		{"invad", "invade", "invasion", "incursion"},
		{"deploy", "station", "stationed", "mass", "massed"},
		{"troop", "soldier", "forc", "force"},
		{"talk", "negotiat", "negotiation", "negotiate", "discussion", "discuss"},
		{"agree", "agreement", "deal", "accord"},
		{"propos", "proposal", "propose", "suggest", "suggestion"},
		{"plan", "intend", "intent", "intention"},
		{"expect", "anticipat", "anticipate", "predict"},
		{"investigat", "investigation", "investigate", "probe", "inquiry", "enquiry"},
		{"charg", "charge", "indict", "indictment", "accus", "accuse", "prosecut", "prosecute"},
		{"merg", "merge", "merger", "combin", "combine", "combination"},
		{"country", "nation", "state", "states"},
		{"government", "authority", "authoriti"},
		{"minister", "secretary"},
		{"worker", "employee", "staff", "employ", "employed", "employs", "employing"},
		{"chief", "head", "leader", "boss"},
		{"meet", "meeting"},
		{"threat", "threaten"},
		{"member", "membership"},
		{"alliance", "bloc", "pact"},
		{"border", "frontier"},
		{"attack", "assault", "strike"},
		{"end", "finish", "conclud", "conclude"},
		{"sign", "signed", "enact"},
		{"claim", "allegation", "alleg", "allege"},
		{"appeal", "challenge"},
		{"dispute", "conflict"},
		{"client", "customer"},
		{"judge", "justice"},
		{"european", "europe"},
		{"unacceptable", "non-starter"},
		{"show", "demonstrat", "demonstrate", "reveal"},
		{"urge", "call", "press", "push"},
		{"protect", "defend", "defence", "defense", "safeguard"},
		{"hear", "hearing"},
		{"try", "trial", "attempt"},
		{"mr", "mister"},
	}
	m := map[string]string{}
	for _, g := range groups {
		for _, w := range g {
			m[w] = g[0]
		}
	}
	return m
}()

// stopwords are function words and reporting filler that carry no claim.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or but nor so yet for of to in on at by with from into onto upon
	about above after against along among around as before behind below beneath beside between beyond
	during except inside near off out outside over past since through throughout till toward towards
	under underneath until unto up via within without
	i me my mine myself we us our ours ourselves you your yours yourself he him his himself she her hers
	herself it its itself they them their theirs themselves this that these those who whom whose which
	what whatever whoever whichever there here where when why how whether if then than
	am is are was were be been being have has had having do does did doing will would shall should can
	could may might must ought
	all any both each either every few many more most much neither other another some such several
	no not only own same too very just also even still already again ever never
	however therefore thus hence meanwhile moreover furthermore although though while whereas because
	unless once now today yesterday tomorrow
	mr mrs ms dr said says say told according would-be one made make makes`) {
		m[w] = true
	}
	return m
}()

// contentTokens returns the distinct keys of the tokens that carry a claim.
// Numbers are left out: they are compared by value, not by spelling.
func contentKeys(toks []token) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range toks {
		if t.stop || t.num || len(t.lower) < 2 || seen[t.key] {
			continue
		}
		if _, isNum := numberWords[t.lower]; isNum {
			continue
		}
		seen[t.key] = true
		out = append(out, t.key)
	}
	return out
}
