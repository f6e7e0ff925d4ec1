// Package legalref finds the legal references of a text — statutes,
// regulations, directives, treaties, their articles and sections, cases,
// courts and procedural rules — with their byte spans, and parses each into
// a kind, a jurisdiction, an instrument, a pinpoint, one canonical string
// for every spelling of the same reference, the slug of the instrument's
// page and, where the address follows from the reference, the official
// link. Short names ("GDPR", "the NSI Act", "Dodd-Frank") resolve through a
// table shipped with the package (data/instruments.tsv, data/courts.tsv).
//
// It is a domain package: no web or database code.
package legalref

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// The kinds of reference.
const (
	KindLegislation = "legislation"
	KindProvision   = "provision"
	KindRegulation  = "regulation"
	KindDirective   = "directive"
	KindTreaty      = "treaty"
	KindCase        = "case"
	KindCourt       = "court"
	KindRule        = "rule"
)

// Instrument is the thing a reference points into: an act, a regulation,
// a treaty, a case, a court, a body of rules.
type Instrument struct {
	Kind         string // the kind of a reference to the whole instrument
	Jurisdiction string
	Canonical    string // one name for every spelling
	Title        string // the name to show (the best-known short name)
	Slug         string // its page: /law/{slug}
	URL          string // the official text, or ""
	link         string // the table's link key
}

// Reference is one legal reference found in a text. Start and End are byte
// offsets: Text == text[Start:End].
type Reference struct {
	Text         string `json:"text"`
	Start        int    `json:"start"`
	End          int    `json:"end"`
	Kind         string `json:"kind"`
	Jurisdiction string `json:"jurisdiction"`
	Canonical    string `json:"canonical"`
	URL          string `json:"url"`
	// Instrument is the canonical name of the instrument referred to (for a
	// provision, the act it is in); empty when it could not be resolved.
	Instrument string `json:"instrument,omitempty"`
	// Pinpoint is the provision within the instrument: "Article 6(1)(f)".
	Pinpoint string `json:"pinpoint,omitempty"`
	// Slug is the address of the instrument's page, /law/{slug}.
	Slug string `json:"slug,omitempty"`
	// Title is the instrument's name to show.
	Title string `json:"-"`
	// inst is the instrument itself (nil for an unresolved provision).
	inst *Instrument
}

// Find returns the legal references of text in order of position, without
// overlaps.
func Find(text string) []Reference {
	s := newScan(text)
	s.mentions()
	s.provisions()
	s.mergeCases()
	s.resolve()
	out := make([]Reference, 0, len(s.refs))
	last := 0
	for _, r := range s.refs {
		if r.drop || r.start < last {
			continue
		}
		last = r.end
		out = append(out, r.finish(text, s.ctxJur, s.ctxCountry))
	}
	return out
}

// ref is a reference under construction.
type ref struct {
	start, end int
	inst       *Instrument // nil: an unresolved provision
	kind       string      // KindProvision for a pinpoint, else the instrument's kind
	keyword    string      // canonical provision keyword: "Article", "section", ...
	number     string      // "6(1)(f)", "1 to 3"
	rangeOf    bool        // number is a range
	cont       string      // a continuation word ("Act", "Regulation") to resolve from context
	contYear   string      // "the 2006 Act"
	canonical  string      // for citations and cases: their own canonical
	url        string      // for citations: their own link
	jur        string
	drop       bool
	isCaseName bool
	// needsContext: a provision dropped unless an earlier instrument has it.
	needsContext bool
	ambiguous    bool // a bare provision more than one named instrument could hold
	sameAs       bool // "of the same Regulation"
	sym          bool // written with "§"
	citation     bool // a case citation (neutral, EU, ECHR, reports)
	noURL        bool // no address, whatever the instrument's
}

