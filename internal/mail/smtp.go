package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/textproto"
	"net/url"
	"strconv"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
	"golang.org/x/time/rate"
)

// TLSMode is how the SMTP connection is encrypted.
type TLSMode string

// TLS modes.
const (
	// TLSOpportunistic uses STARTTLS when the server offers it (default).
	TLSOpportunistic TLSMode = "opportunistic"
	// TLSRequired fails unless the server offers STARTTLS.
	TLSRequired TLSMode = "required"
	// TLSNone never encrypts.
	TLSNone TLSMode = "none"
	// TLSImplicit connects with TLS from the start (smtps, port 465).
	TLSImplicit TLSMode = "implicit"
)

// SMTPConfig configures an SMTP sender.
type SMTPConfig struct {
	Host string
	Port int // default 25 (465 for implicit TLS)
	// Username and Password, when set, authenticate (the best mechanism
	// the server offers; PLAIN and LOGIN only over TLS or to localhost).
	Username, Password string
	TLS                TLSMode
	// TLSConfig overrides the TLS settings (tests pass their own roots).
	TLSConfig *tls.Config
	// InsecureSkipVerify accepts any server certificate.
	InsecureSkipVerify bool
	// HELO is the name the client gives (default: the host name).
	HELO string
	// Conns is the number of connections kept open and used at once
	// (default 4).
	Conns int
	// Rate limits messages per second over all connections (0: no limit);
	// Burst is the limiter's burst (default max(1, Conns)).
	Rate  float64
	Burst int
	// Retries is how many times a 4xx reply or a broken connection is
	// retried (default 3), waiting Backoff, then twice as long, ... (default
	// 1s, at most MaxBackoff, default 1m), with jitter.
	Retries    int
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Timeout bounds connecting and each command (default 30s).
	Timeout time.Duration
	// Observer, when set, is told every message's outcome and retries.
	Observer Observer
}

// ParseSMTPURL reads smtp://[user:pass@]host:port[?options] (smtps:// for
// implicit TLS). Options: tls=opportunistic|required|none, insecure=1,
// conns=N, rate=PER_SECOND, retries=N, backoff=DURATION, timeout=DURATION,
// helo=NAME.
func ParseSMTPURL(s string) (SMTPConfig, error) {
	var cfg SMTPConfig
	u, err := url.Parse(s)
	if err != nil {
		return cfg, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	switch u.Scheme {
	case "smtp":
		cfg.TLS = TLSOpportunistic
	case "smtps":
		cfg.TLS = TLSImplicit
	default:
		return cfg, fmt.Errorf("mail: SMTP URL %q: want smtp://[user:pass@]host:port", u.Redacted())
	}
	cfg.Host = u.Hostname()
	if cfg.Host == "" {
		return cfg, fmt.Errorf("mail: SMTP URL %q has no host", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil || cfg.Port <= 0 || cfg.Port > 65535 {
			return cfg, fmt.Errorf("mail: SMTP URL %q: bad port", u.Redacted())
		}
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	q := u.Query()
	if v := q.Get("tls"); v != "" {
		switch TLSMode(v) {
		case TLSOpportunistic, TLSRequired, TLSNone:
			if cfg.TLS != TLSImplicit {
				cfg.TLS = TLSMode(v)
			}
		default:
			return cfg, fmt.Errorf("mail: SMTP URL: tls=%q: want opportunistic, required or none", v)
		}
	}
	cfg.InsecureSkipVerify = q.Get("insecure") == "1" || q.Get("insecure") == "true"
	cfg.HELO = q.Get("helo")
	ints := map[string]*int{"conns": &cfg.Conns, "retries": &cfg.Retries}
	for k, dst := range ints {
		if v := q.Get(k); v != "" {
			if *dst, err = strconv.Atoi(v); err != nil || *dst < 0 {
				return cfg, fmt.Errorf("mail: SMTP URL: %s=%q is not a count", k, v)
			}
		}
	}
	if v := q.Get("rate"); v != "" {
		if cfg.Rate, err = strconv.ParseFloat(v, 64); err != nil || cfg.Rate < 0 {
			return cfg, fmt.Errorf("mail: SMTP URL: rate=%q is not a number", v)
		}
	}
	durs := map[string]*time.Duration{"backoff": &cfg.Backoff, "timeout": &cfg.Timeout}
	for k, dst := range durs {
		if v := q.Get(k); v != "" {
			if *dst, err = time.ParseDuration(v); err != nil || *dst < 0 {
				return cfg, fmt.Errorf("mail: SMTP URL: %s=%q is not a duration", k, v)
			}
		}
	}
	return cfg, nil
}

// SMTP is a Sender over a pool of SMTP connections.
type SMTP struct {
	cfg     SMTPConfig
	client  *gomail.Client // dials and configures connections
	limiter *rate.Limiter
	slots   chan *smtpConn // Conns slots; a nil conn is not yet dialled

	mu     sync.Mutex
	closed bool
}

type smtpConn struct {
	c *smtp.Client
}

// NewSMTP makes an SMTP sender. Connections are opened when first needed
// and kept for the next messages.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: SMTP host is empty")
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSOpportunistic
	}
	if cfg.Port == 0 {
		cfg.Port = 25
		if cfg.TLS == TLSImplicit {
			cfg.Port = 465
		}
	}
	if cfg.Conns <= 0 {
		cfg.Conns = 4
	}
	if cfg.Retries == 0 {
		cfg.Retries = 3
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Minute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	tlsCfg := cfg.TLSConfig
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	} else {
		tlsCfg = tlsCfg.Clone()
		if tlsCfg.ServerName == "" {
			tlsCfg.ServerName = cfg.Host
		}
	}
	if cfg.InsecureSkipVerify {
		tlsCfg.InsecureSkipVerify = true
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSConfig(tlsCfg),
	}
	switch cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSRequired:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		return nil, fmt.Errorf("mail: TLS mode %q", cfg.TLS)
	}
	if cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(cfg.HELO))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	s := &SMTP{cfg: cfg, client: client, slots: make(chan *smtpConn, cfg.Conns)}
	for range cfg.Conns {
		s.slots <- &smtpConn{}
	}
	if cfg.Rate > 0 {
		burst := cfg.Burst
		if burst <= 0 {
			burst = max(1, cfg.Conns)
		}
		s.limiter = rate.NewLimiter(rate.Limit(cfg.Rate), burst)
	}
	return s, nil
}

