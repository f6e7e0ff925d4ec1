package legalref

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// underActRe: what follows an Act's name in the name of an instrument
// made under it: " (Regulated Activities) Order 2001".
var underActRe = regexp.MustCompile(`^(?: \([A-Z][^()\n]{0,60}\))+ (Order|Regulations|Rules) (?:19|20)\d\d\b`)

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// retainedBefore: "retained", "assimilated" or "UK version of" just
// before offset at.
func retainedBefore(t string, at int) bool {
	b := strings.ToLower(t[max(0, at-32):at])
	return strings.Contains(b, "retained") || strings.Contains(b, "assimilated") || strings.Contains(b, "uk version of")
}

// revisionRe: "(2023 Revision)" after a law's name.
var revisionRe = regexp.MustCompile(`^ \(((?:19|20)\d\d) Revision\)`)

// lowerOfRe: a lower-case court name continued by "of" is a figure of speech.
var lowerOfRe = regexp.MustCompile(`^\s+of\b`)

// scan holds the state of one Find.
type scan struct {
	text       string
	ctxJur     string
	ctxCountry string
	refs       []ref
	byStart    map[int]int // start offset -> index in refs of an instrument mention
}

func newScan(text string) *scan {
	s := &scan{text: text, byStart: map[int]int{}}
	s.ctxJur, s.ctxCountry = documentJurisdiction(text)
	return s
}

// Words that say which country (or the EU) a text is about.
var signals = []struct {
	jur string
	re  *regexp.Regexp
}{
	{"uk", regexp.MustCompile(`\b(?:UK|U\.K\.|British|Britain|England|English|Wales|London|Scotland|Scottish|HMRC|FCA|CMA|SFO|OFSI|Ofcom|Westminster|UKSC|EWCA|EWHC|King's|King’s|Whitehall)\b`)},
	{"us", regexp.MustCompile(`\b(?:US|U\.S\.|USA|American|United States|Washington|New York|Delaware|SEC|DOJ|FTC|OFAC|Congress|California|Texas|Senate|U\.S\.C\.|CFR|C\.F\.R\.|federal)\b`)},
	{"eu", regexp.MustCompile(`\b(?:EU|European Union|European Commission|Brussels|CJEU|Luxembourg|TFEU|member states?)\b`)},
	{"au", regexp.MustCompile(`\b(?:Australia|Australian|ASIC|ACCC|Sydney|Melbourne|Canberra|Cth)\b`)},
	{"ch", regexp.MustCompile(`\b(?:Switzerland|Swiss|FINMA|Zurich|Geneva|Bern)\b`)},
	{"sg", regexp.MustCompile(`\b(?:Singapore|Singaporean|SIAC|SICC)\b`)},
	{"nl", regexp.MustCompile(`\b(?:Netherlands|Dutch|Amsterdam|The Hague|Rotterdam|Hoge Raad)\b`)},
	{"de", regexp.MustCompile(`\b(?:Germany|German|Bundeskartellamt|BaFin|Berlin|Munich|Düsseldorf|Frankfurt|Karlsruhe)\b`)},
	{"fr", regexp.MustCompile(`\b(?:France|French|Paris|Conseil)\b`)},
	{"in", regexp.MustCompile(`\b(?:India|Indian|SEBI|Delhi|Mumbai)\b`)},
	{"ie", regexp.MustCompile(`\b(?:Ireland|Irish|Dublin)\b`)},
	{"ca", regexp.MustCompile(`\b(?:Canada|Canadian|Ontario|Toronto)\b`)},
	{"hk", regexp.MustCompile(`\b(?:Hong Kong)\b`)},
	{"cn", regexp.MustCompile(`\b(?:China|Chinese|Beijing|Shanghai)\b`)},
	{"br", regexp.MustCompile(`\b(?:Brazil|Brazilian)\b`)},
	{"it", regexp.MustCompile(`\b(?:Italy|Italian|Milan|Rome|Consob)\b`)},
	{"es", regexp.MustCompile(`\b(?:Spain|Spanish|Madrid|Barcelona|CNMC)\b`)},
	{"ky", regexp.MustCompile(`\b(?:Cayman|CIMA)\b`)},
	{"vg", regexp.MustCompile(`\b(?:BVI|British Virgin Islands)\b`)},
	{"je", regexp.MustCompile(`\b(?:Jersey|Jersey's|Royal Court)\b`)},
	{"bm", regexp.MustCompile(`\b(?:Bermuda|Bermudian)\b`)},
	{"nz", regexp.MustCompile(`\b(?:New Zealand|Wellington|Auckland)\b`)},
	{"za", regexp.MustCompile(`\b(?:South Africa|South African|Johannesburg|Pretoria)\b`)},
	{"ng", regexp.MustCompile(`\b(?:Nigeria|Nigerian|Lagos|Abuja)\b`)},
	{"ke", regexp.MustCompile(`\b(?:Kenya|Kenyan|Nairobi)\b`)},
	{"ae", regexp.MustCompile(`\b(?:Dubai|DIFC|ADGM|UAE|Abu Dhabi)\b`)},
}

