package fidelity

import (
	"strings"
)

// mention is a named entity in a claim: a run of capitalised words or an
// acronym, with the words that name it (titles and connectors removed).
type mention struct {
	text        string
	words       []string // name words, lower case
	keys        []string // canonical keys of the name words (aliases folded)
	first, last int      // token indices
	poss        bool     // ends in a possessive: "Russia's"
	acronyms    []string // keys written as acronyms: "ai" for "AI"
}

// Words that may sit inside a name ("Court of Justice of the European
// Union", "Allen & Overy") without being capitalised.
var connectors = setOf("of", "the", "de", "du", "des", "der", "von", "van", "la", "le", "for", "and", "y", "&")

// Titles and roles name no one by themselves: "German Chancellor Angela
// Merkel" is supported by a source that says "Merkel, Germany's chancellor".
var titleWords = setOf("president", "chancellor", "secretary-general", "secretary", "general",
	"minister", "prime", "judge", "justice", "chief", "executive", "ceo", "senator", "sen", "mr",
	"mrs", "ms", "dr", "gen", "lord", "lady", "sir", "dame", "king", "queen", "prince", "princess",
	"commissioner", "attorney", "advocate-general", "spokesman", "spokeswoman", "spokesperson",
	"chairman", "chairwoman", "chair", "director", "governor", "mayor", "ambassador", "foreign",
	"defence", "defense", "deputy", "vice", "former", "acting", "head", "partner", "counsel",
	"professor", "prof", "lawyer", "the", "senior", "managing", "lead", "leader", "finance",
	"interior", "trade", "economy", "state", "rep", "representative", "congressman",
	"congresswoman", "officer", "founder", "co-founder", "chief-executive", "member", "mp",
	"mep", "official", "officials", "regulator", "regulators", "supreme", "high", "federal")

// aliases folds names a fair paraphrase may swap for one another into one
// key: countries, their demonyms and abbreviations, and a few institutions.
// Each line is "key: variant, variant, ...".
var aliasTable = `
us: u.s., u.s, usa, u.s.a., america, american, americans, united states, united states of america
uk: u.k., u.k, britain, british, great britain, united kingdom, briton, britons
eu: e.u., e.u, european union, european commission
un: u.n., u.n, united nations
tv: television
nato: north atlantic treaty organization, north atlantic treaty organisation
russia: russian, russians, russian federation
ukraine: ukrainian, ukrainians
germany: german, germans
france: french
china: chinese, prc
italy: italian, italians
spain: spanish
poland: polish, pole, poles
latvia: latvian, latvians
lithuania: lithuanian, lithuanians
estonia: estonian, estonians
netherlands: dutch
belgium: belgian, belgians
sweden: swedish, swede, swedes
finland: finnish, finn, finns
norway: norwegian, norwegians
denmark: danish, dane, danes
japan: japanese
india: indian, indians
brazil: brazilian, brazilians
canada: canadian, canadians
australia: australian, australians
mexico: mexican, mexicans
turkey: turkish, turkiye
iran: iranian, iranians
israel: israeli, israelis
ireland: irish
switzerland: swiss
austria: austrian, austrians
greece: greek, greeks
hungary: hungarian, hungarians
portugal: portuguese
scotland: scottish, scots
wales: welsh
england: english
korea: korean, koreans, south korea, south korean
saudi arabia: saudi, saudis
egypt: egyptian, egyptians
nigeria: nigerian, nigerians
south africa: south african, south africans
taiwan: taiwanese
singapore: singaporean
belarus: belarusian, belarusians
georgia: georgian, georgians
argentina: argentine, argentinian
baltic: baltics
europe: european, europeans
cjeu: ecj, court of justice, european court of justice, court of justice of the european union
echr: european court of human rights, strasbourg court
sec: securities and exchange commission
doj: department of justice, justice department, justice dept
ftc: federal trade commission
cma: competition and markets authority
fca: financial conduct authority
icc: international criminal court
icj: international court of justice
wto: world trade organization, world trade organisation
imf: international monetary fund
`

// metonyms: a capital or seat of power standing for its state. A claim
// naming "Moscow" is supported by a source naming "Russia"; not the reverse
// for self-reference, which uses aliases only.
var metonyms = map[string]string{
	"moscow": "russia", "kremlin": "russia", "kyiv": "ukraine", "kiev": "ukraine",
	"washington": "us", "white house": "us", "beijing": "china", "london": "uk",
	"downing street": "uk", "whitehall": "uk", "westminster": "uk", "berlin": "germany", "paris": "france",
	"brussels": "eu", "tokyo": "japan", "rome": "italy", "madrid": "spain", "warsaw": "poland",
	"ottawa": "canada", "canberra": "australia", "ankara": "turkey", "tehran": "iran",
	"the hague": "netherlands", "luxembourg": "cjeu", "strasbourg": "echr",
}

