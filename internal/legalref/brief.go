package legalref

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"

	"legists/internal/brief"
)

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
//
// The answer depends on the paragraphs' texts only, and finding it is
// the dearest part of rendering a brief (regular expressions over the
// whole text), so the answers for the last few thousand texts are kept:
// the result is shared, and callers must not modify it.
func OfSections(sections []brief.Section) [][][]Reference {
	key := sectionsKey(sections)
	memo.Lock()
	out, ok := memo.m[key]
	memo.Unlock()
	if ok {
		return out
	}
	out = ofSections(sections)
	memo.Lock()
	if len(memo.m) >= memoSize {
		clear(memo.m)
	}
	memo.m[key] = out
	memo.Unlock()
	return out
}

func ofSections(sections []brief.Section) [][][]Reference {
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

// memo holds OfSections' answers by sectionsKey.
var memo = struct {
	sync.Mutex
	m map[[sha256.Size]byte][][][]Reference
}{m: map[[sha256.Size]byte][][][]Reference{}}

const memoSize = 4096

// sectionsKey is a digest of the sections' shape and paragraph texts.
func sectionsKey(sections []brief.Section) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, s := range sections {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s.Paragraphs)))
		h.Write(n[:])
		for _, p := range s.Paragraphs {
			binary.LittleEndian.PutUint64(n[:], uint64(len(p.Text)))
			h.Write(n[:])
			h.Write([]byte(p.Text))
		}
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}
