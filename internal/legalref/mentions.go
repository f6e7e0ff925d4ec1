package legalref

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

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
	{"ae", regexp.MustCompile(`\b(?:Dubai|DIFC|ADGM|UAE|Abu Dhabi)\b`)},
}

// documentJurisdiction decides which jurisdiction a text is about: jur,
// for an Act or a provision it names without saying whose; country (never
// the EU) for names of courts used in several countries ("the Supreme
// Court"). Without any signal: uk.
func documentJurisdiction(text string) (jur, country string) {
	best, bestC := 0, 0
	jur, country = "uk", "uk"
	for _, sg := range signals {
		n := len(sg.re.FindAllStringIndex(text, -1))
		if n > best {
			best, jur = n, sg.jur
		}
		if n > bestC && sg.jur != "eu" {
			bestC, country = n, sg.jur
		}
	}
	return jur, country
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
		in2 := in
		add(m[0], m[1], ref{inst: &in2, kind: in.Kind}, 3)
	}
	s.genericActs(add)
	s.euActs(add)
	s.citations(add)
	s.courts(add)
	s.treaties(add)
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
var bodyWord = regexp.MustCompile(`^\s(?:Organi[sz]ation|Authority|Commission|Committee|Centre|Center|Society|Office|Foundation|Institute|Association|Agency|Department|Party|Secretariat|Group|Firm|LLP|Ltd|Limited|Inc|Network|Forum|Review|Journal|Prize|Awards?)\b`)

func followedByBody(text string, end int) bool {
	return bodyWord.MatchString(text[end:])
}

// --- Acts, Bills, Regulations, Rules, Codes by their name.

const (
	nameWord  = `(?:[A-Z][A-Za-z'’\-]*\.?|\((?:[A-Z][^()]{0,60}|No\.? ?\d+)\))`
	connector = `(?:of|and|for|the|on|in|to|&|with|against|from|by|upon|relating|into|or)`
)