var aliases, aliasMaxWords = func() (map[string]string, int) {
	m := map[string]string{}
	maxw := 1
	for _, line := range strings.Split(aliasTable, "\n") {
		key, vars, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		m[key] = key
		for _, v := range strings.Split(vars, ",") {
			v = strings.TrimSpace(v)
			m[v] = key
			if n := len(strings.Fields(v)); n > maxw {
				maxw = n
			}
		}
	}
	return m, maxw
}()

// nameKeys folds a sequence of lower-case words into canonical keys,
// replacing the longest alias phrases first.
func nameKeys(words []string) []string {
	var out []string
	for i := 0; i < len(words); {
		done := false
		for n := min(aliasMaxWords, len(words)-i); n >= 1; n-- {
			if k, ok := aliases[strings.Join(words[i:i+n], " ")]; ok {
				out = append(out, k)
				i += n
				done = true
				break
			}
		}
		if !done {
			w := strings.TrimSuffix(words[i], ".")
			out = append(out, w)
			i++
		}
	}
	return out
}

func isMonthOrDay(lower string) bool {
	_, m := months[lower]
	return m && len(lower) > 3 || weekdays[lower]
}

// mentions finds the named entities of a sentence. known reports a word
// seen in lower case in the brief or its sources: a capitalised first word
// of a sentence that is otherwise a common word ("Despite", "Unlike") is
// not a name.
func mentions(toks []token, known func(string) bool, capsSeen func(string) bool) []mention {
	var out []mention
	nameLike := func(i int) bool {
		t := toks[i]
		return (t.cap || t.acronym) && !isMonthOrDay(t.lower) && t.lower != "i"
	}
	for i := 0; i < len(toks); i++ {
		if !nameLike(i) {
			continue
		}
		j := i
		for !toks[j].poss && j+1 < len(toks) {
			if nameLike(j+1) && toks[j+1].start-toks[j].end <= 3 && !toks[j+1].line {
				j++
				continue
			}
			// connectors: "Court of Justice", "Allen & Overy", "Bank of the North"
			k := j + 1
			for k < len(toks) && connectors[toks[k].lower] && !toks[k].cap && k-j <= 2 {
				k++
			}
			if k > j+1 && k < len(toks) && nameLike(k) && toks[j+1].lower != "and" {
				j = k
				continue
			}
			break
		}
		first := i
		// Sentence-initial common words are capitalised by position only.
		for first <= j && first == sentenceStart(toks, first) && (toks[first].stop || known(toks[first].lower) || commonCaps[toks[first].lower]) && !toks[first].acronym {
			first++
		}
		m := mention{first: first, last: j, poss: toks[j].poss}
		for k := first; k <= j; k++ {
			if !connectors[toks[k].lower] && !titleWords[toks[k].lower] && len(toks[k].lower) > 1 && !toks[k].num {
				w := strings.ReplaceAll(toks[k].lower, "’", "'")
				// "Boston-based", "U.S.-led": the name is the first part.
				if a, b, ok := strings.Cut(toks[k].text, "-"); ok && b != "" && strings.ToLower(b) == b && a != "" {
					w = strings.ToLower(a)
				}
				m.words = append(m.words, w)
				if toks[k].acronym {
					m.acronyms = append(m.acronyms, strings.ReplaceAll(w, ".", ""))
				}
			}
		}
		// A lone capitalised word opening the sentence is a name only if
		// it looks like one: seen capitalised elsewhere, or not shaped
		// like an ordinary word ("Further", "Separately", "Reporting").
		if first == sentenceStart(toks, first) && j == first && !toks[first].acronym && len(m.words) == 1 && !capsSeen(toks[first].lower) && (looksCommon(toks[first].lower) || looksPlural(toks[first].lower, known)) {
			m.words = nil
		}
		if len(m.words) > 0 {
			m.text = joinTokens(toks, first, j)
			m.keys = nameKeys(m.words)
			out = append(out, m)
		}
		i = j
	}
	return out
}