// Conns is the size of the connection pool.
func (s *SMTP) Conns() int { return s.cfg.Conns }

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	err := s.send(ctx, m)
	s.cfg.Observer.outcome(err)
	return err
}

func (s *SMTP) send(ctx context.Context, m *Message) error {
	// A cancelled caller sends nothing: select in sendOnce could otherwise
	// pick a free connection over the closed Done channel.
	if err := ctx.Err(); err != nil {
		return errors.Join(ErrNotSent, err)
	}
	var last error
	for attempt := 0; attempt <= s.cfg.Retries; attempt++ {
		if attempt > 0 {
			s.cfg.Observer.retried()
			if err := sleep(ctx, s.backoff(attempt)); err != nil {
				return errors.Join(ErrNotSent, err, last)
			}
		}
		err := s.sendOnce(ctx, m)
		if err == nil {
			return nil
		}
		if IsPermanent(err) || errors.Is(err, errAmbiguous) {
			// A bounce; or the connection broke after the data was sent,
			// so the server may have the message: no blind retry.
			return err
		}
		if ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		last = err
	}
	var temp *replyError
	if errors.As(last, &temp) {
		return &TemporaryError{Code: temp.code, Msg: temp.msg, Attempts: s.cfg.Retries + 1}
	}
	return last
}