// documentJurisdiction decides which jurisdiction a text is about: jur,
// for an Act or a provision it names without saying whose; country (never
// the EU) for names of courts used in several countries ("the Supreme
// Court"). Without any signal: uk.
func documentJurisdiction(text string) (jur, country string) {
	jur, country, _ = signalsIn(text)
	return jur, country
}

// signalsIn counts the signals of text: the leading jurisdiction, the
// leading country and the strength of the country's signal.
func signalsIn(text string) (jur, country string, strength int) {
	best, bestC := 0, 0
	jur, country = "uk", "uk"
	for i, sg := range signals {
		n := signalCount(i, text)
		if n > best {
			best, jur = n, sg.jur
		}
		if n > bestC && sg.jur != "eu" {
			bestC, country = n, sg.jur
		}
	}
	return jur, country, bestC
}

// A mention is a reference to a whole instrument, case or court. Candidates
// may overlap; the longest wins.
type cand struct {
	ref
	prio int
}

func (s *scan) mentions() {
	var cs []cand
	add := func(start, end int, r ref, prio int) {
		start, end = trimSpaceSpan(s.text, start, end)
		if start >= end || !boundedAt(s.text, start, end) {
			return
		}
		if followedByBody(s.text, end) && r.kind != KindCase {
			return
		}
		r.start, r.end = start, end
		cs = append(cs, cand{r, prio})
	}
	t := s.text
	// Names from the table.
	for _, m := range tbl.matches(t) {
		in, ok := tbl.lookup(t[m[0]:m[1]])
		if !ok {
			continue
		}
		if in.Kind == KindCourt && t[m[0]] >= 'a' && t[m[0]] <= 'z' && lowerOfRe.MatchString(t[m[1]:min(len(t), m[1]+8)]) {
			continue // "the court of appeal of public sentiment"
		}
		if rv := revisionRe.FindStringSubmatchIndex(t[m[1]:min(len(t), m[1]+24)]); rv != nil && in.Kind == KindLegislation {
			// "the Companies Act (2023 Revision)": the Cayman Islands' way
			// of citing their laws; not the UK Act of that name.
			name := t[m[0]:m[1]] + " (" + t[m[1]+rv[2]:m[1]+rv[3]] + " Revision)"
			f := Instrument{Kind: KindLegislation, Jurisdiction: "ky", Canonical: name, Title: name}
			finishInstrument(&f)
			add(m[0], m[1]+rv[1], ref{inst: &f, kind: KindLegislation}, 4)
			continue
		}
		if in.Jurisdiction == "eu" && (in.Kind == KindRegulation || in.Kind == KindDirective) && retainedBefore(t, m[0]) {
			// "the retained version of Rome I": the UK's copy, not the EU act
			// (and not its EUR-Lex address).
			name := in.Title + " (UK retained version)"
			in = Instrument{Kind: in.Kind, Jurisdiction: "uk", Canonical: name, Title: name}
			finishInstrument(&in)
		}
		in2 := in
		// A case by its short name ("Schrems II") carries no number: its
		// address would come from the table, not from the reference.
		add(m[0], m[1], ref{inst: &in2, kind: in.Kind, noURL: in.Kind == KindCase}, 3)
	}
	s.genericActs(add)
	s.euActs(add)
	s.citations(add)
	s.courts(add)
	s.treaties(add)
	// "the Financial Services and Markets Act 2000 (Regulated Activities)
	// Order 2001": an instrument made under the Act, not the Act.
	for _, c := range cs {
		if c.kind != KindLegislation || c.end < 4 || !isDigits(t[c.end-4:c.end]) {
			continue
		}
		if m := underActRe.FindStringSubmatchIndex(t[c.end:min(len(t), c.end+90)]); m != nil {
			name := strings.Join(strings.Fields(t[c.start:c.end+m[1]]), " ")
			kind := KindRegulation
			if t[c.end+m[2]:c.end+m[3]] == "Rules" {
				kind = KindRule
			}
			in := Instrument{Kind: kind, Jurisdiction: "uk", Canonical: name, Title: name}
			finishInstrument(&in)
			cs = append(cs, cand{ref{start: c.start, end: c.end + m[1], inst: &in, kind: kind}, 2})
		}
	}
	// A name made up from the words of the text that holds two names the
	// table knows ("the Treaty on European Union and the Charter of
	// Fundamental Rights") is those two, not one.
	var whole []cand
	for _, c := range cs {
		// Two names, not two spellings of one ("Verein KlimaSeniorinnen"
		// and "KlimaSeniorinnen" inside it count once).
		inner, innerEnd := 0, -1
		for _, o := range cs {
			if o.prio == 3 && !o.citation && o.start >= c.start && o.end <= c.end && (o.start > c.start || o.end < c.end) && o.start >= innerEnd {
				inner++
				innerEnd = o.end
			}
		}
		if c.prio < 3 && !c.citation && inner >= 2 {
			continue
		}
		whole = append(whole, c)
	}
	cs = whole
	// Keep the longest of overlapping candidates (then the higher priority,
	// then the earlier).
	sort.SliceStable(cs, func(i, j int) bool {
		if ci, cj := cs[i].citation, cs[j].citation; ci != cj {
			return ci // a case number beats a case name it overlaps
		}
		li, lj := cs[i].end-cs[i].start, cs[j].end-cs[j].start
		if li != lj {
			return li > lj
		}
		if cs[i].prio != cs[j].prio {
			return cs[i].prio > cs[j].prio
		}
		return cs[i].start < cs[j].start
	})
	var kept []ref
	for _, c := range cs {
		if overlapsAny(kept, c.start, c.end) {
			continue
		}
		kept = append(kept, c.ref)
	}
	sortRefs(kept)
	s.refs = kept
	s.reindex()
}

