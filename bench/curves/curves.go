// Package curves draws how a benchmark's cost grows with its size: line
// charts of series of (x, y) points as standalone SVG, with axes, ticks,
// labels and a legend. Benchmarks write them to bench/out/ (see
// bench/README.md).
//
//	curves.WriteFile("bench/out/digest-time.svg", curves.Chart{
//		Title: "Digest run time", XLabel: "subscribers", YLabel: "seconds",
//		Series: []curves.Series{{Name: "SQLite", Points: []curves.Point{{5000, 2.1}, {50000, 20.4}}}},
//	})
package curves

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Point is one measurement.
type Point struct{ X, Y float64 }

// Series is a named line.
type Series struct {
	Name   string
	Points []Point
}

// Chart is what to draw. Axes start at 0 unless LogX or LogY, which draw
// that axis on a log scale (decades), for sizes that grow tenfold.
type Chart struct {
	Title          string
	XLabel, YLabel string
	LogX, LogY     bool
	Series         []Series
}

// Size of the picture and its margins, in pixels.
const (
	width, height            = 640, 400
	left, right, top, bottom = 72, 170, 40, 56
)

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"}

// WriteFile writes c as SVG to path, creating its folder.
func WriteFile(path string, c Chart) error {
	var b bytes.Buffer
	if err := Write(&b, c); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// Write writes c as SVG to w. It fails for a chart without points, or with
// a point that is not finite (or not positive on a log axis).
func Write(w io.Writer, c Chart) error {
	var xs, ys []float64
	for _, s := range c.Series {
		for _, p := range s.Points {
			if math.IsNaN(p.X) || math.IsInf(p.X, 0) || math.IsNaN(p.Y) || math.IsInf(p.Y, 0) ||
				(c.LogX && p.X <= 0) || (c.LogY && p.Y <= 0) {
				return fmt.Errorf("curves: %s: point (%v, %v) cannot be drawn", s.Name, p.X, p.Y)
			}
			xs, ys = append(xs, p.X), append(ys, p.Y)
		}
	}
	if len(xs) == 0 {
		return errors.New("curves: no points")
	}
	xa, ya := newAxis(xs, c.LogX), newAxis(ys, c.LogY)
	px := func(x float64) float64 { return left + xa.frac(x)*(width-left-right) }
	py := func(y float64) float64 { return height - bottom - ya.frac(y)*(height-top-bottom) }

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#fff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", left, esc(c.Title))
	// Grid and ticks.
	for _, t := range xa.ticks {
		x := px(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x, top, x, height-bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, height-bottom+16, esc(label(t)))
	}
	for _, t := range ya.ticks {
		y := py(t)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, y, width-right, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y+4, esc(label(t)))
	}
	// Axes and their labels.
	fmt.Fprintf(&b, `<path d="M%d %d V%d H%d" fill="none" stroke="#000"/>`+"\n", left, top, height-bottom, width-right)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", (left+width-right)/2, height-14, esc(c.XLabel))
	fmt.Fprintf(&b, `<text x="16" y="%d" text-anchor="middle" transform="rotate(-90 16 %d)">%s</text>`+"\n", (top+height-bottom)/2, (top+height-bottom)/2, esc(c.YLabel))
	// Lines, points and the legend.
	for i, s := range c.Series {
		color := palette[i%len(palette)]
		pts := slices.Clone(s.Points)
		slices.SortStableFunc(pts, func(a, b Point) int { return cmpFloat(a.X, b.X) })
		if len(pts) > 1 {
			b.WriteString(`<polyline fill="none" stroke-width="2" stroke="` + color + `" points="`)
			for j, p := range pts {
				if j > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%.1f,%.1f", px(p.X), py(p.Y))
			}
			b.WriteString(`"/>` + "\n")
		}
		for _, p := range pts {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s: %s, %s</title></circle>`+"\n",
				px(p.X), py(p.Y), color, esc(s.Name), esc(label(p.X)), esc(label(p.Y)))
		}
		ly := top + 10 + 20*i
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", width-right+14, ly, width-right+36, ly, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", width-right+42, ly+4, esc(s.Name))
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// axis maps values to [0, 1].
type axis struct {
	lo, hi float64 // in the scale's units (log10 on a log axis)
	log    bool
	ticks  []float64
}

func newAxis(v []float64, log bool) axis {
	lo, hi := slices.Min(v), slices.Max(v)
	if log {
		a := axis{log: true, lo: math.Floor(math.Log10(lo)), hi: math.Ceil(math.Log10(hi))}
		if a.hi == a.lo {
			a.hi++
		}
		for e := a.lo; e <= a.hi; e++ {
			a.ticks = append(a.ticks, math.Pow(10, e))
		}
		return a
	}
	lo = min(lo, 0)
	if hi <= lo {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / 5)
	a := axis{lo: math.Floor(lo/step) * step, hi: math.Ceil(hi/step) * step}
	for t := a.lo; t <= a.hi+step/2; t += step {
		a.ticks = append(a.ticks, t)
	}
	return a
}

func (a axis) frac(v float64) float64 {
	if a.log {
		v = math.Log10(v)
	}
	return (v - a.lo) / (a.hi - a.lo)
}

// niceStep rounds a tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// label writes a tick or value briefly: 50000 as 50k, 1.5e6 as 1.5M.
func label(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 4, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'g', 4, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func esc(s string) string { return html.EscapeString(s) }

// Sizes reads a comma-separated list of sizes, such as "5000,50000", from
// the environment variable env, or def when it is unset.
func Sizes(env, def string) ([]int, error) {
	spec := os.Getenv(env)
	if spec == "" {
		spec = def
	}
	var out []int
	for _, f := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s=%q: want sizes such as %s", env, spec, def)
		}
		out = append(out, n)
	}
	return out, nil
}

// Label is a size as a short label: 5000 is "5k", 1000000 "1M".
func Label(n int) string {
	switch {
	case n%1000000 == 0:
		return strconv.Itoa(n/1000000) + "M"
	case n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}
