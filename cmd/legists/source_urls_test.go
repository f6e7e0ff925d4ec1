package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The CLI's entry points refuse source links that are not http(s):
// `import` (brief validation) and `sources add`.
func TestCLISourceURLsWebOnly(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(briefFixtures, "valid-editing.md"))
	if err != nil {
		t.Fatal(err)
	}
	first := regexp.MustCompile(`\]\(https?://[^)]+\)`)
	if !first.Match(src) {
		t.Fatal("fixture has no link")
	}
	for _, bad := range []string{"javascript:document.location=1", "data:text/html,x"} {
		done := false
		text := first.ReplaceAllStringFunc(string(src), func(m string) string {
			if done {
				return m
			}
			done = true
			return "](" + bad + ")"
		})
		f := filepath.Join(t.TempDir(), "bad.md")
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runCLI(t, "import", "--dry-run", f)
		if code != exitUsage || !strings.Contains(errOut, "only http:// and https:// links") {
			t.Errorf("import with source %q: exit %d, %q", bad, code, errOut)
		}
		code, _, errOut = runCLI(t, "sources", "add", "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"), bad)
		if code != exitUsage || !strings.Contains(errOut, "not an absolute http or https URL") {
			t.Errorf("sources add %q: exit %d, %q", bad, code, errOut)
		}
	}
}
