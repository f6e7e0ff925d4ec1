package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/demo"
	"legists/internal/directory"
	"legists/internal/seedtest"
)

// readmeBlocks returns the README's ```sh blocks, each with the prose
// between it and the block before.
func readmeBlocks(t *testing.T, readme string) (blocks [][]string, intro []string) {
	t.Helper()
	f, err := os.Open(readme)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cur []string
	in, last := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ln := sc.Text()
		switch {
		case !in && strings.TrimSpace(ln) == "```sh":
			in, cur = true, nil
		case in && strings.TrimSpace(ln) == "```":
			in = false
			blocks, intro = append(blocks, cur), append(intro, last)
			last = ""
		case in:
			cur = append(cur, ln)
		default:
			last += ln + "\n"
		}
	}
	return blocks, intro
}

// copyRepo copies the repository's files (not .git, nor what tests and
// runs leave behind) into dir, as a fresh clone would have them.
func copyRepo(t *testing.T, root, dir string) {
	t.Helper()
	skip := map[string]bool{".git": true, "test-output": true, "outbox": true, "out": true}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if skip[d.Name()] && rel != "." {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if !d.Type().IsRegular() || strings.Contains(d.Name(), ".db") || strings.HasSuffix(d.Name(), ".backup") || d.Name() == "legists" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// shellPreamble makes `go run ./cmd/legists` run the binary built once by
// the test, so that the README's lines run as written without a link step
// each.
const shellPreamble = `go() { if [ "$1" = run ] && [ "$2" = ./cmd/legists ]; then shift 2; "$LEGISTS_TEST_BIN" "$@"; else command go "$@"; fi; }
`

var exitComment = regexp.MustCompile(`#\s*exit (\d+)`)

// TestReadmeTour runs the README's commands as a newcomer would, in a copy
// of the repository: `serve --demo` (left running, as the README says),
// `users add`, then every line of the tour. A line fails the test when its
// exit status is not 0, or not the one its comment announces ("# exit 1:
// ..."). The tour must not disturb the demo: as many briefs are public
// after it as before.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the tour")
	}
	root := seedtest.Root(t)
	blocks, intro := readmeBlocks(t, filepath.Join(root, "README.md"))
	var serveLine, usersLine string
	var tour []string
	for i, b := range blocks {
		for _, ln := range b {
			if strings.Contains(ln, "legists serve --demo") && serveLine == "" {
				serveLine = ln
			}
			if strings.Contains(ln, "legists users add") && usersLine == "" {
				usersLine = ln
			}
		}
		if strings.Contains(intro[i], "A tour") {
			tour = b
		}
	}
	if serveLine == "" || usersLine == "" || len(tour) < 5 {
		t.Fatalf("README: serve %q, users %q, tour of %d lines", serveLine, usersLine, len(tour))
	}

	dir := t.TempDir()
	copyRepo(t, root, dir)
	bin := filepath.Join(t.TempDir(), "legists")
	build := exec.Command("go", "build", "-o", bin, "./cmd/legists")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LEGISTS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "LEGISTS_TEST_BIN="+bin, "LEGISTS_ADDR="+addr, "LEGISTS_PASSWORD=correct horse battery staple", "LEGISTS_LOG_LEVEL=warn")
	shell := func(line string) *exec.Cmd {
		cmd := exec.Command("bash", "-c", shellPreamble+line)
		cmd.Dir, cmd.Env = dir, env
		return cmd
	}

	serveCmd := shell(serveLine)
	serveLog, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	serveCmd.Stdout, serveCmd.Stderr = serveLog, serveLog
	serveCmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := serveCmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = syscall.Kill(-serveCmd.Process.Pid, syscall.SIGTERM)
		_ = serveCmd.Wait()
	}()
	site := "http://" + addr
	for deadline := time.Now().Add(2 * time.Minute); ; {
		resp, err := http.Get(site + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(serveLog.Name())
			t.Fatalf("%s: the site never answered: %v\n%s", serveLine, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	publicBefore := publicBriefs(t, site)

	if out, err := shell(usersLine).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", usersLine, err, out)
	}
	vars := ""
	for _, line := range tour {
		code := strings.TrimSpace(line)
		if code == "" || strings.HasPrefix(code, "#") {
			continue
		}
		if isAssignments(code) {
			vars += code + "\n"
			continue
		}
		want := 0
		if m := exitComment.FindStringSubmatch(code); m != nil {
			want, _ = strconv.Atoi(m[1])
		}
		cmd := shell(vars + code)
		out, _ := cmd.CombinedOutput()
		got := cmd.ProcessState.ExitCode()
		if got != want {
			t.Errorf("README tour line failed (exit %d, want %d):\n  %s\n%s", got, want, code, tail(string(out), 2000))
			continue
		}
		t.Logf("ok (exit %d): %s", got, code)
	}
	if after := publicBriefs(t, site); after != publicBefore {
		t.Errorf("the tour changed the public briefs: %d before, %d after", publicBefore, after)
	}
}

// isAssignments reports whether a shell line only sets variables.
func isAssignments(line string) bool {
	for _, w := range strings.Fields(line) {
		if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`).MatchString(w) {
			return false
		}
	}
	return true
}

// publicBriefs counts the briefs the API lists to a reader.
func publicBriefs(t *testing.T, site string) int {
	t.Helper()
	resp, err := http.Get(site + "/api/v1/briefs?limit=1000")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var v struct{ Briefs []json.RawMessage }
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("/api/v1/briefs: %v: %s", err, tail(string(body), 300))
	}
	return len(v.Briefs)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("…%s", s[len(s)-n:])
}

// TestReadmeCounts keeps the README's figures of the demo true.
func TestReadmeCounts(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(seedtest.Root(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(data)), " ")
	entries, err := demo.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[string]int{}
	for _, e := range entries {
		byStatus[e.Status]++
	}
	events, err := demo.Events()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[brief.TopicKind]int{}
	for _, tp := range directory.Topics() {
		kinds[tp.Kind]++
	}
	for _, want := range []string{
		fmt.Sprintf("The demo holds %d briefs", len(entries)),
		fmt.Sprintf("%d are published and visible on the site; %d are still at the desk (%d drafts, %d in review)",
			byStatus["published"], byStatus["draft"]+byStatus["review"], byStatus["draft"], byStatus["review"]),
		fmt.Sprintf("a directory of %d law firms", len(directory.Firms())),
		fmt.Sprintf("(%d practice areas, %d jurisdictions)", kinds[brief.TopicPracticeArea], kinds[brief.TopicJurisdiction]),
		fmt.Sprintf("%d upcoming events", len(events)),
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README does not say %q", want)
		}
	}
}
