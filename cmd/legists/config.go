package main

// Configuration: every setting is a flag that also reads a LEGISTS_*
// environment variable (flags.go), and the environment may be filled in
// from a config file:
//
//	legists --config /etc/legists/legists.env serve
//	legists serve --config /etc/legists/legists.env
//	LEGISTS_CONFIG=/etc/legists/legists.env legists serve
//
// The file is env-style, one KEY=value a line (the format of systemd's
// EnvironmentFile, so one file serves both): blank lines and lines starting
// with # are ignored, "export KEY=value" is accepted, and a value may be
// quoted with "..." (backslash escapes) or '...' (literal). A value from the
// file is used only when the variable is not set in the environment, so the
// order of precedence is: flag, then environment, then config file, then
// the built-in default. `legists config` prints what is in force and where
// each value came from, secrets masked.

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

func init() {
	register(command{name: "config", summary: "print the configuration in force and where each setting comes from", run: runConfig})
}

// setting is a known configuration variable.
type setting struct {
	Env  string
	Flag string // "" when only the environment sets it
	// Default is the flag default; Note says what an empty value means.
	Default string
	Note    string
	Secret  bool // mask the whole value
	Bool    bool // a boolean flag
}

// settings are the known variables, in the order `legists config` prints
// them. Other LEGISTS_* variables found in the environment or the config
// file are listed after them.
var settings = []setting{
	{Env: "LEGISTS_CONFIG", Flag: "config", Note: "no config file"},
	{Env: "LEGISTS_DB", Flag: "db", Default: defaultDSN},
	{Env: "LEGISTS_ADDR", Flag: "addr", Default: "127.0.0.1:8080"},
	{Env: "LEGISTS_BASE_URL", Flag: "base-url", Note: "http://ADDR"},
	{Env: "LEGISTS_SMTP", Flag: "smtp", Note: "mail goes to files in the outbox"},
	{Env: "LEGISTS_OUTBOX", Flag: "outbox", Default: "outbox"},
	{Env: "LEGISTS_MAIL_FROM", Flag: "from", Note: "newsletter@ the base URL's host"},
	{Env: "LEGISTS_ALLOW_PRIVATE", Flag: "allow-private", Default: "0", Bool: true},
	{Env: "LEGISTS_DEMO", Flag: "demo", Default: "0", Bool: true},
	{Env: "LEGISTS_LLM_URL", Flag: "llm-url", Note: "extractive drafting, no LLM"},
	{Env: "LEGISTS_LLM_MODEL", Flag: "llm-model"},
	{Env: "LEGISTS_LLM_KEY", Secret: true},
	{Env: "LEGISTS_LOG_LEVEL", Default: "info"},
	{Env: "LEGISTS_LOG_FORMAT", Flag: "log-format", Note: "text on a terminal, json otherwise"},
	{Env: "LEGISTS_WORKERS", Flag: "workers", Default: "8"},
	{Env: "LEGISTS_NO_JOBS", Flag: "no-jobs", Default: "0", Bool: true},
	{Env: "LEGISTS_TRUST_PROXY", Flag: "trust-proxy", Default: "0", Bool: true},
	{Env: "LEGISTS_METRICS_TOKEN", Flag: "metrics-token", Note: "/metrics needs no token", Secret: true},
	{Env: "LEGISTS_METRICS_ADDR", Flag: "metrics-addr", Note: "/metrics on the site's address"},
	{Env: "LEGISTS_FETCH_PAGES", Flag: "fetch-pages", Default: "auto"},
}

// Where a value came from.
const (
	sourceDefault = "default"
	sourceEnv     = "environment"
	sourceFile    = "config file"
	sourceFlag    = "flag"
)

// configState is what loadConfigFile found, for `legists config`.
var configState struct {
	file       string // the config file read, "" if none
	fileSource string // how it was named: flag or environment
	fromFile   map[string]bool
	// shadowed are file keys that the environment overrode.
	shadowed map[string]bool
	fileKeys []string
	// applied are the variables a previous call set, undone first so
	// that run may be called again in one process (tests).
	applied map[string]string
}

