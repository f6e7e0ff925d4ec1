package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"legists/internal/brief"
	"legists/internal/clientaddr"
	"legists/internal/store"
)

// Cookie names.
const (
	SessionCookie = "legists_session"
	// LoginCSRFCookie carries the double-submit token of the login form,
	// which is shown before there is a session to keep a token in.
	LoginCSRFCookie = "legists_login_csrf"
)

// Errors of Login and Authenticate.
var (
	ErrInvalidLogin = errors.New("auth: wrong email or password")
	ErrThrottled    = errors.New("auth: too many failed logins, try again later")
	ErrNoSession    = errors.New("auth: not logged in")
	ErrBadToken     = errors.New("auth: invalid API token")
)

// Manager logs users in and out and finds who is behind a request.
type Manager struct {
	Store store.Desk
	// Secure marks cookies Secure (set when the site is served over https).
	Secure bool
	// TTL is how long a session lasts without use; default 12 hours.
	TTL time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Throttle limits password guesses per client address and per
	// account; default 10 in 15 minutes, then growing locks.
	Throttle *Throttle

	throttle *Throttle
	once     sync.Once
	dummy    string
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Manager) ttl() time.Duration {
	if m.TTL > 0 {
		return m.TTL
	}
	return 12 * time.Hour
}

func (m *Manager) init() {
	m.once.Do(func() {
		m.dummy = dummyHash()
		if m.throttle == nil {
			m.throttle = m.Throttle
		}
		if m.throttle == nil {
			m.throttle = NewThrottle(10, 15*time.Minute)
		}
	})
}

// ThrottledError is ErrThrottled with how long to wait.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string { return ErrThrottled.Error() }

// Is makes errors.Is(err, ErrThrottled) hold.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// RetryAfterSeconds is the Retry-After header's value for err (ErrBusy or
// a ThrottledError), at least 1.
func RetryAfterSeconds(err error) int {
	var te *ThrottledError
	if errors.As(err, &te) {
		return max(1, int((te.RetryAfter+time.Second-1)/time.Second))
	}
	return Hashing.RetryAfter()
}

// throttleKeys are the keys a guess at account email from client address
// addr counts against: the address (IPv6 by its /64) and the account.
func throttleKeys(addr, email string) []string {
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > 254 {
		email = email[:254]
	}
	return []string{"addr " + clientaddr.Key(addr), "account " + email}
}

// checkPassword counts a guess at the password of account email from
// clientAddr against the throttle, then looks the user up and checks it:
// ErrThrottled (a *ThrottledError) when the address or the account is
// locked, ErrBusy when no hashing slot frees up (the guess is then not
// counted). An unknown account is checked against a dummy hash, so that it
// takes as long as a known one.
func (m *Manager) checkPassword(email, password, clientAddr string, lookup func() (*store.User, error)) (*store.User, error) {
	m.init()
	keys := throttleKeys(clientAddr, email)
	at, wait, ok := m.throttle.Attempt(keys...)
	if !ok {
		return nil, &ThrottledError{RetryAfter: wait}
	}
	u, err := lookup()
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		m.throttle.Refund(at, keys...)
		return nil, err
	}
	hash := m.dummy
	if u != nil {
		hash = u.PasswordHash
	}
	good, err := VerifyPassword(hash, password)
	if errors.Is(err, ErrBusy) {
		m.throttle.Refund(at, keys...)
		return nil, err
	}
	if err != nil && !errors.Is(err, ErrBadHash) {
		return nil, err
	}
	if good && u != nil && !u.Disabled {
		m.throttle.Refund(at, keys...)
		return u, nil
	}
	return nil, ErrInvalidLogin
}

// Login checks an email and password and, if they match an enabled user,
// starts a session and sets its cookie. clientAddr (the client's address)
// and the email feed the login throttle. The session is stored with its
// audit entry ("login", from clientAddr) in one transaction.
func (m *Manager) Login(ctx context.Context, w http.ResponseWriter, email, password, clientAddr string) (*store.User, *store.Session, error) {
	email = strings.TrimSpace(email)
	u, err := m.checkPassword(email, password, clientAddr, func() (*store.User, error) {
		return m.Store.GetUserByEmail(ctx, email)
	})
	if err != nil {
		return nil, nil, err
	}
	tok := NewToken()
	now := m.now()
	s := &store.Session{ID: HashToken(tok), UserID: u.ID, CSRF: NewToken(), CreatedAt: now, ExpiresAt: now.Add(m.ttl())}
	actx := store.WithAudit(ctx, store.AuditEntry{Actor: u.Email, Action: "login", Detail: "from " + clientAddr})
	if err := m.Store.CreateSession(actx, s); err != nil {
		return nil, nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: m.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(m.ttl().Seconds()),
	})
	return u, s, nil
}

