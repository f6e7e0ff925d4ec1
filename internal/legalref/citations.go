package legalref

// Case citations (neutral citations, EU case numbers, ECHR applications,
// ECLI, law reports), codes (U.S.C., CFR), statutory instruments and
// other numbered references, and case names ("X v Y", "In re X").

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// --- Citations: case numbers, neutral citations, codes.

var (
	neutralRe       = regexp.MustCompile(`\[(\d{4})\]\s+(UKSC|UKPC|UKHL|EWCA\s+Civ|EWCA\s+Crim|EWHC|UKUT|UKFTT|EWFC|EWCOP|EAT|UKEAT|CAT|CSIH|CSOH|NICA|NIKB|NIQB|IEHC|IESC|IECA|SGCA|SGHC|SGHC\(I\)|HCA|FCA|FCAFC|NZSC|HKCFA|HKCFI|HKCA|HKDC|UKIPTrib|EWCC|UKAIT)\s+(\d+)(?:\s+\((Ch|KB|QB|Admin|Admlty|Comm|Fam|Pat|TCC|IPEC|SCCO|Costs|IAC|LC|AAC|TC|GRC|Civ|Crim)\))?`)
	euCaseRe        = regexp.MustCompile(`(?:(?:Joined\s+)?Cases?\s+)?\b([CT])[-‑–]\s?(\d{1,4})/(\d{2})(?:\s+P\b)?`)
	echrRe          = regexp.MustCompile(`(?:(?:[Aa]pplication|[Aa]pp\.)\s+)?\b[Nn]os?\.\s?(\d{3,6}/\d{2})\b`)
	epoCaseRe       = regexp.MustCompile(`\b([GTJ])\s(\d{1,4}/\d{2})\b`)
	clauseRe        = regexp.MustCompile(`\b(?:Appointments|Commerce|Due\s+Process|Takings|Supremacy|Establishment|Free\s+Exercise|Equal\s+Protection|Contracts|Spending|Necessary\s+and\s+Proper|Confrontation|Excessive\s+Fines|Full\s+Faith\s+and\s+Credit|Vesting|Emoluments|Speech\s+or\s+Debate|Ex\s+Post\s+Facto|Import-Export|Tax\s+and\s+Spend)\s+Clause\b`)
	shortECLIRe     = regexp.MustCompile(`\bEU:[CTF]:\d{4}:\d{1,4}\b`)
	fcaRuleRe       = regexp.MustCompile(`\b(PRIN|COBS|SYSC|DISP|CONC|SUP|DEPP|MCOB|ICOBS|BCOBS|CASS|COLL|FUND|APER|COCON|ESG|DTR|UPRU|MIFIDPRU|PERG|FEES|SMCR|MAR|COND|EG)\s+(\d{1,2}[A-Z]?(?:\.\d{1,3}[A-Z]?){1,2}[RGEDP]?)\b`)
	fedRuleRe       = regexp.MustCompile(`\bFed\.\s?R\.\s?(?:(Civ|Crim|App|Bankr)\.\s?P\.|Evid\.)\s?(\d{1,4}(?:\.\d+)?)((?:\([0-9a-zA-Z]{1,4}\))*)`)
	eclIRe          = regexp.MustCompile(`\bECLI:([A-Z]{2}):([A-Z]+):(\d{4}):([0-9A-Z.]+)`)
	uscRe           = regexp.MustCompile(`\b(\d{1,2})\s+U\.?\s?S\.?\s?C\.?(?:A\.?)?\s*(?:§§?\s*|[Ss]ec(?:tion|\.)\s*)?(\d+[a-zA-Z]{0,3}(?:-\d+)?)((?:\([0-9a-zA-Z]{1,4}\))*)(\s*[–—]\s*\d+[a-zA-Z]{0,3}|\s+(?:to|through)\s+\d+[a-zA-Z]{0,3}(?:-\d+)?)?(?:\s+et\s+seq\.?)?`)
	cfrRe           = regexp.MustCompile(`\b(\d{1,2})\s+C\.?\s?F\.?\s?R\.?\s*(?:(?:§§?|[Ss]ection)\s*)?(?:([Pp]art|[Pp]t\.)\s*)?(\d+)(?:\.(\d+[a-z]?\d*(?:-\d+)?))?`)
	siRe            = regexp.MustCompile(`\b(?:SI|S\.I\.)\s+(\d{4})\s*(?:/|No\.?\s*)(\d{1,5})\b`)
	usRepRe         = regexp.MustCompile(`\b(\d{1,3})\s+(U\.S\.|S\.\s?Ct\.|F\.\s?(?:2d|3d|4th)|F\.\s?Supp\.\s?(?:2d|3d)?|L\.\s?Ed\.\s?2d)\s+(\d{1,4})(?:\s+\((?:[A-Z][A-Za-z.\s]{0,20})?\d{4}\))?`)
	ukRepRe         = regexp.MustCompile(`\[(\d{4})\]\s+(?:\d\s+)?(AC|QB|KB|Ch|WLR|All ER|Bus LR|Lloyd's Rep|Lloyd’s Rep|BCLC|BCC|ICR|IRLR)\s+(\d{1,4})`)
	execOrdRe       = regexp.MustCompile(`\bExecutive\s+Order\s+(?:No\.?\s*)?(\d{4,5})\b`)
	amendRe         = regexp.MustCompile(`\b(First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|Thirteenth|Fourteenth|Fifteenth|Sixteenth|Nineteenth|Twenty-[A-Z][a-z]+|1st|2nd|4th|5th|6th|8th|14th)\s+Amendment\b`)
	inReRe          = regexp.MustCompile(`\bIn re:?\s+([A-Z][\w&'’.\-]*(?:\s(?:[A-Z][\w&'’.\-]*|of|and|&|\d+)){0,7})`)
	reNameRe        = regexp.MustCompile(`\bRe ` + partyWord + `(?: (?:` + partyWord + `|of|and|&))*(?: \((?:[^()\n]|\([^()\n]{0,12}\)){1,60}\))*`)
	ojRe            = regexp.MustCompile(`\bOJ\s+([LC])\s+(\d{1,4}(?:\s?[A-Z])?),?\s+(\d{1,2}\.\d{1,2}\.\d{4})(?:,\s*p\.\s*\d+)?`)
	usConstRe       = regexp.MustCompile(`\bU\.\s?S\.\s?Const\.(?:\s+(art\.|amend\.)\s+([IVXL]+|\d{1,2})(?:,\s*§\s*(\d+))?(?:,\s*cl\.\s*(\d+))?)?`)
	numberedLawRe   = regexp.MustCompile(`\b(?:Law|Lei|Legislative Decree|Decree-Law|Royal Decree-Law|Royal Decree|Royal Legislative Decree|Presidential Decree|Federal Law|Federal Decree-Law|Organic Law)\s+(?:(?:No\.?|n\.|n°|nº|Nr\.)\s?\d{1,3}(?:[.,]\d{3})?[/-]\d{2,4}|\d{1,5}/(?:19|20)\d\d)\b`)
	leyRe           = regexp.MustCompile(`\b(?:Ley|Lei)(?: (?:[A-ZÁÉÍÓÚ][\wáéíóúñãõç]+|de|del|en|y|la|los|las|el|para|sobre|da|do|dos|e))+`)
	caNeutralRe     = regexp.MustCompile(`\b(?:19|20)\d\d (?:SCC|ONCA|BCCA|QCCA|ABCA|FCA|FC|ONSC|BCSC|NSCA|NZSC|NZCA|HCA|FCAFC|SGCA|SGHC)\s\d{1,4}\b`)
	oldReportRe     = regexp.MustCompile(`\((?:1[6-9]|20)\d\d\) \d{1,3} (?:QBD|Ch D|App Cas|CLR|DLR|LR \d+ [A-Z][A-Za-z]*|KB|QB|Ch|AC|ER|WLR) \d{1,4}\b`)
	civilCaseRe     = regexp.MustCompile(`\b(?:Cass\.(?: (?:civ|pen|com|soc)\.)?(?:,? [Ss]ez\. [\w.]+)?,? n\. ?\d{1,6}/\d{4}|STS \d{1,5}/\d{4}|SAN \d{1,5}/\d{4}|BGH,? [IVX]+ Z[RB] \d+/\d{2})`)
	loiRe           = regexp.MustCompile(`\b[Ll]oi\s+n[°o]\s?(\d{2,4}-\d{1,5})(?:\s+du\s+\d{1,2}(?:er)?\s+[a-zéû]+\s+\d{4})?`)
	gesetzRe        = regexp.MustCompile(`\b[A-ZÄÖÜ][a-zäöüß]{3,}(?:gesetz|gesetzbuch|Gesetzbuch|ordnung)\b|\bBürgerliches Gesetzbuch\b`)
	wetRe           = regexp.MustCompile(`\b[A-Z][a-z]{3,}wet(?:boek)?(?: [A-Z]{2,5})?\b`)
	chapterProhibRe = regexp.MustCompile(`\bChapter (II|I) prohibitions?\b`)
	practiceDirRe   = regexp.MustCompile(`\b(?:Practice Direction|PD)\s?(\d{1,2}[A-Z]{0,3})\b`)
	unscRe          = regexp.MustCompile(`\b(?:UN\s+|U\.N\.\s+|United Nations\s+)?Security Council\s+[Rr]esolution\s+(\d{2,4})\b`)
	usBillRe        = regexp.MustCompile(`\b(SB|AB|HB|H\.\s?R\.)\s?(\d{1,5})\b`)
	caseNmRe        = regexp.MustCompile(`(R\s+\((?:on the application of\s+)?[^()\n]{1,80}\)|` + partyWord + `(?:\s(?:` + partyWord + `|\d+|of|and|for|the|&|de|van|von|der|plc|ltd)){0,6})\s+v\.?\s+((?:the\s+)?` + partyWord + `(?:\s(?:` + partyWord + `|of|and|for|the|&|de|van|von|der|plc|ltd)){0,9})`)
)