var (
	actRe = regexp.MustCompile(`(` + nameWord + `(?:,? (?:` + nameWord + `|` + connector + `))*?) (Act|Bill|Regulations|Rules|Directive|Regulation|Law|Order|Code)\b(?:(,)? (of )?((?:1[6-9]|20)\d\d)\b)?(?: \((Cth|NSW|Vic|Qld|WA|SA|Tas|NZ)\))?`)
	// Words that begin a sentence or a clause but never a statute's name.
	leadWords = map[string]bool{"Under": true, "In": true, "The": true, "By": true, "After": true, "Before": true, "While": true,
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
	words := strings.Fields(name)
	for k := len(words) - 2; k >= 0; k-- {
		if endsSentence(words[k]) {
			words = words[k+1:] // "Tribunal. The Supreme Court": a new sentence
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

func (s *scan) genericActs(add func(int, int, ref, int)) {
	t := s.text
	for _, m := range actRe.FindAllStringSubmatchIndex(t, -1) {
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
		if name == "" {
			continue
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
			case "Act", "Bill", "Directive", "Regulation":
			default:
				continue
			}
			if !precededByThe(t, nameStart) || len(strings.Fields(name)) < 1 {
				continue
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
		case "Bill":
			in.Kind = KindLegislation
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

var euActRe = regexp.MustCompile(`(?:(?:Council|Commission|European Parliament and Council|Parliament and Council)\s+)?(?:(Implementing|Delegated)\s+)?(Regulation|Directive|Decision)\s+(?:\((EU|EC|EEC|Euratom|CFSP|EU, Euratom)\)\s+)?(?:(No\.?)\s*)?(\d{1,4})/(\d{1,4})(?:/(EU|EC|EEC|CFSP|JHA))?\b`)

func (s *scan) euActs(add func(int, int, ref, int)) {
	t := s.text
	for _, m := range euActRe.FindAllStringSubmatchIndex(t, -1) {
		typ := map[string]string{"Regulation": "reg", "Directive": "dir", "Decision": "dec"}[t[m[4]:m[5]]]
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

// --- Citations: case numbers, neutral citations, codes.

var (
	neutralRe     = regexp.MustCompile(`\[(\d{4})\]\s+(UKSC|UKPC|UKHL|EWCA\s+Civ|EWCA\s+Crim|EWHC|UKUT|UKFTT|EWFC|EWCOP|EAT|UKEAT|CAT|CSIH|CSOH|NICA|NIKB|NIQB|IEHC|IESC|IECA|SGCA|SGHC|SGHC\(I\)|HCA|FCA|FCAFC|NZSC|HKCFA|UKIPTrib|EWCC|UKAIT)\s+(\d+)(?:\s+\((Ch|KB|QB|Admin|Comm|Fam|Pat|TCC|IPEC|SCCO|Costs|IAC|LC|AAC|TC|GRC|Civ|Crim)\))?`)
	euCaseRe      = regexp.MustCompile(`(?:(?:Joined\s+)?Cases?\s+)?\b([CT])[-‑–]\s?(\d{1,4})/(\d{2})(?:\s+P\b)?`)
	echrRe        = regexp.MustCompile(`(?:(?:[Aa]pplication|[Aa]pp\.)\s+)?\b[Nn]os?\.\s?(\d{3,6}/\d{2})\b`)
	eclIRe        = regexp.MustCompile(`\bECLI:([A-Z]{2}):([A-Z]+):(\d{4}):([0-9A-Z.]+)`)
	uscRe         = regexp.MustCompile(`\b(\d{1,2})\s+U\.?\s?S\.?\s?C\.?(?:A\.?)?\s*(?:§§?\s*|[Ss]ec(?:tion|\.)\s*)?(\d+[a-zA-Z]{0,3}(?:-\d+)?)((?:\([0-9a-zA-Z]{1,4}\))*)(?:\s+et\s+seq\.?)?`)
	cfrRe         = regexp.MustCompile(`\b(\d{1,2})\s+C\.?\s?F\.?\s?R\.?\s*(?:(?:§§?|[Ss]ection)\s*)?(?:([Pp]art|[Pp]t\.)\s*)?(\d+)(?:\.(\d+[a-z]?(?:-\d+)?))?`)
	siRe          = regexp.MustCompile(`\b(?:SI|S\.I\.)\s+(\d{4})\s*(?:/|No\.?\s*)(\d{1,5})\b`)
	usRepRe       = regexp.MustCompile(`\b(\d{1,3})\s+(U\.S\.|S\.\s?Ct\.|F\.\s?(?:2d|3d|4th)|F\.\s?Supp\.\s?(?:2d|3d)?|L\.\s?Ed\.\s?2d)\s+(\d{1,4})(?:\s+\((?:[A-Z][A-Za-z.\s]{0,20})?\d{4}\))?`)
	ukRepRe       = regexp.MustCompile(`\[(\d{4})\]\s+(?:\d\s+)?(AC|QB|KB|Ch|WLR|All ER|Bus LR|Lloyd's Rep|Lloyd’s Rep|BCLC|BCC|ICR|IRLR)\s+(\d{1,4})`)
	execOrdRe     = regexp.MustCompile(`\bExecutive\s+Order\s+(?:No\.?\s*)?(\d{4,5})\b`)
	amendRe       = regexp.MustCompile(`\b(First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|Thirteenth|Fourteenth|Fifteenth|Sixteenth|Nineteenth|Twenty-[A-Z][a-z]+|1st|2nd|4th|5th|6th|8th|14th)\s+Amendment\b`)
	inReRe        = regexp.MustCompile(`\bIn re:?\s+([A-Z][\w&'’.\-]*(?:\s(?:[A-Z][\w&'’.\-]*|of|and|&|\d+)){0,7})`)
	ojRe          = regexp.MustCompile(`\bOJ\s+([LC])\s+(\d{1,4}(?:\s?[A-Z])?),?\s+(\d{1,2}\.\d{1,2}\.\d{4})(?:,\s*p\.\s*\d+)?`)
	practiceDirRe = regexp.MustCompile(`\b(?:Practice Direction|PD)\s?(\d{1,2}[A-Z]{0,3})\b`)
	unscRe        = regexp.MustCompile(`\b(?:UN\s+|U\.N\.\s+|United Nations\s+)?Security Council\s+[Rr]esolution\s+(\d{2,4})\b`)
	usBillRe      = regexp.MustCompile(`\b(SB|AB|HB|H\.\s?R\.)\s?(\d{1,5})\b`)
	caseNmRe      = regexp.MustCompile(`(R\s+\((?:on the application of\s+)?[^()\n]{1,80}\)|` + partyWord + `(?:\s(?:` + partyWord + `|\d+|of|and|for|the|&|de|van|von|der|plc|ltd)){0,6})\s+v\.?\s+((?:the\s+)?` + partyWord + `(?:\s(?:` + partyWord + `|of|and|for|the|&|de|van|von|der|plc|ltd)){0,9})`)
)

const partyWord = `[A-Z][\w&'’.\-]*`

var neutralPath = map[string]string{"UKSC": "uksc", "UKPC": "ukpc", "EWCA Civ": "ewca/civ", "EWCA Crim": "ewca/crim",
	"EWFC": "ewfc", "EWCOP": "ewcop", "EAT": "eat", "UKIPTrib": "ukiptrib", "EWCC": "ewcc"}

var divisionCourt = map[string]string{"EWHC": "ewhc", "UKUT": "ukut", "UKFTT": "ukftt"}

// knownDivision are the Find Case Law paths of divided courts.
var knownDivision = map[string]bool{"ewhc/ch": true, "ewhc/kb": true, "ewhc/qb": true, "ewhc/admin": true, "ewhc/comm": true,
	"ewhc/fam": true, "ewhc/pat": true, "ewhc/tcc": true, "ewhc/ipec": true, "ewhc/scco": true, "ukut/iac": true,
	"ukut/lc": true, "ukut/tcc": true, "ukut/aac": true, "ukftt/tc": true, "ukftt/grc": true}

var courtOfCitation = map[string]string{"UKSC": "uk", "UKPC": "uk", "UKHL": "uk", "EWCA": "uk", "EWHC": "uk", "UKUT": "uk",
	"UKFTT": "uk", "EWFC": "uk", "EWCOP": "uk", "EAT": "uk", "UKEAT": "uk", "CAT": "uk", "CSIH": "uk", "CSOH": "uk",
	"NICA": "uk", "NIKB": "uk", "NIQB": "uk", "IEHC": "ie", "IESC": "ie", "IECA": "ie", "SGCA": "sg", "SGHC": "sg",
	"SGHC(I)": "sg", "HCA": "au", "FCA": "au", "FCAFC": "au", "NZSC": "nz", "HKCFA": "hk", "UKIPTrib": "uk", "EWCC": "uk", "UKAIT": "uk"}

func (s *scan) citations(add func(int, int, ref, int)) {
	t := s.text
	for _, m := range neutralRe.FindAllStringSubmatchIndex(t, -1) {
		year, _ := strconv.Atoi(t[m[2]:m[3]])
		court := strings.Join(strings.Fields(t[m[4]:m[5]]), " ")
		num, _ := strconv.Atoi(t[m[6]:m[7]])
		div := ""
		if m[8] >= 0 {
			div = t[m[8]:m[9]]
		}
		canon := fmt.Sprintf("[%d] %s %d", year, court, num)
		if div != "" {
			canon += " (" + div + ")"
		}
		path := neutralPath[court]
		if p, ok := divisionCourt[court]; ok {
			path = ""
			if knownDivision[p+"/"+strings.ToLower(div)] {
				path = p + "/" + strings.ToLower(div)
			}
		}
		url := ""
		if path != "" {
			url = fmt.Sprintf(findCaseLaw, path, year, num)
		}
		jur := courtOfCitation[strings.Fields(court)[0]]
		in := Instrument{Kind: KindCase, Jurisdiction: jur, Canonical: canon, Title: canon, URL: url}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 5)
	}
	for _, m := range euCaseRe.FindAllStringSubmatchIndex(t, -1) {
		num := fmt.Sprintf("%s-%s/%s", t[m[2]:m[3]], t[m[4]:m[5]], t[m[6]:m[7]])
		in := Instrument{Kind: KindCase, Jurisdiction: "eu", Canonical: "Case " + num}
		if e, ok := tbl.lookup(in.Canonical); ok {
			in = e
		}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 5)
	}
	for _, m := range echrRe.FindAllStringSubmatchIndex(t, -1) {
		no := t[m[2]:m[3]]
		in := Instrument{Kind: KindCase, Jurisdiction: "int", Canonical: "Application no. " + no,
			URL: fmt.Sprintf(hudoc, no)}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 5)
	}
	for _, m := range eclIRe.FindAllStringSubmatchIndex(t, -1) {
		cc := strings.ToLower(t[m[2]:m[3]])
		if cc == "gb" {
			cc = "uk"
		}
		in := Instrument{Kind: KindCase, Jurisdiction: cc, Canonical: t[m[0]:m[1]]}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 5)
	}
	for _, m := range uscRe.FindAllStringSubmatchIndex(t, -1) {
		title, _ := strconv.Atoi(t[m[2]:m[3]])
		sec := t[m[4]:m[5]]
		sub := t[m[6]:m[7]]
		in := Instrument{Kind: KindLegislation, Jurisdiction: "us", Canonical: fmt.Sprintf("Title %d of the United States Code", title)}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindProvision, canonical: fmt.Sprintf("%d U.S.C. § %s%s", title, sec, sub),
			url: fmt.Sprintf(cornellUSC, title, sec)}, 5)
	}
	for _, m := range cfrRe.FindAllStringSubmatchIndex(t, -1) {
		title, _ := strconv.Atoi(t[m[2]:m[3]])
		part := t[m[6]:m[7]]
		in := Instrument{Kind: KindRegulation, Jurisdiction: "us", Canonical: fmt.Sprintf("Title %d of the Code of Federal Regulations", title)}
		in.Title = in.Canonical
		finishInstrument(&in)
		r := ref{inst: &in}
		if m[8] >= 0 {
			sec := part + "." + t[m[8]:m[9]]
			r.kind, r.canonical, r.url = KindProvision, fmt.Sprintf("%d CFR %s", title, sec), fmt.Sprintf(ecfrSection, title, sec)
		} else {
			r.kind, r.canonical, r.url = KindRegulation, fmt.Sprintf("%d CFR Part %s", title, part), fmt.Sprintf(ecfrPart, title, part)
		}
		add(m[0], m[1], r, 5)
	}
	for _, m := range siRe.FindAllStringSubmatchIndex(t, -1) {
		year, _ := strconv.Atoi(t[m[2]:m[3]])
		num, _ := strconv.Atoi(t[m[4]:m[5]])
		key := fmt.Sprintf("uksi:%d/%d", year, num)
		in := Instrument{Kind: KindRegulation, Jurisdiction: "uk", Canonical: fmt.Sprintf("SI %d/%d", year, num), link: key}
		if e, ok := tbl.byKey[key]; ok {
			in = e.inst
		}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindRegulation}, 5)
	}
	for _, m := range usRepRe.FindAllStringSubmatchIndex(t, -1) {
		canon := fmt.Sprintf("%s %s %s", t[m[2]:m[3]], strings.ReplaceAll(t[m[4]:m[5]], " ", ""), t[m[6]:m[7]])
		in := Instrument{Kind: KindCase, Jurisdiction: "us", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 4)
	}
	for _, m := range ukRepRe.FindAllStringSubmatchIndex(t, -1) {
		canon := strings.Join(strings.Fields(t[m[0]:m[1]]), " ")
		in := Instrument{Kind: KindCase, Jurisdiction: "uk", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 4)
	}
	for _, m := range execOrdRe.FindAllStringSubmatchIndex(t, -1) {
		in := Instrument{Kind: KindRegulation, Jurisdiction: "us", Canonical: "Executive Order " + t[m[2]:m[3]]}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindRegulation}, 4)
	}
	for _, m := range inReRe.FindAllStringSubmatchIndex(t, -1) {
		name := strings.TrimRight(trimParty(strings.TrimRight(t[m[2]:m[3]], ".,")), ".,")
		canon := "In re " + name
		in := Instrument{Kind: KindCase, Jurisdiction: "?", Canonical: canon, Title: canon}
		add(m[0], m[2]+len(name), ref{inst: &in, kind: KindCase, isCaseName: true}, 2)
	}
	for _, m := range ojRe.FindAllStringSubmatchIndex(t, -1) {
		// An Official Journal citation: the act it publishes is not named in it.
		canon := "OJ " + t[m[2]:m[3]] + " " + t[m[4]:m[5]] + ", " + t[m[6]:m[7]]
		in := Instrument{Kind: KindRegulation, Jurisdiction: "eu", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindRegulation}, 4)
	}
	for _, m := range practiceDirRe.FindAllStringSubmatchIndex(t, -1) {
		canon := "Practice Direction " + t[m[2]:m[3]]
		in := Instrument{Kind: KindRule, Jurisdiction: "uk", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindRule}, 3)
	}
	for _, m := range unscRe.FindAllStringSubmatchIndex(t, -1) {
		canon := "UN Security Council Resolution " + t[m[2]:m[3]]
		in := Instrument{Kind: KindLegislation, Jurisdiction: "int", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindLegislation}, 4)
	}
	if s.ctxJur == "us" {
		for _, m := range usBillRe.FindAllStringSubmatchIndex(t, -1) {
			house := strings.ReplaceAll(strings.ReplaceAll(t[m[2]:m[3]], " ", ""), ".", "")
			canon := map[string]string{"HR": "H.R.", "S": "S."}[house]
			if canon == "" {
				canon = house
			}
			canon += " " + t[m[4]:m[5]]
			in := Instrument{Kind: KindLegislation, Jurisdiction: "us", Canonical: canon, Title: canon}
			finishInstrument(&in)
			add(m[0], m[1], ref{inst: &in, kind: KindLegislation}, 3)
		}
	}
	for _, m := range amendRe.FindAllStringSubmatchIndex(t, -1) {
		in, _ := tbl.lookup("United States Constitution")
		ord := t[m[2]:m[3]]
		add(m[0], m[1], ref{inst: &in, kind: KindProvision, canonical: ord + " Amendment to the United States Constitution"}, 3)
	}
	for _, m := range caseNmRe.FindAllStringSubmatchIndex(t, -1) {
		left := t[m[2]:m[3]]
		right := t[m[4]:m[5]]
		// A party never runs across the end of a sentence.
		lw := strings.Fields(left)
		for k := len(lw) - 2; k >= 0; k-- {
			if endsSentence(lw[k]) {
				left = strings.Join(lw[k+1:], " ")
				break
			}
		}
		cl, _, _ := cleanName(left)
		if strings.HasPrefix(left, "R ") || left == "R" {
			cl = left
		}
		if cl == "" {
			continue
		}
		start := m[3] - len(cl)
		right = trimParty(right)
		end := m[4] + len(right)
		if t[m[4]:end] != right {
			continue
		}
		right = strings.TrimRight(right, ".,’'")
		end = m[4] + len(right)
		canon := strings.Join(strings.Fields(cl), " ") + " v " + right
		in := Instrument{Kind: KindCase, Jurisdiction: "?", Canonical: canon, Title: canon}
		add(start, end, ref{inst: &in, kind: KindCase, isCaseName: true}, 2)
	}
}

