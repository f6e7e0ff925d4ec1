package legalref

// Courts and treaties by a generic name: "the Munich Regional Court", "the
// Ninth Circuit", "the Convention on Biological Diversity".

import (
	"regexp"
	"strings"
)

// --- Courts by a generic name.

var (
	courtRe    = regexp.MustCompile(`((?:[A-Z][\w'’.]*[ \t]+){0,3})(Supreme Court|High Court|Court of Appeal|Court of Appeals|Crown Court|Magistrates['’] Court|County Court|District Court|Regional Court|Higher Regional Court|Commercial Court|Constitutional Court|Administrative Court|Court of Cassation|Circuit Court|Bankruptcy Court|Court of Chancery|Court of Final Appeal|Labour Court|Labor Court|Judicial Court)\b(?:\s+(?:of|for|in)\s+(?:the\s+)?((?:[A-Z][\w'’]*)(?:\s+(?:of\s+)?[A-Z][\w'’]*){0,4}))?`)
	circuitRe  = regexp.MustCompile(`\b(?:(?:U\.?S\.?|United States|federal)\s+)?(?:Court of Appeals for the\s+)?(First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|D\.C\.|1st|2nd|3rd|4th|5th|6th|7th|8th|9th|10th|11th)\s+(?:U\.S\.\s+)?Circuit(?:\s+Court\s+of\s+Appeals)?\b`)
	districtRe = regexp.MustCompile(`\b(?:(?:U\.?S\.?|United States|[Ff]ederal)\s+)?(?:(?:[Dd]istrict|Bankruptcy)\s+[Cc]ourt\s+(?:for|in)\s+the\s+)?(Southern|Northern|Eastern|Western|Central|Middle)\s+District\s+of\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)`)
)

// usDistricts are the federal districts news names by a city.
var usDistricts = map[string]string{"Manhattan": "Southern District of New York", "Brooklyn": "Eastern District of New York",
	"Washington": "District of Columbia", "Delaware": "District of Delaware", "San Francisco": "Northern District of California",
	"Los Angeles": "Central District of California", "Chicago": "Northern District of Illinois", "Boston": "District of Massachusetts"}

var circuitOrdinal = map[string]string{"1st": "First", "2nd": "Second", "3rd": "Third", "4th": "Fourth", "5th": "Fifth", "6th": "Sixth",
	"7th": "Seventh", "8th": "Eighth", "9th": "Ninth", "10th": "Tenth", "11th": "Eleventh"}

// Courts named by a pattern of their own.
var (
	boardRe        = regexp.MustCompile(`\b(First|Second|Third|Fourth|Fifth|Sixth|Grand) Board of Appeal(?: of (?:the )?(EUIPO|European Union Intellectual Property Office))?`)
	itCourtRe      = regexp.MustCompile(`\b(?:Tribunale|Corte d['’][Aa]ppello|Tribunale amministrativo regionale) (?:di|del|della|per il) [A-Z][\w'’]+`)
	frCourtRe      = regexp.MustCompile(`\b(Tribunal judiciaire|Tribunal de commerce|Tribunal des activités économiques|Tribunal administratif|Cour d['’]appel|Cour administrative d['’]appel|Conseil de prud['’]hommes) d(?:e |['’])((?:[A-ZÉ][\w'’\-]+)(?: [A-ZÉ][\w'’\-]+)?)`)
	chamberRe      = regexp.MustCompile(`\b(?:Pre-Trial|Trial) Chamber [IVX]{1,4}\b`)
	grandChamberRe = regexp.MustCompile(`\bGrand Chamber\b`)
	echrSignalRe   = regexp.MustCompile(`\b(?:European Court of Human Rights|ECtHR|Strasbourg|the Convention|ECHR)\b`)
	cjeuSignalRe   = regexp.MustCompile(`\b(?:Court of Justice|CJEU|ECJ|Luxembourg|TFEU|preliminary ruling)\b`)
)

