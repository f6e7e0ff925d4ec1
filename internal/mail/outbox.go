package mail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultOutbox is the folder mail goes to when no SMTP server is set.
const DefaultOutbox = "outbox"

// Outbox is a Sender that writes each message to DIR/<time>-<id>.eml, a
// file any mail client opens. Files appear atomically (written under a
// temporary name, then renamed).
type Outbox struct {
	Dir string
	// Observer, when set, is told whether each message was stored (Sent)
	// or not (Failed).
	Observer Observer
	seq      atomic.Uint64
}

// NewOutbox returns an outbox writing to dir (DefaultOutbox when empty).
// The folder is created with the first message.
func NewOutbox(dir string) *Outbox {
	if dir == "" {
		dir = DefaultOutbox
	}
	return &Outbox{Dir: dir}
}

// Send implements Sender.
func (o *Outbox) Send(ctx context.Context, m *Message) error {
	err := o.store(ctx, m)
	o.Observer.outcome(err)
	return err
}

func (o *Outbox) store(ctx context.Context, m *Message) error {
	if err := ctx.Err(); err != nil {
		return errors.Join(ErrNotSent, err)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return errors.Join(ErrNotSent, fmt.Errorf("mail: outbox: %w", err))
	}
	name := fmt.Sprintf("%s-%06d-%s.eml", time.Now().UTC().Format("20060102T150405.000000Z"), o.seq.Add(1)%1000000, fileSafe(m.ID))
	final := filepath.Join(o.Dir, name)
	tmp, err := os.CreateTemp(o.Dir, ".tmp-*.eml")
	if err != nil {
		return errors.Join(ErrNotSent, fmt.Errorf("mail: outbox: %w", err))
	}
	_, werr := tmp.Write(m.Data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return errors.Join(ErrNotSent, fmt.Errorf("mail: outbox: %w", err))
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		os.Remove(tmp.Name())
		return errors.Join(ErrNotSent, fmt.Errorf("mail: outbox: %w", err))
	}
	return nil
}

// Close implements Sender.
func (o *Outbox) Close() error { return nil }

// fileSafe keeps letters, digits, dot, dash and underscore, at most 80.
func fileSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		case r == '@':
			b.WriteString("_at_")
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 80 {
			break
		}
	}
	if b.Len() == 0 {
		return "message"
	}
	return b.String()
}

// New returns the Sender for an SMTP URL (empty: an Outbox in outboxDir).
func New(smtpURL, outboxDir string) (Sender, error) {
	if strings.TrimSpace(smtpURL) == "" {
		return NewOutbox(outboxDir), nil
	}
	cfg, err := ParseSMTPURL(smtpURL)
	if err != nil {
		return nil, err
	}
	return NewSMTP(cfg)
}
