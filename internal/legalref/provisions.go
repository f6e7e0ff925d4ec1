package legalref

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A provision is a pinpoint — Article 6(1)(f), section 87(2)(b), Schedule 2,
// CPR 19.8 — with the instrument it is in: named right after it ("of the
// Companies Act 2006", "TFEU"), right before it ("CPR Part 36"), continued
// ("of that Act", "of the same Regulation") or, when the text names none,
// the last instrument of the kind that has such provisions.

const (
	num = `(?:[LRD]\.\s?\d+(?:-\d+)+|\d{1,3}:\d{1,3}[a-z]?\b|\d+(?:-(?:bis|ter|quater|quinquies|sexies))?(?:[A-Za-z]{1,3}\d{0,2}(?:-\d+)?)?(?:\.\d+[A-Za-z]?)*(?:\((?:\d{1,3}[A-Za-z]{0,2}|\d{1,3}-(?:bis|ter|quater)|[a-z]{1,4}|[ivxIVX]{1,6}|[A-Z])\))*|[IVXL]{1,6}\b(?:\((?:\d{1,3}[A-Za-z]{0,2}|[a-z]{1,4})\))*|[A-Z]\d{1,2}\b)`
	kw  = `(?:Articles?|articles?|Arts?\.|arts?\.|Arts|Art|[Ss]ections?|ss?\.|ss|s|§§?|[Rr]egulations?|regs?\.|[Rr]ules?|rr?\.|[Pp]aragraphs?|paras?\.|Schedules?|Sch\.|Sch|Parts?|Chapters?|Titles?|Recitals?|Annex(?:es)?|[Cc]lauses?)`
	sep = `(?:\s*,\s*(?:and\s+|or\s+)?|\s+and/or\s+|\s+and\s+|\s+or\s+|\s*[-–—]\s*|\s+to\s+|\s+through\s+)`
)