// trimParty ends a party's name at the end of its sentence and drops the
// lower-case words it ends with: "Commission. Under Article" -> "Commission.",
// "Jones and the" -> "Jones".
func trimParty(s string) string {
	rw := strings.Fields(s)
	for k, w := range rw {
		if endsSentence(w) {
			rw = rw[:k+1]
			break
		}
	}
	for len(rw) > 1 && !isUpperStart(rw[len(rw)-1]) {
		rw = rw[:len(rw)-1]
	}
	return strings.Join(rw, " ")
}

// abbreviations that end with a full stop inside a party's name.
var partyAbbrev = map[string]bool{"Ltd.": true, "Inc.": true, "Co.": true, "Corp.": true, "plc.": true, "Bros.": true,
	"Mr.": true, "Mrs.": true, "Ms.": true, "Dr.": true, "St.": true, "No.": true, "Ltda.": true, "Cie.": true}

// endsSentence: a word that closes a sentence ("Commission."), not an
// abbreviation ("Ltd.", "S.A.", "U.S.").
func endsSentence(w string) bool {
	if !strings.HasSuffix(w, ".") || partyAbbrev[w] || len(w) <= 2 {
		return false
	}
	return !strings.Contains(w[:len(w)-1], ".")
}

func isUpperStart(w string) bool {
	return w != "" && (w[0] >= 'A' && w[0] <= 'Z' || w[0] == '(')
}

