package digest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"legists/internal/store"
)

// Purpose says what a signed link may do; a token for one purpose is
// refused for another.
type Purpose byte

// Purposes.
const (
	// PurposeConfirm confirms a subscription (double opt-in).
	PurposeConfirm Purpose = 'c'
	// PurposeManage shows and changes preferences, exports and erases.
	PurposeManage Purpose = 'm'
	// PurposeUnsubscribe unsubscribes in one click.
	PurposeUnsubscribe Purpose = 'u'
)

// Lifetimes of the links.
const (
	ConfirmTTL     = 48 * time.Hour
	ManageTTL      = 365 * 24 * time.Hour
	UnsubscribeTTL = 365 * 24 * time.Hour
)

// Token errors.
var (
	ErrTokenInvalid = errors.New("digest: invalid link")
	ErrTokenExpired = errors.New("digest: expired link")
)

// SecretSetting is the settings key of the token secret.
const SecretSetting = "newsletter.token_secret"

const tokenVersion = 1

// Tokens signs and checks subscribers' links: HMAC-SHA256, keyed with a
// secret kept in the database, over the version, purpose, subscriber id,
// expiry and the subscriber's nonce (so that erasing a subscriber voids
// its links even if the id is reused). A token is base64url of
// version | purpose | uvarint id | uvarint expiry | 16 bytes of MAC.
type Tokens struct {
	secret []byte
	// Now is the clock (tests may replace it).
	Now func() time.Time
}

// NewTokens returns a signer with secret (at least 32 bytes).
func NewTokens(secret []byte) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, errors.New("digest: token secret shorter than 32 bytes")
	}
	return &Tokens{secret: append([]byte(nil), secret...), Now: time.Now}, nil
}

// LoadTokens returns the signer keyed with the database's secret,
// generating and storing one on first use (every instance sharing the
// database then shares the secret).
func LoadTokens(ctx context.Context, st store.Newsletter) (*Tokens, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, err
	}
	v, err := st.EnsureSetting(ctx, SecretSetting, hex.EncodeToString(fresh[:]))
	if err != nil {
		return nil, err
	}
	secret, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("digest: setting %s is not hex: %w", SecretSetting, err)
	}
	return NewTokens(secret)
}

func (t *Tokens) mac(payload []byte, nonce string) []byte {
	h := hmac.New(sha256.New, t.secret)
	h.Write([]byte("legists/newsletter-token\x00"))
	h.Write(payload)
	h.Write([]byte{0})
	h.Write([]byte(nonce))
	return h.Sum(nil)[:16]
}

// Make returns a token for sub, purpose p, valid for ttl.
func (t *Tokens) Make(sub *store.Subscriber, p Purpose, ttl time.Duration) string {
	exp := t.Now().Add(ttl).Unix()
	buf := make([]byte, 0, 2+2*binary.MaxVarintLen64+16)
	buf = append(buf, tokenVersion, byte(p))
	buf = binary.AppendUvarint(buf, uint64(sub.ID))
	buf = binary.AppendUvarint(buf, uint64(exp))
	buf = append(buf, t.mac(buf, sub.Nonce)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Claims are what a token says, before its signature is checked.
type Claims struct {
	SubscriberID int64
	Purpose      Purpose
	Expires      time.Time
	payload, mac []byte
}

// Parse decodes a token for purpose p without checking its signature (that
// needs the subscriber's nonce: see Verify). It fails with ErrTokenInvalid
// for a malformed token or another purpose.
func (t *Tokens) Parse(token string, p Purpose) (*Claims, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || len(raw) < 2+2+16 || raw[0] != tokenVersion || Purpose(raw[1]) != p {
		return nil, ErrTokenInvalid
	}
	body := raw[:len(raw)-16]
	rest := body[2:]
	id, n := binary.Uvarint(rest)
	if n <= 0 || id == 0 || id > 1<<62 {
		return nil, ErrTokenInvalid
	}
	rest = rest[n:]
	exp, n := binary.Uvarint(rest)
	if n <= 0 || n != len(rest) || exp > 1<<40 {
		return nil, ErrTokenInvalid
	}
	return &Claims{SubscriberID: int64(id), Purpose: p, Expires: time.Unix(int64(exp), 0), payload: body, mac: raw[len(raw)-16:]}, nil
}

// Verify checks the signature of c against sub (whose ID must match) and,
// unless allowExpired, the expiry.
func (t *Tokens) Verify(c *Claims, sub *store.Subscriber, allowExpired bool) error {
	if sub == nil || sub.ID != c.SubscriberID || !hmac.Equal(c.mac, t.mac(c.payload, sub.Nonce)) {
		return ErrTokenInvalid
	}
	if !allowExpired && t.Now().After(c.Expires) {
		return ErrTokenExpired
	}
	return nil
}

// Links makes the absolute URLs of a subscriber's pages.
type Links struct {
	// Base is the site's public address, e.g. https://legists.example
	// (empty: site-relative links, for previews).
	Base   string
	Tokens *Tokens
}

func (l Links) url(path string, sub *store.Subscriber, p Purpose, ttl time.Duration) string {
	return strings.TrimRight(l.Base, "/") + path + "?token=" + url.QueryEscape(l.Tokens.Make(sub, p, ttl))
}

// Confirm is the double opt-in link.
func (l Links) Confirm(sub *store.Subscriber) string {
	return l.url("/subscribe/confirm", sub, PurposeConfirm, ConfirmTTL)
}

// Preferences is the page to change topics, firms and frequency.
func (l Links) Preferences(sub *store.Subscriber) string {
	return l.url("/preferences", sub, PurposeManage, ManageTTL)
}

// Unsubscribe is the one-click unsubscribe link (List-Unsubscribe).
func (l Links) Unsubscribe(sub *store.Subscriber) string {
	return l.url("/unsubscribe", sub, PurposeUnsubscribe, UnsubscribeTTL)
}

// Site makes an absolute URL of a site path.
func (l Links) Site(path string) string { return strings.TrimRight(l.Base, "/") + path }