var (
	provRe   = regexp.MustCompile(`(?:^|[^\w'’§])(` + kw + `)\s?(` + num + `(?:` + sep + `(?:` + kw + `\s?)?` + num + `)*)`)
	itemRe   = regexp.MustCompile(num)
	kwTailRe = regexp.MustCompile(`\b` + kw + `\s?$`)
	rangeRe  = regexp.MustCompile(`^\s*(?:[-–—]|to|through)\s*$`)
	// What joins a provision to the instrument named after it.
	ofRe = regexp.MustCompile(`^(?:,?\s+(?:of|in|under|to|into)\s+(?:the\s+|that\s+|this\s+|its\s+)?|\s+)`)
	// A continuation: "of that Act", "of the same Regulation", "of the 2006 Act".
	contRe = regexp.MustCompile(`^,?\s+(?:of|in|under|into)\s+(?:the\s+|that\s+|this\s+|its\s+|those\s+|these\s+)(?:same\s+|said\s+|above\s+|aforementioned\s+|present\s+)?(?:(\d{4})\s+)?(Act|Regulations|Regulation|Directive|Treaty|Convention|Charter|Code|Rules|Statute|Constitution|Agreement|Protocol|Law|Order)\b`)
	// "of the report": the provision is of something that is not law.
	// "of the Romanian Code of Criminal Procedure": capitalised words before
	// an instrument's noun, perhaps with its subject after it.
	unknownInstRe = regexp.MustCompile(`^,?\s+(?:of|to|under)\s+the\s+((?:[A-Z][\w’'\-–]*\s+){1,6}(?:Code|Agreement|Convention|Treaty|Instrument|Act|Law|Constitution|Charter|Statute|Protocol|Ordinance|Rules|Order|Regulations|Decree)(?:\s+(?:of|on)\s+[A-Z][\w’'\-]*(?:\s+(?:and\s+)?[A-Z][\w’'\-]*){0,4})?(?:,?\s+(?:1[6-9]|20)\d\d)?)\b`)
	// "Article 82 of the Loi Informatique et Libertés": a law named in its
	// own language (the words run to the first English one).
	foreignLawRe  = regexp.MustCompile(`^,?\s+(?:of|to|under)\s+the\s+((?:Loi|Ley|Lei|Legge|Wet|Décret|Decreto|Gesetz)(?:\s+[\p{L}\d/°'’\-]+){1,6})`)
	foreignLawJur = map[string]string{"Loi": "fr", "Décret": "fr", "Ley": "es", "Lei": "pt", "Legge": "it", "Decreto": "it", "Wet": "nl", "Gesetz": "de"}
	wordRe        = regexp.MustCompile(`\S+`)
	romanceWord   = map[string]bool{"et": true, "de": true, "du": true, "des": true, "la": true, "le": true, "les": true, "del": true,
		"di": true, "della": true, "y": true, "e": true, "sur": true, "pour": true, "relative": true, "relatif": true, "n°": true}
	englishWord = map[string]bool{"which": true, "that": true, "and": true, "or": true, "to": true, "in": true, "of": true, "on": true,
		"for": true, "is": true, "was": true, "by": true, "with": true, "as": true, "under": true, "from": true, "at": true, "the": true,
		"a": true, "an": true, "were": true, "has": true, "had": true, "it": true, "its": true, "since": true, "after": true, "before": true,
		"applies": true, "apply": true, "requires": true, "provides": true, "allows": true, "says": true, "sets": true, "gives": true,
		"will": true, "would": true, "may": true, "must": true, "can": true, "could": true, "should": true, "are": true, "be": true,
		"not": true, "also": true, "now": true, "into": true}
	countryAdjective = map[string]string{"Romanian": "ro", "Portuguese": "pt", "French": "fr", "German": "de", "Italian": "it",
		"Spanish": "es", "Dutch": "nl", "Polish": "pl", "Swiss": "ch", "Irish": "ie", "Indian": "in", "Australian": "au",
		"Canadian": "ca", "Belgian": "be", "Austrian": "at", "Greek": "gr", "Swedish": "se", "Danish": "dk", "Finnish": "fi"}
	// The rest of a party's name the case-name pattern stops short of
	// (", Designs and Trade Marks", " (UK) Ltd"), or the ECHR's " [GC], ".
	partyRestRe = regexp.MustCompile(`^(?:,?\s+(?:[A-Z][\w'’.\-]*|\([A-Z][\w.]*\)|\(No\.? ?\d+\)|and|of|&|the|for|plc|ltd|llp|limited))*(?:\s+\[GC\]|\s+\(dec\.\))?,?\s+$`)
	// "Section 2 above", "Section 3 of which": a part of the text itself.
	selfRefRe = regexp.MustCompile(`^,?\s+(?:above|below|of\s+which|hereof|of\s+this\s+(?:note|alert|article|briefing|report|guide|update|bulletin))\b`)
	// "Schedule 4 of the CMA's guidance": a part of someone's document.
	ofOwnerRe = regexp.MustCompile(`^,?\s+(?:of|to)\s+(?:the\s+)?[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)*['’]s\s`)
	// "s 1317G": a section number with a capital letter is a section's.
	lettered     = regexp.MustCompile(`^\d+[A-Z]{1,2}$`)
	treatyWordRe = regexp.MustCompile(`\b(?:Agreement|Convention|Treaty|Instrument|Protocol)\b`)
	ofOtherRe    = regexp.MustCompile(`^,?\s+of\s+(?:the|a|an|this|its|his|her|their|our|my|your)\s+[a-z]`)
	natoAfterRe  = regexp.MustCompile(`^\s+of\s+(?:(?:the\s+)?NATO|the\s+(?:North\s+Atlantic|alliance))\b`)
	natoBeforeRe = regexp.MustCompile(`NATO(?:['’]s)?\s+$`)
	// "of Protocol No. 1 to the": a protocol to the ECHR, then where its name starts.
	protocolRe     = regexp.MustCompile(`^\s+of\s+(?:the\s+)?Protocol\s+(?:No\.?\s*)?(\d+)\s+(?:to|of)\s+(?:the\s+)?()`)
	namedLawRe     = regexp.MustCompile(`^,?\s+of\s+the\s+[a-z][a-z ]{0,40}?\s+of\s+the\s+((?:[A-Z][\w'’\-]*\s+){0,4}(?:Code|Act|Law)(?:\s+of\s+[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,3})?)`)
	bareProtocolRe = regexp.MustCompile(`^\s+of\s+Protocol\s+(?:No\.?\s*)?(\d{1,2})\b`)
	// Subdivisions written apart: " (1) (f)".
	spacedRe = regexp.MustCompile(`^(?:\s\((?:\d{1,3}[a-z]?|[a-z]{1,4})\))+`)
	absRe    = regexp.MustCompile(`^ Abs\. ?(\d+)(?: S\. ?\d+)?(?: Nr\. ?\d+)?`)
	intoRe   = regexp.MustCompile(`^,?\s+into\s`)
	// "Article 6 § 1": a paragraph of an ECHR article.
	echrParaRe = regexp.MustCompile(`^\s?§\s?(\d{1,2})\b`)
	// "those Regulations", "that Directive", "the same Regulation" alone.
	backRefRe = regexp.MustCompile(`\b(?:[Tt]hose|[Tt]hese|[Tt]hat|[Tt]he same) (Regulations|Regulation|Directive)\b`)
	// "the 2006 Act" alone.
	yearActRe = regexp.MustCompile(`\b[Tt]he ((?:1[6-9]|20)\d\d) Act\b`)
	// An act's initials right after a provision: "Article 33 FINMASA".
	acronymRe = regexp.MustCompile(`^ ([A-Z]{3,8}|[A-Z][A-Za-z]{1,7})\b`)
	// A pinpoint written after the instrument: "CPR 19.8", "CPR Part 36", "TFEU Article 102".
	afterInstRe = regexp.MustCompile(`^(?:['’]s)?,?\s+(?:(Article|Art\.|Part|r\.?|rule|Rule|PD|section|Section|regulation|ss?\.?|§§?)\s?)?(` + num + `)`)
)