func (r ref) finish(text, ctxJur, ctxCountry string) Reference {
	out := Reference{Text: text[r.start:r.end], Start: r.start, End: r.end, Kind: r.kind}
	pin := ""
	if r.keyword != "" {
		pin = r.keyword + " " + r.number
		if r.rangeOf {
			pin = pluralKeyword(r.keyword) + " " + r.number
		}
		out.Pinpoint = pin
	}
	switch {
	case r.inst != nil:
		in := *r.inst
		if in.Jurisdiction == "?" && in.Kind == KindCourt {
			in = courtInContext(in, localCountry(text, r.start, ctxCountry))
		}
		if other, ok := sameName[in.Canonical]; ok && in.Jurisdiction == "uk" && !strings.HasPrefix(text[r.end:], " (UK)") {
			// An Act of the same name in another country: in a text about
			// that country, it is not the UK's, and its address is unknown.
			if ctxCountry == other || signalledNear(text, r.start, other) {
				in = Instrument{Kind: in.Kind, Jurisdiction: other, Canonical: in.Canonical, Title: in.Title}
				finishInstrument(&in)
			}
		}
		if in.Jurisdiction == "uk" && in.Kind == KindLegislation && in.link != "" && !namesYear(text[r.start:r.end], in.Canonical) &&
			!initialsRe.MatchString(text[r.start:r.end]) {
			// "the Companies Act" in a paragraph about the Cayman Islands or
			// Australia: that country's Act of the name, not the UK's.
			if c := localCountry(text, r.start, ctxCountry); commonLawAbroad[c] {
				name := strings.TrimSpace(yearRe.ReplaceAllString(in.Canonical, ""))
				in = Instrument{Kind: in.Kind, Jurisdiction: c, Canonical: name + " (" + c + ")", Title: name}
				finishInstrument(&in)
			}
		}
		out.inst = &in
		out.Jurisdiction = in.Jurisdiction
		out.Instrument = in.Canonical
		out.Slug = in.Slug
		out.Title = in.Title
		if pin != "" {
			out.Canonical = pin + " of " + withArticle(in.Canonical)
			if r.rangeOf {
				out.URL = in.URL
			} else {
				out.URL = provisionURL(in, r.keyword, r.number)
			}
		} else {
			out.Canonical = in.Canonical
			out.URL = in.URL
		}
		if r.canonical != "" {
			out.Canonical = r.canonical
		}
		if r.url != "" {
			out.URL = r.url
		}
		if r.noURL {
			out.URL = ""
		}
	default:
		out.Canonical = pin
		if r.canonical != "" {
			out.Canonical = r.canonical
		}
		out.URL = r.url
		out.Jurisdiction = r.jur
	}
	if out.Jurisdiction == "" || out.Jurisdiction == "?" {
		out.Jurisdiction = ctxJur
		if r.kind == KindCase || r.kind == KindCourt {
			out.Jurisdiction = ctxCountry
		}
	}
	return out
}

// commonLawAbroad are the countries whose Acts share UK Acts' names.
var commonLawAbroad = map[string]bool{"ky": true, "vg": true, "je": true, "bm": true, "au": true, "nz": true, "sg": true,
	"hk": true, "in": true, "ie": true, "ca": true, "za": true, "ng": true, "ke": true}

var yearRe = regexp.MustCompile(`\s(?:1[6-9]|20)\d\d$`)

// namesYear: the reference's own text gives the Act's year ("Companies Act
// 2006", "CA 2006", "the 2006 Act").
func namesYear(ref, canonical string) bool {
	y := yearRe.FindString(canonical)
	return y != "" && strings.Contains(ref, strings.TrimSpace(y))
}

// sameName are UK Acts whose names another country's Acts share, with
// that country.
var sameName = map[string]string{"Data Protection Act 2018": "ie"}

func pluralKeyword(k string) string {
	switch k {
	case "Annex":
		return "Annexes"
	case "section":
		return "sections"
	}
	return k + "s"
}

// initialsRe: a name written with its initials ("the DMCC Act") is that
// Act's own, never a namesake abroad.
var initialsRe = regexp.MustCompile(`\b[A-Z]{2,}[a-z]?\b`)

