package source

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

const wireStory = `The competition authority fined three cement makers 41 million euros on Tuesday for
fixing prices across the northern region between 2019 and 2023, the largest penalty it has imposed
on the building materials sector. The companies exchanged price lists through a trade association
and agreed to stay out of each other's home markets, the authority found after a two-year
investigation that began with a leniency application by a fourth producer, which escaped a fine.
Two of the companies said they would appeal to the commercial court. Lawyers for the third said
it was studying the decision. The authority's chair said cartels in construction inputs raise the
cost of every public works contract and that the agency would keep the sector under review.`

func TestSimHashNearDuplicates(t *testing.T) {
	orig := SimHash(wireStory)
	// A reprint: another credit line and one changed word.
	reprint := SimHash("By Staff Writer. " + strings.Replace(wireStory, "largest", "biggest", 1))
	if d := orig.Distance(reprint); d > NearDuplicateDistance {
		t.Errorf("reprint distance %d > %d", d, NearDuplicateDistance)
	}
	if d := orig.Distance(SimHash(wireStory)); d != 0 {
		t.Errorf("same text distance %d", d)
	}
	// Another report of the same event, in other words, is not a copy.
	if d := orig.Distance(SimHash(sameEvent)); d <= NearDuplicateDistance {
		t.Errorf("same event, other words: only %d bits apart", d)
	}
	if SameText(wireStory, sameEvent) {
		t.Error("same event, other words: SameText")
	}
	reprintText := "By Staff Writer. " + strings.Replace(wireStory, "largest", "biggest", 1)
	if !SameText(wireStory, reprintText) {
		t.Errorf("reprint not SameText: %.2f", Containment(Words(wireStory), Words(reprintText)))
	}
	// A reprint that cuts the last two sentences is still the same text.
	cut := wireStory[:strings.LastIndex(wireStory, "The authority's chair")]
	if !SameText(cut, wireStory) {
		t.Error("cut reprint not SameText")
	}
	other := SimHash(`The appeals court on Friday overturned a lower court ruling that had blocked the
merger of two regional hospital groups, sending the case back for a new hearing on whether the
combined group would raise prices for insurers. The judges said the trial judge had given too
little weight to evidence of efficiencies and to the groups' commitments to keep both emergency
departments open for ten years after completing the deal and to report to the state health board.`)
	if d := orig.Distance(other); d <= 10 {
		t.Errorf("unrelated texts are only %d bits apart", d)
	}
}

func TestFingerprintBandsAndJSON(t *testing.T) {
	f := Fingerprint(0x0123456789abcdef)
	b := f.Bands()
	var back0 uint64
	shift := uint(0)
	for i, w := range bandWidths {
		back0 |= uint64(b[i]) << shift
		shift += w
	}
	if back0 != uint64(f) {
		t.Errorf("bands %x do not add up to %x", b, uint64(f))
	}
	// Any two fingerprints within the threshold share a band.
	g := f ^ (1 | 1<<12 | 1<<23 | 1<<34 | 1<<45)
	gb := g.Bands()
	shared := false
	for i := range b {
		shared = shared || b[i] == gb[i]
	}
	if !shared {
		t.Error("no shared band")
	}
	js, _ := json.Marshal(f)
	if string(js) != `"0123456789abcdef"` {
		t.Errorf("json %s", js)
	}
	var back Fingerprint
	if err := json.Unmarshal(js, &back); err != nil || back != f {
		t.Errorf("round trip %x %v", back, err)
	}
}

func TestContentHash(t *testing.T) {
	if h := ContentHash(""); h != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("hash %s", h)
	}
}

func TestBackoff(t *testing.T) {
	want := []string{"1m0s", "2m0s", "4m0s", "8m0s"}
	for i, w := range want {
		if got := Backoff(i + 1).String(); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
	if got := Backoff(100).Hours(); got != 24 {
		t.Errorf("cap %v", got)
	}
}

const sameEvent = `Three cement producers must pay a combined 41 million euros after the national competition
authority concluded on Tuesday that they had coordinated prices in the north for four years. Officials
said the firms used meetings of an industry association to swap price lists and carve up territory. A
fourth producer that reported the scheme received immunity under the leniency programme. Holcrest and
Nordcem announced appeals, while Baumann Stein said its lawyers were reviewing the ruling. The penalty
is the highest the agency has ever handed to building materials suppliers, and it warned that cartels
in construction push up the price of public infrastructure projects paid for by taxpayers.`

// Every fingerprint within NearDuplicateDistance of f is stored under a key
// that f probes, and a fingerprint further away in every band is not.
func TestProbeKeysFindEveryNearFingerprint(t *testing.T) {
	if NearDuplicateDistance > 2*IndexBands-1 {
		t.Fatalf("one-bit probes of %d bands miss distance %d", IndexBands, NearDuplicateDistance)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		f := Fingerprint(r.Uint64())
		g := f
		for _, b := range r.Perm(64)[:1+r.IntN(NearDuplicateDistance)] {
			g ^= 1 << b
		}
		probes := map[int64]bool{}
		for _, k := range f.ProbeKeys() {
			probes[k] = true
		}
		if len(probes) != 67 {
			t.Fatalf("%d distinct probe keys, want 67", len(probes))
		}
		found := false
		for _, k := range g.BandKeys() {
			found = found || probes[k]
		}
		if !found {
			t.Fatalf("%v at distance %d from %v is not probed", g, f.Distance(g), f)
		}
	}
	// Two bits off in each band: no key in common.
	f := Fingerprint(0)
	g := f ^ (1 | 1<<1 | 1<<21 | 1<<22 | 1<<42 | 1<<43)
	for _, k := range g.BandKeys() {
		if slices.Contains(f.ProbeKeys(), k) {
			t.Errorf("key %x of a fingerprint 6 bits away is probed", k)
		}
	}
}