// sentenceStart returns i when token i opens its sentence: the first token,
// or the first after a list marker ("2. These poems"), else -1.
func sentenceStart(toks []token, i int) int {
	if i == 0 || i == 1 && toks[0].num && len(toks[0].lower) <= 2 {
		return i
	}
	return -1
}

func joinTokens(toks []token, a, b int) string {
	parts := make([]string, 0, b-a+1)
	for k := a; k <= b; k++ {
		parts = append(parts, toks[k].text)
	}
	return strings.Join(parts, " ")
}

// commonCaps are words capitalised in headlines and openings that name
// nothing.
var commonCaps = setOf("next", "last", "like", "unlike", "despite", "over", "since", "in", "as",
	"any", "no", "new", "former", "recent", "earlier", "later", "meanwhile", "separately", "still",
	"yesterday", "today", "tomorrow", "now", "then", "following", "under", "after", "before",
	"while", "although", "however", "but", "and", "or", "so", "yet", "both", "either", "neither",
	"several", "many", "most", "some", "few", "other", "another", "each", "every", "such",
	"critics", "lawyers", "analysts", "officials", "prosecutors", "judges", "regulators",
	"shares", "investors", "experts", "legal", "second-class", "first-class", "second-rate",
	"members", "allies", "it", "this", "these", "those", "there", "here", "what", "when", "where",
	"who", "why", "how", "if", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"hundreds", "thousands", "dozens", "millions", "scores", "tributes", "plans", "police", "families",
	"residents", "witnesses", "relatives", "neighbours", "campaigners", "protesters", "rescuers",
	"firefighters", "paramedics", "doctors", "researchers", "scientists", "students", "parents",
	"fans", "passengers", "victims", "survivors", "workers", "staff", "talks", "details", "figures",
	"reports", "fears", "concerns", "calls", "efforts", "images", "footage", "documents", "emergency",
	"instead", "prior", "brief", "key", "overall", "additionally", "notably", "ultimately", "currently",
	"initially", "finally", "first", "second", "third", "also", "here", "human", "you're", "we're", "they're")

// docNames is the set of name keys a source text supports.
type docNames map[string]bool

func (d docNames) addTokens(toks []token) {
	var initialsBuf [8]byte
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = strings.ReplaceAll(t.lower, "’", "'")
	}
	for i := range words {
		d[strings.TrimSuffix(words[i], ".")] = true
		// two capitalised words in a row: a name's run, which lets a
		// shortened name ("Resources Centre") be told from words of two
		// names ("Redgum Resources", "Centre for Land Justice")
		if i+1 < len(words) && toks[i].cap && toks[i+1].cap && !toks[i+1].brk && !toks[i].poss {
			d["+"+words[i]+" "+words[i+1]] = true
		}
		// "Cardiff-based" names Cardiff.
		if strings.Contains(words[i], "-") {
			for _, part := range strings.Split(words[i], "-") {
				d[part] = true
				// "Irish-bred" names Ireland, as "Irish" does.
				if k, ok := aliases[part]; ok {
					d[k] = true
				}
			}
		}
		// "artificial intelligence" supports "AI", "Serious Fraud Office"
		// supports "SFO": initials of runs of words.
		initials := append(initialsBuf[:0], '~')
		for n := 0; n < 6 && i+n < len(words); n++ {
			w := words[i+n]
			if w == "" || n > 0 && (w == "of" || w == "and" || w == "the" || w == "for" || w == "&") {
				continue
			}
			initials = append(initials, w[0])
			if len(initials) >= 3 && !d[string(initials)] {
				d[string(initials)] = true
			}
		}
		if k, ok := aliases[words[i]]; ok {
			d[k] = true
		}
		if !phraseStart[words[i]] {
			continue
		}
		for n := 2; n <= aliasMaxWords && i+n <= len(words); n++ {
			phrase := strings.Join(words[i:i+n], " ")
			if k, ok := aliases[phrase]; ok {
				d[k] = true
			}
			if _, ok := metonyms[phrase]; ok {
				d[phrase] = true
			}
		}
	}
}

// phraseStart holds the first words of the alias and metonym phrases of
// more than one word: only there can such a phrase begin.
var phraseStart = func() map[string]bool {
	m := map[string]bool{}
	for _, table := range []map[string]string{aliases, metonyms} {
		for p := range table {
			if first, _, ok := strings.Cut(p, " "); ok {
				m[first] = true
			}
		}
	}
	return m
}()

