package legalref

import (
	"fmt"
	"regexp"
	"strings"
)

// The official addresses. Each is built only from what the reference
// itself says or the shipped table knows for certain: no link rather than a
// guessed one.
const (
	eurLexELI   = "https://eur-lex.europa.eu/eli/%s/%d/%d/oj"
	curia       = "https://curia.europa.eu/juris/liste.jsf?num=%s"
	legislation = "https://www.legislation.gov.uk/%s/%d/%d"
	findCaseLaw = "https://caselaw.nationalarchives.gov.uk/%s/%d/%d"
	cornellUSC  = "https://www.law.cornell.edu/uscode/text/%d/%s"
	ecfrSection = "https://www.ecfr.gov/current/title-%d/section-%s"
	ecfrPart    = "https://www.ecfr.gov/current/title-%d/part-%s"
	hudoc       = "https://hudoc.echr.coe.int/eng#{%%22appno%%22:[%%22%s%%22]}"
)

// euAct is the instrument of an EU regulation, directive or decision by
// type ("reg", "dir", "dec", "reg_impl", "reg_del", "dir_impl", "dec_impl"),
// year and number. The canonical name follows the Official Journal's style
// for the year, so every spelling of one act gives one name.
func euAct(typ string, year, num int, suffix string) Instrument {
	base := strings.SplitN(typ, "_", 2)[0]
	word := map[string]string{"reg": "Regulation", "dir": "Directive", "dec": "Decision"}[base]
	kind := map[string]string{"reg": KindRegulation, "dir": KindDirective, "dec": KindRegulation}[base]
	var canon string
	switch {
	case year >= 2015:
		label := "EU"
		if suffix == "CFSP" {
			label = suffix
		}
		canon = fmt.Sprintf("%s (%s) %d/%d", word, label, year, num)
	case base == "reg":
		canon = fmt.Sprintf("%s (%s) No %d/%s", word, euSuffix(year, suffix), num, ojYear(year))
	default:
		canon = fmt.Sprintf("%s %s/%d/%s", word, ojYear(year), num, euSuffix(year, suffix))
	}
	switch typ {
	case "reg_impl", "dir_impl", "dec_impl":
		canon = "Implementing " + canon
	case "reg_del", "dir_del":
		canon = "Delegated " + canon
	}
	inst := Instrument{Kind: kind, Jurisdiction: "eu", Canonical: canon, Title: canon,
		link: fmt.Sprintf("eu:%s/%d/%d", typ, year, num)}
	inst.URL = fmt.Sprintf(eurLexELI, typ, year, num)
	inst.Slug = fmt.Sprintf("eu-%s-%d-%d", strings.ToLower(strings.ReplaceAll(canon[:strings.IndexAny(canon, " (")], " ", "-")), year, num)
	if strings.HasPrefix(canon, "Implementing ") || strings.HasPrefix(canon, "Delegated ") {
		inst.Slug = fmt.Sprintf("eu-%s-%d-%d", strings.ReplaceAll(typ, "_", "-"), year, num)
	}
	return inst
}

// ojYear is the year as the Official Journal numbered acts: two digits
// before 1999, four from then on.
func ojYear(year int) string {
	if year < 1999 {
		return fmt.Sprintf("%02d", year%100)
	}
	return fmt.Sprint(year)
}

// euSuffix is the treaty label an act of that year carries.
func euSuffix(year int, given string) string {
	switch {
	case given == "CFSP" || given == "Euratom":
		return given
	case year >= 2010:
		return "EU"
	case year >= 1993:
		return "EC"
	default:
		return "EEC"
	}
}

// regnalRe: a UK Act's link by regnal years ("ukpga:Vict/24-25/100").
var regnalRe = regexp.MustCompile(`^ukpga:(?:Will4|Vict|Edw7|Geo5|Edw8|Geo6|Eliz2)/\d+(?:-\d+)*/\d+$`)

// finishInstrument fills the URL and slug of an instrument from its link.
func finishInstrument(in *Instrument) {
	switch {
	case strings.HasPrefix(in.link, "url:"):
		in.URL = in.link[4:]
	case strings.HasPrefix(in.link, "eu:"):
		// set by euAct
	case regnalRe.MatchString(in.link):
		// "ukpga:Edw7/6/41": an Act before 1963 is addressed by the regnal
		// years of its session (6 Edw. 7 c. 41), not the calendar year.
		in.URL = "https://www.legislation.gov.uk/" + strings.Replace(in.link, ":", "/", 1)
	case in.link != "":
		var series string
		var year, num int
		if _, err := fmt.Sscanf(strings.Replace(strings.Replace(in.link, ":", " ", 1), "/", " ", 1), "%s %d %d", &series, &year, &num); err == nil &&
			!(series == "ukpga" && year < 1963) { // "ukpga/1906/41" is no address of legislation.gov.uk's
			in.URL = fmt.Sprintf(legislation, series, year, num)
		}
	}
	if in.Kind == KindCase && in.Jurisdiction == "eu" && strings.HasPrefix(in.Canonical, "Case ") {
		in.URL = fmt.Sprintf(curia, strings.TrimPrefix(in.Canonical, "Case "))
	}
	if in.Slug == "" {
		in.Slug = slugFor(*in)
	}
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify makes a URL path segment of a name.
func Slugify(s string) string {
	s = strings.NewReplacer("’", "", "'", "", "§", " s ", "&", " and ", "ü", "u", "é", "e", "É", "e", "ö", "o", "ä", "a").Replace(strings.ToLower(s))
	return strings.Trim(nonSlug.ReplaceAllString(s, "-"), "-")
}

// slugFor is the page address of an instrument: its jurisdiction and name.
func slugFor(in Instrument) string {
	name := Slugify(in.Canonical)
	j := in.Jurisdiction
	if j == "" || j == "?" {
		return name
	}
	if strings.HasPrefix(name, j+"-") {
		return name
	}
	return j + "-" + name
}

// provisionURL is the address of a pinpoint in an instrument. Only the
// address forms the contract lists: a section of a UK Act has its own page;
// a provision of an EU act or treaty links to the act. Any other pinpoint of
// a UK enactment (a Part, a Schedule, a regulation of an SI) and an Article
// of a Protocol (a treaty of its own) get no link rather than the address of
// something else.
func provisionURL(in Instrument, keyword, number string) string {
	if in.URL == "" {
		return ""
	}
	if strings.Contains(number, "Protocol") {
		if in.Canonical == "European Convention on Human Rights" {
			return in.URL // the official text carries the Protocols
		}
		return ""
	}
	series, _, _ := strings.Cut(in.link, ":")
	if n := bareNumber(number); keyword == "section" && n != "" && (series == "ukpga" || series == "asp" || series == "asc" || series == "nia") {
		return in.URL + "/section/" + n
	}
	if strings.HasPrefix(in.URL, "https://www.legislation.gov.uk/") {
		return ""
	}
	return in.URL
}

var bareNum = regexp.MustCompile(`^(?:[0-9]+[A-Z]{1,3}[0-9]{0,2}|[0-9]+|[A-Z][0-9]{1,2})`)

// bareNumber is a provision number without its subdivisions: 87(2)(b) -> 87.
func bareNumber(s string) string {
	return bareNum.FindString(s)
}
