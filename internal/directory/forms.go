package directory

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"legists/internal/brief"
)

// legalSuffixes are dropped from the end of a name to give the form the
// press uses: "White & Case LLP" is written "White & Case".
var legalSuffixes = []string{
	" (UK) LLP", " (US) LLP", " International LLP", ", LLP", " LLP", ", LLC", " LLC", " L.L.P.", " PLLC", " P.C.",
}

// NameForms returns every way of writing the firm that should be recognised
// in text, distinct and in a stable order: its name and aliases, and for
// each of them the form without a legal suffix ("LLP"), with "&", "and" and
// "+" swapped, without commas, without accents and with either apostrophe.
func NameForms(f brief.Firm) []string {
	var out []string
	seen := map[string]bool{}
	var add func(s string)
	add = func(s string) {
		s = strings.TrimRight(strings.Join(strings.Fields(s), " "), " ,")
		if s == "" || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, suf := range legalSuffixes {
			if strings.HasSuffix(s, suf) && len(s) > len(suf)+2 {
				add(s[:len(s)-len(suf)])
			}
		}
		for _, pair := range [][2]string{{" & ", " and "}, {" and ", " & "}, {" + ", " & "}, {" + ", " and "}} {
			if strings.Contains(s, pair[0]) {
				add(strings.ReplaceAll(s, pair[0], pair[1]))
			}
		}
		if strings.Contains(s, ",") {
			add(strings.ReplaceAll(s, ",", ""))
		}
		if strings.Contains(s, "'") {
			add(strings.ReplaceAll(s, "'", "’"))
		}
		if strings.Contains(s, "’") {
			add(strings.ReplaceAll(s, "’", "'"))
		}
		if a := stripAccents(s); a != s {
			add(a)
		}
	}
	add(f.Name)
	for _, a := range f.Aliases {
		add(a)
	}
	return slices.Clip(out)
}

// stripAccents removes combining marks: "Uría Menéndez" gives "Uria
// Menendez", "Mōri" gives "Mori".
func stripAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}
