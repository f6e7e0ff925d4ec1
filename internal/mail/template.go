package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"
)

// Template is a message rendered once and sent to many recipients: the
// header and the quoted-printable body are encoded once, and each copy
// only splices in what differs (the recipient, the Message-ID, the
// List-Unsubscribe URL, the date and the values of the body's holes,
// such as links carrying the recipient's token). Digests sent to readers
// who follow the same things share one Template.
//
// A copy decodes to exactly the message Build makes of the same content
// with the holes filled in; only the encoding differs (a hole starts and
// ends a quoted-printable line with soft line breaks).
type Template struct {
	from   string // envelope sender
	pieces []piece
	size   int // bytes of the fixed pieces
	own    int // of which not in shared chunks
}

// Size is the memory the template holds of its own: its fixed pieces but
// the shared chunks.
func (t *Template) Size() int { return t.own + 48*len(t.pieces) }

// piece is fixed bytes, or a hole: a header field of the recipient, or
// hole-th value of the body, quoted-printable encoded.
type piece struct {
	fixed []byte
	hole  int // -1: fixed
}

// The header holes, numbered below the body's.
const (
	holeDate = -2 - iota
	holeMessageID
	holeListUnsubscribe
	holeTo
)

// Recipient is what differs between the copies of a Template.
type Recipient struct {
	To              string
	MessageID       string // without angle brackets
	ListUnsubscribe string
	Date            time.Time // default now
	// Values fill the holes of the body, in the order NewTemplate was
	// given them.
	Values []string
}

// NewTemplate encodes c for many recipients. c.Text and c.HTML may carry
// holes: occurrences of the strings in holes (each must be distinct and
// none a part of another), which every copy fills with its values. c.To,
// c.MessageID, c.ListUnsubscribe and c.Date are ignored: they come with
// each Recipient (a template has a List-Unsubscribe field only when
// c.ListUnsubscribe is not empty). Extra headers in c.Headers are not
// supported.
//
// chunks are parts of the body encoded once for many templates (see
// Chunk): c.Text and c.HTML may name them by their keys, which follow the
// same rules as holes. Keys that share a prefix of at least 4 bytes are
// found with one search each.
//
// sh, when not nil, is what the templates of one run share: one multipart
// boundary and one copy of each fixed piece they have in common (the
// skeleton of a digest around its holes).
func NewTemplate(c Content, holes []string, chunks map[string]*Chunk, sh *Shared) (*Template, error) {
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("mail: from %q: %w", c.From, err)
	}
	if c.Text == "" && c.HTML == "" {
		return nil, errors.New("mail: message has no body")
	}
	if len(c.Headers) > 0 {
		return nil, errors.New("mail: a template takes no extra headers")
	}
	keys := slices.Clone(holes)
	for k := range chunks {
		keys = append(keys, k)
	}
	for i, h := range keys {
		for j, o := range keys {
			if h == "" || (i != j && strings.Contains(o, h)) {
				return nil, fmt.Errorf("mail: hole %q is empty or part of another", h)
			}
		}
	}
	prefix := commonPrefix(keys)
	t := &Template{from: from.Address}
	var b bytes.Buffer
	fixed := func() {
		if b.Len() > 0 {
			p, shared := sh.intern(b.Bytes())
			t.pieces = append(t.pieces, piece{fixed: p, hole: -1})
			t.size += b.Len()
			if !shared {
				t.own += b.Len()
			}
			b.Reset()
		}
	}
	hole := func(h int) {
		fixed()
		t.pieces = append(t.pieces, piece{hole: h})
	}
	b.WriteString("Date: ")
	hole(holeDate)
	b.WriteString("\r\nMIME-Version: 1.0\r\nMessage-ID: <")
	hole(holeMessageID)
	b.WriteString(">\r\n")
	if c.Bulk {
		b.WriteString("Precedence: bulk\r\n")
	}
	writeHeader(&b, "Subject", mime.QEncoding.Encode("UTF-8", c.Subject))
	if c.Bulk {
		b.WriteString("X-Auto-Response-Suppress: All\r\n")
	}
	b.WriteString("X-Mailer: Legists\r\n")
	if c.ListUnsubscribe != "" {
		b.WriteString("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
	}
	if c.ListID != "" {
		writeHeader(&b, "List-Id", c.ListID)
	}
	if c.ListUnsubscribe != "" {
		b.WriteString("List-Unsubscribe: <")
		hole(holeListUnsubscribe)
		b.WriteString(">\r\n")
	}
	writeHeader(&b, "From", from.String())
	b.WriteString("To: <")
	hole(holeTo)
	b.WriteString(">\r\n")

	var parts []struct{ typ, body string }
	if c.Text != "" {
		parts = append(parts, struct{ typ, body string }{"text/plain", c.Text})
	}
	if c.HTML != "" {
		parts = append(parts, struct{ typ, body string }{"text/html", c.HTML})
	}
	boundary := ""
	if len(parts) > 1 {
		boundary = sh.boundary()
		b.WriteString("Content-Type: multipart/alternative;\r\n boundary=" + boundary + "\r\n\r\n")
	}
	for _, p := range parts {
		if boundary != "" {
			b.WriteString("--" + boundary + "\r\n")
		}
		b.WriteString("Content-Transfer-Encoding: quoted-printable\r\nContent-Type: " + p.typ + "; charset=UTF-8\r\n\r\n")
		rest := p.body
		for rest != "" {
			at, key := nextKey(rest, prefix, keys)
			writeQP(&b, rest[:at], key != "")
			if key == "" {
				break
			}
			if ch, ok := chunks[key]; ok {
				fixed()
				t.pieces = append(t.pieces, piece{fixed: ch.qp, hole: -1})
				t.size += len(ch.qp)
			} else {
				hole(slices.Index(holes, key))
			}
			rest = rest[at+len(key):]
		}
		if boundary != "" {
			b.WriteString("\r\n")
		}
	}
	if boundary != "" {
		b.WriteString("--" + boundary + "--\r\n")
	}
	fixed()
	return t, nil
}

