package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/web"
)

func init() {
	register(command{name: "users", summary: "manage the editor's desk accounts: users add|list|passwd|token", run: runUsers})
}

// usersStdin is where passwords are read from; tests replace it.
var usersStdin io.Reader = os.Stdin

const usersSynopsis = `users add --email EMAIL [--name NAME] [--role admin|editor|author] [--db DSN]
       legists users passwd --email EMAIL [--db DSN]
       legists users list [--json] [--db DSN]
       legists users token --email EMAIL [--name NAME] [--db DSN]

The password is read from the environment variable LEGISTS_PASSWORD or,
failing that, from the first line of standard input. 'users add' with no
users in the database creates the first admin.`

func runUsers(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(stderr, "Usage: legists %s\n", usersSynopsis)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	sub, rest := args[0], args[1:]
	fs := newFlagSet("users "+sub, usersSynopsis, stderr)
	dsn := dbFlag(fs)
	email := fs.String("email", "", "the user's email address")
	name := fs.String("name", "", "the user's name (add), or the token's name (token)")
	role := fs.String("role", "", "admin, editor or author (default: admin for the first user, else author)")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	if code, done := parseFlags(fs, rest); done {
		return code
	}
	ctx := context.Background()
	switch sub {
	case "add", "passwd", "list", "token":
	default:
		fmt.Fprintf(stderr, "legists users: unknown subcommand %q (want add, passwd, list or token)\n", sub)
		return exitUsage
	}
	if sub != "list" && strings.TrimSpace(*email) == "" {
		fmt.Fprintf(stderr, "legists users %s: --email is required\n", sub)
		return exitUsage
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "legists users: %v\n", err)
		return 1
	}
	defer st.Close()
	desk, ok := st.(store.Desk)
	if !ok {
		fmt.Fprintln(stderr, "legists users: this store has no desk tables")
		return 1
	}
	switch sub {
	case "add":
		n, err := desk.CountUsers(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "legists users: %v\n", err)
			return 1
		}
		r := brief.Role(*role)
		if r == "" {
			r = brief.RoleAuthor
			if n == 0 {
				r = brief.RoleAdmin
			}
		}
		pw, err := readPassword()
		if err != nil {
			fmt.Fprintf(stderr, "legists users add: %v\n", err)
			return exitUsage
		}
		u, err := web.NewUser(*email, *name, r, pw)
		if err != nil {
			fmt.Fprintf(stderr, "legists users add: %v\n", err)
			return exitUsage
		}
		if err := desk.CreateUser(ctx, u); errors.Is(err, store.ErrConflict) {
			fmt.Fprintf(stderr, "legists users add: a user with the email %s exists\n", u.Email)
			return 1
		} else if err != nil {
			fmt.Fprintf(stderr, "legists users add: %v\n", err)
			return 1
		}
		_ = desk.AppendAudit(ctx, &store.AuditEntry{Actor: "cli", Action: "user.add", Target: u.Email, Detail: "role " + string(u.Role)})
		fmt.Fprintf(stdout, "added %s (%s) as %s\n", u.Email, u.Name, u.Role)
	case "passwd":
		u, err := desk.GetUserByEmail(ctx, *email)
		if err != nil {
			fmt.Fprintf(stderr, "legists users passwd: %s: %v\n", *email, err)
			return 1
		}
		pw, err := readPassword()
		if err != nil {
			fmt.Fprintf(stderr, "legists users passwd: %v\n", err)
			return exitUsage
		}
		if len(pw) < auth.MinPasswordLen {
			fmt.Fprintf(stderr, "legists users passwd: the password must have at least %d characters\n", auth.MinPasswordLen)
			return exitUsage
		}
		if u.PasswordHash, err = auth.HashPassword(pw); err != nil {
			fmt.Fprintf(stderr, "legists users passwd: %v\n", err)
			return 1
		}
		if err := desk.UpdateUser(ctx, u); err != nil {
			fmt.Fprintf(stderr, "legists users passwd: %v\n", err)
			return 1
		}
		_ = desk.DeleteUserSessions(ctx, u.ID)
		_ = desk.AppendAudit(ctx, &store.AuditEntry{Actor: "cli", Action: "user.password", Target: u.Email})
		fmt.Fprintf(stdout, "password changed for %s\n", u.Email)
	case "list":
		users, err := desk.ListUsers(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "legists users list: %v\n", err)
			return 1
		}
		if *asJSON {
			if users == nil {
				users = []store.User{}
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			_ = enc.Encode(map[string]any{"users": users})
			return exitOK
		}
		for _, u := range users {
			fmt.Fprintf(stdout, "%-32s %-8s %s\n", u.Email, u.Role, u.Name)
		}
	case "token":
		u, err := desk.GetUserByEmail(ctx, *email)
		if err != nil {
			fmt.Fprintf(stderr, "legists users token: %s: %v\n", *email, err)
			return 1
		}
		m := &auth.Manager{Store: desk}
		tname := *name
		if tname == "" {
			tname = "cli " + time.Now().UTC().Format("2006-01-02")
		}
		secret, t, err := m.NewAPIToken(ctx, u, tname)
		if err != nil {
			fmt.Fprintf(stderr, "legists users token: %v\n", err)
			return 1
		}
		_ = desk.AppendAudit(ctx, &store.AuditEntry{Actor: "cli", Action: "token.create", Target: t.Prefix, Detail: tname + " for " + u.Email})
		fmt.Fprintln(stdout, secret)
	}
	return exitOK
}

func readPassword() (string, error) {
	if pw := os.Getenv("LEGISTS_PASSWORD"); pw != "" {
		return pw, nil
	}
	line, err := bufio.NewReader(usersStdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password: set LEGISTS_PASSWORD or give it on standard input")
	}
	return pw, nil
}
