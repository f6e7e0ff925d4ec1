// Package mailtest runs a real SMTP server on loopback for tests and
// benchmarks (github.com/emersion/go-smtp): it records the messages it
// accepts, can answer 4xx or 5xx for given addresses, delay every message,
// require STARTTLS and AUTH, or only count (for benchmarks).
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data []byte
	// TLS reports whether the session was encrypted (STARTTLS).
	TLS bool
	// Auth is the user name the session authenticated as, if any.
	Auth string
	At   time.Time
}

// Options configure a Server.
type Options struct {
	// StartTLS offers STARTTLS with a self-signed certificate (see
	// Server.ClientTLS for a config that trusts it).
	StartTLS bool
	// Username and Password, when set, are required (AUTH PLAIN).
	Username, Password string
	// Delay holds every MAIL command this long before accepting it.
	Delay time.Duration
	// CountOnly keeps no message data, only counts (benchmarks).
	CountOnly bool
}

// Server is a loopback SMTP server.
type Server struct {
	// Addr is host:port; Host and Port the same, split.
	Addr string
	Host string
	Port int

	opts   Options
	srv    *smtp.Server
	ln     net.Listener
	tlsCfg *tls.Config
	roots  *x509.CertPool

	mu       sync.Mutex
	cond     *sync.Cond
	msgs     []Message
	failures map[string]*failure
	delay    time.Duration
	held     bool

	count    atomic.Int64
	bytes    atomic.Int64
	sessions atomic.Int64
	active   atomic.Int64
	inDelay  atomic.Int64
	refused  atomic.Int64
}

type failure struct {
	code  int
	msg   string
	times int // <0: always
}

// Start starts a server on 127.0.0.1 with a free port, closed when tb ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// New starts a server; Close stops it.
func New(opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, ln: ln, failures: map[string]*failure{}, delay: opts.Delay}
	s.cond = sync.NewCond(&s.mu)
	addr := ln.Addr().(*net.TCPAddr)
	s.Addr, s.Host, s.Port = addr.String(), "127.0.0.1", addr.Port
	srv := smtp.NewServer(s)
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 32 << 20
	srv.MaxRecipients = 100
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if opts.StartTLS {
		cert, roots, err := selfSigned()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.roots = roots
		srv.TLSConfig = s.tlsCfg
	}
	s.srv = srv
	go func() { _ = srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	s.Release()
	return s.srv.Close()
}

// URL is the smtp:// URL of the server (with the credentials, when AUTH is
// required); extra is appended as the query, e.g. "conns=2".
func (s *Server) URL(extra string) string {
	u := "smtp://"
	if s.opts.Username != "" {
		u += s.opts.Username + ":" + s.opts.Password + "@"
	}
	u += s.Addr
	if extra != "" {
		u += "?" + extra
	}
	return u
}

// ClientTLS returns a TLS config that trusts the server's certificate.
func (s *Server) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Fail makes the server answer code (e.g. 451 or 550) to RCPT TO of addr,
// times times (negative: always).
func (s *Server) Fail(addr string, code int, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[strings.ToLower(addr)] = &failure{code: code, msg: fmt.Sprintf("mailtest says %d", code), times: times}
}

// SetDelay changes the delay of every MAIL command.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Hold makes every MAIL command wait, after its delay, until Release:
// while every active session waits there, no message can be between the
// server's acceptance and the client's record of it.
func (s *Server) Hold() {
	s.mu.Lock()
	s.held = true
	s.mu.Unlock()
}

// Release lets the MAIL commands that Hold keeps waiting go on.
func (s *Server) Release() {
	s.mu.Lock()
	s.held = false
	s.cond.Broadcast()
	s.mu.Unlock()
}

// Messages returns a copy of the accepted messages, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Count is the number of accepted messages; Bytes their total size.
func (s *Server) Count() int   { return int(s.count.Load()) }
func (s *Server) Bytes() int64 { return s.bytes.Load() }

// Sessions is the number of SMTP connections opened so far; Active those
// open now.
func (s *Server) Sessions() int { return int(s.sessions.Load()) }
func (s *Server) Active() int   { return int(s.active.Load()) }

