package fidelity

import (
	"fmt"
	"strings"

	"legists/internal/sentence"
)

// Quotations: words a brief puts in quotation marks are the source's own
// words, and must be found in a cited source as they are quoted (case,
// punctuation and quote style aside).

// flatWords returns the words of text in lower case, one space apart,
// with a space at either end.
func flatWords(text string) string {
	var b strings.Builder
	b.Grow(len(text) + 2)
	b.WriteByte(' ')
	for _, sp := range sentence.Words(text) {
		b.WriteString(strings.ToLower(strings.ReplaceAll(text[sp.Start:sp.End], "’", "'")))
		b.WriteByte(' ')
	}
	return b.String()
}

// quotations returns the spans of st inside quotation marks: “…”, "…",
// and ‘…’ when it holds a space (an apostrophe does not).
func quotations(st string) []string {
	var out []string
	for _, pair := range [][2]string{{"“", "”"}, {"\"", "\""}, {"‘", "’"}} {
		rest := st
		for {
			a := strings.Index(rest, pair[0])
			if a < 0 {
				break
			}
			rest = rest[a+len(pair[0]):]
			b := strings.Index(rest, pair[1])
			if b < 0 {
				break
			}
			q := rest[:b]
			rest = rest[b+len(pair[1]):]
			if pair[0] == "‘" && !strings.Contains(q, " ") {
				continue
			}
			out = append(out, q)
		}
	}
	return out
}

// checkQuotations reports a quotation of three words or more that no
// cited source has; it returns the number of errors.
func (c *checker) checkQuotations(st string, docs []*doc, best window, f func(kind, sev string, cite int, msg string)) int {
	errs := 0
	for _, q := range quotations(st) {
		if len(q) >= len(st)*9/10 {
			continue // the whole sentence in quotation marks: a wrapper, not a quotation
		}
		fq := flatWords(q)
		n := len(strings.Fields(fq))
		if n == 0 || anyDoc(docs, func(d *doc) bool { return strings.Contains(d.flat, fq) }) {
			continue
		}
		cites := make([]string, len(docs))
		for i, d := range docs {
			cites[i] = fmt.Sprint(d.n)
		}
		msg := fmt.Sprintf("the quotation %q is not in source %s", strings.TrimSpace(q), strings.Join(cites, ", "))
		if best.d != nil {
			msg += fmt.Sprintf("; source %d says %q", best.n(), best.text())
		}
		if n < 3 {
			// a word or two may be quoted from a headline or paraphrased
			f(KindUnverified, SeverityWarning, best.n(), msg)
			continue
		}
		f(KindUnsupportedClaim, SeverityError, best.n(), msg)
		errs++
	}
	return errs
}
