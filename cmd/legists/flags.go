package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// defaultDSN is the embedded database a small desk runs on.
const defaultDSN = "sqlite:./legists.db"

// newFlagSet makes a flag set for a subcommand that prints its usage to
// stderr and returns errors instead of exiting.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: legists %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// envString is a flag default read from the environment: every flag of the
// contract also reads a LEGISTS_* variable.
func envString(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// envBool reads a boolean environment variable ("1", "true", "yes").
func envBool(key string) bool {
	switch strings.ToLower(os.Getenv(key)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// dbFlag adds the --db flag every database command takes.
func dbFlag(fs *flag.FlagSet) *string {
	return secretFlag(fs, "db", envString("LEGISTS_DB", defaultDSN), "database: sqlite:PATH or postgres://... (env LEGISTS_DB)")
}

// secretFlag is a string flag whose value --help shows with any password
// masked: its default may come from the environment.
func secretFlag(fs *flag.FlagSet, name, value, usage string) *string {
	p := new(string)
	*p = value
	fs.Var(secretString{p}, name, usage)
	return p
}

type secretString struct{ p *string }

func (s secretString) String() string {
	if s.p == nil {
		return ""
	}
	return maskURL(*s.p)
}

func (s secretString) Set(v string) error {
	*s.p = v
	return nil
}

// parseFlags parses args; it returns exitOK with done=true for --help and
// exitUsage for bad flags.
func parseFlags(fs *flag.FlagSet, args []string) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK, true
		}
		return exitUsage, true
	}
	return exitOK, false
}

// tokenFlag is a string flag whose value --help never shows: its default
// may come from the environment.
func tokenFlag(fs *flag.FlagSet, name, value, usage string) *string {
	p := new(string)
	*p = value
	fs.Var(hiddenString{p}, name, usage)
	return p
}

type hiddenString struct{ p *string }

func (s hiddenString) String() string {
	if s.p == nil || *s.p == "" {
		return ""
	}
	return "xxxxx"
}

func (s hiddenString) Set(v string) error {
	*s.p = v
	return nil
}