// loadConfigFile reads the config file named by --config FILE (anywhere
// before a "--" in args) or LEGISTS_CONFIG, and sets each of its variables
// that the environment does not already set. It returns args without the
// --config flag; ok is false (after printing the error) when the file
// cannot be read.
func loadConfigFile(args []string, stderr io.Writer) (rest []string, ok bool) {
	for k, v := range configState.applied {
		if os.Getenv(k) == v {
			os.Unsetenv(k)
		}
	}
	configState.applied = map[string]string{}
	configState.file, configState.fileSource = "", ""
	configState.fromFile, configState.shadowed, configState.fileKeys = map[string]bool{}, map[string]bool{}, nil

	path, named := "", false
	rest = make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				fmt.Fprintln(stderr, "legists: --config needs a FILE")
				return nil, false
			}
			i++
			value = args[i]
		}
		path, named = value, true
	}
	if named {
		configState.fileSource = sourceFlag
	} else if v := os.Getenv("LEGISTS_CONFIG"); v != "" {
		path, configState.fileSource = v, sourceEnv
	}
	if path == "" {
		return rest, true
	}
	vars, err := readConfigFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "legists: config file: %v\n", err)
		return nil, false
	}
	configState.file = path
	for _, kv := range vars {
		configState.fileKeys = append(configState.fileKeys, kv[0])
		if v, set := os.LookupEnv(kv[0]); set && v != "" {
			configState.shadowed[kv[0]] = true
			continue
		}
		os.Setenv(kv[0], kv[1])
		configState.applied[kv[0]] = kv[1]
		configState.fromFile[kv[0]] = true
	}
	// Commands started from this one see the same file.
	if os.Getenv("LEGISTS_CONFIG") != path {
		os.Setenv("LEGISTS_CONFIG", path)
		configState.applied["LEGISTS_CONFIG"] = path
	}
	return rest, true
}

var envKeyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// readConfigFile parses an env-style file into KEY, value pairs in order
// (a later line for the same key wins).
func readConfigFile(path string) ([][2]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseConfig(path, f)
}

func parseConfig(name string, r io.Reader) ([][2]string, error) {
	var out [][2]string
	index := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("%s:%d: not UTF-8 text", name, n)
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "export "))
		key, raw, found := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !found || !envKeyRE.MatchString(key) {
			return nil, fmt.Errorf("%s:%d: expected KEY=value, found %q", name, n, line)
		}
		value, err := configValue(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %v", name, n, key, err)
		}
		if i, dup := index[key]; dup {
			out[i][1] = value
			continue
		}
		index[key] = len(out)
		out = append(out, [2]string{key, value})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// configValue unquotes a value: "..." with backslash escapes, '...' as it
// is, or bare text up to a " #" comment.
func configValue(raw string) (string, error) {
	switch {
	case strings.HasPrefix(raw, `"`):
		end := -1
		for i := 1; i < len(raw); i++ {
			if raw[i] == '\\' {
				i++
				continue
			}
			if raw[i] == '"' {
				end = i
				break
			}
		}
		if end < 0 {
			return "", fmt.Errorf("unterminated double quote")
		}
		if rest := strings.TrimSpace(raw[end+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", fmt.Errorf("text after the closing quote")
		}
		inner := raw[1:end]
		var b strings.Builder
		for i := 0; i < len(inner); i++ {
			c := inner[i]
			if c != '\\' || i+1 >= len(inner) {
				b.WriteByte(c)
				continue
			}
			i++
			switch inner[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default: // \" \\ \$ and anything else: the character itself
				b.WriteByte(inner[i])
			}
		}
		return b.String(), nil
	case strings.HasPrefix(raw, `'`):
		end := strings.IndexByte(raw[1:], '\'')
		if end < 0 {
			return "", fmt.Errorf("unterminated single quote")
		}
		if rest := strings.TrimSpace(raw[end+2:]); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", fmt.Errorf("text after the closing quote")
		}
		return raw[1 : end+1], nil
	}
	if i := strings.Index(raw, " #"); i >= 0 {
		raw = raw[:i]
	}
	return strings.TrimSpace(raw), nil
}

// configEntry is one line of `legists config`.
type configEntry struct {
	Name   string `json:"name"`
	Flag   string `json:"flag,omitempty"`
	Value  string `json:"value"`
	Source string `json:"source"`
	// Note says what an empty value means, or that a config file value
	// was overridden.
	Note string `json:"note,omitempty"`
}

