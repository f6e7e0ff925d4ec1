package curves

import (
	"bytes"
	"encoding/xml"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestWrite draws two series and reads the SVG back: well-formed XML,
// the title, axis labels and legend present, every point inside the plot
// area, and the larger y higher up.
func TestWrite(t *testing.T) {
	c := Chart{Title: "Digest run time", XLabel: "subscribers", YLabel: "seconds & more", LogX: true,
		Series: []Series{
			{Name: "SQLite", Points: []Point{{50000, 20}, {5000, 2}, {500000, 210}}},
			{Name: "PostgreSQL", Points: []Point{{5000, 3}, {50000, 31}}},
		}}
	var b bytes.Buffer
	if err := Write(&b, c); err != nil {
		t.Fatal(err)
	}
	type circle struct{ cx, cy float64 }
	var circles []circle
	var texts []string
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v\n%s", err, b.String())
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local == "circle" {
				var c circle
				for _, a := range el.Attr {
					v, _ := strconv.ParseFloat(a.Value, 64)
					switch a.Name.Local {
					case "cx":
						c.cx = v
					case "cy":
						c.cy = v
					}
				}
				circles = append(circles, c)
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(el)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"Digest run time", "subscribers", "seconds & more", "SQLite", "PostgreSQL", "|10k|", "|100k|", "|1M|"} {
		if !strings.Contains("|"+all+"|", want) {
			t.Errorf("SVG lacks %q: %s", want, all)
		}
	}
	if len(circles) != 5 {
		t.Fatalf("%d points drawn, want 5", len(circles))
	}
	for _, c := range circles {
		if c.cx < left || c.cx > width-right || c.cy < top || c.cy > height-bottom {
			t.Errorf("point %+v outside the plot area", c)
		}
	}
	// Series are drawn sorted by x: SQLite 5k, 50k, 500k.
	if !(circles[0].cx < circles[1].cx && circles[1].cx < circles[2].cx) || !(circles[0].cy > circles[1].cy && circles[1].cy > circles[2].cy) {
		t.Errorf("SQLite points not rising left to right: %+v", circles[:3])
	}
}

func TestWriteRefuses(t *testing.T) {
	for _, c := range []Chart{
		{},
		{Series: []Series{{Name: "a"}}},
		{LogX: true, Series: []Series{{Name: "a", Points: []Point{{0, 1}}}}},
	} {
		if err := Write(io.Discard, c); err == nil {
			t.Errorf("%+v drawn", c)
		}
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "sub", "x.svg"), Chart{Series: []Series{{Name: "a", Points: []Point{{1, 1}}}}}); err != nil {
		t.Error(err)
	}
}

func TestSizes(t *testing.T) {
	t.Setenv("LEGISTS_TEST_SIZES", "")
	if got, err := Sizes("LEGISTS_TEST_SIZES", "10,20"); err != nil || len(got) != 2 || got[0] != 10 || got[1] != 20 {
		t.Errorf("default: %v, %v", got, err)
	}
	t.Setenv("LEGISTS_TEST_SIZES", " 5000, 1000000")
	if got, err := Sizes("LEGISTS_TEST_SIZES", "10"); err != nil || len(got) != 2 || got[1] != 1000000 {
		t.Errorf("set: %v, %v", got, err)
	}
	t.Setenv("LEGISTS_TEST_SIZES", "5000,x")
	if _, err := Sizes("LEGISTS_TEST_SIZES", "10"); err == nil || !strings.Contains(err.Error(), `"5000,x"`) {
		t.Errorf("bad size: %v", err)
	}
	for n, want := range map[int]string{5000: "5k", 1000000: "1M", 1500: "1500", 2000000: "2M"} {
		if got := Label(n); got != want {
			t.Errorf("Label(%d) = %q, want %q", n, got, want)
		}
	}
}
