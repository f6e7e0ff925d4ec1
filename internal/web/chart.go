package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"sync/atomic"
	"time"
)

var chartSeq atomic.Uint64

// activitySVG draws counts (one per week from start) as a bar chart, in
// plain SVG with no script and no inline style, styled by the site CSS
// through classes.
func activitySVG(counts []int, start time.Time, title string) template.HTML {
	const (
		w, h                 = 640, 180
		left, right, top, bt = 34, 8, 12, 28
	)
	maxC := 0
	total := 0
	for _, c := range counts {
		maxC = max(maxC, c)
		total += c
	}
	// a round top for the axis: 1, 2, 5, 10, 20, ...
	top5 := 1
	for top5 < maxC {
		switch {
		case top5*2 >= maxC:
			top5 *= 2
		case top5*5 >= maxC:
			top5 *= 5
		default:
			top5 *= 10
		}
	}
	plotW := float64(w - left - right)
	plotH := float64(h - top - bt)
	bw := plotW / float64(len(counts))
	id := fmt.Sprintf("chart%d", chartSeq.Add(1))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="activity" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, w, h, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, id, html.EscapeString(title))
	var desc []string
	for i, c := range counts {
		if c > 0 {
			desc = append(desc, fmt.Sprintf("week of %s: %d", start.AddDate(0, 0, 7*i).Format("2 Jan 2006"), c))
		}
	}
	if len(desc) == 0 {
		desc = []string{"no briefs in these weeks"}
	}
	fmt.Fprintf(&b, `<desc id="%s-d">%d briefs. %s.</desc>`, id, total, html.EscapeString(strings.Join(desc, "; ")))
	// grid lines and y labels: 0, half, top
	ticks := []int{0, top5 / 2, top5}
	if top5 == 1 {
		ticks = []int{0, 1}
	}
	for _, v := range ticks {
		y := float64(top) + plotH - plotH*float64(v)/float64(top5)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, left, y, w-right, y)
		fmt.Fprintf(&b, `<text class="ylabel" x="%d" y="%.1f" text-anchor="end">%d</text>`, left-6, y+4, v)
	}
	lastMonth := -1
	for i, c := range counts {
		ws := start.AddDate(0, 0, 7*i)
		x := float64(left) + bw*float64(i)
		bh := plotH * float64(c) / float64(top5)
		if c > 0 && bh < 2 {
			bh = 2
		}
		y := float64(top) + plotH - bh
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>Week of %s: %d brief%s</title></rect>`,
			x+bw*0.15, y, bw*0.7, bh, ws.Format("2 Jan 2006"), c, plural(c))
		if m := int(ws.Month()); m != lastMonth {
			if lastMonth != -1 || ws.Day() <= 7 {
				fmt.Fprintf(&b, `<text class="xlabel" x="%.1f" y="%d">%s</text>`, x+2, h-8, ws.Format("Jan"))
			}
			lastMonth = m
		}
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, left, float64(top)+plotH, w-right, float64(top)+plotH)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