// signalledNear: the paragraph around offset at names country at all
// ("… does not create such a rule in Ireland").
func signalledNear(text string, at int, country string) bool {
	start, end := paragraphAt(text, at)
	for i, sg := range signals {
		if sg.jur == country && signalCount(i, text[start:end]) > 0 {
			return true
		}
	}
	return false
}

// paragraphAt is the span of the line (a paragraph of a brief) holding at.
func paragraphAt(text string, at int) (start, end int) {
	start = strings.LastIndex(text[:at], "\n") + 1
	end = strings.Index(text[at:], "\n")
	if end < 0 {
		return start, len(text)
	}
	return start, end + at
}

// localCountry is the country the paragraph around offset at is about, or
// the document's when the paragraph gives no sign.
func localCountry(text string, at int, doc string) string {
	start, end := paragraphAt(text, at)
	if _, country, n := signalsIn(text[start:end]); n >= 2 {
		return country
	}
	return doc
}

// courtInContext resolves a court whose name is used in several countries
// ("the Supreme Court", "the High Court") by the document's jurisdiction.
func courtInContext(in Instrument, jur string) Instrument {
	full := map[string]map[string]string{
		"Supreme Court": {"uk": "Supreme Court of the United Kingdom", "us": "Supreme Court of the United States",
			"in": "Supreme Court of India", "ie": "Supreme Court of Ireland", "ca": "Supreme Court of Canada",
			"nl": "Supreme Court of the Netherlands", "ch": "Swiss Federal Supreme Court"},
		"High Court":      {"uk": "High Court of England and Wales", "ie": "High Court of Ireland", "au": "High Court of Australia", "sg": "High Court of Singapore"},
		"Court of Appeal": {"uk": "Court of Appeal of England and Wales", "sg": "Singapore Court of Appeal"},
		"Federal Court":   {"au": "Federal Court of Australia", "ca": "Federal Court of Canada"},
	}
	if name, ok := full[in.Canonical][jur]; ok {
		if e, ok := tbl.lookup(name); ok {
			return e
		}
	}
	in.Jurisdiction = jur
	in.Canonical = in.Canonical + " (" + jur + ")"
	in.Slug = slugFor(in)
	return in
}

// sortRefs orders references by position.
func sortRefs(rs []ref) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].start < rs[j].start })
}

// isWordByte reports whether b continues a word (so a match next to it is
// part of a longer word).
func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

// boundedAt reports whether text[start:end] stands as whole words.
func boundedAt(text string, start, end int) bool {
	if start > 0 && isWordByte(text[start-1]) && isWordByte(text[start]) {
		return false
	}
	if end < len(text) && isWordByte(text[end]) && isWordByte(text[end-1]) && !footnoteMark(text[end:]) && !dashAt(text[end:]) {
		return false
	}
	return true
}

// dashAt reports whether s starts with a typographic dash ("801–808"),
// which ends a word like a hyphen does.
func dashAt(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '–' || r == '—' || r == '‑'
}

// footnoteMark reports whether s starts with a superscript digit, a
// footnote marker ("Treaty¹", "GDPR²").
func footnoteMark(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '¹' || r == '²' || r == '³' || r >= '⁰' && r <= '⁹'
}

// trimSpaceSpan narrows [start,end) to exclude surrounding space.
func trimSpaceSpan(text string, start, end int) (int, int) {
	for start < end && strings.ContainsRune(" \t\n\r", rune(text[start])) {
		start++
	}
	for end > start && strings.ContainsRune(" \t\n\r,", rune(text[end-1])) {
		end--
	}
	return start, end
}

// withArticle puts "the" before an instrument's name where English does:
// "section 87 of the Companies Act 2006", "Article 6 of Regulation (EU)
// 2016/679".
func withArticle(name string) string {
	for _, p := range []string{"Regulation ", "Directive ", "Decision ", "Implementing ", "Delegated ", "Title ", "SI ", "Case ", "Executive ",
		"Law No", "Legislative ", "Royal ", "Decree", "Federal Law", "Federal Decree", "Organic ", "Presidential "} {
		if strings.HasPrefix(name, p) {
			return name
		}
	}
	return "the " + name
}