var keywordCanon = map[string]string{"article": "Article", "articles": "Article", "art.": "Article", "arts.": "Article", "art": "Article",
	"section": "section", "sections": "section", "s.": "section", "ss.": "section", "ss": "section", "s": "section", "§": "section", "§§": "section",
	"regulation": "regulation", "regulations": "regulation", "reg.": "regulation", "regs.": "regulation",
	"rule": "rule", "rules": "rule", "r.": "rule", "rr.": "rule", "paragraph": "paragraph", "paragraphs": "paragraph", "para.": "paragraph",
	"paras.": "paragraph", "schedule": "Schedule", "sch.": "Schedule", "sch": "Schedule", "schedules": "Schedule", "part": "Part", "parts": "Part", "chapter": "Chapter",
	"chapters": "Chapter", "title": "Title", "titles": "Title", "recital": "Recital", "recitals": "Recital", "annex": "Annex",
	"annexes": "Annex", "clause": "clause", "clauses": "clause", "pd": "Practice Direction", "r": "rule", "arts": "Article"}

// notActs are capitals that follow a provision without naming its act.
var notActs = map[string]bool{"USA": true, "CEO": true, "AGM": true, "AND": true, "THE": true, "FOR": true, "NOT": true,
	"ALL": true, "NEW": true, "UPDATE": true, "UPDATED": true, "CET": true, "GMT": true, "UTC": true, "BST": true, "EST": true}

// contextOK are keywords kept without an instrument only when an earlier
// instrument of the text has such provisions ("Part 26A" after the
// Companies Act 2006; "Schedule 1"; "regulation 4" after Regulations).
var contextOK = map[string]bool{"Part": true, "Schedule": true, "Annex": true}

var (
	secRuleRe = regexp.MustCompile(`^\d+[a-zA-Z]+(?:-\d+)?(?:\(|$)`)
	chapterRe = regexp.MustCompile(`^\s+(?:bankruptcy|protection|proceedings?|filings?|cases?|plans?|process|reorgani[sz]ation|restructuring|petitions?)\b`)
)

// numberAbove: the provision number's leading integer exceeds n.
func numberAbove(number string, n int) bool {
	v := 0
	for _, c := range number {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int(c-'0')
	}
	return v > n
}

// bankruptcyChapter: "Chapter 11" of US bankruptcy news.
func bankruptcyChapter(number, ahead, text string) bool {
	switch number {
	case "7", "9", "11", "12", "13", "15":
	default:
		return false
	}
	return chapterRe.MatchString(ahead) || strings.Contains(strings.ToLower(text), "bankrupt")
}

// bareOK are the keywords that are a reference even with no instrument in
// sight ("section 12", "Article 5"); the others ("Part 2", "paragraph 3",
// "Schedule 1", "rule 4") need one.
var bareOK = map[string]bool{"Article": true, "section": true}