func runConfig(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("config", "config [--json] [--config FILE] [--db DSN] [--addr HOST:PORT] ...", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	// The flags of the settings, so that `legists config --db X` shows
	// what a command given the same flags would use.
	flagValues := map[string]func() string{}
	for _, s := range settings {
		if s.Flag == "" || s.Flag == "config" {
			continue
		}
		usage := "as the commands' --" + s.Flag + " (env " + s.Env + ")"
		if s.Bool {
			b := fs.Bool(s.Flag, false, usage)
			flagValues[s.Flag] = func() string {
				if *b {
					return "1"
				}
				return "0"
			}
			continue
		}
		v := fs.String(s.Flag, "", usage)
		flagValues[s.Flag] = func() string { return *v }
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "legists config: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	setFlags := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { setFlags[f.Name] = true })

	var entries []configEntry
	known := map[string]bool{}
	for _, s := range settings {
		known[s.Env] = true
		e := configEntry{Name: s.Env, Value: s.Default, Source: sourceDefault}
		if s.Flag != "" {
			e.Flag = "--" + s.Flag
		}
		switch {
		case s.Env == "LEGISTS_CONFIG":
			if configState.file != "" {
				e.Value, e.Source = configState.file, configState.fileSource
			}
		case setFlags[s.Flag]:
			e.Value, e.Source = flagValues[s.Flag](), sourceFlag
		case configState.fromFile[s.Env]:
			e.Value, e.Source = os.Getenv(s.Env), sourceFile
		default:
			if v, ok := os.LookupEnv(s.Env); ok && v != "" {
				e.Value, e.Source = v, sourceEnv
			}
		}
		if configState.shadowed[s.Env] && e.Source == sourceEnv {
			e.Note = "overrides the config file"
		}
		if e.Value == "" && s.Note != "" {
			e.Note = s.Note
		}
		e.Value = maskSetting(s.Env, e.Value, s.Secret)
		entries = append(entries, e)
	}
	// Other LEGISTS_* variables: from the config file, then the
	// environment.
	var others []string
	for _, k := range configState.fileKeys {
		if !known[k] {
			others = append(others, k)
			known[k] = true
		}
	}
	var envOthers []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LEGISTS_") && !known[k] {
			envOthers = append(envOthers, k)
			known[k] = true
		}
	}
	sort.Strings(envOthers)
	for _, k := range append(others, envOthers...) {
		e := configEntry{Name: k, Value: os.Getenv(k), Source: sourceEnv}
		if configState.fromFile[k] {
			e.Source = sourceFile
		} else if configState.shadowed[k] {
			e.Note = "overrides the config file"
		}
		e.Value = maskSetting(k, e.Value, false)
		entries = append(entries, e)
	}

	if *asJSON {
		writeJSON(stdout, map[string]any{"config_file": configState.file, "settings": entries})
		return exitOK
	}
	w := 0
	for _, e := range entries {
		w = max(w, len(e.Name))
	}
	vw := 0
	for _, e := range entries {
		vw = max(vw, min(len(displayValue(e.Value)), 48))
	}
	for _, e := range entries {
		src := e.Source
		if e.Source == sourceFile {
			src += " " + configState.file
		}
		if e.Note != "" {
			src += " (" + e.Note + ")"
		}
		fmt.Fprintf(stdout, "%-*s  %-*s  %s\n", w, e.Name, vw, displayValue(e.Value), src)
	}
	return exitOK
}

func displayValue(v string) string {
	if v == "" {
		return `""`
	}
	if strings.ContainsAny(v, " \t\n\"'") {
		return strconv.Quote(v)
	}
	return v
}

// secretName are parts of variable names whose values are secrets.
var secretName = []string{"KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASS"}

// secretParams are URL query and libpq keyword parameters that hold
// secrets.
var secretParamRE = regexp.MustCompile(`(?i)\b(password|passwd|pass|pwd|secret|token|api_?key|key|sslpassword)=([^&\s]*)`)

// maskSetting hides secrets in a value: whole values of secret variables
// (names with KEY, TOKEN, PASSWORD, ...), the password of a URL's user
// info (postgres://user:xxxxx@host, smtp://user:xxxxx@host) and secret
// query or keyword parameters (password=xxxxx).
func maskSetting(name, value string, secret bool) string {
	if value == "" {
		return ""
	}
	if !secret {
		upper := strings.ToUpper(name)
		for _, s := range secretName {
			if strings.Contains(upper, s) {
				secret = true
				break
			}
		}
	}
	if secret {
		return "xxxxx"
	}
	return maskURL(value)
}

// maskURL hides the password and secret parameters of a URL or DSN.
func maskURL(v string) string {
	if u, err := url.Parse(v); err == nil && u.Scheme != "" && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			v = u.String()
		}
	} else if err != nil {
		// Not a parseable URL: mask anything between "://user:" and "@".
		if i := strings.Index(v, "://"); i >= 0 {
			if at := strings.LastIndex(v, "@"); at > i {
				if c := strings.Index(v[i+3:at], ":"); c >= 0 {
					v = v[:i+3+c+1] + "xxxxx" + v[at:]
				}
			}
		}
	}
	return secretParamRE.ReplaceAllString(v, "${1}=xxxxx")
}
