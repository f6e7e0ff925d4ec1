package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// clearConfigEnv unsets the settings' variables for the test (restored at
// its end).
func clearConfigEnv(t *testing.T) {
	t.Helper()
	for _, s := range settings {
		t.Setenv(s.Env, "")
		os.Unsetenv(s.Env)
	}
	for _, k := range []string{"LEGISTS_PASSWORD", "LEGISTS_EXTRA", "LEGISTS_TEST_POSTGRES"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func configJSON(t *testing.T, args ...string) map[string]configEntry {
	t.Helper()
	code, out, errOut := runCLI(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		ConfigFile string        `json:"config_file"`
		Settings   []configEntry `json:"settings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := map[string]configEntry{}
	for _, e := range got.Settings {
		m[e.Name] = e
	}
	return m
}

func TestConfigDefaults(t *testing.T) {
	clearConfigEnv(t)
	m := configJSON(t, "config", "--json")
	if e := m["LEGISTS_DB"]; e.Value != defaultDSN || e.Source != sourceDefault || e.Flag != "--db" {
		t.Errorf("db: %+v", e)
	}
	if e := m["LEGISTS_ADDR"]; e.Value != "127.0.0.1:8080" || e.Source != sourceDefault {
		t.Errorf("addr: %+v", e)
	}
	if e := m["LEGISTS_SMTP"]; e.Value != "" || !strings.Contains(e.Note, "outbox") {
		t.Errorf("smtp: %+v", e)
	}
	for _, k := range []string{"LEGISTS_CONFIG", "LEGISTS_BASE_URL", "LEGISTS_ALLOW_PRIVATE", "LEGISTS_LLM_KEY"} {
		if _, ok := m[k]; !ok {
			t.Errorf("%s not listed", k)
		}
	}
}

func TestConfigPrecedenceAndMasking(t *testing.T) {
	clearConfigEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "legists.env")
	os.WriteFile(file, []byte(`# Legists settings
export LEGISTS_DB="postgres://legists:s3cret@db.internal:5432/legists?sslmode=require"
LEGISTS_ADDR=0.0.0.0:9000   # a comment
LEGISTS_SMTP='smtp://mailer:p@ss w0rd@smtp.internal:587'
LEGISTS_LLM_KEY=sk-abcdef0123456789
LEGISTS_BASE_URL=https://file.example
LEGISTS_PASSWORD=hunter2
LEGISTS_EXTRA=plain
`), 0o600)
	t.Setenv("LEGISTS_BASE_URL", "https://env.example") // the environment beats the file

	m := configJSON(t, "config", "--json", "--config", file, "--addr", "127.0.0.1:7000")
	if e := m["LEGISTS_CONFIG"]; e.Value != file || e.Source != sourceFlag {
		t.Errorf("config: %+v", e)
	}
	if e := m["LEGISTS_DB"]; e.Source != sourceFile || e.Value != "postgres://legists:xxxxx@db.internal:5432/legists?sslmode=require" {
		t.Errorf("db: %+v", e)
	}
	if e := m["LEGISTS_ADDR"]; e.Source != sourceFlag || e.Value != "127.0.0.1:7000" {
		t.Errorf("addr: %+v", e)
	}
	if e := m["LEGISTS_BASE_URL"]; e.Source != sourceEnv || e.Value != "https://env.example" || !strings.Contains(e.Note, "overrides") {
		t.Errorf("base url: %+v", e)
	}
	if e := m["LEGISTS_SMTP"]; e.Source != sourceFile || strings.Contains(e.Value, "w0rd") || !strings.Contains(e.Value, "mailer:xxxxx@smtp.internal:587") {
		t.Errorf("smtp: %+v", e)
	}
	if e := m["LEGISTS_LLM_KEY"]; e.Value != "xxxxx" || e.Source != sourceFile {
		t.Errorf("llm key: %+v", e)
	}
	if e := m["LEGISTS_PASSWORD"]; e.Value != "xxxxx" {
		t.Errorf("password: %+v", e)
	}
	if e := m["LEGISTS_EXTRA"]; e.Value != "plain" || e.Source != sourceFile {
		t.Errorf("extra: %+v", e)
	}
	// The file's values reach the commands as environment defaults.
	if got := envString("LEGISTS_DB", defaultDSN); !strings.HasPrefix(got, "postgres://legists:s3cret@") {
		t.Errorf("LEGISTS_DB seen by commands: %q", got)
	}

	// Text output says the same, without secrets.
	code, out, _ := runCLI(t, "--config="+file, "config")
	if code != exitOK || strings.Contains(out, "s3cret") || strings.Contains(out, "hunter2") || strings.Contains(out, "sk-abc") || strings.Contains(out, "w0rd") {
		t.Errorf("text output shows a secret or failed (%d):\n%s", code, out)
	}
	if !strings.Contains(out, "config file "+file) || !strings.Contains(out, "LEGISTS_DB") {
		t.Errorf("text output:\n%s", out)
	}
}

func TestConfigFromEnvVariable(t *testing.T) {
	clearConfigEnv(t)
	file := filepath.Join(t.TempDir(), "x.env")
	os.WriteFile(file, []byte("LEGISTS_DB=sqlite:/var/lib/legists/legists.db\r\nLEGISTS_ALLOW_PRIVATE=1\r\n"), 0o600)
	t.Setenv("LEGISTS_CONFIG", file)
	m := configJSON(t, "config", "--json")
	if e := m["LEGISTS_CONFIG"]; e.Value != file || e.Source != sourceEnv {
		t.Errorf("config: %+v", e)
	}
	if e := m["LEGISTS_DB"]; e.Value != "sqlite:/var/lib/legists/legists.db" || e.Source != sourceFile {
		t.Errorf("db: %+v", e)
	}
	if e := m["LEGISTS_ALLOW_PRIVATE"]; e.Value != "1" || !envBool("LEGISTS_ALLOW_PRIVATE") {
		t.Errorf("allow private: %+v", e)
	}
}

func TestConfigFileErrors(t *testing.T) {
	clearConfigEnv(t)
	dir := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{"LEGISTS_DB sqlite:x\n", ":1: expected KEY=value"},
		{"# ok\n\nLEGISTS_DB=\"unterminated\n", ":3: LEGISTS_DB: unterminated double quote"},
		{"1BAD=x\n", ":1: expected KEY=value"},
		{"A='x' y\n", "text after the closing quote"},
	} {
		file := filepath.Join(dir, "bad.env")
		os.WriteFile(file, []byte(c.text), 0o600)
		code, _, errOut := runCLI(t, "--config", file, "config")
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, %q (want %q)", c.text, code, errOut, c.want)
		}
	}
	if code, _, errOut := runCLI(t, "config", "--config", filepath.Join(dir, "missing.env")); code != exitUsage || !strings.Contains(errOut, "missing.env") {
		t.Errorf("missing file: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "config", "--config"); code != exitUsage || !strings.Contains(errOut, "needs a FILE") {
		t.Errorf("--config without a file: %d %s", code, errOut)
	}
}

func TestParseConfigValues(t *testing.T) {
	got, err := parseConfig("t", strings.NewReader("\ufeffA=1\nexport B = \"x \\\"y\\\" \\n z\" # c\nC='a\\b $D'\nD=bare # comment\nA=2\nE=\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"A", "2"}, {"B", "x \"y\" \n z"}, {"C", `a\b $D`}, {"D", "bare"}, {"E", ""}}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestMaskURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@h:5432/db?sslmode=disable":      "postgres://u:xxxxx@h:5432/db?sslmode=disable",
		"postgres://u@h/db":                              "postgres://u@h/db",
		"postgres://h/db?user=u&password=pw&sslmode=off": "postgres://h/db?user=u&password=xxxxx&sslmode=off",
		"host=h user=u password=pw dbname=d":             "host=h user=u password=xxxxx dbname=d",
		"smtp://user:p%40ss@mail:25":                     "smtp://user:xxxxx@mail:25",
		"sqlite:./legists.db":                            "sqlite:./legists.db",
	} {
		if got := maskURL(in); got != want {
			t.Errorf("maskURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigFlagAfterCommand(t *testing.T) {
	clearConfigEnv(t)
	file := filepath.Join(t.TempDir(), "c.env")
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "from-file.db")
	os.WriteFile(file, []byte("LEGISTS_DB="+dsn+"\n"), 0o600)
	// A command that takes --db: the file supplies it.
	out := filepath.Join(t.TempDir(), "b.lgz")
	code, _, errOut := runCLI(t, "backup", "--config", file, "--to", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(strings.TrimPrefix(dsn, "sqlite:")); err != nil {
		t.Errorf("the database named by the config file was not used: %v", err)
	}
}