const partyWord = `[A-Z][\w&'’.\-]*`

var neutralPath = map[string]string{"UKSC": "uksc", "UKPC": "ukpc", "EWCA Civ": "ewca/civ", "EWCA Crim": "ewca/crim",
	"EWFC": "ewfc", "EWCOP": "ewcop", "EAT": "eat", "UKIPTrib": "ukiptrib", "EWCC": "ewcc"}

var divisionCourt = map[string]string{"EWHC": "ewhc", "UKUT": "ukut", "UKFTT": "ukftt"}

// knownDivision are the Find Case Law paths of divided courts.
var knownDivision = map[string]bool{"ewhc/ch": true, "ewhc/kb": true, "ewhc/qb": true, "ewhc/admin": true, "ewhc/comm": true,
	"ewhc/fam": true, "ewhc/admlty": true, "ewhc/pat": true, "ewhc/tcc": true, "ewhc/ipec": true, "ewhc/scco": true, "ukut/iac": true,
	"ukut/lc": true, "ukut/tcc": true, "ukut/aac": true, "ukftt/tc": true, "ukftt/grc": true}

var courtOfCitation = map[string]string{"UKSC": "uk", "UKPC": "uk", "UKHL": "uk", "EWCA": "uk", "EWHC": "uk", "UKUT": "uk",
	"UKFTT": "uk", "EWFC": "uk", "EWCOP": "uk", "EAT": "uk", "UKEAT": "uk", "CAT": "uk", "CSIH": "uk", "CSOH": "uk",
	"NICA": "uk", "NIKB": "uk", "NIQB": "uk", "IEHC": "ie", "IESC": "ie", "IECA": "ie", "SGCA": "sg", "SGHC": "sg",
	"SGHC(I)": "sg", "HCA": "au", "FCA": "au", "FCAFC": "au", "NZSC": "nz", "HKCFA": "hk", "UKIPTrib": "uk", "EWCC": "uk", "UKAIT": "uk"}