func (s *scan) reindex() {
	s.byStart = map[int]int{}
	for i, r := range s.refs {
		s.byStart[r.start] = i
	}
}

func overlapsAny(rs []ref, start, end int) bool {
	for _, r := range rs {
		if start < r.end && r.start < end {
			return true
		}
	}
	return false
}

// followedByBody reports whether the name ending at end runs on into the
// name of a body ("North Atlantic Treaty Organization", "Law Society").
var bodyWord = regexp.MustCompile(`^\s(?:Organi[sz]ation|Authority|Commission|Committee|Centre|Center|Society|Office|Foundation|Institute|Association|Agency|Department|Party|Secretariat|Group|Firm|LLP|Ltd|Limited|Inc|Network|Forum|Review|Journal|Prize|Awards?|Agreement)\b`)

func followedByBody(text string, end int) bool {
	return bodyWord.MatchString(text[end:])
}

// --- Acts, Bills, Regulations, Rules, Codes by their name.

const (
	nameWord  = `(?:[A-Z][A-Za-z'’\-]*\.?|\((?:[A-Z0-9][^()]{0,100}|No\.? ?\d+)\))`
	connector = `(?:of|and|for|the|on|in|to|&|with|against|from|by|upon|relating|into|or)`
)

var (
	actRe = regexp.MustCompile(`(` + nameWord + `(?:,? (?:` + nameWord + `|` + connector + `))*?) (Act|Bill|Regulations|Rules|Directive|Regulation|Law|Order|Code|Ordinance)\b(?:(,)? (of )?((?:1[6-9]|20)\d\d)\b)?(?: \((Cth|NSW|Vic|Qld|WA|SA|Tas|NZ|Cap\. \d{1,4}[A-Z]?)\))?`)
	// Words that begin a sentence or a clause but never a statute's name.
	leadWords = map[string]bool{"Under": true, "See": true, "Cf.": true, "Compare": true, "In": true, "The": true, "By": true, "After": true, "Before": true, "While": true,
		"When": true, "Since": true, "As": true, "At": true, "On": true, "From": true, "With": true, "Without": true,
		"Through": true, "Following": true, "Despite": true, "Amid": true, "Per": true, "Via": true, "Both": true,
		"Also": true, "Meanwhile": true, "This": true, "That": true, "These": true, "Those": true, "Its": true,
		"Their": true, "His": true, "Her": true, "Our": true, "A": true, "An": true, "And": true, "Or": true, "But": true,
		"If": true, "Whether": true, "Although": true, "Because": true, "For": true, "To": true, "Of": true, "New": true,
		"Last": true, "Yesterday": true, "Today": true, "Breaching": true, "Breach": true, "Section": true, "Article": true,
		"Such": true, "Each": true, "Every": true, "Any": true, "Which": true, "Where": true, "Why": true, "How": true,
		"What": true, "Who": true, "Once": true, "Until": true, "Unlike": true, "Like": true, "Against": true, "Into": true,
		"Mr": true, "Ms": true, "Mrs": true, "Dr": true, "Judge": true, "Justice": true, "Lord": true, "Lady": true, "Sir": true,
		"Parliament": true, "Government": true, "Ministers": true, "Congress": true, "Lawyers": true, "Firms": true,
		"Here": true, "There": true, "It": true, "They": true, "We": true, "He": true, "She": true, "Draft": true,
		"Proposed": true, "Amended": true, "Revised": true, "Existing": true, "Current": true, "Both's": true}
	jurWords = map[string]string{"UK": "uk", "U.K.": "uk", "British": "uk", "English": "uk", "Scottish": "uk", "Welsh": "uk",
		"US": "us", "U.S.": "us", "American": "us", "EU": "eu", "European": "eu", "Australian": "au",
		"Australia's": "au", "Indian": "in", "India's": "in", "Irish": "ie", "Ireland's": "ie", "Canadian": "ca",
		"Canada's": "ca", "German": "de", "Germany's": "de", "French": "fr", "France's": "fr", "Dutch": "nl",
		"Singapore": "sg", "Singapore's": "sg", "Chinese": "cn", "China's": "cn", "Japanese": "jp", "Japan's": "jp",
		"Swiss": "ch", "Italian": "it", "Spanish": "es", "Brazilian": "br", "Britain's": "uk",
		"America's": "us", "Russian": "ru", "Russia's": "ru", "Korean": "kr", "Nigerian": "ng", "Kenyan": "ke",
		"South": "", "New Zealand": "nz", "Delaware": "us", "California": "us", "Californian": "us", "Texas": "us",
		"Scotland's": "uk", "Wales's": "uk", "Ukrainian": "ua", "Polish": "pl", "Belgian": "be", "Danish": "dk",
		"Swedish": "se", "Norwegian": "no", "Austrian": "at"}
)

