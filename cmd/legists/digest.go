package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"legists/internal/digest"
	"legists/internal/mail"
	"legists/internal/metrics"
	"legists/internal/newsletter"
	"legists/internal/store"
)

func init() {
	register(command{name: "digest", summary: "send the e-mail digests that are due (digest send), or preview one", run: runDigest})
	// legists serve: the newsletter and events pages, and digests on a
	// schedule.
	serveRoutes = append(serveRoutes, addNewsletterRoutes)
	serveWorkers = append(serveWorkers, serveWorker{name: "digest", run: runDigestWorker})
}

const digestUsage = `Usage: legists digest COMMAND [flags]

Commands:
  send [--json]            build and send the digests that are due, then exit
  preview [--email ADDR]   print the digest a subscriber (default: a sample
                           reader of everything) would get now, as HTML
                           (--text: plain text)

Mail goes over SMTP with --smtp smtp://[user:pass@]host:port (env
LEGISTS_SMTP; smtps:// for implicit TLS; options in the query: tls=required,
conns=N, rate=PER_SECOND, retries=N, backoff=1s, timeout=30s); with none set,
mail goes to .eml files in --outbox (env LEGISTS_OUTBOX, default ./outbox).
Every command takes --db DSN (env LEGISTS_DB).
`

func runDigest(args []string, stdout, stderr io.Writer) int {
	return runSubcommand("digest", digestUsage, map[string]runFunc{
		"send":    runDigestSend,
		"preview": runDigestPreview,
	}, args, stdout, stderr)
}

// mailFlags are the flags of every command that sends mail.
type mailFlags struct {
	smtp, outbox, baseURL, from *string
	conns                       *int
	rate                        *float64
}

func addMailFlags(fs interface {
	String(string, string, string) *string
	Int(string, int, string) *int
	Float64(string, float64, string) *float64
}) mailFlags {
	return mailFlags{
		smtp:    fs.String("smtp", envString("LEGISTS_SMTP", ""), "SMTP server: smtp://[user:pass@]host:port; none: mail goes to the outbox folder (env LEGISTS_SMTP)"),
		outbox:  fs.String("outbox", envString("LEGISTS_OUTBOX", mail.DefaultOutbox), "folder for .eml files when no SMTP server is set (env LEGISTS_OUTBOX)"),
		baseURL: fs.String("base-url", envString("LEGISTS_BASE_URL", ""), "public address of the site, for links in mail (env LEGISTS_BASE_URL; default: the address `legists serve` last ran with on this database)"),
		from:    fs.String("from", envString("LEGISTS_MAIL_FROM", ""), `author of the mail, e.g. "Legists <newsletter@legists.example>" (env LEGISTS_MAIL_FROM; default newsletter@ the base URL's host)`),
		conns:   fs.Int("conns", mailEnvInt("LEGISTS_SMTP_CONNS", 4), "SMTP connections kept open and used at once (env LEGISTS_SMTP_CONNS)"),
		rate:    fs.Float64("rate", mailEnvFloat("LEGISTS_SMTP_RATE", 0), "at most this many messages a second over all connections; 0: no limit (env LEGISTS_SMTP_RATE)"),
	}
}

// sender makes the mail sender of the flags. Options in the SMTP URL's
// query win over --conns and --rate.
func (m mailFlags) sender() (mail.Sender, error) {
	return newMailSender(*m.smtp, *m.outbox, *m.conns, *m.rate)
}

// mailMetrics counts every message's outcome in the Prometheus metrics
// (legists_mail_messages_total{result}); internal/mail knows nothing of
// Prometheus.
var mailMetrics = mail.Observer{Sent: metrics.MailSent, Retried: metrics.MailRetried, Bounced: metrics.MailBounced, Failed: metrics.MailFailed}

// digestRunMetrics times one digest run (legists_jobs_total and
// legists_job_duration_seconds of kind digest-send).
func digestRunMetrics() func(error) { return metrics.Job(metrics.KindDigestSend) }

// newOutbox is an outbox whose messages are counted in the metrics.
func newOutbox(dir string) *mail.Outbox {
	o := mail.NewOutbox(dir)
	o.Observer = mailMetrics
	return o
}

