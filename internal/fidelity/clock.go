package fidelity

import (
	"strconv"
	"strings"
)

// Times and pairs of figures, normalised before comparison so that the
// ways news copy writes one fact compare equal: "3 pm", "3pm", "3 p.m.",
// "15:00"; "2-0", "2–0", "2 – 0", "85 points to 80".

const (
	unitTime = "time" // val: minutes after midnight; clock: the 12-hour reading (6.15)
	unitPair = "pair" // val and val2: a score or a range
)

// meridiem maps the ways "am" and "pm" are written, as tokens, to 0 or 12.
var meridiem = map[string]int{"am": 0, "a.m.": 0, "a.m": 0, "pm": 12, "p.m.": 12, "p.m": 12}

// timeAt reads a time at token i: "3pm", "6.15pm", "3 pm", "6.15 p.m.",
// "6:15 pm", "15:00". It returns the quantity and the last token used.
func timeAt(s string, toks []token, i int) (quantity, int, bool) {
	t := toks[i]
	if !t.num {
		return quantity{}, 0, false
	}
	w := t.lower
	last := i
	mer := -1
	for suf, v := range meridiem {
		if strings.HasSuffix(w, suf) && len(w) > len(suf) {
			w, mer = strings.TrimSuffix(w, suf), v
			break
		}
	}
	h, m, ok := clockDigits(w)
	if !ok {
		return quantity{}, 0, false
	}
	colon := false
	if !strings.Contains(w, ".") && mer < 0 && last+1 < len(toks) && s[toks[last].end:toks[last+1].start] == ":" {
		// "6:15", "15:00", and "3:30pm" with the meridiem on the minutes
		mw := toks[last+1].lower
		for suf, v := range meridiem {
			if strings.HasSuffix(mw, suf) && len(mw) > len(suf) {
				mw, mer = strings.TrimSuffix(mw, suf), v
				break
			}
		}
		mm, err := strconv.Atoi(mw)
		if err != nil || len(mw) != 2 || mm > 59 {
			return quantity{}, 0, false
		}
		m, last, colon = mm, last+1, true
	}
	if mer < 0 && last+1 < len(toks) {
		if v, ok := meridiem[toks[last+1].lower]; ok {
			mer, last = v, last+1
		}
	}
	if mer < 0 && !colon {
		return quantity{}, 0, false
	}
	if h > 23 || mer >= 0 && (h < 1 || h > 12) {
		return quantity{}, 0, false
	}
	if mer >= 0 {
		h = h%12 + mer
	}
	q := quantity{val: float64(h*60 + m), unit: unitTime, sig: 4}
	q.clock = float64((h+11)%12+1) + float64(m)/100
	return q, last, true
}

// clockDigits reads "6", "6.15", "06.15" as hours and minutes.
func clockDigits(w string) (h, m int, ok bool) {
	hs, ms, dot := strings.Cut(w, ".")
	if len(hs) == 0 || len(hs) > 2 || dot && len(ms) != 2 {
		return 0, 0, false
	}
	h, err := strconv.Atoi(hs)
	if err != nil {
		return 0, 0, false
	}
	if dot {
		if m, err = strconv.Atoi(ms); err != nil || m > 59 {
			return 0, 0, false
		}
	}
	return h, m, true
}

// pairAt reads a score or range at token i: "2-0" (one token), "2–0",
// "2 – 0", "85 points to 80" (and goals, runs, votes). Each figure has at
// most three digits, so "2019-2020" and "C-311" are left alone.
func pairAt(s string, toks []token, i int) (quantity, int, bool) {
	t := toks[i]
	if !t.num {
		return quantity{}, 0, false
	}
	if a, b, ok := strings.Cut(t.lower, "-"); ok {
		x, okx := smallInt(a)
		y, oky := smallInt(b)
		if okx && oky {
			return quantity{val: float64(x), val2: float64(y), unit: unitPair, sig: 3}, i, true
		}
		return quantity{}, 0, false
	}
	x, ok := smallInt(t.lower)
	if !ok || i+1 >= len(toks) {
		return quantity{}, 0, false
	}
	if gap := strings.TrimSpace(s[t.end:toks[i+1].start]); gap == "–" || gap == "—" || gap == "-" {
		if y, ok := smallInt(toks[i+1].lower); ok {
			return quantity{val: float64(x), val2: float64(y), unit: unitPair, sig: 3}, i + 1, true
		}
	}
	if i+3 < len(toks) && scoreUnits[toks[i+1].lower] && toks[i+2].lower == "to" {
		if y, ok := smallInt(toks[i+3].lower); ok {
			return quantity{val: float64(x), val2: float64(y), unit: unitPair, sig: 3}, i + 3, true
		}
	}
	return quantity{}, 0, false
}

var scoreUnits = setOf("points", "goals", "runs", "votes", "seats", "games", "sets", "frames", "tries")

func smallInt(w string) (int, bool) {
	if len(w) == 0 || len(w) > 3 {
		return 0, false
	}
	n, err := strconv.Atoi(w)
	return n, err == nil
}

// matchesSpecial compares a time or a pair with a source figure.
func (q quantity) matchesSpecial(s quantity) bool {
	switch {
	case q.unit == unitTime && s.unit == unitTime:
		return approx(q.val, s.val)
	case q.unit == unitTime:
		return s.unit == "" && (approx(s.val, q.clock) || approx(s.val, float64(int(q.val)/60)) && int(q.val)%60 == 0)
	case s.unit == unitTime:
		return q.unit == "" && (approx(q.val, s.clock) || approx(q.val, float64(int(s.val)/60)) && int(s.val)%60 == 0)
	case q.unit == unitPair && s.unit == unitPair:
		return approx(q.val, s.val) && approx(q.val2, s.val2) || approx(q.val, s.val2) && approx(q.val2, s.val)
	case s.unit == unitPair:
		return q.unit == "" && (approx(q.val, s.val) || approx(q.val, s.val2))
	}
	return false
}