// cleanName trims a captured name to the statute's own words: it drops a
// leading clause ("In the ..."), determiners and country adjectives, which it
// returns as a jurisdiction hint.
func cleanName(name string) (string, string, bool) {
	// Cut at the last " the " outside parentheses: "Under the Companies Act".
	depth, cut := 0, -1
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ' ':
			if depth == 0 && strings.HasPrefix(name[i:], " the ") {
				cut = i + 5
			}
		}
	}
	hadThe := false
	if cut >= 0 {
		name = name[cut:]
		hadThe = true
	}
	// "(7) The Economic Crime … Act 2023": the citation marker of the
	// sentence before is not part of the name.
	name = markerPrefixRe.ReplaceAllString(name, "")
	words := strings.Fields(name)
	for k := len(words) - 2; k >= 0; k-- {
		if endsSentence(words[k]) {
			words = words[k+1:] // "Tribunal. The Supreme Court": a new sentence
			break
		}
	}
	for k := len(words) - 2; k >= 0; k-- {
		if w := words[k]; strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") {
			words = words[k+1:] // "Hong Kong's Minimum Tax Ordinance": the owner is not in the name
			break
		}
	}
	jur := ""
	for len(words) > 0 {
		w := strings.TrimRight(words[0], ",")
		if j, ok := jurWords[w]; ok && len(words) > 1 {
			if j != "" {
				jur = j
			}
			words = words[1:]
			continue
		}
		if leadWords[w] || strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") || w == "the" || w == "of" || w == "and" || w == "for" || w == "on" || w == "in" || w == "to" || w == "&" || w == "with" || w == "or" || w == "by" || w == "from" {
			words = words[1:]
			continue
		}
		break
	}
	return strings.Join(words, " "), jur, hadThe
}

// markerPrefixRe: citation markers, "(7) " or "(1, 2) ", at a name's start.
var markerPrefixRe = regexp.MustCompile(`^(?:\(\d+(?:,\s?\d+)*\)\s+)+`)

// euNumberAfterRe: an EU act's number follows its kind's word.
var euNumberAfterRe = regexp.MustCompile(`^ (?:\((?:EU|EC|EEC|Euratom)\) )?(?:No\.? ?)?\d{1,4}/\d{1,4}`)