func newMailSender(smtpURL, outbox string, conns int, ratePerSec float64) (mail.Sender, error) {
	if strings.TrimSpace(smtpURL) == "" {
		return newOutbox(outbox), nil
	}
	cfg, err := mail.ParseSMTPURL(smtpURL)
	if err != nil {
		return nil, err
	}
	if cfg.Conns == 0 {
		cfg.Conns = conns
	}
	if cfg.Rate == 0 {
		cfg.Rate = ratePerSec
	}
	cfg.Observer = mailMetrics
	return mail.NewSMTP(cfg)
}

func mailEnvInt(key string, def int) int {
	if v, err := strconv.Atoi(envString(key, "")); err == nil {
		return v
	}
	return def
}

func mailEnvFloat(key string, def float64) float64 {
	if v, err := strconv.ParseFloat(envString(key, ""), 64); err == nil {
		return v
	}
	return def
}

func mailEnvDuration(key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(envString(key, "")); err == nil && v > 0 {
		return v
	}
	return def
}

// digestBaseURL is the site's address for links in mail: --base-url
// (LEGISTS_BASE_URL), or else the one `serve` recorded in the database. With
// neither, nothing is sent when there is a confirmed reader to send to:
// links to a guessed address would not work.
func digestBaseURL(ctx context.Context, st store.Store, flag string, smtp bool, logger *slog.Logger, stderr io.Writer) (string, int) {
	base := flag
	if base == "" {
		v, err := st.Setting(ctx, store.SettingBaseURL)
		if errors.Is(err, store.ErrNotFound) {
			// With no confirmed reader there is nothing to link from:
			// the run reports its (empty) result as usual.
			if counts, cerr := st.CountSubscribers(ctx); cerr == nil && counts[store.SubscriberConfirmed] == 0 {
				return "", exitOK
			}
			fmt.Fprintln(stderr, "legists digest send: no base URL for the links in the mail: pass --base-url https://your.site "+
				"(env LEGISTS_BASE_URL), or start `legists serve` once on this database, which records the address it serves; nothing was sent")
			return "", exitUsage
		}
		if err != nil {
			fmt.Fprintf(stderr, "legists digest send: %v\n", err)
			return "", exitFindings
		}
		base = v
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "legists digest send: base URL %q: want http(s)://HOST[:PORT]\n", base)
		return "", exitUsage
	} else if smtp && (u.Hostname() == "localhost" || net.ParseIP(u.Hostname()).IsLoopback()) {
		logger.Warn("links in the digests point to a loopback address; set --base-url (env LEGISTS_BASE_URL) to the site's public address", "base_url", base)
	}
	return strings.TrimRight(base, "/"), exitOK
}

func runDigestSend(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("digest send", "digest send [--json] [--db DSN] [--smtp URL] [--outbox DIR] [--base-url URL] [--from ADDR] [--lease D] [--conns N] [--rate R]", stderr)
	dsn := dbFlag(fs)
	mf := addMailFlags(fs)
	asJSON := fs.Bool("json", false, `print the counts as JSON: {"due", "sent", "skipped", "failed", "bounced", ...}`)
	lease := fs.Duration("lease", mailEnvDuration("LEGISTS_DIGEST_LEASE", 10*time.Minute),
		"how long a claimed digest stays reserved for this run; a killed run's digests are taken over after it (env LEGISTS_DIGEST_LEASE)")
	workers := fs.Int("workers", 0, "digests rendered and sent at once (default: --conns)")
	quiet := fs.Bool("quiet", false, "log warnings and errors only")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "legists digest send: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	sender, err := mf.sender()
	if err != nil {
		fmt.Fprintf(stderr, "legists digest send: %v\n", err)
		return exitUsage
	}
	defer sender.Close()

	ctx, cancel := digestSignalContext()
	defer cancel()
	openCtx, openCancel := context.WithTimeout(ctx, 2*time.Minute)
	st, err := store.Open(openCtx, *dsn)
	openCancel()
	if err != nil {
		fmt.Fprintf(stderr, "legists digest send: %v\n", err)
		return exitFindings
	}
	defer st.Close()
	base, code := digestBaseURL(ctx, st, *mf.baseURL, *mf.smtp != "", logger, stderr)
	if code != exitOK {
		return code
	}
	r := &digest.Runner{Store: st, Sender: sender, BaseURL: base, From: *mf.from,
		Lease: *lease, Workers: *workers, Logger: logger, Track: digestRunMetrics}
	res, err := r.Run(ctx)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		fmt.Fprintf(stdout, "%d due: %d sent, %d skipped, %d failed, %d bounced (%d subscribers, %d with nothing new) in %s\n",
			res.Due, res.Sent, res.Skipped, res.Failed, res.Bounced, res.Subscribers, res.NothingNew, res.Duration)
	}
	if err != nil {
		fmt.Fprintf(stderr, "legists digest send: %v\n", err)
		return exitFindings
	}
	if res.Failed > 0 {
		return exitFindings
	}
	return exitOK
}