func (s *scan) citations(add func(int, int, ref, int)) {
	t := s.text
	for _, m := range findAllSub(neutralRe, t, anyOf(t, "[")) { // it starts with "["
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
	for _, m := range findAllSub(euCaseRe, t, anyOf(t, "/")) { // "/" is between its numbers
		num := fmt.Sprintf("%s-%s/%s", t[m[2]:m[3]], t[m[4]:m[5]], t[m[6]:m[7]])
		in := Instrument{Kind: KindCase, Jurisdiction: "eu", Canonical: "Case " + num}
		if e, ok := tbl.lookup(in.Canonical); ok {
			in = e
		}
		in.Title = in.Canonical
		finishInstrument(&in)
		r := ref{inst: &in, kind: KindCase, citation: true}
		if strings.HasPrefix(t[m[0]:m[1]], "Joined") {
			// Joined cases are several cases: no one case's page is theirs.
			r.url, r.noURL = "", true
		}
		add(m[0], m[1], r, 5)
	}
	// "[Nn]os?\." holds "No.", "no." or "os."; "/" is between its numbers.
	for _, m := range findAllSub(echrRe, t, anyOf(t, "No.", "no.", "os.") && anyOf(t, "/")) {
		no := t[m[2]:m[3]]
		in := Instrument{Kind: KindCase, Jurisdiction: "int", Canonical: "Application no. " + no,
			URL: fmt.Sprintf(hudoc, no)}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 5)
	}
	// "EU:C:2023:370": an ECLI written without its prefix.
	for _, m := range findAllSub(shortECLIRe, t, anyOf(t, "EU:")) { // it starts with "EU:"
		if m[0] > 0 && (t[m[0]-1] == ':' || t[m[0]-1] == '/') {
			continue
		}
		in := Instrument{Kind: KindCase, Jurisdiction: "eu", Canonical: "ECLI:" + t[m[0]:m[1]]}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 5)
	}
	// "G 1/19", "T 641/00": decisions of the EPO's Enlarged Board and
	// Technical Boards of Appeal.
	for _, m := range findAllSub(epoCaseRe, t, anyOf(t, "/")) { // "/" is between its numbers
		canon := t[m[2]:m[3]] + " " + t[m[4]:m[5]]
		in := Instrument{Kind: KindCase, Jurisdiction: "int", Canonical: "EPO " + canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 5)
	}
	// "the Appointments Clause": a clause of the US Constitution by name.
	for _, m := range findAll(clauseRe, t, anyOf(t, "Clause")) { // it ends with "Clause"
		in, _ := tbl.lookup("United States Constitution")
		name := strings.Join(strings.Fields(t[m[0]:m[1]]), " ")
		add(m[0], m[1], ref{inst: &in, kind: KindProvision, canonical: "the " + name + " of the United States Constitution", noURL: true}, 5)
	}
	// "U.S. Const. art. I, § 9, cl. 7": the Bluebook's way with the Constitution.
	for _, m := range findAllSub(usConstRe, t, anyOf(t, "Const.")) { // `U\.\s?S\.\s?Const\.`
		in, _ := tbl.lookup("United States Constitution")
		canon := ""
		if m[2] >= 0 {
			part := "Article"
			if strings.HasPrefix(strings.ToLower(t[m[2]:m[3]]), "amend") {
				part = "Amendment"
			}
			canon = part + " " + t[m[4]:m[5]]
			if m[6] >= 0 {
				canon += ", section " + t[m[6]:m[7]]
			}
			if m[8] >= 0 {
				canon += ", clause " + t[m[8]:m[9]]
			}
			canon += " of the United States Constitution"
		}
		r := ref{inst: &in, kind: in.Kind, canonical: canon}
		if canon != "" {
			r.kind = KindProvision
		}
		add(m[0], m[1], r, 5)
	}
	// "Law No. 287/1990", "Legislative Decree No. 231/2001": a statute of
	// another country by its number (which country: the text's).
	// Each of its words holds "Law", "Lei" or "Decree"; its number holds
	// "/" or "-".
	for _, m := range findAll(numberedLawRe, t, anyOf(t, "Law", "Lei", "Decree") && anyOf(t, "/", "-")) {
		canon := strings.Join(strings.Fields(t[m[0]:m[1]]), " ")
		jur := s.ctxCountry
		switch {
		case sentenceCountry(t, m[0], m[1]) != "":
			jur = sentenceCountry(t, m[0], m[1]) // "Italian clients … under Legislative Decree No. 231/2001"
		case strings.HasPrefix(canon, "Legislative Decree"):
			jur = "it"
		case strings.HasPrefix(canon, "Organic Law"), strings.HasPrefix(canon, "Royal"):
			jur = "es"
		}
		in := Instrument{Kind: KindLegislation, Jurisdiction: jur, Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindLegislation, citation: true}, 5)
	}
	// "Ley Federal de Competencia Económica", "Lei Geral de Proteção de
	// Dados": a Spanish or Portuguese statute by its name.
	for _, m := range findAll(leyRe, t, anyOf(t, "Ley", "Lei")) { // it starts with one of them
		name := strings.TrimSpace(t[m[0]:m[1]])
		for _, w := range []string{" de", " del", " en", " y", " la", " los", " las", " el", " para", " sobre", " da", " do", " dos", " e"} {
			name = strings.TrimSuffix(name, w)
		}
		if len(strings.Fields(name)) < 3 {
			continue
		}
		jur := s.ctxCountry
		if strings.HasPrefix(name, "Lei") {
			jur = "br"
		} else if jur != "mx" && jur != "ar" && jur != "cl" && jur != "co" {
			jur = "es"
		}
		in := Instrument{Kind: KindLegislation, Jurisdiction: jur, Canonical: name, Title: name}
		if e, ok := tbl.lookup(name); ok {
			in = e
		} else {
			finishInstrument(&in)
		}
		add(m[0], m[0]+len(name), ref{inst: &in, kind: KindLegislation}, 2)
	}
	// "2008 SCC 69", "(1890) 25 QBD 399", "Cass. n. 1663/2020", "STS
	// 805/2020": case citations of other systems (no address).
	for _, re := range []*regexp.Regexp{caNeutralRe, oldReportRe, civilCaseRe} {
		for _, m := range findAll(re, t, otherCitationPossible(re, t)) {
			canon := strings.Join(strings.Fields(t[m[0]:m[1]]), " ")
			in := Instrument{Kind: KindCase, Jurisdiction: citationCountry(canon), Canonical: canon, Title: canon}
			finishInstrument(&in)
			add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 5)
		}
	}
	// "Loi n° 2017-399 du 27 mars 2017": a French statute by its number.
	for _, m := range findAllSub(loiRe, t, anyOf(t, "Loi", "loi")) { // it starts with `[Ll]oi`
		canon := "Loi n° " + t[m[2]:m[3]]
		in := Instrument{Kind: KindLegislation, Jurisdiction: "fr", Canonical: canon, Title: strings.Join(strings.Fields(t[m[0]:m[1]]), " ")}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindLegislation, citation: true}, 5)
	}
	// "Lieferkettensorgfaltspflichtengesetz", "Bürgerliches Gesetzbuch": a
	// German statute by its name.
	// Both its alternatives end with "gesetz", "Gesetz…" or "ordnung".
	for _, m := range findAll(gesetzRe, t, anyOf(t, "gesetz", "Gesetz", "ordnung")) {
		name := t[m[0]:m[1]]
		in := Instrument{Kind: KindLegislation, Jurisdiction: "de", Canonical: name, Title: name}
		if e, ok := tbl.lookup(name); ok {
			in = e
		} else {
			finishInstrument(&in)
		}
		add(m[0], m[1], ref{inst: &in, kind: in.Kind}, 2)
	}
	// "the Chapter I prohibition": section 2 (Chapter II: section 18) of
	// the Competition Act 1998.
	for _, m := range findAllSub(chapterProhibRe, t, anyOf(t, "Chapter I")) { // "Chapter I" or "Chapter II"
		in, ok := tbl.lookup("Competition Act 1998")
		if !ok {
			continue
		}
		sec := map[string]string{"I": "2", "II": "18"}[t[m[2]:m[3]]]
		add(m[0], m[1], ref{inst: &in, kind: KindProvision, keyword: "section", number: sec,
			canonical: "the Chapter " + t[m[2]:m[3]] + " prohibition (section " + sec + " of the Competition Act 1998)"}, 4)
	}
	// "Mededingingswet", "Uitvoeringswet AVG": a Dutch statute by its name.
	for _, m := range findAll(wetRe, t, anyOf(t, "wet")) { // `[A-Z][a-z]{3,}wet`
		name := t[m[0]:m[1]]
		in := Instrument{Kind: KindLegislation, Jurisdiction: "nl", Canonical: name, Title: name}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindLegislation}, 2)
	}
	// "COBS 2.1.1R": a rule of the FCA Handbook by its sourcebook.
	// Every sourcebook's name holds one of these ("CO": COBS, CONC, COLL,
	// COCON, COND, MCOB, ICOBS, BCOBS; "PRU": UPRU, MIFIDPRU).
	for _, m := range findAllSub(fcaRuleRe, t, anyOf(t, "CO", "PRIN", "SYSC", "DISP", "SUP", "DEPP", "CASS", "FUND", "APER", "ESG", "DTR", "PRU", "PERG", "FEES", "SMCR", "MAR", "EG")) {
		in, _ := tbl.lookup("FCA Handbook")
		add(m[0], m[1], ref{inst: &in, kind: KindRule, canonical: t[m[2]:m[3]] + " " + t[m[4]:m[5]]}, 5)
	}
	// "Fed. R. Civ. P. 9(b)": a US federal rule of procedure or evidence.
	for _, m := range findAllSub(fedRuleRe, t, anyOf(t, "Fed.")) { // it starts with `\bFed\.`
		var set string
		if m[2] >= 0 {
			set = map[string]string{"Civ": "Civil Procedure", "Crim": "Criminal Procedure", "App": "Appellate Procedure", "Bankr": "Bankruptcy Procedure"}[t[m[2]:m[3]]]
		} else {
			set = "Evidence"
		}
		in := Instrument{Kind: KindRule, Jurisdiction: "us", Canonical: "Federal Rules of " + set, Title: "Federal Rules of " + set}
		if e, ok := tbl.lookup(in.Canonical); ok {
			in = e
		}
		finishInstrument(&in)
		canon := "Federal Rule of " + set + " " + t[m[4]:m[5]] + strings.Join(strings.Fields(t[m[6]:m[7]]), "")
		add(m[0], m[1], ref{inst: &in, kind: KindRule, canonical: canon}, 5)
	}
	for _, m := range findAllSub(eclIRe, t, anyOf(t, "ECLI:")) { // it starts with "ECLI:"
		cc := strings.ToLower(t[m[2]:m[3]])
		if cc == "gb" {
			cc = "uk"
		}
		end := m[1]
		for t[end-1] == '.' {
			end-- // the full stop that ends the sentence
		}
		in := Instrument{Kind: KindCase, Jurisdiction: cc, Canonical: t[m[0]:end]}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], end, ref{inst: &in, kind: KindCase, citation: true}, 5)
	}
	for _, m := range findAllSub(uscRe, t, dotted(t, "USC")) { // `U\.?\s?S\.?\s?C`
		title, _ := strconv.Atoi(t[m[2]:m[3]])
		sec := t[m[4]:m[5]]
		sub := t[m[6]:m[7]]
		if a, b, ok := strings.Cut(sec, "-"); ok && strings.Contains(t[m[0]:m[4]], "§§") && allDigits(a) && allDigits(b) && len(b) >= len(a) && b > a {
			// "§§ 1701-1706": a range, not section 1701-1706.
			sec, sub = a, sub+"–"+b
		}
		if m[8] >= 0 {
			// "5 U.S.C. §§ 801–808": the range, linked at its first section.
			sub += "–" + strings.TrimLeft(t[m[8]:m[9]], " –—tohrug")
		}
		in := Instrument{Kind: KindLegislation, Jurisdiction: "us", Canonical: fmt.Sprintf("Title %d of the United States Code", title)}
		in.Title = in.Canonical
		finishInstrument(&in)
		mark := "§"
		if m[8] >= 0 || strings.Contains(t[m[0]:m[4]], "§§") {
			mark = "§§"
		}
		add(m[0], m[1], ref{inst: &in, kind: KindProvision, canonical: fmt.Sprintf("%d U.S.C. %s %s%s", title, mark, sec, sub),
			url: fmt.Sprintf(cornellUSC, title, sec)}, 5)
	}
	for _, m := range findAllSub(cfrRe, t, dotted(t, "CFR")) { // `C\.?\s?F\.?\s?R`
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
	for _, m := range findAllSub(siRe, t, anyOf(t, "SI", "S.I.")) { // it starts with one of them
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
	// Each report's abbreviation holds "S." (U.S., S. Ct.), "F." or "L.".
	for _, m := range findAllSub(usRepRe, t, anyOf(t, "S.", "F.", "L.")) {
		canon := fmt.Sprintf("%s %s %s", t[m[2]:m[3]], strings.ReplaceAll(t[m[4]:m[5]], " ", ""), t[m[6]:m[7]])
		in := Instrument{Kind: KindCase, Jurisdiction: "us", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 4)
	}
	for _, m := range findAllSub(ukRepRe, t, anyOf(t, "[")) { // it starts with "["
		canon := strings.Join(strings.Fields(t[m[0]:m[1]]), " ")
		in := Instrument{Kind: KindCase, Jurisdiction: "uk", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindCase, citation: true}, 4)
	}
	for _, m := range findAllSub(execOrdRe, t, anyOf(t, "Executive")) { // it starts with "Executive"
		in := Instrument{Kind: KindRegulation, Jurisdiction: "us", Canonical: "Executive Order " + t[m[2]:m[3]]}
		in.Title = in.Canonical
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindRegulation}, 4)
	}
	for _, m := range findAllSub(inReRe, t, anyOf(t, "In re")) { // it starts with "In re"
		name := strings.TrimRight(trimParty(strings.TrimRight(t[m[2]:m[3]], ".,")), ".,")
		canon := "In re " + name
		in := Instrument{Kind: KindCase, Jurisdiction: "?", Canonical: canon, Title: canon}
		add(m[0], m[2]+len(name), ref{inst: &in, kind: KindCase, isCaseName: true}, 2)
	}
	for _, m := range findAll(reNameRe, t, anyOf(t, "Re ")) { // it starts with "Re "
		// "Re E (Children)", "Re M (Children) (Abduction: Article 13(b))":
		// an English case by its subject's name (joined to the citation
		// that follows it).
		canon := strings.Join(strings.Fields(t[m[0]:m[1]]), " ")
		in := Instrument{Kind: KindCase, Jurisdiction: "?", Canonical: canon, Title: canon}
		add(m[0], m[1], ref{inst: &in, kind: KindCase, isCaseName: true}, 2)
	}
	for _, m := range findAllSub(ojRe, t, anyOf(t, "OJ")) { // it starts with "OJ"
		// An Official Journal citation: the act it publishes is not named in it.
		canon := "OJ " + t[m[2]:m[3]] + " " + t[m[4]:m[5]] + ", " + t[m[6]:m[7]]
		in := Instrument{Kind: KindRegulation, Jurisdiction: "eu", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindRegulation}, 4)
	}
	for _, m := range findAllSub(practiceDirRe, t, anyOf(t, "Practice Direction", "PD")) { // it starts with one of them
		canon := "Practice Direction " + t[m[2]:m[3]]
		in := Instrument{Kind: KindRule, Jurisdiction: "uk", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindRule}, 3)
	}
	for _, m := range findAllSub(unscRe, t, anyOf(t, "Security Council")) { // always in it
		canon := "UN Security Council Resolution " + t[m[2]:m[3]]
		in := Instrument{Kind: KindLegislation, Jurisdiction: "int", Canonical: canon, Title: canon}
		finishInstrument(&in)
		add(m[0], m[1], ref{inst: &in, kind: KindLegislation}, 4)
	}
	if s.ctxJur == "us" {
		// It starts with "SB", "AB", "HB" or `H\.\s?R\.`.
		for _, m := range findAllSub(usBillRe, t, anyOf(t, "SB", "AB", "HB", "H.")) {
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
	for _, m := range findAllSub(amendRe, t, anyOf(t, "Amendment")) { // it ends with "Amendment"
		in, _ := tbl.lookup("United States Constitution")
		ord := t[m[2]:m[3]]
		add(m[0], m[1], ref{inst: &in, kind: KindProvision, canonical: ord + " Amendment to the United States Constitution"}, 3)
	}
	for _, m := range findAllSub(caseNmRe, t, caseV(t)) { // `\s+v\.?\s+` is between its parties
		left := t[m[2]:m[3]]
		right := t[m[4]:m[5]]
		// A party never runs across the end of a sentence.
		lw := strings.Fields(left)
		for k := len(lw) - 2; k >= 0; k-- {
			if endsSentence(lw[k]) {
				left = strings.Join(lw[k+1:], " ")
				break
			}
			if k == 1 && allDigits(lw[1]) && reportCode(lw[0]) && (strings.HasSuffix(t[:m[2]], "] ") || strings.HasSuffix(t[:m[2]], ") ")) {
				// "… [2008] UKHL 48 and Hadley v Baxendale": the citation
				// before ends the earlier case; this one's party follows.
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
		cl = afterEarlierParty(t[:m[3]-len(cl)], cl)
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

// otherCitationPossible is a necessary condition of a match of
// caNeutralRe (its courts' codes each hold "FC", "CA", "SC" or "SGHC"),
// oldReportRe (it starts with "(") and civilCaseRe (it starts with "Cass.",
// "STS ", "SAN " or "BGH").
func otherCitationPossible(re *regexp.Regexp, t string) bool {
	switch re {
	case caNeutralRe:
		return anyOf(t, "FC", "CA", "SC", "SGHC")
	case oldReportRe:
		return anyOf(t, "(")
	case civilCaseRe:
		return anyOf(t, "Cass.", "STS ", "SAN ", "BGH")
	}
	return true
}

// reportCode: the court or report part of a citation before its number
// ("UKHL 48", "AC 562", "Civ 101"), never a party's word.
func reportCode(w string) bool {
	switch w {
	case "Civ", "Crim", "Ch", "Comm", "Exch", "Admin", "Fam", "Pat":
		return true
	}
	return len(w) >= 2 && strings.ToUpper(w) == w && !allDigits(w)
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
		if k > 0 && pinpointWord[strings.TrimRight(w, ".")] && (k == len(rw)-1 || rw[k+1][0] >= '0' && rw[k+1][0] <= '9') {
			// "Barber v Guardian Royal Exchange and Article 157 TFEU": the
			// name ends before the provision the sentence goes on to.
			rw = rw[:k]
			break
		}
	}
	for len(rw) > 1 && !isUpperStart(rw[len(rw)-1]) {
		rw = rw[:len(rw)-1]
	}
	return strings.Join(rw, " ")
}

// pinpointWord: words that begin a provision, never a party's name's
// last word ("Article 157").
var pinpointWord = map[string]bool{"Article": true, "Articles": true, "Art": true, "Arts": true, "Section": true,
	"Sections": true, "Recital": true, "Recitals": true}

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

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// citationCountry is the country a case citation's court or report belongs to.
func citationCountry(c string) string {
	for k, v := range map[string]string{" SCC ": "ca", " ONCA ": "ca", " BCCA ": "ca", " QCCA ": "ca", " ABCA ": "ca", " FCA ": "ca",
		" FC ": "ca", " ONSC ": "ca", " BCSC ": "ca", " NSCA ": "ca", " NZSC ": "nz", " NZCA ": "nz", " HCA ": "au", " FCAFC ": "au",
		" SGCA ": "sg", " SGHC ": "sg", " CLR ": "au", " DLR ": "ca"} {
		if strings.Contains(" "+c+" ", k) {
			return v
		}
	}
	switch {
	case strings.HasPrefix(c, "Cass."):
		return "it"
	case strings.HasPrefix(c, "STS"), strings.HasPrefix(c, "SAN"):
		return "es"
	case strings.HasPrefix(c, "BGH"):
		return "de"
	}
	return "uk"
}

// afterEarlierParty drops a first word joined by "and" when that word is
// the first party of a case already named before: in "Uber BV v Aslam …
// the approach in Uber and Autoclenz Ltd v Belcher", the case is
// "Autoclenz Ltd v Belcher" and "Uber" the earlier case. A party that is
// itself a pair ("Smith and Jones Ltd v Brown") is kept whole.
func afterEarlierParty(before, party string) string {
	w, rest, ok := strings.Cut(party, " and ")
	if !ok || strings.Contains(w, " ") || !isUpperStart(rest) || len(w) < 2 {
		return party
	}
	for i := 0; ; {
		k := strings.Index(before[i:], w+" ")
		if k < 0 {
			return party
		}
		k += i
		if k == 0 || !isWordByte(before[k-1]) {
			// the earlier mention starts a case name: " v " follows within
			// a few words, before any sentence ends.
			tail := before[k:min(len(before), k+80)]
			if v := strings.Index(tail, " v "); v > 0 && !strings.Contains(tail[:v], ";") && !slices.ContainsFunc(strings.Fields(tail[:v]), endsSentence) {
				return rest
			}
		}
		i = k + len(w)
	}
}

// sentenceCountry is the one country (not the EU) the sentence around the
// reference at start:end names, or "".
func sentenceCountry(t string, start, end int) string {
	from := strings.LastIndex(t[:start], ". ") + 1
	to := strings.Index(t[end:], ". ")
	if to < 0 {
		to = len(t)
	} else {
		to += end
	}
	found := ""
	for i, sg := range signals {
		if sg.jur != "eu" && signalCount(i, t[from:to]) > 0 {
			if found != "" {
				return ""
			}
			found = sg.jur
		}
	}
	return found
}
