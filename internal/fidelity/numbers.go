package fidelity

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// quantity is a number as a claim makes it: normalised value and unit, so
// "100,000", "100 000" and "one hundred thousand" compare equal, as do
// "$2.5bn" and "2.5 billion dollars".
type quantity struct {
	val   float64
	unit  string // "%", "$", "£", "€", "¥" or "" when none was written
	sig   int    // significant digits as written: how far paraphrase may round
	small bool   // a number word of ten or less: weak evidence ("two proposals")
	text  string
	val2  float64 // the second figure of a pair ("2-0")
	clock float64 // a time's 12-hour reading ("6.15")
}

// date is a calendar date with the fields the text gave; zero is unknown.
type date struct {
	y, m, d int
	text    string
}

func (q quantity) String() string {
	v := strconv.FormatFloat(q.val, 'f', -1, 64)
	switch q.unit {
	case unitTime:
		return fmt.Sprintf("%02d:%02d", int(q.val)/60, int(q.val)%60)
	case unitPair:
		return v + "-" + strconv.FormatFloat(q.val2, 'f', -1, 64)
	case "%":
		return v + "%"
	case "":
		return v
	}
	return q.unit + v
}

func (d date) String() string {
	var parts []string
	if d.d > 0 {
		parts = append(parts, strconv.Itoa(d.d))
	}
	if d.m > 0 {
		parts = append(parts, monthNames[d.m-1])
	}
	if d.y > 0 {
		parts = append(parts, strconv.Itoa(d.y))
	}
	return strings.Join(parts, " ")
}

// matches reports whether claim quantity q is supported by source quantity
// s: the same value, or s rounded to the precision the claim was written in
// (a brief may say "2.5bn" for 2.47bn), never more than 6% apart.
func (q quantity) matches(s quantity) bool {
	if q.unit == unitTime || q.unit == unitPair || s.unit == unitTime || s.unit == unitPair {
		return q.matchesSpecial(s)
	}
	if q.unit != "" && s.unit != "" && q.unit != s.unit {
		return false
	}
	if approx(q.val, s.val) {
		return true
	}
	if q.sig > 0 && approx(roundSig(s.val, q.sig), q.val) && s.val != 0 && math.Abs(q.val-s.val)/math.Abs(s.val) <= 0.06 {
		return true
	}
	return false
}

// compatible reports whether claim date c agrees with source date s: every
// field both give is equal and they share at least one.
func (c date) compatible(s date) bool {
	shared := 0
	for _, f := range [][2]int{{c.y, s.y}, {c.m, s.m}, {c.d, s.d}} {
		if f[0] != 0 && f[1] != 0 {
			if f[0] != f[1] {
				return false
			}
			shared++
		}
	}
	return shared > 0
}

