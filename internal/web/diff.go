package web

import (
	"html"
	"html/template"
	"strings"
)

// diffLine is one line of a revision diff. HTML carries the line's text,
// escaped, with changed words wrapped in <del> or <ins> when the line
// replaces another.
type diffLine struct {
	Op         string // "eq", "add", "del"
	OldN, NewN int
	HTML       template.HTML
}

// lcsOps aligns a and b by a longest common subsequence and returns the
// edit script as ops: 'e' equal, 'd' delete from a, 'a' add from b.
func lcsOps(a, b []string) []byte {
	n, m := len(a), len(b)
	// Trim the common prefix and suffix to keep the table small.
	pre := 0
	for pre < n && pre < m && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < n-pre && suf < m-pre && a[n-1-suf] == b[m-1-suf] {
		suf++
	}
	ai, bi := a[pre:n-suf], b[pre:m-suf]
	var mid []byte
	if len(ai)*len(bi) > 4_000_000 { // too large to align: replace wholesale
		for range ai {
			mid = append(mid, 'd')
		}
		for range bi {
			mid = append(mid, 'a')
		}
	} else {
		rows, cols := len(ai)+1, len(bi)+1
		t := make([]int32, rows*cols)
		for i := len(ai) - 1; i >= 0; i-- {
			for j := len(bi) - 1; j >= 0; j-- {
				if ai[i] == bi[j] {
					t[i*cols+j] = t[(i+1)*cols+j+1] + 1
				} else {
					t[i*cols+j] = max(t[(i+1)*cols+j], t[i*cols+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ai) && j < len(bi) {
			switch {
			case ai[i] == bi[j]:
				mid = append(mid, 'e')
				i++
				j++
			case t[(i+1)*cols+j] >= t[i*cols+j+1]:
				mid = append(mid, 'd')
				i++
			default:
				mid = append(mid, 'a')
				j++
			}
		}
		for ; i < len(ai); i++ {
			mid = append(mid, 'd')
		}
		for ; j < len(bi); j++ {
			mid = append(mid, 'a')
		}
	}
	ops := make([]byte, 0, pre+len(mid)+suf)
	for range pre {
		ops = append(ops, 'e')
	}
	ops = append(ops, mid...)
	for range suf {
		ops = append(ops, 'e')
	}
	return ops
}

// diffLines diffs two texts line by line; a run of deleted lines followed
// by as many added lines is shown word by word.
func diffLines(oldText, newText string) []diffLine {
	a := splitLines(oldText)
	b := splitLines(newText)
	ops := lcsOps(a, b)
	var out []diffLine
	i, j := 0, 0
	for k := 0; k < len(ops); {
		switch ops[k] {
		case 'e':
			out = append(out, diffLine{Op: "eq", OldN: i + 1, NewN: j + 1, HTML: template.HTML(html.EscapeString(a[i]))})
			i++
			j++
			k++
		default:
			// gather a change block
			var dels, adds []int
			for k < len(ops) && ops[k] != 'e' {
				if ops[k] == 'd' {
					dels = append(dels, i)
					i++
				} else {
					adds = append(adds, j)
					j++
				}
				k++
			}
			if len(dels) == len(adds) {
				for x := range dels {
					dh, ah := wordDiff(a[dels[x]], b[adds[x]])
					out = append(out, diffLine{Op: "del", OldN: dels[x] + 1, HTML: dh})
					out = append(out, diffLine{Op: "add", NewN: adds[x] + 1, HTML: ah})
				}
				continue
			}
			for _, d := range dels {
				out = append(out, diffLine{Op: "del", OldN: d + 1, HTML: template.HTML(html.EscapeString(a[d]))})
			}
			for _, d := range adds {
				out = append(out, diffLine{Op: "add", NewN: d + 1, HTML: template.HTML(html.EscapeString(b[d]))})
			}
		}
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// tokens splits a line into words and the spaces between them.
func tokens(s string) []string {
	var out []string
	start := 0
	inSpace := false
	for i, r := range s {
		sp := r == ' ' || r == '\t'
		if i > 0 && sp != inSpace {
			out = append(out, s[start:i])
			start = i
		}
		inSpace = sp
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// wordDiff marks the words that differ between two versions of a line.
func wordDiff(a, b string) (template.HTML, template.HTML) {
	ta, tb := tokens(a), tokens(b)
	ops := lcsOps(ta, tb)
	var da, db strings.Builder
	i, j := 0, 0
	for _, op := range ops {
		switch op {
		case 'e':
			da.WriteString(html.EscapeString(ta[i]))
			db.WriteString(html.EscapeString(tb[j]))
			i++
			j++
		case 'd':
			da.WriteString("<del>" + html.EscapeString(ta[i]) + "</del>")
			i++
		case 'a':
			db.WriteString("<ins>" + html.EscapeString(tb[j]) + "</ins>")
			j++
		}
	}
	return template.HTML(strings.ReplaceAll(da.String(), "</del><del>", "")), template.HTML(strings.ReplaceAll(db.String(), "</ins><ins>", ""))
}