// billWordRe: the sentence speaks of a bill or a proposal.
var billWordRe = regexp.MustCompile(`\b(?:bill|proposed|draft)\b`)

// proposedBefore: the sentence before at speaks of a bill ("a proposed bill
// to codify the test, the Foreign Issuer Accountability Act, remains
// stalled"): a name without a year there is the bill's, not a law's.
func proposedBefore(t string, at int) bool {
	from := max(0, strings.LastIndexAny(t[:at], ".!?\n")+1)
	return billWordRe.MatchString(t[from:at])
}

func (s *scan) genericActs(add func(int, int, ref, int)) {
	t := s.text
	// Its kind's word follows a space: " Regulation" also stands for " Regulations".
	for _, m := range findAllSub(actRe, t, anyOf(t, " Act", " Bill", " Regulation", " Rules", " Directive", " Law", " Order", " Code", " Ordinance")) {
		rawName := t[m[2]:m[3]]
		word := t[m[4]:m[5]]
		year := ""
		if m[10] >= 0 {
			year = t[m[10]:m[11]]
		}
		comma := m[6] >= 0
		ofYear := m[8] >= 0
		state := ""
		if m[12] >= 0 {
			state = t[m[12]:m[13]]
		}
		name, jurHint, _ := cleanName(rawName)
		if name == "" || word == "Bill" {
			continue // a Bill is not law yet
		}
		if (word == "Regulation" || word == "Directive" || word == "Decision") && euNumberAfterRe.MatchString(t[m[5]:min(len(t), m[5]+16)]) {
			continue // "… in Commission Delegated Regulation (EU) 2023/2772": the numbered act is found by its number
		}
		if year != "" && m[11] < len(t) && t[m[11]] == '/' {
			// "the Damages Directive 2014/104/EU": the number is the act's, not a year.
			year, comma, ofYear = "", false, false
			m[10], m[11] = -1, -1
		}
		// Where the cleaned name starts in the text.
		nameStart := m[3] - len(name)
		if nameStart < m[2] || t[nameStart:m[3]] != name {
			continue
		}
		end := m[5]
		if year != "" {
			end = m[11]
		}
		if state != "" {
			end = m[13] + 1
		}
		full := name + " " + word
		if year != "" {
			switch {
			case ofYear:
				full += " of " + year
			case comma:
				full += ", " + year
			default:
				full += " " + year
			}
		}
		// Known by the table?
		if in, ok := tbl.lookup(full); ok {
			add(nameStart, end, ref{inst: &in, kind: in.Kind}, 2)
			continue
		}
		if year == "" {
			// Without a year only the table's names and names that
			// plainly are legislation count.
			if _, ok := tbl.lookup(name + " " + word); ok {
				continue // the table match covers it
			}
			switch word {
			case "Act", "Directive", "Regulation", "Ordinance":
			case "Regulations":
				if len(strings.Fields(name)) < 3 {
					continue // "the Sanctions Regulations" may be anyone's; "the Russian Harmful Foreign Activities Sanctions Regulations" is a name
				}
			default:
				continue
			}
			adjStart := nameStart
			if jurHint != "" {
				// "the Danish Competition Act": the country's word is part of the name.
				if k := strings.LastIndex(strings.TrimRight(t[:nameStart], " "), " "); k >= 0 {
					if _, ok := jurWords[strings.TrimSpace(t[k:nameStart])]; ok {
						adjStart = k + 1
					}
				}
			}
			if !precededByThe(t, adjStart) || len(strings.Fields(name)) < 1 || proposedBefore(t, nameStart) {
				continue
			}
			if adjStart < nameStart && word == "Act" {
				full = strings.TrimSpace(t[adjStart:nameStart]) + " " + full
				nameStart = adjStart
			}
			if word == "Regulation" && !strings.Contains(name, " ") && len(name) < 4 {
				continue
			}
		} else if word == "Order" || word == "Law" || word == "Code" {
			if word != "Order" && !precededByThe(t, nameStart) {
				continue
			}
		}
		in := Instrument{Canonical: full, Title: full}
		switch word {
		case "Act", "Law", "Code":
			in.Kind = KindLegislation
		case "Ordinance":
			in.Kind = KindLegislation
			if strings.HasPrefix(state, "Cap.") || s.ctxCountry == "uk" {
				in.Jurisdiction = "hk" // Hong Kong's laws are Ordinances, numbered by chapter
			}
		case "Regulations", "Order":
			in.Kind = KindRegulation
		case "Rules":
			in.Kind = KindRule
		case "Directive":
			in.Kind = KindDirective
			in.Jurisdiction = "eu"
		case "Regulation":
			in.Kind = KindRegulation
			in.Jurisdiction = "eu"
		}
		switch {
		case jurHint != "":
			in.Jurisdiction = jurHint
		case in.Jurisdiction != "":
		case state != "" && strings.HasPrefix(state, "Cap."):
			in.Jurisdiction = "hk"
		case state != "":
			in.Jurisdiction = "au"
		case ofYear:
			in.Jurisdiction = "us"
		case comma && year != "":
			in.Jurisdiction = "in"
		case strings.Contains(name, "(Scotland)") || strings.Contains(name, "(Wales)") || strings.Contains(name, "(Northern Ireland)"):
			in.Jurisdiction = "uk"
		case year != "":
			// "Act 1994" is the style of the UK and of the common-law
			// countries that follow it.
			in.Jurisdiction = "uk"
			switch s.ctxCountry {
			case "au", "sg", "ie", "nz", "hk", "ca":
				in.Jurisdiction = s.ctxCountry
			}
		default:
			in.Jurisdiction = "?"
		}
		if in.Jurisdiction == "?" {
			in.Jurisdiction = s.ctxJur
		}
		finishInstrument(&in)
		add(nameStart, end, ref{inst: &in, kind: in.Kind}, 1)
	}
}