// Shared is what the templates of one run share (see NewTemplate). Its
// pieces are kept up to maxSharedBytes: the first templates bring the
// skeleton that every later one shares; past the bound, new pieces stay
// the template's own.
type Shared struct {
	mu     sync.Mutex
	bound  string
	pieces map[string][]byte
	bytes  int
}

const maxSharedBytes = 4 << 20

// intern returns the shared copy of p (and true), or a copy of its own.
func (sh *Shared) intern(p []byte) ([]byte, bool) {
	if sh == nil {
		return bytes.Clone(p), false
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if have, ok := sh.pieces[string(p)]; ok {
		return have, true
	}
	own := bytes.Clone(p)
	if sh.bytes+len(p) <= maxSharedBytes {
		if sh.pieces == nil {
			sh.pieces = map[string][]byte{}
		}
		sh.pieces[string(own)] = own
		sh.bytes += len(own)
	}
	return own, false
}

func (sh *Shared) boundary() string {
	newBoundary := func() string {
		var rnd [30]byte
		_, _ = rand.Read(rnd[:])
		return hex.EncodeToString(rnd[:])
	}
	if sh == nil {
		return newBoundary()
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.bound == "" {
		sh.bound = newBoundary()
	}
	return sh.bound
}

// Chunk is a part of a body, quoted-printable encoded once for every
// Template that names it (a block of a digest shared by many readers).
type Chunk struct {
	qp []byte
}

// NewChunk encodes s.
func NewChunk(s string) *Chunk {
	var b bytes.Buffer
	writeQP(&b, s, true)
	return &Chunk{qp: b.Bytes()}
}

func commonPrefix(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	p := keys[0]
	for _, k := range keys[1:] {
		n := 0
		for n < len(p) && n < len(k) && p[n] == k[n] {
			n++
		}
		p = p[:n]
	}
	if len(p) < 4 {
		return ""
	}
	return p
}

// nextKey finds the first key in s: where, and which ("" for none).
func nextKey(s, prefix string, keys []string) (int, string) {
	if prefix != "" {
		for off := 0; ; {
			i := strings.Index(s[off:], prefix)
			if i < 0 {
				return len(s), ""
			}
			off += i
			for _, k := range keys {
				if strings.HasPrefix(s[off:], k) {
					return off, k
				}
			}
			off++
		}
	}
	at, key := len(s), ""
	for _, k := range keys {
		if i := strings.Index(s, k); i >= 0 && i < at {
			at, key = i, k
		}
	}
	return at, key
}

// writeHeader writes a header field, folded at spaces before 78
// characters where it can be.
func writeHeader(b *bytes.Buffer, name, value string) {
	line := len(name) + 1
	b.WriteString(name + ":")
	for _, w := range strings.Split(value, " ") {
		if line+1+len(w) > 76 && line > 1 {
			b.WriteString("\r\n ")
			line = 1
		} else {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	b.WriteString("\r\n")
}

// writeQP writes s quoted-printable; open says that more of the same line
// follows (a hole), so an unfinished line ends with a soft line break.
func writeQP(b *bytes.Buffer, s string, open bool) {
	if s == "" {
		return
	}
	w := quotedprintable.NewWriter(b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	if open && !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("=\r\n")
	}
}

// Message makes r's copy.
func (t *Template) Message(r Recipient) (*Message, error) {
	to, err := mail.ParseAddress(r.To)
	if err != nil {
		return nil, fmt.Errorf("mail: to %q: %w", r.To, err)
	}
	if r.Date.IsZero() {
		r.Date = time.Now()
	}
	if r.MessageID == "" {
		var rnd [16]byte
		_, _ = rand.Read(rnd[:])
		r.MessageID = hex.EncodeToString(rnd[:]) + "@" + t.from[strings.LastIndexByte(t.from, '@')+1:]
	}
	if strings.ContainsAny(r.MessageID+r.ListUnsubscribe, "<>\r\n") {
		return nil, fmt.Errorf("mail: Message-ID %q or List-Unsubscribe %q has brackets or line breaks", r.MessageID, r.ListUnsubscribe)
	}
	n := t.size + len(to.Address) + len(r.MessageID) + len(r.ListUnsubscribe) + 40
	for _, v := range r.Values {
		n += len(v) * 11 / 10
	}
	b := bytes.NewBuffer(make([]byte, 0, n))
	for _, p := range t.pieces {
		switch p.hole {
		case -1:
			b.Write(p.fixed)
		case holeDate:
			b.Write(r.Date.AppendFormat(b.AvailableBuffer(), time.RFC1123Z))
		case holeMessageID:
			b.WriteString(r.MessageID)
		case holeListUnsubscribe:
			b.WriteString(r.ListUnsubscribe)
		case holeTo:
			b.WriteString(to.Address)
		default:
			if p.hole >= len(r.Values) {
				return nil, fmt.Errorf("mail: no value for hole %d", p.hole)
			}
			writeQP(b, r.Values[p.hole], true)
		}
	}
	return &Message{From: t.from, To: to.Address, ID: r.MessageID, Data: b.Bytes()}, nil
}