func approx(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func roundSig(v float64, sig int) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, float64(sig)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// months maps full names and news abbreviations to month numbers.
var months = map[string]int{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
	"sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

// weekdays are ignored in dates: "Monday, Jan. 5" is Jan. 5.
var weekdays = setOf("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")

var numberWords = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
	"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
	"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

var scales = map[string]float64{
	"hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6,
	"billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}

var currencyWords = map[string]string{
	"dollar": "$", "dollars": "$", "usd": "$", "euro": "€", "euros": "€", "eur": "€",
	"pound": "£", "pounds": "£", "sterling": "£", "gbp": "£", "yen": "¥", "jpy": "¥",
}

// extractFigures finds the quantities and dates of sentence s. Dates are
// found first so that "Jan. 5, 2022" is not also the numbers 5 and 2022.
func extractFigures(s string, toks []token) (qs []quantity, ds []date) {
	used := make([]bool, len(toks))
	dayAt := func(i int) int {
		if i < 0 || i >= len(toks) || used[i] || !toks[i].num {
			return 0
		}
		w := toks[i].lower
		for _, suf := range []string{"st", "nd", "rd", "th"} {
			w = strings.TrimSuffix(w, suf)
		}
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > 31 {
			return 0
		}
		return n
	}
	yearAt := func(i int) int {
		if i < 0 || i >= len(toks) || used[i] || !toks[i].num || len(toks[i].lower) != 4 {
			return 0
		}
		n, err := strconv.Atoi(toks[i].lower)
		if err != nil || n < 1800 || n > 2100 {
			return 0
		}
		return n
	}
	for i, t := range toks {
		if used[i] {
			continue
		}
		if t.num && len(t.lower) == 10 && t.lower[4] == '-' && t.lower[7] == '-' {
			y, e1 := strconv.Atoi(t.lower[:4])
			m, e2 := strconv.Atoi(t.lower[5:7])
			d, e3 := strconv.Atoi(t.lower[8:])
			if e1 == nil && e2 == nil && e3 == nil && m >= 1 && m <= 12 && d >= 1 && d <= 31 {
				ds = append(ds, date{y, m, d, t.text})
				used[i] = true
				continue
			}
		}
		m, isMonth := months[t.lower]
		if !isMonth {
			continue
		}
		var dt date
		dt.m = m
		first, last := i, i
		if d := dayAt(i + 1); d > 0 {
			dt.d, last = d, i+1
			if y := yearAt(i + 2); y > 0 {
				dt.y, last = y, i+2
			}
		} else if y := yearAt(i + 1); y > 0 {
			dt.y, last = y, i+1
		}
		if dt.d == 0 {
			// "5 January", "5th of January"
			j := i - 1
			if j >= 0 && toks[j].lower == "of" {
				j--
			}
			if d := dayAt(j); d > 0 {
				dt.d, first = d, j
			}
		}
		// "May" and "March" are words as well as months: only with a number.
		// A month in lower case ("4 march 2024") is a date only with one.
		if dt.d == 0 && dt.y == 0 && (!t.cap && len(t.lower) <= 5 || t.lower == "may" || t.lower == "march" || len(t.lower) <= 4 && t.lower != "june" && t.lower != "july") {
			continue
		}
		for k := first; k <= last; k++ {
			used[k] = true
		}
		dt.text = s[toks[first].start:toks[last].end]
		ds = append(ds, dt)
	}
	for i, t := range toks {
		if y := yearAt(i); y > 0 && !strings.ContainsAny(t.lower, ",.") && !isQuantityContext(s, toks, i) {
			used[i] = true
			ds = append(ds, date{y: y, text: t.text})
		}
	}
	// Times and pairs before single figures: "6.15 pm", "2–0".
	for i := 0; i < len(toks); i++ {
		if used[i] {
			continue
		}
		q, last, ok := timeAt(s, toks, i)
		if !ok {
			q, last, ok = pairAt(s, toks, i)
		}
		if !ok || slices.Contains(used[i:last+1], true) {
			continue
		}
		q.text = s[toks[i].start:toks[last].end]
		for k := i; k <= last; k++ {
			used[k] = true
		}
		qs = append(qs, q)
		i = last
	}
	// A list marker ("1. The court", "2) Costs") numbers an item, not a fact.
	if len(toks) > 1 && toks[0].num && toks[0].start == 0 && len(toks[0].lower) <= 2 && strings.HasPrefix(s[toks[0].end:], ".") || len(toks) > 1 && toks[0].num && strings.HasPrefix(s[toks[0].end:], ")") && len(toks[0].lower) <= 2 {
		used[0] = true
	}
	for i := 0; i < len(toks); i++ {
		if used[i] {
			continue
		}
		t := toks[i]
		var q quantity
		var last int
		if t.num {
			v, sig, suffix, ok := parseDigits(t.lower)
			if !ok {
				continue
			}
			last = i
			// "100 000": groups of three joined by a (thin) space.
			for last+1 < len(toks) && len(t.lower) <= 3 && suffix == "" && isGroup(toks[last+1].lower) && gapIsOneSpace(s, toks[last].end, toks[last+1].start) {
				v = v*1000 + mustAtof(toks[last+1].lower)
				last++
			}
			pence := false
			if suffix != "" {
				if sc, ok := scales[suffix]; ok {
					v *= sc
				} else if suffix == "p" {
					pence = true // "31p in the pound": pence
				} else if suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th" && suffix != "s" {
					continue // "3D", "5G": a name, not a figure
				}
			}
			q = quantity{val: v, sig: sig}
			if pence {
				q.unit = "p"
			}
		} else if a, rest, ok := strings.Cut(t.lower, "-"); ok && numberWords[a] > 0 && !isHyphenNumber(t.lower) && isAlpha(rest) {
			// "two-year-old", "three-day": the number word leads a compound.
			last = i
			q = quantity{val: float64(numberWords[a]), sig: 1, small: numberWords[a] <= 10}
		} else if _, ok := numberWords[t.lower]; ok || isHyphenNumber(t.lower) || t.lower == "a" && i+1 < len(toks) && scales[toks[i+1].lower] >= 100 && len(toks[i+1].lower) > 2 {
			v, n := parseWords(toks[i:])
			if n == 0 || (n == 1 && t.lower == "one") {
				continue
			}
			last = i + n - 1
			q = quantity{val: v, sig: sigDigits(strconv.FormatFloat(v, 'f', -1, 64)), small: v <= 10 && n == 1}
		} else {
			continue
		}
		// A scale word after the figure: "2.5 billion", "$3 bn".
		if last+1 < len(toks) {
			if sc, ok := scales[toks[last+1].lower]; ok && (len(toks[last+1].lower) > 1 || gapIsOneSpace(s, toks[last].end, toks[last+1].start)) {
				q.val *= sc
				q.small = false
				last++
			}
		}
		// Percent: "5%", "5 per cent", "5 percent", "5 percentage points".
		after := s[toks[last].end:]
		switch {
		case strings.HasPrefix(strings.TrimLeft(after, " \u00a0\u2009\u202f"), "%"):
			q.unit = "%"
		case last+1 < len(toks) && (toks[last+1].lower == "percent" || toks[last+1].lower == "percentage" || toks[last+1].lower == "pc"):
			q.unit = "%"
			last++
		case last+2 < len(toks) && toks[last+1].lower == "per" && toks[last+2].lower == "cent":
			q.unit = "%"
			last += 2
		}
		// Currency: a symbol before, or a word before or after.
		if q.unit == "" {
			before := strings.TrimRight(s[:toks[i].start], " \u00a0")
			r, _ := utf8.DecodeLastRuneInString(before)
			switch r {
			case '$', '£', '€', '¥':
				q.unit = string(r)
			}
			if q.unit == "" && i > 0 {
				q.unit = currencyWords[toks[i-1].lower]
			}
			if q.unit == "" && last+1 < len(toks) {
				q.unit = currencyWords[toks[last+1].lower]
			}
		}
		if q.unit != "" {
			q.small = false
		}
		q.text = s[toks[i].start:toks[last].end]
		for k := i; k <= last; k++ {
			used[k] = true
		}
		qs = append(qs, q)
		i = last
	}
	return qs, ds
}

// isQuantityContext reports a four-digit number that is an amount, not a
// year: "$2022", "2022%", "2022 million".
func isQuantityContext(s string, toks []token, i int) bool {
	before := strings.TrimRight(s[:toks[i].start], " ")
	if r, _ := utf8.DecodeLastRuneInString(before); strings.ContainsRune("$£€¥", r) {
		return true
	}
	if strings.HasPrefix(strings.TrimLeft(s[toks[i].end:], " "), "%") {
		return true
	}
	if i+1 < len(toks) {
		n := toks[i+1].lower
		if _, ok := scales[n]; ok {
			return true
		}
		if n == "per" || n == "percent" || currencyWords[n] != "" {
			return true
		}
	}
	return false
}

// parseDigits reads "100,000", "2.5", "2.5bn", "3rd", "1990s": the value,
// its significant digits and any letter suffix.
func parseDigits(w string) (v float64, sig int, suffix string, ok bool) {
	j := 0
	for j < len(w) && (w[j] >= '0' && w[j] <= '9' || w[j] == ',' || w[j] == '.') {
		j++
	}
	num, suffix := w[:j], w[j:]
	if rest, ok := strings.CutPrefix(suffix, "-"); ok && rest != "" && isAlpha(rest) {
		// "19-year-old", "5-mile", "10-day": a figure leading a compound.
		suffix = ""
	}
	if strings.ContainsAny(suffix, "0123456789-") {
		return 0, 0, "", false // "9-0", "C-311": scores and codes
	}
	// A comma followed by three digits groups thousands; otherwise it is
	// punctuation the word splitter kept ("2019,2020" does not occur).
	num = strings.ReplaceAll(num, ",", "")
	if strings.Count(num, ".") > 1 {
		return 0, 0, "", false
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, 0, "", false
	}
	return f, sigDigits(num), suffix, true
}

// sigDigits counts significant digits as written: "100000" has one,
// "2.50" two, "102000" three.
func sigDigits(num string) int {
	d := strings.TrimLeft(strings.ReplaceAll(num, ".", ""), "0")
	if !strings.Contains(num, ".") {
		d = strings.TrimRight(d, "0")
	} else {
		d = strings.TrimRight(d, "0")
	}
	if d == "" {
		return 1
	}
	return len(d)
}

// parseWords reads "one hundred thousand", "twenty-five", "a million":
// the value and how many tokens it took.
func parseWords(toks []token) (float64, int) {
	total, cur := 0.0, 0.0
	n := 0
	seen := false
	for n < len(toks) {
		w := toks[n].lower
		if v, ok := numberWords[w]; ok {
			cur += float64(v)
			seen = true
		} else if parts := strings.Split(w, "-"); len(parts) == 2 && numberWords[parts[0]] >= 20 && numberWords[parts[1]] > 0 && numberWords[parts[1]] < 10 {
			cur += float64(numberWords[parts[0]] + numberWords[parts[1]])
			seen = true
		} else if w == "a" && n == 0 {
			cur = 1
		} else if sc, ok := scales[w]; ok && len(w) > 2 && (seen || n == 1) {
			if cur == 0 {
				cur = 1
			}
			if sc == 100 {
				cur *= sc
			} else {
				total += cur * sc
				cur = 0
			}
			seen = true
		} else if w == "and" && seen && n+1 < len(toks) && numberWords[toks[n+1].lower] > 0 {
			// "one hundred and fifty"
		} else {
			break
		}
		n++
	}
	if !seen {
		return 0, 0
	}
	return total + cur, n
}

func isGroup(w string) bool {
	if len(w) != 3 {
		return false
	}
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func gapIsOneSpace(s string, a, b int) bool {
	if a >= b {
		return false
	}
	gap := s[a:b]
	r, sz := utf8.DecodeRuneInString(gap)
	return sz == len(gap) && unicode.IsSpace(r) && r != '\n'
}

func mustAtof(w string) float64 {
	f, _ := strconv.ParseFloat(w, 64)
	return f
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// describe lists figures for a message.
func describeQuantities(qs []quantity) string {
	var parts []string
	for _, q := range qs {
		parts = append(parts, fmt.Sprintf("%q", q.text))
	}
	return strings.Join(parts, ", ")
}

// isHyphenNumber reports "twenty-five".
func isHyphenNumber(w string) bool {
	a, b, ok := strings.Cut(w, "-")
	return ok && numberWords[a] >= 20 && numberWords[b] > 0 && numberWords[b] < 10
}

// groupTotals gives the size of the groups a source counts around a named
// member: "Mrs K Adebayo and 3,127 others" are 3,128 people, which a brief
// may say. Only sources get these totals; a claim's figures are its own.
func groupTotals(qs []quantity, toks []token) []quantity {
	var out []quantity
	for _, q := range qs {
		if q.unit != "" || q.val2 != 0 {
			continue
		}
		for i, t := range toks {
			if i == 0 || i+1 >= len(toks) || toks[i-1].lower != "and" || toks[i+1].lower != "others" || !t.num {
				continue
			}
			if v, _, suf, ok := parseDigits(t.lower); ok && suf == "" && v == q.val {
				tot := q
				tot.val++
				tot.sig = sigDigits(strconv.FormatFloat(tot.val, 'f', -1, 64))
				tot.text = strconv.FormatFloat(tot.val, 'f', -1, 64)
				out = append(out, tot)
			}
		}
	}
	return out
}