// --- Courts by a generic name.

var (
	courtRe    = regexp.MustCompile(`((?:[A-Z][\w'’.]*\s+){0,3})(Supreme Court|High Court|Court of Appeal|Court of Appeals|Crown Court|Magistrates['’] Court|County Court|District Court|Regional Court|Higher Regional Court|Commercial Court|Constitutional Court|Administrative Court|Court of Cassation|Circuit Court|Bankruptcy Court|Court of Chancery|Court of Final Appeal|Labour Court|Labor Court)\b(?:\s+(?:of|for|in)\s+(?:the\s+)?((?:[A-Z][\w'’]*)(?:\s+(?:of\s+)?[A-Z][\w'’]*){0,4}))?`)
	circuitRe  = regexp.MustCompile(`\b(?:(?:U\.?S\.?|United States|federal)\s+)?(?:Court of Appeals for the\s+)?(First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|D\.C\.|1st|2nd|3rd|4th|5th|6th|7th|8th|9th|10th|11th)\s+(?:U\.S\.\s+)?Circuit(?:\s+Court\s+of\s+Appeals)?\b`)
	districtRe = regexp.MustCompile(`\b(?:(?:U\.?S\.?|United States|[Ff]ederal)\s+)?(?:(?:[Dd]istrict|Bankruptcy)\s+[Cc]ourt\s+(?:for|in)\s+the\s+)?(Southern|Northern|Eastern|Western|Central|Middle)\s+District\s+of\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)`)
)