// supports reports whether the source names the mention; missing lists the
// name words it lacks. A person may be given a first name the source left
// out, so a multi-word name is supported when its last word and at least
// half of its words are found.
func (d docNames) supports(m mention) (ok bool, missing []string) {
	found := 0
	has := func(k string) bool {
		if d[k] {
			return true
		}
		if len(k) >= 2 && len(k) <= 6 && isLowerAlpha(k) && d["~"+k] && m.acronymKey(k) {
			return true
		}
		if t, ok := metonyms[k]; ok && d[t] {
			return true
		}
		// a demonym of a place the source names: "Andalusian" / "Andalusia"
		for _, base := range demonymBases(k) {
			if d[base] {
				return true
			}
		}
		// plural or singular of a plain word: "Allies" / "ally"
		if d[strings.TrimSuffix(k, "s")] || d[k+"s"] || strings.HasSuffix(k, "ies") && d[strings.TrimSuffix(k, "ies")+"y"] {
			return true
		}
		return false
	}
	for _, k := range m.keys {
		if has(k) {
			found++
		} else {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return true, nil
	}
	// Leniency is for given names ("Angela Merkel" for "Merkel"), not for
	// places and institutions ("Dutch Commission" for "European Commission").
	for _, k := range missing {
		if _, isAlias := aliases[k]; isAlias {
			return false, missing
		}
	}
	if len(m.keys) >= 2 && has(m.keys[len(m.keys)-1]) && found*2 >= len(m.keys) {
		// The words found must be one name of the source, not words of
		// two: "Legal Resources Centre" is not "Redgum Resources" and the
		// "Centre for Land Justice".
		if n := len(m.words); found >= 2 && n >= 2 && !d["+"+m.words[n-2]+" "+m.words[n-1]] && has(m.keys[len(m.keys)-2]) {
			return false, missing
		}
		return true, nil
	}
	return false, missing
}

// acronymKey reports whether key k comes from an acronym of the mention.
func (m mention) acronymKey(k string) bool {
	for _, w := range m.acronyms {
		if w == k {
			return true
		}
	}
	return false
}

func isLowerAlpha(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// looksPlural reports the plural of a word written in lower case elsewhere
// ("Tributes" where a source says "tribute"): opening a sentence alone, it
// names no one. "Castellanos" has no such singular.
func looksPlural(w string, known func(string) bool) bool {
	if !strings.HasSuffix(w, "s") || strings.HasSuffix(w, "ss") || len(w) < 4 {
		return false
	}
	if strings.HasSuffix(w, "ies") && known(strings.TrimSuffix(w, "ies")+"y") {
		return true
	}
	// The plural of a word with the ending of a noun of people or things
	// ("Multinationals", "Consultants", "Residents", "Economists",
	// "Investors", "Employees"): names are rarely plural nouns.
	sing := strings.TrimSuffix(w, "s")
	if looksCommon(sing) {
		return true
	}
	for _, suf := range []string{"al", "ant", "ent", "ist", "or", "ee"} {
		if strings.HasSuffix(sing, suf) && len(sing) > len(suf)+3 {
			return true
		}
	}
	return known(strings.TrimSuffix(w, "s")) || strings.HasSuffix(w, "es") && known(strings.TrimSuffix(w, "es"))
}

// looksCommon reports a word shaped like an ordinary English word rather
// than a name: common derivational endings.
func looksCommon(w string) bool {
	for _, suf := range []string{"ly", "ing", "ed", "er", "est", "ness", "ment", "tion", "sion", "ity", "ous", "ive", "able", "ible", "ful", "less", "ward", "wards", "ever", "ise", "ize"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+2 {
			return true
		}
	}
	return false
}

// demonymBases returns the place names a demonym may come from:
// "andalusian" -> "andalusia", "italian" -> "italy", "japanese" -> "japan",
// "kenyan" -> "kenya", "bavarian" -> "bavaria".
func demonymBases(k string) []string {
	if len(k) < 6 {
		return nil
	}
	var out []string
	switch {
	case strings.HasSuffix(k, "ian"):
		out = append(out, k[:len(k)-1], k[:len(k)-3]+"y", k[:len(k)-3]+"ia", k[:len(k)-3])
	case strings.HasSuffix(k, "an"):
		out = append(out, k[:len(k)-1], k[:len(k)-2])
	case strings.HasSuffix(k, "ese"):
		out = append(out, k[:len(k)-3])
	case strings.HasSuffix(k, "ish"):
		out = append(out, k[:len(k)-3], k[:len(k)-3]+"land")
	}
	return out
}
