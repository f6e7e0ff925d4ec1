// Package mail builds and sends Legists' e-mail: multipart messages
// (plain text and HTML) built with go-mail, and two Senders: SMTP (a pool of
// reused connections, STARTTLS and AUTH when configured, a rate limit,
// retries with backoff on 4xx replies, 5xx replies as permanent failures)
// and Outbox (.eml files in a folder, for when no SMTP server is set).
//
// A Message is rendered once, to bytes, and then handed to a Sender: the
// digest and the benchmark's bare sender send the very same bytes.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is a rendered e-mail, ready to send.
type Message struct {
	// From and To are the envelope addresses (bare addr-spec).
	From string
	To   string
	// ID is the Message-ID without angle brackets.
	ID string
	// Data is the whole RFC 5322 message with CRLF line ends.
	Data []byte
}

// Sender delivers messages. Send returns nil once the message is accepted
// (by the SMTP server, or written to the outbox); a *PermanentError when
// the server refused it for good (a 5xx reply: a bounce); any other error
// is temporary. Errors wrapping ErrNotSent mean the message certainly did
// not reach the server (a retry cannot make a duplicate); so do those of a
// send whose ctx ended before the message data was sent. Send is safe for
// concurrent use.
type Sender interface {
	Send(ctx context.Context, m *Message) error
	Close() error
}

// Observer is told the outcome of each message a sender handles, for
// metrics (legists serve counts them in Prometheus). Nil fields are
// skipped; the functions must be safe for concurrent use. For one message
// Retried may be called several times, then exactly one of Sent, Bounced
// and Failed.
type Observer struct {
	// Sent: the server accepted the message (or the outbox stored it).
	Sent func()
	// Retried: a temporary failure (a 4xx reply, a lost connection); the
	// message is tried again.
	Retried func()
	// Bounced: refused for good (a 5xx reply).
	Bounced func()
	// Failed: given up: temporary failures through every retry, a
	// connection lost after the data (not retried: it may have arrived),
	// cancelled, or not stored.
	Failed func()
}

func (o Observer) sent()    { call(o.Sent) }
func (o Observer) retried() { call(o.Retried) }
func (o Observer) bounced() { call(o.Bounced) }
func (o Observer) failed()  { call(o.Failed) }

func call(f func()) {
	if f != nil {
		f()
	}
}

// outcome tells o the outcome of one message whose send ended with err.
func (o Observer) outcome(err error) {
	switch {
	case err == nil:
		o.sent()
	case IsPermanent(err):
		o.bounced()
	default:
		o.failed()
	}
}

// ErrNotSent marks a failure that happened before the message could have
// been accepted (cancelled while waiting for a connection or the rate
// limit, connection refused, a reply before the end of the data).
var ErrNotSent = errors.New("mail: message not sent")

// PermanentError is a 5xx reply: the address or message is refused for
// good.
type PermanentError struct {
	Code int
	Msg  string
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("mail: permanent failure: %d %s", e.Code, e.Msg)
}

// Is makes a PermanentError match ErrNotSent: a refused message was not
// delivered.
func (e *PermanentError) Is(target error) bool { return target == ErrNotSent }

// TemporaryError is a 4xx reply that persisted through the retries.
type TemporaryError struct {
	Code     int
	Msg      string
	Attempts int
}

func (e *TemporaryError) Error() string {
	return fmt.Sprintf("mail: temporary failure after %d attempts: %d %s", e.Attempts, e.Code, e.Msg)
}

// Is makes a TemporaryError match ErrNotSent.
func (e *TemporaryError) Is(target error) bool { return target == ErrNotSent }

// IsPermanent reports whether err is a permanent failure (a bounce).
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// Content is what a message says.
type Content struct {
	// From is the author, e.g. "Legists <newsletter@legists.example>".
	From string
	// To is the recipient's address.
	To      string
	Subject string
	// Text and HTML are the two alternatives; either may be empty.
	Text string
	HTML string
	// MessageID without angle brackets; generated when empty.
	MessageID string
	Date      time.Time // default now
	// ListUnsubscribe is the https (or http, in development) one-click
	// unsubscribe URL; it sets List-Unsubscribe and List-Unsubscribe-Post
	// (RFC 8058).
	ListUnsubscribe string
	// ListID names the list (RFC 2919), e.g. "Legists digest
	// <digest.legists.example>".
	ListID string
	// Bulk sets Precedence: bulk and asks auto-responders to stay quiet.
	Bulk bool
	// Headers are extra header fields.
	Headers map[string]string
}

// Build renders c as a multipart/alternative message (or a single part
// when only one alternative is given).
func Build(c Content) (*Message, error) {
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("mail: from %q: %w", c.From, err)
	}
	to, err := mail.ParseAddress(c.To)
	if err != nil {
		return nil, fmt.Errorf("mail: to %q: %w", c.To, err)
	}
	if c.Text == "" && c.HTML == "" {
		return nil, errors.New("mail: message has no body")
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(from)
	m.ToMailAddress(to)
	m.Subject(c.Subject)
	if c.Date.IsZero() {
		c.Date = time.Now()
	}
	m.SetDateWithValue(c.Date)
	if c.MessageID == "" {
		var rnd [16]byte
		_, _ = rand.Read(rnd[:])
		c.MessageID = hex.EncodeToString(rnd[:]) + "@" + from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	}
	m.SetMessageIDWithValue(c.MessageID)
	m.SetGenHeader(gomail.HeaderXMailer, "Legists")
	if c.ListUnsubscribe != "" {
		m.SetListUnsubscribe(c.ListUnsubscribe)
		m.SetListUnsubscribePost()
	}
	if c.ListID != "" {
		m.SetGenHeaderPreformatted(gomail.Header("List-Id"), c.ListID)
	}
	if c.Bulk {
		m.SetBulk()
	}
	for k, v := range c.Headers {
		m.SetGenHeader(gomail.Header(k), v)
	}
	switch {
	case c.Text != "" && c.HTML != "":
		m.SetBodyString(gomail.TypeTextPlain, c.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, c.HTML)
	case c.Text != "":
		m.SetBodyString(gomail.TypeTextPlain, c.Text)
	default:
		m.SetBodyString(gomail.TypeTextHTML, c.HTML)
	}
	var buf bytes.Buffer
	buf.Grow(len(c.Text) + len(c.HTML)*11/10 + 2048)
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("mail: render: %w", err)
	}
	id := strings.Trim(m.GetMessageID(), "<>")
	return &Message{From: from.Address, To: to.Address, ID: id, Data: buf.Bytes()}, nil
}
