package legalref

import (
	"bufio"
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The tables of instruments and courts known by name ship with the binary.

//go:embed data/instruments.tsv
var instrumentsTSV string

//go:embed data/courts.tsv
var courtsTSV string

// entry is one named instrument or court of the tables.
type entry struct {
	inst    Instrument
	aliases []string
}

// table is the parsed tables: every alias, and one regexp matching any of
// them (longest first).
type table struct {
	byAlias map[string]*entry           // normalised alias -> entry
	byKey   map[string]*entry           // link key ("eu:reg/2016/679", "ukpga:2006/46") -> entry
	byCanon map[string]*entry           // normalised canonical -> entry
	byFirst map[string][]*regexp.Regexp // folded first word -> anchored alias patterns, longest first
	// initials are UK Acts by initials alone ("HGCRA"), read only right
	// after a provision ("s.111 HGCRA"): alone, "CMA" is a regulator.
	initials map[string]*entry
}

var tbl = mustLoadTable()

func mustLoadTable() *table {
	t, err := loadTable(instrumentsTSV, courtsTSV)
	if err != nil {
		panic("legalref: " + err.Error())
	}
	return t
}

func loadTable(instruments, courts string) (*table, error) {
	t := &table{byAlias: map[string]*entry{}, byKey: map[string]*entry{}, byCanon: map[string]*entry{}}
	var all []string
	add := func(e *entry) error {
		for _, a := range e.aliases {
			k := normName(a)
			if prev, dup := t.byAlias[k]; dup && prev != e {
				return fmt.Errorf("alias %q names both %q and %q", a, prev.inst.Canonical, e.inst.Canonical)
			}
			t.byAlias[k] = e
			all = append(all, a)
		}
		t.byCanon[normName(e.inst.Canonical)] = e
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(instruments))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("instruments.tsv line %d: want 5 tab-separated fields, got %d", n, len(f))
		}
		inst := Instrument{Kind: f[0], Jurisdiction: f[1], Canonical: f[2]}
		if f[3] != "-" {
			inst.link = f[3]
		}
		if strings.HasPrefix(inst.link, "eu:") {
			var typ string
			var year, num int
			if _, err := fmt.Sscanf(strings.ReplaceAll(inst.link[3:], "/", " "), "%s %d %d", &typ, &year, &num); err != nil {
				return nil, fmt.Errorf("instruments.tsv line %d: bad EU link %q", n, inst.link)
			}
			inst = euAct(typ, year, num, "")
		}
		aliases := strings.Split(f[4], "|")
		if inst.Canonical == "-" || inst.Canonical == "" {
			return nil, fmt.Errorf("instruments.tsv line %d: no canonical name", n)
		}
		aliases = append(aliases, inst.Canonical)
		inst.Title = titleOf(aliases)
		finishInstrument(&inst)
		e := &entry{inst: inst, aliases: aliases}
		if err := add(e); err != nil {
			return nil, fmt.Errorf("instruments.tsv line %d: %v", n, err)
		}
		if inst.link != "" {
			t.byKey[inst.link] = e
		}
	}
	// UK Acts are cited by their initials and year too: "FSMA 2000",
	// "s.7(2) BA 2010", "TULRCA 1992". Initials two Acts share name neither.
	byInitials := map[string][]*entry{}
	for _, e := range t.byCanon {
		if ini := actInitials(e.inst); ini != "" {
			byInitials[ini] = append(byInitials[ini], e)
		}
	}
	t.initials = map[string]*entry{}
	noYear := map[string][]*entry{}
	for ini, es := range byInitials {
		if len(es) == 1 {
			bare, _, _ := strings.Cut(ini, " ")
			noYear[bare] = append(noYear[bare], es[0])
		}
	}
	for bare, es := range noYear {
		if len(es) == 1 && len(bare) >= 3 {
			t.initials[bare] = es[0]
		}
	}
	for ini, es := range byInitials {
		if _, taken := t.byAlias[normName(ini)]; taken || len(es) != 1 {
			continue
		}
		t.byAlias[normName(ini)] = es[0]
		all = append(all, ini)
	}
	sc = bufio.NewScanner(strings.NewReader(courts))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("courts.tsv line %d: want 3 tab-separated fields, got %d", n, len(f))
		}
		inst := Instrument{Kind: KindCourt, Jurisdiction: f[0], Canonical: f[1], Title: f[1]}
		finishInstrument(&inst)
		if err := add(&entry{inst: inst, aliases: append(strings.Split(f[2], "|"), f[1])}); err != nil {
			return nil, fmt.Errorf("courts.tsv line %d: %v", n, err)
		}
	}
	// Aliases by their first word, longest first so that "Companies Act
	// 2006" wins over "Companies Act".
	sort.SliceStable(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	t.byFirst = map[string][]*regexp.Regexp{}
	seen := map[string]bool{}
	for _, a := range all {
		p := aliasPattern(a)
		if seen[p] {
			continue
		}
		seen[p] = true
		first := firstWord(a)
		t.byFirst[first] = append(t.byFirst[first], regexp.MustCompile(`^(?:`+p+`)`))
	}
	return t, nil
}

