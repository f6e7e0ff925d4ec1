package brief

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// benchBrief is a realistic brief of about 6 KB: 15 cited paragraphs in
// three sections, firms and sources.
func benchBrief() []byte {
	var w strings.Builder
	w.WriteString("Tribunal Upholds Sanctions Designation of Shipping Group\n\n")
	n := 1
	for s := range 3 {
		w.WriteString("\n" + Headings[s] + "\n\n")
		for range 5 {
			fmt.Fprintf(&w, "The General Court dismissed the action under Article 263 TFEU and Regulation (EU) No 269/2014 on 4 March 2026, finding that the listing criteria in Article 2(1)(g) were met. (%d) ", n)
			fmt.Fprintf(&w, "Counsel for the applicant argued that the evidence, which ran to 1,200 pages, did not show control after the transfer of shares, a point the court rejected. (%d, %d)\n\n", n+1, n)
			n++
		}
	}
	w.WriteString("The Legists Content Team\n\nAssessing Firms:\n\n#Herbert Smith Freehills LLP #Skadden, Arps, Slate, Meagher & Flom (UK) LLP #Three Crowns LLP #White & Case LLP\n\nStay Tuned\n")
	return []byte(w.String())
}

// BenchmarkParse measures parse throughput; compare its MB/s with
// BenchmarkLineScan, the floor of reading the same bytes line by line.
func BenchmarkParse(b *testing.B) {
	data := benchBrief()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseBytes(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLineScan is a bare bufio line scan of the same bytes.
func BenchmarkLineScan(b *testing.B) {
	data := benchBrief()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sc := bufio.NewScanner(bytes.NewReader(data))
		lines := 0
		for sc.Scan() {
			if len(sc.Bytes()) > 0 {
				lines++
			}
		}
		if lines == 0 {
			b.Fatal("no lines")
		}
	}
}

func BenchmarkRender(b *testing.B) {
	br, err := ParseBytes(benchBrief())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = Render(br)
	}
}