func (s *scan) provisions() {
	t := s.text
	var out []ref
	consumed := map[int]bool{} // indexes of mentions joined to a provision
	for _, m := range provRe.FindAllStringSubmatchIndex(t, -1) {
		echrPara := ""
		sameAs := false // "of the same Regulation"
		kwStart, kwEnd := m[2], m[3]
		listStart, listEnd := m[4], m[5]
		rawKw := t[kwStart:kwEnd]
		key := keywordCanon[strings.ToLower(rawKw)]
		if key == "" {
			continue
		}
		// A lone "s" or "Art" is a keyword only when a number follows closely.
		if (rawKw == "s" || rawKw == "Art") && t[kwEnd] != ' ' && t[kwEnd] != '.' {
			continue
		}
		// A list that runs into a citation ("Rule 10b-5, 17 C.F.R. § 240.10b-5")
		// stops before it.
		if !overlapsAny(s.refs, kwStart, listStart) && overlapsAny(s.refs, kwStart, listEnd) {
			cut := listEnd
			for _, r := range s.refs {
				if r.start >= listStart && r.start < cut {
					cut = r.start
				}
			}
			newEnd := -1
			for _, it := range s.listItems(listStart, listEnd) {
				if it[1] <= cut {
					newEnd = it[1]
				}
			}
			if newEnd > listStart {
				listEnd = newEnd
			}
		}
		// Inside a mention ("Regulation (EU) 2016/679", "15 U.S.C. § 78j")?
		if overlapsAny(s.refs, kwStart, listEnd) {
			continue
		}
		// "Regulation 2016/679" without "(EU)" is an act, not a regulation's number.
		if listEnd < len(t) && t[listEnd] == '/' {
			continue
		}
		ahead := t[listEnd:min(len(t), listEnd+200)] // what follows the list
		// "Article 6 (1) (f) GDPR": subdivisions written apart join the
		// pinpoint when the instrument follows them (a house-format marker
		// "(1)" never comes before "of the GDPR").
		items := s.listItems(listStart, listEnd)
		if sp := spacedRe.FindStringIndex(ahead); sp != nil && len(items) > 0 {
			if k := ofRe.FindStringIndex(ahead[sp[1]:]); k != nil {
				if _, ok := s.byStart[listEnd+sp[1]+k[1]]; ok {
					listEnd += sp[1]
					ahead = t[listEnd:min(len(t), listEnd+200)]
					items[len(items)-1][1] = listEnd
				}
			}
		}
		// "§ 15a Abs. 1 InsO": German subdivisions (Absatz, Satz, Nummer).
		if ab := absRe.FindStringSubmatchIndex(ahead); ab != nil && strings.HasPrefix(rawKw, "§") && len(items) > 0 {
			echrPara = ahead[ab[2]:ab[3]] // Absatz 1 is subsection (1)
			listEnd += ab[1]
			ahead = t[listEnd:min(len(t), listEnd+200)]
			items[len(items)-1][1] = listEnd
		}
		// "Article 6 § 1 of the Convention": the ECHR's way of writing Article 6(1).
		if sec := echrParaRe.FindStringSubmatchIndex(ahead); sec != nil && key == "Article" && len(items) > 0 {
			listEnd += sec[1]
			ahead = t[listEnd:min(len(t), listEnd+200)]
			items[len(items)-1][1] = listEnd
			echrPara = t[listEnd-sec[1]+sec[2] : listEnd-sec[1]+sec[3]]
		}
		if len(items) == 0 || selfRefRe.MatchString(ahead) {
			continue // "Section 2 above", "Section 3 of which": the text's own parts
		}
		roman := itemIsRoman(t[items[0][2]:items[0][1]])
		if roman && !isUpperStart(rawKw) {
			continue
		}
		// The instrument: after the list, before the keyword, or continued.
		var inst *Instrument
		end := listEnd
		cont, contYear, protocol := "", "", ""
		into := intoRe.MatchString(ahead) // "inserted section 6A into the 1996 Act": the Act stays a reference of its own
		if k := ofRe.FindStringIndex(ahead); k != nil {
			if i, ok := s.byStart[listEnd+k[1]]; ok && !consumed[i] && s.refs[i].kind != KindCourt && s.refs[i].kind != KindCase {
				inst = s.refs[i].inst
				if !into {
					end = s.refs[i].end
					consumed[i] = true
				}
			}
		}
		if inst == nil {
			// "Article 1 of Protocol No. 1 to the ECHR" / "... to the Convention".
			if p := protocolRe.FindStringSubmatchIndex(ahead); p != nil {
				if i, ok := s.byStart[listEnd+p[1]]; ok && !consumed[i] && s.refs[i].inst != nil && s.refs[i].inst.Canonical == "European Convention on Human Rights" {
					inst, end, consumed[i] = s.refs[i].inst, s.refs[i].end, true
					protocol = ahead[p[2]:p[3]]
				} else if strings.HasPrefix(ahead[p[4]:], "Convention") || strings.HasPrefix(ahead[p[4]:], "European Convention") {
					in, _ := tbl.lookup("ECHR")
					inst, end, protocol = &in, listEnd+p[4]+len("Convention"), ahead[p[2]:p[3]]
				}
			}
		}
		if inst == nil && key == "Article" {
			// "Article 1 of Protocol No. 1" alone: in legal news, the ECHR's.
			if p := bareProtocolRe.FindStringSubmatchIndex(ahead); p != nil {
				in, _ := tbl.lookup("ECHR")
				inst, end, protocol = &in, listEnd+p[1], ahead[p[2]:p[3]]
			}
		}
		if inst == nil {
			// "Article 139 of the Romanian Code of Criminal Procedure",
			// "Article 54 of the EEA Agreement": an instrument the table does
			// not know, named in full; the pinpoint is its, with no address.
			if u := unknownInstRe.FindStringSubmatchIndex(ahead); u != nil && !overlapsAny(s.refs, listEnd+u[2], listEnd+u[3]) {
				name := ahead[u[2]:u[3]]
				kind := KindLegislation
				if treatyWordRe.MatchString(name) {
					kind = KindTreaty
				}
				jur := s.ctxJur
				if c, ok := countryAdjective[strings.Fields(name)[0]]; ok {
					jur = c
				}
				inst = &Instrument{Kind: kind, Jurisdiction: jur, Canonical: name, Title: name}
				finishInstrument(inst)
				end = listEnd + u[1]
			}
		}
		if inst == nil {
			if u := foreignLawRe.FindStringSubmatchIndex(ahead); u != nil && !overlapsAny(s.refs, listEnd+u[2], listEnd+u[3]) {
				name := ahead[u[2]:u[3]]
				spans := wordRe.FindAllStringIndex(name, -1)
				romance := !strings.HasPrefix(name, "Wet") && !strings.HasPrefix(name, "Gesetz")
				n := 1
				for n < len(spans) {
					w := strings.TrimRight(name[spans[n][0]:spans[n][1]], ".,;:")
					if englishWord[w] || romance && !isUpperStart(w) && !romanceWord[w] && !strings.ContainsAny(w, "0123456789") {
						break // "Loi Informatique et Libertés, which", "Ley Orgánica 3/2018 applies"
					}
					n++
					if w != name[spans[n-1][0]:spans[n-1][1]] {
						break // its punctuation ends the name
					}
				}
				name = strings.TrimRight(name[:spans[n-1][1]], ".,;:")
				if n > 1 {
					inst = &Instrument{Kind: KindLegislation, Jurisdiction: foreignLawJur[name[:spans[0][1]]], Canonical: name, Title: name}
					finishInstrument(inst)
					end = listEnd + u[2] + len(name)
				}
			}
		}
		if inst == nil {
			if c := contRe.FindStringSubmatchIndex(ahead); c != nil {
				cont = t[listEnd+c[4] : listEnd+c[5]]
				sameAs = strings.Contains(ahead[:c[1]], " same ") || strings.Contains(ahead[:c[1]], " said ")
				if c[2] >= 0 {
					contYear = t[listEnd+c[2] : listEnd+c[3]]
				}
				if !into {
					end = listEnd + c[1]
				}
			}
		}
		if inst == nil && cont == "" {
			// An act known only by its initials: "Article 33 FINMASA".
			if m := acronymRe.FindStringSubmatchIndex(ahead); m != nil && !notActs[ahead[m[2]:m[3]]] && initialsLike(ahead[m[2]:m[3]]) {
				name := ahead[m[2]:m[3]]
				in := Instrument{Kind: KindLegislation, Jurisdiction: s.ctxJur, Canonical: name, Title: name}
				if known, ok := tbl.lookup(name); ok {
					in = known // "s.4 HRA"
				} else if e, ok := tbl.initials[name]; ok && key == "section" {
					in = e.inst // "s.111 HGCRA"
				} else {
					finishInstrument(&in)
				}
				inst = &in
				end = listEnd + m[1]
			}
		}
		if inst == nil && cont == "" {
			// Before: "GDPR Article 6", "NATO's Article 5".
			for i, r := range s.refs {
				if consumed[i] || r.end > kwStart || r.kind == KindCourt || r.kind == KindCase {
					continue
				}
				gap := t[r.end:kwStart]
				if gap == " " || gap == "'s " || gap == "’s " {
					inst = r.inst
					kwStart = r.start
					consumed[i] = true
				}
			}
		}
		if inst == nil && cont == "" {
			before := t[max(0, kwStart-12):kwStart]
			if natoAfterRe.MatchString(ahead) || natoBeforeRe.MatchString(before) {
				in, _ := tbl.lookup("North Atlantic Treaty")
				inst = &in
				if k := strings.LastIndex(before, "NATO"); k >= 0 {
					kwStart = kwStart - len(before) + k
				}
			}
		}
		needsContext := false
		if inst == nil && cont == "" {
			first := t[items[0][2]:items[0][1]]
			switch {
			case ofOtherRe.MatchString(ahead) && namedLawRe.MatchString(ahead):
				// "Article 64-ter of the implementing provisions of the Code
				// of Criminal Procedure": a law the tables do not know; kept,
				// with no instrument and no address.
				inst = &Instrument{Kind: KindLegislation, Jurisdiction: s.ctxCountry}
				inst.Canonical = strings.Join(strings.Fields(ahead[namedLawRe.FindStringSubmatchIndex(ahead)[2]:namedLawRe.FindStringSubmatchIndex(ahead)[3]]), " ")
				inst.Title = inst.Canonical
				finishInstrument(inst)
				end = listEnd + namedLawRe.FindStringIndex(ahead)[1]
			case ofOtherRe.MatchString(ahead), ofOwnerRe.MatchString(ahead), strings.HasPrefix(ahead, ":"):
				continue // "of the report", "to ESMA's work programme", "Rule 1: read the handbook"
			case key == "Chapter" && bankruptcyChapter(first, ahead, t):
				in, _ := tbl.lookup("Bankruptcy Code")
				inst = &in
			case key == "rule" && rawKw == "Rule" && secRuleRe.MatchString(first):
				// an SEC rule: "Rule 14a-8", "Rule 144A"
				in := Instrument{Kind: KindRule, Jurisdiction: "us", Canonical: "SEC rules", Title: "SEC rules"}
				finishInstrument(&in)
				inst = &in
			case roman && key == "Title" && (first == "VII" || first == "IX"):
				// "Title VII claims", "Title IX": US civil-rights law.
				in, _ := tbl.lookup(map[string]string{"VII": "Civil Rights Act of 1964", "IX": "Education Amendments of 1972"}[first])
				inst = &in
			case roman && key == "Article" && s.ctxJur == "us":
				in, _ := tbl.lookup("United States Constitution")
				inst = &in
			case roman && isUpperStart(rawKw) && (key == "Article" || key == "Annex" || key == "Part" || key == "Chapter" || key == "Schedule"):
				needsContext = true // "Article V(2)(b)", "Annex VII": kept only with an instrument that has them
			case roman:
				continue
			case contextOK[key] && isUpperStart(rawKw) || key == "regulation" || key == "rule" && (rawKw == "rule" || rawKw == "Rule"):
				needsContext = true // kept only if an earlier instrument has such provisions
			case !bareOK[key]:
				continue
			case rawKw == "s" && !strings.Contains(first, "(") && !lettered.MatchString(first):
				continue // "s 5" alone is too weak a signal
			}
		}
		// One reference per item of a list; a range is one reference.
		var group []ref
		for j := 0; j < len(items); j++ {
			a, b := items[j][0], items[j][1]
			number := strings.Join(strings.Fields(t[items[j][2]:b]), "")
			if echrPara != "" && j == len(items)-1 {
				number, _, _ = strings.Cut(number, "§")
				number, _, _ = strings.Cut(number, "Abs")
				number += "(" + echrPara + ")"
			}
			if protocol != "" {
				number += " of Protocol No. " + protocol
			}
			itemKey := key
			if a < items[j][2] {
				// "s.41 and Schedule 8": an item with a keyword of its own is that keyword's.
				if k := keywordCanon[strings.ToLower(strings.TrimSpace(t[a:items[j][2]]))]; k != "" {
					itemKey = k
				}
			}
			r := ref{kind: KindProvision, keyword: itemKey, number: number, inst: inst, cont: cont, contYear: contYear, needsContext: needsContext, sameAs: sameAs, sym: strings.HasPrefix(rawKw, "§")}
			r.start, r.end = a, b
			if j == 0 {
				r.start = kwStart
			}
			if j+1 < len(items) && rangeRe.MatchString(t[b:items[j+1][0]]) {
				r.number = number + " to " + strings.Join(strings.Fields(t[items[j+1][2]:items[j+1][1]]), "")
				r.rangeOf = true
				r.end = items[j+1][1]
				j++
			}
			group = append(group, r)
		}
		group[len(group)-1].end = end
		out = append(out, group...)
	}
	// Pinpoints written after the instrument: "CPR 19.8", "TFEU Article 102".
	for i, r := range s.refs {
		if consumed[i] || r.inst == nil || r.kind == KindCourt || r.kind == KindCase || r.kind == KindProvision {
			continue
		}
		m := afterInstRe.FindStringSubmatchIndex(t[r.end:min(len(t), r.end+80)])
		if m == nil {
			continue
		}
		key := ""
		if m[2] >= 0 {
			key = keywordCanon[strings.ToLower(t[r.end+m[2]:r.end+m[3]])]
		} else if r.kind == KindRule {
			key = "rule"
		}
		if key == "" || overlapsAny(out, r.start, r.end+m[1]) || overlapsAny(s.refs[i+1:], r.end, r.end+m[1]) {
			continue // the number is another citation's ("Rule 10b-5, 17 C.F.R.")
		}
		if m[2] < 0 && !strings.ContainsAny(t[r.end+m[4]:r.end+m[5]], ".(") && r.inst.Canonical == "Civil Procedure Rules" {
			key = "Part" // "CPR 36" is Part 36
		}
		number := t[r.end+m[4] : r.end+m[5]]
		if itemIsRoman(number) && r.kind == KindRule {
			continue
		}
		out = append(out, ref{start: r.start, end: r.end + m[1], kind: KindProvision, keyword: key, number: number, inst: r.inst})
		consumed[i] = true
	}
	// "those Regulations", "the same Directive": an instrument named
	// earlier, by its kind.
	for _, m := range findAllSub(backRefRe, t, anyOf(t, "Regulation", "Directive")) { // "Regulation" stands for "Regulations" too
		if overlapsAny(s.refs, m[0], m[1]) || overlapsAny(out, m[0], m[1]) {
			continue
		}
		out = append(out, ref{start: m[0], end: m[1], kind: KindLegislation, cont: t[m[2]:m[3]], needsContext: true,
			sameAs: strings.Contains(strings.ToLower(t[m[0]:m[1]]), "same")})
	}
	// "the 2006 Act": an Act named earlier, by its year.
	for _, m := range findAllSub(yearActRe, t, anyOf(t, " Act")) { // `\d\d Act\b`
		if overlapsAny(s.refs, m[2], m[1]) || overlapsAny(out, m[2], m[1]) {
			continue
		}
		out = append(out, ref{start: m[2], end: m[1], kind: KindLegislation, cont: "Act", contYear: t[m[2]:m[3]], needsContext: true})
	}
	// The mentions joined to provisions are now part of them.
	var kept []ref
	for i, r := range s.refs {
		if !consumed[i] {
			kept = append(kept, r)
		}
	}
	// A provision may not overlap a mention that was not joined to it.
	for _, p := range out {
		if overlapsAny(kept, p.start, p.end) {
			continue
		}
		kept = append(kept, p)
	}
	sortRefs(kept)
	s.refs = kept
	s.reindex()
}