var circuitOrdinal = map[string]string{"1st": "First", "2nd": "Second", "3rd": "Third", "4th": "Fourth", "5th": "Fifth", "6th": "Sixth",
	"7th": "Seventh", "8th": "Eighth", "9th": "Ninth", "10th": "Tenth", "11th": "Eleventh"}

func (s *scan) courts(add func(int, int, ref, int)) {
	t := s.text
	for _, m := range circuitRe.FindAllStringSubmatchIndex(t, -1) {
		c := t[m[2]:m[3]]
		if o, ok := circuitOrdinal[c]; ok {
			c = o
		}
		canon := "United States Court of Appeals for the " + c + " Circuit"
		in := Instrument{Kind: KindCourt, Jurisdiction: "us", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCourt}, 4)
	}
	for _, m := range districtRe.FindAllStringSubmatchIndex(t, -1) {
		canon := "United States District Court for the " + t[m[2]:m[3]] + " District of " + t[m[4]:m[5]]
		if strings.Contains(t[m[0]:m[1]], "Bankruptcy") {
			canon = "United States Bankruptcy Court for the " + t[m[2]:m[3]] + " District of " + t[m[4]:m[5]]
		}
		in := Instrument{Kind: KindCourt, Jurisdiction: "us", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCourt}, 4)
	}
	for _, m := range courtRe.FindAllStringSubmatchIndex(t, -1) {
		prefix := t[m[2]:m[3]]
		core := t[m[4]:m[5]]
		place := ""
		if m[6] >= 0 {
			place = t[m[6]:m[7]]
		}
		cl, jur, _ := cleanName(strings.TrimSpace(prefix) + " X")
		cl = strings.TrimSpace(strings.TrimSuffix(cl, "X"))
		start := m[4] - len(prefix) + strings.Index(prefix, cl)
		if cl == "" {
			start = m[4]
		}
		name := strings.TrimSpace(cl + " " + core)
		end := m[5]
		if place != "" && strings.Fields(t[m[5]:m[6]])[0] == "in" {
			// "the Court of Appeal in London": a place, not part of the name.
			if in, ok := tbl.lookup(name); ok {
				if pj := placeJurisdiction(place); in.Jurisdiction == "?" && pj != "" {
					in = courtInContext(in, pj)
				}
				add(start, m[7], ref{inst: &in, kind: KindCourt}, 2)
				continue
			}
		}
		if place != "" && !strings.HasPrefix(place, "Justice") {
			name += t[m[5]:m[6]] + place
			end = m[7]
			name = strings.Join(strings.Fields(name), " ")
		}
		if in, ok := tbl.lookup(name); ok {
			add(start, end, ref{inst: &in, kind: KindCourt}, 2)
			continue
		}
		if _, known := tbl.lookup(core); known && place == "" && jur == "" && placeJurisdiction(cl) == "" {
			continue // "Appointed to Lead Commercial Court": the table's name alone
		}
		if place == "" && cl == "" {
			continue // the table's bare names ("the High Court") cover these
		}
		if jur == "" {
			jur = placeJurisdiction(cl + " " + place)
		}
		if jur == "" {
			jur = s.ctxCountry
		}
		in := Instrument{Kind: KindCourt, Jurisdiction: jur, Canonical: name, Title: name}
		finishInstrument(&in)
		add(start, end, ref{inst: &in, kind: KindCourt}, 1)
	}
}