// The replacers of firstWord and normName, built once (building one is
// dearer than using it).
var (
	firstWordFold = strings.NewReplacer("’", "'", "‑", "-", "–", "-")
	normNameFold  = strings.NewReplacer("’", "'", "‑", "-", "–", "-", "—", "-", "\u00a0", " ")
)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// firstWord is the folded first word of a name, the key of byFirst.
func firstWord(s string) string {
	if !isASCII(s) { // the folded characters are all non-ASCII
		s = firstWordFold.Replace(s)
	}
	end := strings.IndexAny(s, " \t\n\r")
	if end < 0 {
		end = len(s)
	}
	w := strings.ToLower(trimWordEnd(s[:end]))
	// "CJEU's ruling": the possessive is not part of the name.
	if b, ok := strings.CutSuffix(w, "'s"); ok && b != "" {
		w = b
	}
	return w
}

// matches are the spans of every table name in text.
func (t *table) matches(text string) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); {
		// a word starts at i
		j := i
		for j < len(text) && !strings.ContainsRune(" \t\n\r", rune(text[j])) {
			j++
		}
		w := text[i:j]
		// try the word and the word without leading punctuation ("(GDPR)")
		for k := 0; k < len(w) && k < 3; k++ {
			if k > 0 && isWordByte(w[k-1]) {
				break
			}
			for _, re := range t.byFirst[firstWord(w[k:])] {
				if m := re.FindStringIndex(text[i+k : min(len(text), i+k+160)]); m != nil {
					out = append(out, [2]int{i + k, i + k + m[1]})
					break
				}
			}
		}
		for j < len(text) && strings.ContainsRune(" \t\n\r", rune(text[j])) {
			j++
		}
		if j == i {
			j++
		}
		i = j
	}
	return out
}

// trimWordEnd drops trailing punctuation from a word: "GDPR," -> "GDPR".
func trimWordEnd(w string) string {
	return strings.TrimRight(w, ".,;:)]!?\"”’'¹²³⁰⁴⁵⁶⁷⁸⁹")
}

// aliasPattern is the regexp of an alias: apostrophes, dashes and spaces
// match their typographic variants.
func aliasPattern(a string) string {
	var b strings.Builder
	for _, r := range a {
		switch r {
		case '\'', '’':
			b.WriteString(`['’]`)
		case '-', '‑', '–':
			b.WriteString(`[-‑–]`)
		case ' ':
			b.WriteString(`\s+`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return b.String()
}

// normName folds the spellings of a name: case, apostrophes, dashes, space.
func normName(s string) string {
	s = normNameFold.Replace(s)
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.TrimPrefix(s, "the ")
	return s
}

// lookup finds a named instrument or court by any of its names.
func (t *table) lookup(name string) (Instrument, bool) {
	if e, ok := t.byAlias[normName(name)]; ok {
		return e.inst, true
	}
	return Instrument{}, false
}

// titleOf is the name to show for an instrument: its first alias that is
// words rather than initials ("General Data Protection Regulation", not
// "GDPR").
func titleOf(aliases []string) string {
	for _, a := range aliases {
		if strings.Contains(a, " ") && strings.ToUpper(a) != a {
			return a
		}
	}
	return aliases[0]
}

var ukActRe = regexp.MustCompile(`^(.+) Act ((?:1[6-9]|20)\d\d)$`)

// actInitials is the initials-and-year form of a UK Act's name: "Trade
// Union and Labour Relations (Consolidation) Act 1992" -> "TULRCA 1992";
// "" for anything else.
func actInitials(in Instrument) string {
	if in.Kind != KindLegislation || in.Jurisdiction != "uk" {
		return ""
	}
	m := ukActRe.FindStringSubmatch(in.Canonical)
	if m == nil {
		return ""
	}
	var b strings.Builder
	for _, w := range strings.Fields(m[1]) {
		w = strings.Trim(w, "(),")
		if w != "" && w[0] >= 'A' && w[0] <= 'Z' {
			b.WriteByte(w[0])
		}
	}
	if b.Len() < 1 {
		return ""
	}
	return b.String() + "A " + m[2]
}