// CheckCurrentPassword checks the password of a logged-in user (before a
// password change) under the same throttle as logins.
// It returns ErrInvalidLogin for a wrong password, ErrThrottled or ErrBusy.
func (m *Manager) CheckCurrentPassword(u *store.User, password, clientAddr string) error {
	_, err := m.checkPassword(u.Email, password, clientAddr, func() (*store.User, error) { return u, nil })
	return err
}

// Logout ends the request's session and clears its cookie.
func (m *Manager) Logout(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: m.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	return m.Store.DeleteSession(ctx, HashToken(c.Value))
}

// Authenticate returns the user and session behind the request's session
// cookie, or ErrNoSession.
func (m *Manager) Authenticate(ctx context.Context, r *http.Request) (*store.User, *store.Session, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, nil, ErrNoSession
	}
	s, err := m.Store.GetSession(ctx, HashToken(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	if !s.ExpiresAt.After(m.now()) {
		_ = m.Store.DeleteSession(ctx, s.ID)
		return nil, nil, ErrNoSession
	}
	u, err := m.Store.GetUser(ctx, s.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, ErrNoSession
	}
	return u, s, nil
}

// BearerUser returns the user behind an "Authorization: Bearer TOKEN"
// header; ErrNoSession when the header is absent, ErrBadToken when the
// token is unknown, expired or its user disabled.
func (m *Manager) BearerUser(ctx context.Context, r *http.Request) (*store.User, *store.APIToken, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil, ErrNoSession
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, nil, ErrBadToken
	}
	t, err := m.Store.GetAPITokenByHash(ctx, HashToken(strings.TrimSpace(tok)))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrBadToken
	}
	if err != nil {
		return nil, nil, err
	}
	if t.Expired(m.now()) {
		return nil, nil, ErrBadToken
	}
	u, err := m.Store.GetUser(ctx, t.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		return nil, nil, ErrBadToken
	}
	if err != nil {
		return nil, nil, err
	}
	_ = m.Store.TouchAPIToken(ctx, t.ID, m.now())
	return u, t, nil
}

// NewAPIToken creates a token for user u that expires after ttl (0:
// never); the returned secret is shown once and never kept. audit, when
// not nil, is recorded with the token (its target set to the token's
// prefix) in the same transaction.
func (m *Manager) NewAPIToken(ctx context.Context, u *store.User, name string, ttl time.Duration, audit *store.AuditEntry) (string, *store.APIToken, error) {
	secret := "lgt_" + NewToken()
	now := m.now()
	t := &store.APIToken{UserID: u.ID, Name: name, Prefix: secret[:10], Hash: HashToken(secret), CreatedAt: now}
	if ttl > 0 {
		exp := now.Add(ttl).UTC().Truncate(time.Second)
		t.ExpiresAt = &exp
	}
	if audit != nil {
		e := *audit
		e.Target = t.Prefix
		ctx = store.WithAudit(ctx, e)
	}
	if err := m.Store.CreateAPIToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// LoginCSRF returns the login form's anti-forgery token, setting its cookie
// when the request has none.
func (m *Manager) LoginCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(LoginCSRFCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	tok := NewToken()
	http.SetCookie(w, &http.Cookie{Name: LoginCSRFCookie, Value: tok, Path: "/admin/", HttpOnly: true, Secure: m.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	return tok
}

// CheckLoginCSRF reports whether the login form's token matches its cookie.
func CheckLoginCSRF(r *http.Request, formToken string) bool {
	c, err := r.Cookie(LoginCSRFCookie)
	return err == nil && Equal(c.Value, formToken)
}

// CheckCSRF reports whether a form token matches the session's.
func CheckCSRF(s *store.Session, formToken string) bool {
	return s != nil && Equal(s.CSRF, formToken)
}

// Permission is something a role may do.
type Permission int

// Permissions, checked with Can.
const (
	// PermWrite: create briefs, edit drafts and briefs in review, submit
	// them for review.
	PermWrite Permission = iota
	// PermPublish: publish, schedule, unpublish; edit published briefs;
	// delete briefs; read the audit log.
	PermPublish
	// PermAdmin: manage users.
	PermAdmin
)

// Can reports whether role r grants p.
func Can(r brief.Role, p Permission) bool {
	switch r {
	case brief.RoleAdmin:
		return true
	case brief.RoleEditor:
		return p <= PermPublish
	case brief.RoleAuthor:
		return p == PermWrite
	}
	return false
}

// ValidRole reports whether r is one of the three roles.
func ValidRole(r brief.Role) bool {
	return r == brief.RoleAdmin || r == brief.RoleEditor || r == brief.RoleAuthor
}