func (s *scan) courts(add func(int, int, ref, int)) {
	t := s.text
	// Courts named by a pattern of their own, each of one jurisdiction.
	for _, c := range []struct {
		re       *regexp.Regexp
		jur, add string
		lits     []string // one is in every match
	}{{boardRe, "eu", "", []string{"Board of Appeal"}},
		{chamberRe, "int", " of the International Criminal Court", []string{"Trial Chamber "}},
		{itCourtRe, "it", "", []string{"Tribunale", "Corte d"}},
		// "Tribunal …", "Cour d['’]appel", "Cour administrative", "Conseil de prud…"
		{frCourtRe, "fr", "", []string{"Tribunal ", "Cour ", "Conseil de prud"}}} {
		for _, m := range findAll(c.re, t, anyOf(t, c.lits...)) {
			name := strings.Join(strings.Fields(t[m[0]:m[1]]), " ") + c.add
			in := Instrument{Kind: KindCourt, Jurisdiction: c.jur, Canonical: name, Title: name}
			finishInstrument(&in)
			add(m[0], m[1], ref{inst: &in, kind: KindCourt}, 3)
		}
	}
	// "the Grand Chamber": of the Strasbourg court or of the Court of
	// Justice, as the text says; neither when it does not.
	if gc := findAll(grandChamberRe, t, anyOf(t, "Grand Chamber")); gc != nil {
		e, c := len(echrSignalRe.FindAllStringIndex(t, -1)), len(cjeuSignalRe.FindAllStringIndex(t, -1))
		name, jur := "", ""
		switch {
		case e > c:
			name, jur = "Grand Chamber of the European Court of Human Rights", "int"
		case c > e:
			name, jur = "Grand Chamber of the Court of Justice", "eu"
		}
		for _, m := range gc {
			if name == "" {
				break
			}
			in := Instrument{Kind: KindCourt, Jurisdiction: jur, Canonical: name, Title: name}
			finishInstrument(&in)
			add(m[0], m[1], ref{inst: &in, kind: KindCourt}, 1)
		}
	}
	for _, m := range findAllSub(circuitRe, t, anyOf(t, "Circuit")) { // `\s+(?:U\.S\.\s+)?Circuit`
		c := t[m[2]:m[3]]
		if o, ok := circuitOrdinal[c]; ok {
			c = o
		}
		canon := "United States Court of Appeals for the " + c + " Circuit"
		in := Instrument{Kind: KindCourt, Jurisdiction: "us", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCourt}, 4)
	}
	for _, m := range findAllSub(districtRe, t, anyOf(t, "District")) { // `\s+District\s+of`
		canon := "United States District Court for the " + t[m[2]:m[3]] + " District of " + t[m[4]:m[5]]
		if strings.Contains(t[m[0]:m[1]], "Bankruptcy") {
			canon = "United States Bankruptcy Court for the " + t[m[2]:m[3]] + " District of " + t[m[4]:m[5]]
		}
		in := Instrument{Kind: KindCourt, Jurisdiction: "us", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCourt}, 4)
	}
	for _, m := range findAllSub(courtRe, t, anyOf(t, "Court")) { // every name of its list holds "Court"
		prefix := t[m[2]:m[3]]
		core := t[m[4]:m[5]]
		place := ""
		if m[6] >= 0 {
			place = t[m[6]:m[7]]
		}
		if f := strings.Fields(place); len(f) > 0 && (f[0] == "Re" || f[0] == "R") {
			place = "" // "the Supreme Court in Re E (Children)": a case, not a place
		}
		cl, jur, _ := cleanName(strings.TrimSpace(prefix) + " X")
		cl = strings.TrimSpace(strings.TrimSuffix(cl, "X"))
		start := m[4] - len(prefix) + strings.Index(prefix, cl)
		if cl == "" {
			start = m[4]
		}
		name := strings.TrimSpace(cl + " " + core)
		end := m[5]
		if d, ok := usDistricts[place]; ok && core == "District Court" && strings.Fields(t[m[5]:m[6]])[0] == "in" {
			// "the federal District Court in Manhattan"
			canon := "United States District Court for the " + d
			in := Instrument{Kind: KindCourt, Jurisdiction: "us", Canonical: canon, Title: canon}
			finishInstrument(&in)
			add(start, m[7], ref{inst: &in, kind: KindCourt}, 3)
			continue
		}
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

var treatyRe = regexp.MustCompile(`((?:[A-Z][\w'’\-]*[ \t]+){0,5})(Convention|Treaty|Protocol|Covenant)(?:\s+(?:on|of|for|against|relating to|concerning)\s+(?:the\s+)?([A-Z][\w'’\-]*(?:\s+(?:[A-Z][\w'’\-]*|of|and|the|in|on|for|to|from)){0,8}))?`)

// bilateralRe is a treaty between two states named by them: "the
// Australia–United Kingdom Free Trade Agreement", "the 1989 Netherlands–India
// double taxation convention".
var bilateralRe = regexp.MustCompile(`\b(?:(?:19|20)\d\d\s+)?[A-Z][a-z]+(?:\s[A-Z][a-z]+)?[–-][A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s+(?:(?:Free\s+Trade|Double\s+Taxation(?:\s+Avoidance)?|Bilateral\s+Investment|Investment|Tax|Economic\s+Partnership|Trade\s+and\s+Cooperation|Comprehensive\s+Economic\s+Partnership)\s+(?:Agreement|Convention|Treaty)|(?:double\s+taxation(?:\s+avoidance)?|double\s+tax|bilateral\s+investment|free\s+trade|tax)\s+(?:agreement|convention|treaty))\b`)

func (s *scan) treaties(add func(int, int, ref, int)) {
	t := s.text
	// `[–-]` joins the states; it ends with agreement, convention or treaty.
	for _, m := range findAll(bilateralRe, t, anyOf(t, "-", "–") && anyOf(t, "Agreement", "Convention", "Treaty", "agreement", "convention", "treaty")) {
		name := strings.Join(strings.Fields(t[m[0]:m[1]]), " ")
		in := Instrument{Kind: KindTreaty, Jurisdiction: "int", Canonical: name, Title: name}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindTreaty}, 1)
	}
	for _, m := range findAllSub(treatyRe, t, anyOf(t, "Convention", "Treaty", "Protocol", "Covenant")) { // its second group
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
