package sentence

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// goldenRulesFile is where bench/fetch-public-data puts the English Golden
// Rules of pragmatic_segmenter (public data, fetched at development time and
// never committed).
const goldenRulesFile = "../../bench/data/golden_rules_en.md"

type goldenRule struct {
	n, title, input string
	want            []string
}

var ruleHead = regexp.MustCompile(`^(\d+)\.\) \*\*(.*?)\*\*`)

// parseGoldenRules reads the rules: a numbered title, then a fenced block
// with the input on its first line and "=> [...]" the expected sentences.
func parseGoldenRules(text string) []goldenRule {
	var out []goldenRule
	var cur *goldenRule
	inBlock := false
	var body []string
	for _, line := range strings.Split(text, "\n") {
		if m := ruleHead.FindStringSubmatch(line); m != nil && !inBlock {
			out = append(out, goldenRule{n: m[1], title: m[2]})
			cur = &out[len(out)-1]
			continue
		}
		if strings.HasPrefix(line, "```") {
			if inBlock && cur != nil && len(body) >= 2 {
				cur.input = unescapeRule(body[0])
				cur.want = parseRuleArray(strings.Join(body[1:], "\n"))
			}
			inBlock, body = !inBlock, nil
			continue
		}
		if inBlock {
			body = append(body, line)
		}
	}
	return out
}

func unescapeRule(s string) string {
	return strings.NewReplacer(`\n`, "\n", `\"`, `"`).Replace(s)
}

// parseRuleArray reads `=> ["a", "b"]`: double-quoted strings.
func parseRuleArray(s string) []string {
	var out []string
	s = strings.TrimPrefix(strings.TrimSpace(s), "=>")
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		var b strings.Builder
		for i++; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					b.WriteByte('\n')
				default:
					b.WriteByte(s[i])
				}
				continue
			}
			b.WriteByte(s[i])
		}
		out = append(out, b.String())
	}
	return out
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestGoldenRules runs the Golden Rules when bench/fetch-public-data has
// fetched them, reports how many pass and fails under 50 of 52.
func TestGoldenRules(t *testing.T) {
	data, err := os.ReadFile(goldenRulesFile)
	if err != nil {
		t.Skipf("%s not fetched (run bench/fetch-public-data): %v", goldenRulesFile, err)
	}
	rules := parseGoldenRules(string(data))
	if len(rules) < 50 {
		t.Fatalf("parsed %d rules from %s, want 52", len(rules), goldenRulesFile)
	}
	pass := 0
	for _, r := range rules {
		var got []string
		for _, sp := range Split(r.input) {
			got = append(got, squash(sp.Text(r.input)))
		}
		var want []string
		for _, w := range r.want {
			want = append(want, squash(w))
		}
		if strings.Join(got, "\x00") == strings.Join(want, "\x00") {
			pass++
			continue
		}
		t.Logf("rule %s (%s):\n  got  %q\n  want %q", r.n, r.title, got, want)
	}
	t.Logf("Golden Rules: %d of %d pass", pass, len(rules))
	if pass < 50 {
		t.Errorf("Golden Rules: %d of %d pass, want at least 50", pass, len(rules))
	}
}
