package legalref

import "legists/internal/brief"

// Texts are the paragraph texts of sections, in reading order.
func Texts(sections []brief.Section) []string {
	var out []string
	for _, s := range sections {
		for _, p := range s.Paragraphs {
			out = append(out, p.Text)
		}
	}
	return out
}

// OfSections finds the references of a brief's paragraphs, read as one
// text so that a paragraph may continue an instrument named in an earlier
// one ("that Act"): out[s][p] are those of paragraph p of section s, with
// offsets into that paragraph's text. The site, the API and the fidelity
// check all read a brief's references through it.
func OfSections(sections []brief.Section) [][][]Reference {
	flat := Paragraphs(Texts(sections))
	out := make([][][]Reference, len(sections))
	k := 0
	for si, s := range sections {
		out[si] = make([][]Reference, len(s.Paragraphs))
		for pi := range s.Paragraphs {
			out[si][pi] = flat[k]
			k++
		}
	}
	return out
}