func precededByThe(t string, start int) bool {
	before := strings.TrimRight(t[:start], " ")
	before = strings.ToLower(before)
	for _, w := range []string{"the", "that", "this", "its", "a", "an", "new"} {
		if strings.HasSuffix(before, " "+w) || before == w || strings.HasSuffix(before, "\n"+w) {
			return true
		}
	}
	return strings.HasSuffix(before, "'s") || strings.HasSuffix(before, "’s")
}

// --- EU acts by number.

var euActRe = regexp.MustCompile(`(?:(?:Council|Commission|European Parliament and Council|Parliament and Council)\s+)?(?:(Implementing|Delegated)\s+)?(Regulation|Directive|Decision|Reg\.|Dir\.)\s+(?:\((EU|EC|EEC|Euratom|CFSP|EU, Euratom)\)\s+)?(?:(No\.?)\s*)?(\d{1,4})/(\d{1,4})(?:/(EU|EC|EEC|CFSP|JHA))?\b`)

func (s *scan) euActs(add func(int, int, ref, int)) {
	t := s.text
	// "/" is between its numbers; its kind's word is one of these.
	for _, m := range findAllSub(euActRe, t, anyOf(t, "/") && anyOf(t, "Regulation", "Directive", "Decision", "Reg.", "Dir.")) {
		typ := map[string]string{"Regulation": "reg", "Directive": "dir", "Decision": "dec", "Reg.": "reg", "Dir.": "dir"}[t[m[4]:m[5]]]
		if m[2] >= 0 {
			typ += map[string]string{"Implementing": "_impl", "Delegated": "_del"}[t[m[2]:m[3]]]
		}
		a, _ := strconv.Atoi(t[m[10]:m[11]])
		b, _ := strconv.Atoi(t[m[12]:m[13]])
		suffix := ""
		if m[6] >= 0 {
			suffix = t[m[6]:m[7]]
		}
		if m[14] >= 0 {
			suffix = t[m[14]:m[15]]
		}
		hasNo := m[8] >= 0
		var year, num int
		switch {
		case hasNo:
			num, year = a, b
		case strings.HasPrefix(typ, "reg") && isYear(b, len(t[m[12]:m[13]])) && !isYear(a, len(t[m[10]:m[11]])):
			num, year = a, b
		default:
			year, num = a, b
		}
		year = fullYear(year)
		if year < 1952 || year > 2100 || num == 0 {
			continue
		}
		in := euAct(typ, year, num, suffix)
		if e, ok := tbl.byKey[in.link]; ok {
			in = e.inst
		}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: in.Kind}, 4)
	}
}

func isYear(n, digits int) bool {
	return digits == 4 && n >= 1952 && n <= 2100 || digits == 2 && n >= 52
}

func fullYear(y int) int {
	switch {
	case y >= 100:
		return y
	case y >= 52:
		return 1900 + y
	default:
		return 2000 + y
	}
}