// listItems are the spans of the numbers of a provision list, with any
// repeated keyword ("Article 5 and Article 7") skipped.
func (s *scan) listItems(start, end int) [][3]int {
	var items [][3]int
	for _, m := range itemRe.FindAllStringIndex(s.text[start:end], -1) {
		a, b := start+m[0], start+m[1]
		numStart := a
		if a > start {
			// a match inside a keyword ("s" of "sections" is not a number);
			// a typographic dash before it is a range's ("25–26")
			if prev, _ := utf8.DecodeLastRuneInString(s.text[:a]); prev != '–' && prev != '—' && isWordByte(s.text[a-1]) {
				continue
			}
		}
		if len(items) > 0 {
			// "Article 5 and Article 7": the repeated keyword belongs to the item.
			gap := s.text[items[len(items)-1][1]:a]
			if k := kwTailRe.FindStringIndex(gap); k != nil {
				a = items[len(items)-1][1] + k[0]
			}
		}
		items = append(items, [3]int{a, b, numStart})
	}
	return items
}

func itemIsRoman(s string) bool {
	b, _, _ := strings.Cut(s, "(")
	return b != "" && strings.Trim(b, "IVXL") == ""
}

// mergeCases joins a case name to the citation that follows it: "R (Miller)
// v Prime Minister [2019] UKSC 41" is one reference, named by its citation.
func (s *scan) mergeCases() {
	t := s.text
	for i := 0; i+1 < len(s.refs); i++ {
		a, b := &s.refs[i], &s.refs[i+1]
		gap := t[a.end:b.start]
		// "Schrems II (C-311/18)": a case's short name with its number.
		short := a.kind == KindCase && !a.citation && gap == " (" && b.kind == KindCase
		if !a.isCaseName && !short || !b.citation || a.drop || b.drop {
			continue
		}
		if (len(gap) > 12 || strings.TrimLeft(gap, " ,(") != "" && strings.TrimSpace(gap) != "(Case") &&
			!(len(gap) <= 80 && partyRestRe.MatchString(gap)) {
			continue
		}
		b.start = a.start
		if strings.Contains(gap, "(") && b.end < len(t) && t[b.end] == ')' {
			b.end++
		}
		a.drop = true
	}
	// "the X Regulations 2023 (SI 2023/1426)": the number the text gives
	// is the named instrument's; the two are one reference with its address.
	for i := 0; i+1 < len(s.refs); i++ {
		a, b := &s.refs[i], &s.refs[i+1]
		if a.drop || b.drop || a.inst == nil || b.inst == nil || a.kind != KindRegulation && a.kind != KindRule ||
			!strings.HasPrefix(b.inst.link, "uksi:") {
			continue
		}
		paren := t[a.end:b.start] == " (" && b.end < len(t) && t[b.end] == ')'
		if !paren && t[a.end:b.start] != ", " {
			continue // "the X Regulations 2012, SI 2012/1836" is one too
		}
		in := *a.inst
		if in.link != "" && in.link != b.inst.link {
			continue // the table knows the name as another instrument: leave both
		}
		in.link, in.URL, in.Slug, in.Jurisdiction = b.inst.link, b.inst.URL, b.inst.Slug, "uk"
		a.inst = &in
		a.end = b.end
		if paren {
			a.end++
		}
		b.drop = true
	}
	// "Case C-300/21 Österreichische Post, EU:C:2023:370": the ECLI that
	// follows a case in the same sentence is that case's (with no address
	// of its own).
	for i := 0; i+1 < len(s.refs); i++ {
		a, b := &s.refs[i], &s.refs[i+1]
		if a.drop || b.drop || a.kind != KindCase || b.kind != KindCase || a.inst == nil || b.inst == nil ||
			strings.HasPrefix(a.inst.Canonical, "ECLI:") || !strings.HasPrefix(b.inst.Canonical, "ECLI:") {
			continue
		}
		if gap := t[a.end:b.start]; len(gap) > 80 || strings.Contains(gap, ". ") || strings.TrimLeft(gap, " ,(") != "" && !partyRestRe.MatchString(gap) {
			continue
		}
		b.inst, b.noURL = a.inst, true
	}
	// A citation in parentheses right after a case name also joins it.
	for i := 0; i+1 < len(s.refs); i++ {
		a, b := &s.refs[i], &s.refs[i+1]
		if a.drop || b.drop || !a.citation || !b.isCaseName {
			continue
		}
		switch gap := t[a.end:b.start]; gap {
		case " (":
			if b.end < len(t) && t[b.end] == ')' {
				a.end = b.end + 1
				b.drop = true
			}
		case " ", ", ":
			a.end = b.end
			b.drop = true
		}
	}
}