var places = map[string]string{"London": "uk", "England": "uk", "Wales": "uk", "Scotland": "uk", "Southwark": "uk", "Manchester": "uk",
	"Birmingham": "uk", "Leeds": "uk", "Bristol": "uk", "Westminster": "uk", "Ireland": "ie", "Dublin": "ie", "Australia": "au",
	"Sydney": "au", "Melbourne": "au", "New South Wales": "au", "Victoria": "au", "India": "in", "Delhi": "in", "Bombay": "in",
	"Singapore": "sg", "Hong Kong": "hk", "Canada": "ca", "Ontario": "ca", "Paris": "fr", "France": "fr", "Munich": "de",
	"Düsseldorf": "de", "Frankfurt": "de", "Berlin": "de", "Hamburg": "de", "Mannheim": "de", "Germany": "de", "Amsterdam": "nl",
	"Hague": "nl", "Rotterdam": "nl", "Netherlands": "nl", "Delaware": "us", "New York": "us", "California": "us", "Texas": "us",
	"Florida": "us", "Illinois": "us", "Massachusetts": "us", "Tokyo": "jp", "Japan": "jp", "Seoul": "kr", "Korea": "kr",
	"Brazil": "br", "South Africa": "za", "Kenya": "ke", "Nigeria": "ng", "Madrid": "es", "Spain": "es", "Milan": "it",
	"Rome": "it", "Italy": "it", "Brussels": "be", "Belgium": "be", "Luxembourg": "lu", "Zurich": "ch", "Geneva": "ch",
	"Stockholm": "se", "Vienna": "at", "Copenhagen": "dk", "Oslo": "no", "Warsaw": "pl", "Israel": "il", "Pakistan": "pk",
	"New Zealand": "nz", "Dubai": "ae", "Abu Dhabi": "ae", "Cayman": "ky", "Bermuda": "bm", "Jersey": "je", "Guernsey": "gg",
	"Kiev": "ua", "Kyiv": "ua", "Moscow": "ru", "Beijing": "cn", "Shanghai": "cn", "China": "cn", "Shenzhen": "cn"}

