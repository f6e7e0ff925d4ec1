package ingestscale

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// seriesColours are the runs' colours, in order.
var seriesColours = []string{"#1f6feb", "#d1242f", "#6e7781", "#1a7f37", "#8250df"}

// WriteSVG draws two panels against items ingested: throughput (items/s,
// each point the rate over one twentieth of the run) and resident memory
// (MB), one line per run.
func WriteSVG(w io.Writer, title string, runs []*Run) error {
	const (
		width, panelH = 860, 260
		left, right   = 70, 180
		top, gap      = 40, 60
	)
	height := top + 2*panelH + gap + 50
	maxItems := 1
	var maxRate, maxRSS float64
	rates := make([][][2]float64, len(runs))
	for i, r := range runs {
		maxItems = max(maxItems, r.Total)
		const steps = 20
		for k := range steps {
			from, to := float64(k)/steps, float64(k+1)/steps
			v := r.Window(from, to)
			rates[i] = append(rates[i], [2]float64{(from + to) / 2 * float64(r.Total), v})
			maxRate = max(maxRate, v)
		}
		for _, s := range r.Samples {
			maxRSS = max(maxRSS, s.RSSMB)
		}
		maxRSS = max(maxRSS, r.PeakRSSMB)
	}
	maxRate, maxRSS = niceCeil(maxRate), niceCeil(maxRSS)
	plotW := float64(width - left - right)
	x := func(items float64) float64 { return float64(left) + items/float64(maxItems)*plotW }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#fff"/><text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`+"\n",
		left, html.EscapeString(title))
	panel := func(y0 int, label string, maxY float64, series func(i int) [][2]float64) {
		y := func(v float64) float64 { return float64(y0+panelH) - v/maxY*float64(panelH) }
		fmt.Fprintf(&b, `<g stroke="#d0d7de">`)
		for k := 0; k <= 4; k++ {
			v := maxY * float64(k) / 4
			fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, left, width-right, y(v), y(v))
		}
		for k := 0; k <= 5; k++ {
			xx := x(float64(maxItems) * float64(k) / 5)
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d"/>`, xx, xx, y0, y0+panelH)
		}
		b.WriteString("</g>\n")
		for k := 0; k <= 4; k++ {
			v := maxY * float64(k) / 4
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y(v)+4, formatNum(v))
		}
		for k := 0; k <= 5; k++ {
			n := float64(maxItems) * float64(k) / 5
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(n), y0+panelH+16, formatNum(n))
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", left, y0-8, html.EscapeString(label))
		for i, r := range runs {
			pts := series(i)
			var path []string
			for _, p := range pts {
				path = append(path, fmt.Sprintf("%.1f,%.1f", x(p[0]), y(p[1])))
			}
			c := seriesColours[i%len(seriesColours)]
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", c, strings.Join(path, " "))
			ly := y0 + 14 + 18*i
			fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="3"/><text x="%d" y="%d">%s</text>`+"\n",
				width-right+12, width-right+32, ly, ly, c, width-right+38, ly+4, html.EscapeString(r.Name))
		}
	}
	panel(top+10, "items/s (each point: one twentieth of the run)", maxRate, func(i int) [][2]float64 { return rates[i] })
	panel(top+panelH+gap, "resident memory, MB", maxRSS, func(i int) [][2]float64 {
		var pts [][2]float64
		for _, s := range runs[i].Samples {
			if s.RSSMB > 0 { // 0: the process had gone when sampled
				pts = append(pts, [2]float64{float64(s.Items), s.RSSMB})
			}
		}
		return pts
	})
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">items ingested</text>`+"\n", x(float64(maxItems)/2), height-10)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func formatNum(v float64) string {
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.0fk", v/1000)
	case v >= 1000:
		return fmt.Sprintf("%.1fk", v/1000)
	}
	return fmt.Sprintf("%.0f", v)
}