func (s *SMTP) backoff(attempt int) time.Duration {
	d := s.cfg.Backoff << (attempt - 1)
	if d > s.cfg.MaxBackoff || d <= 0 {
		d = s.cfg.MaxBackoff
	}
	// ±20% jitter so that a pool does not retry in lockstep.
	j := time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	return j
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// replyError is a 4xx reply (retryable).
type replyError struct {
	code int
	msg  string
}

func (e *replyError) Error() string { return fmt.Sprintf("mail: %d %s", e.code, e.msg) }
func (e *replyError) Is(target error) bool {
	return target == ErrNotSent
}

// errAmbiguous marks a connection failure after the end of the data was
// written: the message may or may not have been accepted.
var errAmbiguous = errors.New("mail: connection lost after sending the message; it may have been delivered")

// sendOnce sends m on one pooled connection.
func (s *SMTP) sendOnce(ctx context.Context, m *Message) error {
	var slot *smtpConn
	select {
	case slot = <-s.slots:
	case <-ctx.Done():
		return errors.Join(ErrNotSent, ctx.Err())
	}
	defer func() { s.slots <- slot }()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return errors.Join(ErrNotSent, errors.New("mail: sender closed"))
	}
	if s.limiter != nil {
		if err := s.limiter.Wait(ctx); err != nil {
			return errors.Join(ErrNotSent, err)
		}
	}
	fresh := false
	if slot.c == nil {
		c, err := s.client.DialToSMTPClientWithContext(ctx)
		if err != nil {
			return errors.Join(ErrNotSent, fmt.Errorf("mail: connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err))
		}
		slot.c, fresh = c, true
	}
	err := s.transact(ctx, slot.c, m)
	if err != nil && !fresh && isConnError(err) && !errors.Is(err, errAmbiguous) {
		// A kept connection the server has closed meanwhile: reconnect
		// once, at once.
		slot.drop()
		c, derr := s.client.DialToSMTPClientWithContext(ctx)
		if derr != nil {
			return errors.Join(ErrNotSent, fmt.Errorf("mail: reconnect to %s:%d: %w", s.cfg.Host, s.cfg.Port, derr))
		}
		slot.c = c
		err = s.transact(ctx, slot.c, m)
	}
	if err != nil && isConnError(err) {
		slot.drop()
	}
	return err
}

func (c *smtpConn) drop() {
	if c.c != nil {
		_ = c.c.Close()
		c.c = nil
	}
}

// isConnError: not an SMTP reply but a broken connection.
func isConnError(err error) bool {
	var r *replyError
	var p *PermanentError
	return !errors.As(err, &r) && !errors.As(err, &p)
}

// classify turns an SMTP reply error into a replyError (4xx) or a
// PermanentError (5xx); other errors are returned as they are.
func classify(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		switch {
		case tp.Code >= 400 && tp.Code < 500:
			return &replyError{code: tp.Code, msg: tp.Msg}
		case tp.Code >= 500:
			return &PermanentError{Code: tp.Code, Msg: tp.Msg}
		}
	}
	return errors.Join(ErrNotSent, err)
}

// transact runs one mail transaction: MAIL, RCPT, DATA. A ctx that ends
// before DATA ends the transaction unsent (a sender whose claim on a
// message runs out must not deliver it after another sender may have
// taken it over); once the data is on its way it is finished.
func (s *SMTP) transact(ctx context.Context, c *smtp.Client, m *Message) error {
	if err := c.UpdateDeadline(s.cfg.Timeout); err != nil {
		return errors.Join(ErrNotSent, err)
	}
	if err := c.Mail(m.From); err != nil {
		err = classify(err)
		if !isConnError(err) {
			_ = c.Reset()
		}
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		err = classify(err)
		if !isConnError(err) {
			_ = c.Reset()
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		_ = c.Reset()
		return errors.Join(ErrNotSent, err)
	}
	w, err := c.Data()
	if err != nil {
		err = classify(err)
		if !isConnError(err) {
			_ = c.Reset()
		}
		return err
	}
	if _, err := w.Write(m.Data); err != nil {
		return errors.Join(ErrNotSent, err)
	}
	if err := w.Close(); err != nil {
		var tp *textproto.Error
		if errors.As(err, &tp) {
			return classify(err)
		}
		return fmt.Errorf("%w: %w", errAmbiguous, err)
	}
	return nil
}

// Close implements Sender: it says QUIT on every open connection.
func (s *SMTP) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	var errs []error
	for range s.cfg.Conns {
		slot := <-s.slots
		if slot.c != nil {
			if err := slot.c.Quit(); err != nil {
				errs = append(errs, err)
				_ = slot.c.Close()
			}
			slot.c = nil
		}
		defer func() { s.slots <- slot }()
	}
	return errors.Join(errs...)
}