func placeJurisdiction(s string) string {
	for p, j := range places {
		if strings.Contains(s, p) {
			return j
		}
	}
	return ""
}

// provisionWord ends a name: "the Convention on Human Rights and Article 10".
var provisionWord = map[string]bool{"Article": true, "Articles": true, "Section": true, "Sections": true, "Part": true,
	"Chapter": true, "Schedule": true, "Annex": true, "Art.": true, "Rule": true, "Regulation": true}

// --- Treaties and conventions by a generic name.

var treatyRe = regexp.MustCompile(`((?:[A-Z][\w'’\-]*\s+){0,5})(Convention|Treaty|Protocol|Covenant)(?:\s+(?:on|of|for|against|relating to|concerning)\s+(?:the\s+)?([A-Z][\w'’\-]*(?:\s+(?:[A-Z][\w'’\-]*|of|and|the|in|on|for|to|from)){0,8}))?`)

func (s *scan) treaties(add func(int, int, ref, int)) {
	t := s.text
	for _, m := range treatyRe.FindAllStringSubmatchIndex(t, -1) {
		prefix := t[m[2]:m[3]]
		cl, jur, _ := cleanName(strings.TrimSpace(prefix) + " X")
		cl = strings.TrimSpace(strings.TrimSuffix(cl, "X"))
		start := m[4]
		if cl != "" {
			start = m[4] - len(prefix) + strings.Index(prefix, cl)
		}
		end := m[5]
		name := strings.TrimSpace(cl + " " + t[m[4]:m[5]])
		if m[6] >= 0 {
			tail := strings.Fields(t[m[6]:m[7]])
			for k, w := range tail {
				if k > 0 && provisionWord[w] {
					tail = tail[:k]
					break
				}
			}
			for len(tail) > 1 && !isUpperStart(tail[len(tail)-1]) {
				tail = tail[:len(tail)-1]
			}
			last := tail[len(tail)-1]
			end = m[6] + strings.LastIndex(t[m[6]:m[7]], last) + len(last)
			name = strings.Join(strings.Fields(t[start:end]), " ")
		}
		if cl == "" && m[6] < 0 {
			continue // "the Convention" alone is a continuation, not a name
		}
		if strings.Contains(name, "National Convention") || strings.Contains(name, "Party") || strings.Contains(name, "Democratic") || strings.Contains(name, "Republican") {
			continue
		}
		whole := m[2]
		if strings.HasPrefix(t[whole:], "The ") {
			whole += 4
		}
		if in, ok := tbl.lookup(strings.Join(strings.Fields(t[whole:end]), " ")); ok {
			add(whole, end, ref{inst: &in, kind: in.Kind}, 2)
			continue
		}
		if in, ok := tbl.lookup(name); ok {
			add(start, end, ref{inst: &in, kind: in.Kind}, 2)
			continue
		}
		if jur == "" || jur == "eu" && !strings.Contains(name, "Union") {
			jur = "int"
		}
		in := Instrument{Kind: KindTreaty, Jurisdiction: jur, Canonical: name, Title: name}
		finishInstrument(&in)
		add(start, end, ref{inst: &in, kind: KindTreaty}, 1)
	}
}
