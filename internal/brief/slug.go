package brief

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxSlugLen keeps URLs readable; slugs are cut at a word boundary.
const maxSlugLen = 80

// Slugify turns a title or name into a lower-case, ASCII, hyphenated slug:
// "Skadden, Arps, Slate, Meagher & Flom (UK) LLP" gives
// "skadden-arps-slate-meagher-flom-uk-llp".
func Slugify(s string) string {
	var buf [2 * maxSlugLen]byte
	b := buf[:0] // most slugs fit: no allocation but the result
	dash := false
	// NFKD leaves ASCII as it is: most titles need no normalising.
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		// The same as the loop below, a byte at a time.
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case asciiWordByte[c]:
				if dash && len(b) > 0 {
					b = append(b, '-')
				}
				dash = false
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				b = append(b, c)
			case c == '\'':
			default:
				dash = true
			}
		}
		return slugString(b)
	}
	s = norm.NFKD.String(s)
	for _, r := range s {
		switch {
		case r >= 0x300 && unicode.Is(unicode.Mn, r): // no mark is below U+0300
			// combining accent left by NFKD: drop it, keep the base letter
			continue
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && len(b) > 0 {
				b = append(b, '-')
			}
			dash = false
			b = append(b, byte(unicode.ToLower(r))) // ASCII
		case r == '\'' || r == '’':
			// "Russia's" reads better as "russias" than "russia-s"
		default:
			dash = true
		}
	}
	return slugString(b)
}

// slugString is the slug of the bytes b, cut to maxSlugLen at a word
// boundary.
func slugString(b []byte) string {
	long := len(b) > maxSlugLen
	if long {
		b = b[:maxSlugLen]
	}
	out := string(b)
	if long {
		if i := strings.LastIndexByte(out, '-'); i > maxSlugLen/2 {
			out = out[:i]
		}
		out = strings.Trim(out, "-")
	}
	return out
}

func trimSpace(s string) string { return strings.TrimSpace(s) }