func runDigestPreview(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("digest preview", "digest preview [--email ADDR] [--text] [--db DSN] [--base-url URL]", stderr)
	dsn := dbFlag(fs)
	email := fs.String("email", "", "the subscriber whose digest to show (default: a sample reader of everything)")
	text := fs.Bool("text", false, "print the plain-text part instead of the HTML")
	baseURL := fs.String("base-url", envString("LEGISTS_BASE_URL", ""), "make links absolute against this address (env LEGISTS_BASE_URL)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	ctx, cancel := digestSignalContext()
	defer cancel()
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "legists digest preview: %v\n", err)
		return exitFindings
	}
	defer st.Close()
	var sub *store.Subscriber
	if *email != "" {
		if sub, err = st.GetSubscriberByEmail(ctx, *email); err != nil {
			fmt.Fprintf(stderr, "legists digest preview: %v\n", err)
			return exitFindings
		}
	}
	html, txt, err := digest.PreviewWith(ctx, st, sub, digest.PreviewOptions{BaseURL: *baseURL})
	if err != nil {
		fmt.Fprintf(stderr, "legists digest preview: %v\n", err)
		return exitFindings
	}
	if *text {
		fmt.Fprint(stdout, txt)
	} else {
		fmt.Fprint(stdout, html)
	}
	return exitOK
}

// ---- legists serve ----

// serveMail is the one mail sender of a serve process, shared by the
// newsletter's confirmation mail and the digests.
var serveMail struct {
	sync.Mutex
	env    *serveEnv
	sender mail.Sender
}

func serveMailer(env *serveEnv) (mail.Sender, error) {
	serveMail.Lock()
	defer serveMail.Unlock()
	if serveMail.env == env && serveMail.sender != nil {
		return serveMail.sender, nil
	}
	s, err := newMailSender(env.SMTP, envString("LEGISTS_OUTBOX", mail.DefaultOutbox), mailEnvInt("LEGISTS_SMTP_CONNS", 4), mailEnvFloat("LEGISTS_SMTP_RATE", 0))
	if err != nil {
		return nil, err
	}
	serveMail.env, serveMail.sender = env, s
	return s, nil
}

func addNewsletterRoutes(mux *http.ServeMux, env *serveEnv) {
	sender, err := serveMailer(env)
	if err != nil {
		env.Logger.Error("newsletter: bad SMTP settings; mail goes to the outbox", "err", err)
		sender = newOutbox(envString("LEGISTS_OUTBOX", mail.DefaultOutbox))
	}
	d := newsletter.Deps{Store: env.Store, Mailer: sender, BaseURL: env.BaseURL,
		From: envString("LEGISTS_MAIL_FROM", ""), Logger: env.Logger,
		// In the site's frame (navigation, search, footer) when serve
		// has one; standalone pages otherwise.
		Wrap: env.Frame, Cache: env.Cached}
	// The same client-address function as the site and the desk
	// (--trust-proxy): behind one reverse proxy, sign-ups are limited by
	// the address it reports, not by the proxy's own.
	d.ClientIP = env.ClientIP
	newsletter.Routes(mux, d)
}

// runDigestWorker sends due digests every LEGISTS_DIGEST_EVERY (default
// 5 minutes) until serve stops.
func runDigestWorker(ctx context.Context, env *serveEnv) error {
	sender, err := serveMailer(env)
	if err != nil {
		return err
	}
	defer sender.Close()
	r := &digest.Runner{Store: env.Store, Sender: sender, BaseURL: env.BaseURL, From: envString("LEGISTS_MAIL_FROM", ""),
		Lease: mailEnvDuration("LEGISTS_DIGEST_LEASE", 10*time.Minute), Logger: env.Logger.With("worker", "digest"),
		Track: digestRunMetrics}
	s := &digest.Scheduler{Runner: r, Every: mailEnvDuration("LEGISTS_DIGEST_EVERY", 5*time.Minute), Logger: env.Logger}
	return s.Run(ctx)
}

// digestSignalContext ends on SIGINT or SIGTERM.
func digestSignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
