package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/web"
)

func init() {
	register(command{name: "users", summary: "manage the editor's desk accounts: users add|list|passwd|token|role|disable|enable|remove", run: runUsers})
}

// usersStdin is where passwords are read from; tests replace it.
var usersStdin io.Reader = os.Stdin

const usersSynopsis = `users add --email EMAIL [--name NAME] [--role admin|editor|author] [--db DSN]
       legists users passwd --email EMAIL [--revoke-tokens] [--db DSN]
       legists users list [--json] [--db DSN]
       legists users token --email EMAIL [--name NAME] [--expires DAYS] [--db DSN]
       legists users role --email EMAIL --role admin|editor|author [--db DSN]
       legists users disable|enable|remove --email EMAIL [--db DSN]

The password is read from the environment variable LEGISTS_PASSWORD or,
failing that, from the first line of standard input; it needs 12
characters or more and must not be a common password. 'users add' with no
users in the database creates the first admin. 'passwd' ends the user's
sessions (and, with --revoke-tokens, deletes their API tokens). A token
expires after --expires days (0: never). A disabled user cannot log in and
their sessions and tokens stop working at once; the last enabled admin
cannot be demoted, disabled or removed. Every change is recorded in the
audit log, in the same transaction.`

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
	role := fs.String("role", "", "admin, editor or author (add: default admin for the first user, else author)")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	revoke := fs.Bool("revoke-tokens", false, "passwd: also delete the user's API tokens")
	expires := fs.Int("expires", 90, "token: days until the token expires (0: never)")
	if code, done := parseFlags(fs, rest); done {
		return code
	}
	ctx := context.Background()
	switch sub {
	case "add", "passwd", "list", "token", "role", "disable", "enable", "remove":
	default:
		fmt.Fprintf(stderr, "legists users: unknown subcommand %q (want add, passwd, list, token, role, disable, enable or remove)\n", sub)
		return exitUsage
	}
	if sub != "list" && strings.TrimSpace(*email) == "" {
		fmt.Fprintf(stderr, "legists users %s: --email is required\n", sub)
		return exitUsage
	}
	if sub == "role" && !auth.ValidRole(brief.Role(*role)) {
		fmt.Fprintf(stderr, "legists users role: --role must be admin, editor or author\n")
		return exitUsage
	}
	if sub == "token" && (*expires < 0 || *expires > 3650) {
		fmt.Fprintf(stderr, "legists users token: --expires %d: want 0 (never) to 3650 days\n", *expires)
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
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "legists users "+sub+": "+format+"\n", a...)
		return code
	}
	audit := func(action, target, detail string) context.Context {
		return store.WithAudit(ctx, store.AuditEntry{Actor: "cli", Action: action, Target: target, Detail: detail})
	}
	if sub == "list" {
		return listUsers(ctx, desk, *asJSON, stdout, fail)
	}
	if sub == "add" {
		return addUser(ctx, desk, *email, *name, brief.Role(*role), stdout, fail, audit)
	}
	u, err := desk.GetUserByEmail(ctx, *email)
	if err != nil {
		return fail(1, "%s: %v", *email, err)
	}
	switch sub {
	case "passwd":
		pw, err := readPassword()
		if err == nil {
			err = auth.CheckPassword(pw)
		}
		if err != nil {
			return fail(exitUsage, "%v", err)
		}
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return fail(1, "%v", err)
		}
		detail := "sessions ended"
		if *revoke {
			detail += ", API tokens revoked"
		}
		if err := desk.SetPassword(audit("user.password", u.Email, detail), u.ID, hash, "", *revoke); err != nil {
			return fail(1, "%v", err)
		}
		fmt.Fprintf(stdout, "password changed for %s (%s)\n", u.Email, detail)
	case "token":
		tname := *name
		if tname == "" {
			tname = "cli " + time.Now().UTC().Format("2006-01-02")
		}
		detail := tname + " for " + u.Email + ", never expires"
		if *expires > 0 {
			detail = tname + " for " + u.Email + ", expires in " + strconv.Itoa(*expires) + " days"
		}
		m := &auth.Manager{Store: desk}
		secret, _, err := m.NewAPIToken(ctx, u, tname, time.Duration(*expires)*24*time.Hour,
			&store.AuditEntry{Actor: "cli", Action: "token.create", Detail: detail})
		if err != nil {
			return fail(1, "%v", err)
		}
		fmt.Fprintln(stdout, secret)
	case "role", "disable", "enable":
		r, disabled, detail := u.Role, u.Disabled, ""
		switch sub {
		case "role":
			r, detail = brief.Role(*role), fmt.Sprintf("%s → %s", u.Role, *role)
		case "disable":
			disabled = true
		case "enable":
			disabled = false
		}
		err := desk.SetUserAccess(audit("user."+sub, u.Email, detail), u.ID, r, disabled)
		if errors.Is(err, store.ErrLastAdmin) {
			return fail(1, "%s is the last enabled admin: make another user admin first", u.Email)
		}
		if err != nil {
			return fail(1, "%v", err)
		}
		fmt.Fprintf(stdout, "%s: role %s, %s\n", u.Email, r, map[bool]string{true: "disabled", false: "enabled"}[disabled])
	case "remove":
		err := desk.DeleteUser(audit("user.remove", u.Email, ""), u.ID)
		if errors.Is(err, store.ErrLastAdmin) {
			return fail(1, "%s is the last enabled admin: make another user admin first", u.Email)
		}
		if err != nil {
			return fail(1, "%v", err)
		}
		fmt.Fprintf(stdout, "removed %s\n", u.Email)
	}
	return exitOK
}

func addUser(ctx context.Context, desk store.Desk, email, name string, r brief.Role, stdout io.Writer,
	fail func(int, string, ...any) int, audit func(action, target, detail string) context.Context) int {
	n, err := desk.CountUsers(ctx)
	if err != nil {
		return fail(1, "%v", err)
	}
	if r == "" {
		r = brief.RoleAuthor
		if n == 0 {
			r = brief.RoleAdmin
		}
	}
	pw, err := readPassword()
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	u, err := web.NewUser(email, name, r, pw)
	if errors.Is(err, auth.ErrBusy) {
		return fail(1, "%v", err)
	}
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	if err := desk.CreateUser(audit("user.add", u.Email, "role "+string(u.Role)), u); errors.Is(err, store.ErrConflict) {
		return fail(1, "a user with the email %s exists", u.Email)
	} else if err != nil {
		return fail(1, "%v", err)
	}
	fmt.Fprintf(stdout, "added %s (%s) as %s\n", u.Email, u.Name, u.Role)
	return exitOK
}

func listUsers(ctx context.Context, desk store.Desk, asJSON bool, stdout io.Writer, fail func(int, string, ...any) int) int {
	users, err := desk.ListUsers(ctx)
	if err != nil {
		return fail(1, "%v", err)
	}
	if asJSON {
		if users == nil {
			users = []store.User{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"users": users})
		return exitOK
	}
	for _, u := range users {
		state := ""
		if u.Disabled {
			state = " (disabled)"
		}
		fmt.Fprintf(stdout, "%-32s %-8s %s%s\n", u.Email, u.Role, u.Name, state)
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