// InDelay is the number of sessions now held by the delay or by Hold.
func (s *Server) InDelay() int { return int(s.inDelay.Load()) }

// Refused is the number of RCPT commands answered with a failure.
func (s *Server) Refused() int { return int(s.refused.Load()) }

// WaitFor waits until at least n messages have been accepted and returns
// them, or fails after timeout.
func (s *Server) WaitFor(n int, timeout time.Duration) ([]Message, error) {
	deadline := time.Now().Add(timeout)
	t := time.AfterFunc(timeout, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer t.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.count.Load() < int64(n) {
		if time.Now().After(deadline) {
			return append([]Message(nil), s.msgs...), fmt.Errorf("mailtest: %d messages after %v, want %d", s.count.Load(), timeout, n)
		}
		s.cond.Wait()
	}
	return append([]Message(nil), s.msgs...), nil
}

// To returns the accepted messages to addr.
func (s *Server) To(addr string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s.sessions.Add(1)
	s.active.Add(1)
	return &session{s: s, conn: c}, nil
}

type session struct {
	s    *Server
	conn *smtp.Conn
	auth string
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.auth = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && ss.auth == "" {
		return smtp.ErrAuthRequired
	}
	ss.s.mu.Lock()
	d, held := ss.s.delay, ss.s.held
	ss.s.mu.Unlock()
	if d > 0 || held {
		ss.s.inDelay.Add(1)
		time.Sleep(d)
		ss.s.mu.Lock()
		for ss.s.held {
			ss.s.cond.Wait()
		}
		ss.s.mu.Unlock()
		ss.s.inDelay.Add(-1)
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	f := ss.s.failures[strings.ToLower(to)]
	if f != nil && f.times != 0 {
		if f.times > 0 {
			f.times--
		}
		ss.s.mu.Unlock()
		ss.s.refused.Add(1)
		class := byte(f.code / 100)
		return &smtp.SMTPError{Code: f.code, EnhancedCode: smtp.EnhancedCode{int(class), 1, 1}, Message: f.msg}
	}
	ss.s.mu.Unlock()
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var data []byte
	var n int64
	if ss.s.opts.CountOnly {
		var err error
		n, err = io.Copy(io.Discard, r)
		if err != nil {
			return err
		}
	} else {
		var err error
		data, err = io.ReadAll(r)
		if err != nil {
			return err
		}
		n = int64(len(data))
	}
	_, isTLS := ss.conn.TLSConnectionState()
	msg := Message{From: ss.from, To: append([]string(nil), ss.to...), Data: data, TLS: isTLS, Auth: ss.auth, At: time.Now()}
	ss.s.mu.Lock()
	if !ss.s.opts.CountOnly {
		ss.s.msgs = append(ss.s.msgs, msg)
	}
	ss.s.count.Add(1)
	ss.s.bytes.Add(n)
	ss.s.cond.Broadcast()
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *session) Logout() error {
	ss.s.active.Add(-1)
	return nil
}

// Parsed is a message read back: its header and its text and HTML parts
// (decoded).
type Parsed struct {
	Header      mail.Header
	ContentType string // media type of the top level
	Text, HTML  string
}

// Parse reads m's data as a MIME message.
func (m Message) Parse() (*Parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return nil, err
	}
	p := &Parsed{Header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("mailtest: Content-Type: %w", err)
	}
	p.ContentType = mt
	if err := p.walk(mt, params, msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Parsed) walk(mt string, params map[string]string, cte string, body io.Reader) error {
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart() // decodes quoted-printable itself
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			pmt, pparams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
			if err != nil {
				return err
			}
			if err := p.walk(pmt, pparams, part.Header.Get("Content-Transfer-Encoding"), part); err != nil {
				return err
			}
		}
	}
	data, err := io.ReadAll(decode(cte, body))
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		p.Text += string(data)
	case "text/html":
		p.HTML += string(data)
	}
	return nil
}

func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool, nil
}

// decode undoes a Content-Transfer-Encoding.
func decode(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: r})
	}
	return r
}

type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
