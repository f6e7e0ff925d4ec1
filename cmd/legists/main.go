// Command legists is the one binary of Legists: the website, the editor's
// desk, the API and the background workers (serve), and the tools an editor
// or operator runs from a shell (import, check, tag, draft, sources, ingest,
// digest, backup, restore).
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
)

// Exit codes shared by every subcommand.
const (
	exitOK       = 0
	exitFindings = 1 // the command ran and found errors in its input
	exitUsage    = 2 // unreadable input or wrong usage
)

// command is one subcommand. Each lives in its own file and registers itself
// from init, so adding one touches no shared table.
type command struct {
	name    string
	summary string
	run     runFunc
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("legists: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	// LEGISTS_CPUPROFILE=FILE writes a CPU profile of the whole run (for
	// the benchmarks: see bench/README.md).
	if path := os.Getenv("LEGISTS_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			code := run(os.Args[1:], os.Stdout, os.Stderr)
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand; tests call it directly.
func run(args []string, stdout, stderr io.Writer) int {
	args, ok := loadConfigFile(args, stderr) // --config FILE or LEGISTS_CONFIG (config.go)
	if !ok {
		return exitUsage
	}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return c.run([]string{"--help"}, stdout, stderr)
			}
			fmt.Fprintf(stderr, "legists: unknown command %q\n", args[1])
			return exitUsage
		}
		usage(stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "legists: unknown command %q (run 'legists help')\n", args[0])
		return exitUsage
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Legists turns the day's news into short, sourced briefs for the legal sector.")
	fmt.Fprintln(w, "\nUsage: legists COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'legists COMMAND --help' for a command's flags.")
}

// runFunc is the signature of every command and subcommand.
type runFunc func(args []string, stdout, stderr io.Writer) int

// runSubcommand dispatches "legists NAME SUB ..." to subs[SUB], printing
// usage for help and for a missing or unknown SUB.
func runSubcommand(name, usage string, subs map[string]runFunc, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if sub, ok := subs[args[0]]; ok {
		return sub(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "legists %s: unknown command %q\n\n%s", name, args[0], usage)
	return exitUsage
}
