package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode"
)

// Fingerprint is a 64-bit SimHash of a text. Texts that differ in a few
// words have fingerprints a few bits apart; unrelated texts differ in about
// half their bits. It marshals to JSON as 16 hex digits.
type Fingerprint uint64

// String is the fingerprint as 16 hex digits.
func (f Fingerprint) String() string { return fmt.Sprintf("%016x", uint64(f)) }

// MarshalText implements encoding.TextMarshaler.
func (f Fingerprint) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *Fingerprint) UnmarshalText(b []byte) error {
	v, err := strconv.ParseUint(string(b), 16, 64)
	if err != nil {
		return fmt.Errorf("simhash: %w", err)
	}
	*f = Fingerprint(v)
	return nil
}

// Distance is the Hamming distance between two fingerprints.
func (f Fingerprint) Distance(g Fingerprint) int { return bits.OnesCount64(uint64(f ^ g)) }

// NearDuplicateDistance is the largest Hamming distance at which two texts
// may be the same text (a reprint with a changed word or two, another
// headline, a credit line). The fingerprint is cut into
// NearDuplicateDistance+1 bands, so two fingerprints this close share at
// least one band exactly: the store indexes the bands to find candidates,
// and a candidate within the distance is confirmed by SameText.
const NearDuplicateDistance = 5

// BandCount is the number of bands a fingerprint is indexed by.
const BandCount = NearDuplicateDistance + 1

// bandWidths cut 64 bits into BandCount bands.
var bandWidths = [BandCount]uint{11, 11, 11, 11, 10, 10}

// Bands cuts the fingerprint into BandCount bands of 10 or 11 bits.
func (f Fingerprint) Bands() [BandCount]int64 {
	var b [BandCount]int64
	shift := uint(0)
	for i, w := range bandWidths {
		b[i] = int64((uint64(f) >> shift) & (1<<w - 1))
		shift += w
	}
	return b
}

// IndexBands is the number of bands the store indexes a fingerprint by
// (article_bands): 21, 21 and 22 bits. Two fingerprints within
// NearDuplicateDistance differ in at most 5 bits, so in at least one band
// they differ in at most one bit (pigeonhole): a lookup probes each band's
// own value and its one-bit neighbours (ProbeKeys). Wide bands keep the
// bucket of a probe tiny however large the archive, unlike narrow bands
// probed exactly, whose buckets hold a share of the archive.
const IndexBands = 3

var indexWidths = [IndexBands]uint{21, 21, 22}

// BandKeys are the keys the fingerprint is stored under: band number << 32
// | band value.
func (f Fingerprint) BandKeys() [IndexBands]int64 {
	var k [IndexBands]int64
	shift := uint(0)
	for i, w := range indexWidths {
		k[i] = int64(i)<<32 | int64((uint64(f)>>shift)&(1<<w-1))
		shift += w
	}
	return k
}

// ProbeKeys are the keys a near-duplicate of f is stored under, as far as
// one of its bands goes: the IndexBands own keys first, then every band
// with one bit flipped (67 keys in all).
func (f Fingerprint) ProbeKeys() []int64 {
	own := f.BandKeys()
	out := append(make([]int64, 0, 67), own[:]...)
	for i, w := range indexWidths {
		for b := range w {
			out = append(out, own[i]^(1<<b))
		}
	}
	return out
}

// MinContainment is the share of the shorter text's shingles that must
// appear in the other for two texts to be the same text.
const MinContainment = 0.6

// SameText confirms a near-duplicate found by fingerprint: the share of
// the shorter text's word shingles found in the longer one is at least
// MinContainment. Reports of one event in other words share few shingles;
// a reprint with another headline, a credit line or a paragraph cut shares
// nearly all.
func SameText(a, b string) bool {
	return Containment(Words(a), Words(b)) >= MinContainment
}

// Containment is |S(a) ∩ S(b)| / min(|S(a)|, |S(b)|) over the sets of
// word shingles.
func Containment(a, b []string) float64 {
	sa, sb := shingleSet(a), shingleSet(b)
	if len(sa) == 0 || len(sb) == 0 {
		return 0
	}
	if len(sa) > len(sb) {
		sa, sb = sb, sa
	}
	n := 0
	for h := range sa {
		if _, ok := sb[h]; ok {
			n++
		}
	}
	return float64(n) / float64(len(sa))
}

func shingleSet(words []string) map[uint64]struct{} {
	out := make(map[uint64]struct{}, len(words))
	if len(words) < ShingleSize {
		for _, w := range words {
			out[fnv64(w, 0)] = struct{}{}
		}
		return out
	}
	for i := 0; i+ShingleSize <= len(words); i++ {
		h := uint64(fnvOffset)
		for _, w := range words[i : i+ShingleSize] {
			h = fnv64(w, h)
			h = (h ^ ' ') * fnvPrime
		}
		out[h] = struct{}{}
	}
	return out
}

// MinDedupeWords is the least number of words a text needs to take part in
// near-duplicate detection: shorter texts (a bare headline, a teaser) are
// too alike by chance.
const MinDedupeWords = 40

// ShingleSize is the number of words of a shingle.
const ShingleSize = 3

// Words splits text into lower-case words of letters and digits.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// SimHash fingerprints text. Its features are the text's words and its
// word shingles (runs of ShingleSize words), each hashed with 64-bit FNV-1a
// and mixed: the words keep a reprint with a changed word or an added credit
// line within a few bits, the shingles keep texts that share vocabulary but
// not sentences (two reports of one event) far apart.
func SimHash(text string) Fingerprint {
	return SimHashWords(Words(text))
}

// SimHashWords fingerprints a text already split by Words.
func SimHashWords(words []string) Fingerprint {
	if len(words) == 0 {
		return 0
	}
	var v [64]int32
	add := func(h uint64) {
		// +1 for a set bit, -1 for a clear one, without a branch (the
		// bits are random: a branch would be mispredicted half the time).
		for i := range 64 {
			v[i] += int32(h>>i&1)<<1 - 1
		}
	}
	for i, w := range words {
		add(fnv64(w, 0))
		if i+ShingleSize <= len(words) {
			h := uint64(fnvOffset)
			for _, sw := range words[i : i+ShingleSize] {
				h = fnv64(sw, h)
				h = (h ^ ' ') * fnvPrime
			}
			add(h)
		}
	}
	var f uint64
	for i := range 64 {
		if v[i] > 0 {
			f |= 1 << i
		}
	}
	return Fingerprint(f)
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv64(s string, h uint64) uint64 {
	if h == 0 {
		h = fnvOffset
	}
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	// Final avalanche (from SplitMix64) so that shingles differing in one
	// letter spread over all 64 bits.
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// ContentHash is the hex SHA-256 of text.
func ContentHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}
