package brief

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxSlugLen keeps URLs readable; slugs are cut at a word boundary.
const maxSlugLen = 80

// Slugify turns a title or name into a lower-case, ASCII, hyphenated slug:
// "Skadden, Arps, Slate, Meagher & Flom (UK) LLP" gives
// "skadden-arps-slate-meagher-flom-uk-llp".
func Slugify(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r >= 0x300 && unicode.Is(unicode.Mn, r): // no mark is below U+0300
			// combining accent left by NFKD: drop it, keep the base letter
			continue
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			// "Russia's" reads better as "russias" than "russia-s"
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > maxSlugLen {
		out = out[:maxSlugLen]
		if i := strings.LastIndexByte(out, '-'); i > maxSlugLen/2 {
			out = out[:i]
		}
		out = strings.Trim(out, "-")
	}
	return out
}

func trimSpace(s string) string { return strings.TrimSpace(s) }
