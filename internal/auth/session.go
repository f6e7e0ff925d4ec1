package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"legists/internal/brief"
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
			m.throttle = NewThrottle(10, 15*time.Minute)
		}
	})
}

// Login checks an email and password and, if they match an enabled user,
// starts a session and sets its cookie. clientKey (the client's address)
// feeds the failed-login throttle.
func (m *Manager) Login(ctx context.Context, w http.ResponseWriter, email, password, clientKey string) (*store.User, *store.Session, error) {
	m.init()
	email = strings.TrimSpace(email)
	key := clientKey + "|" + strings.ToLower(email)
	if !m.throttle.Allow(key) || !m.throttle.Allow(clientKey) {
		return nil, nil, ErrThrottled
	}
	u, err := m.Store.GetUserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		_, _ = VerifyPassword(m.dummy, password)
		m.throttle.Fail(key)
		m.throttle.Fail(clientKey)
		return nil, nil, ErrInvalidLogin
	}
	if err != nil {
		return nil, nil, err
	}
	ok, err := VerifyPassword(u.PasswordHash, password)
	if err != nil && !errors.Is(err, ErrBadHash) {
		return nil, nil, err
	}
	if !ok || u.Disabled {
		m.throttle.Fail(key)
		m.throttle.Fail(clientKey)
		return nil, nil, ErrInvalidLogin
	}
	m.throttle.Reset(key)
	tok := NewToken()
	now := m.now()
	s := &store.Session{ID: HashToken(tok), UserID: u.ID, CSRF: NewToken(), CreatedAt: now, ExpiresAt: now.Add(m.ttl())}
	if err := m.Store.CreateSession(ctx, s); err != nil {
		return nil, nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: m.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(m.ttl().Seconds()),
	})
	return u, s, nil
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
// token is unknown or its user disabled.
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

// NewAPIToken creates a token for user u; the returned secret is shown
// once and never kept.
func (m *Manager) NewAPIToken(ctx context.Context, u *store.User, name string) (string, *store.APIToken, error) {
	secret := "lgt_" + NewToken()
	t := &store.APIToken{UserID: u.ID, Name: name, Prefix: secret[:10], Hash: HashToken(secret), CreatedAt: m.now()}
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

// Throttle counts failures per key in a sliding window.
type Throttle struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

// NewThrottle allows max failures per key within window.
func NewThrottle(max int, window time.Duration) *Throttle {
	return &Throttle{max: max, window: window, fails: map[string][]time.Time{}}
}

// Allow reports whether key may try again.
func (t *Throttle) Allow(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.prune(key, time.Now())) < t.max
}

// Fail records a failure for key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.fails[key] = append(t.prune(key, now), now)
	if len(t.fails) > 100000 { // bound memory under a spray of keys
		t.fails = map[string][]time.Time{}
	}
}

// Reset forgets key's failures.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, key)
}

func (t *Throttle) prune(key string, now time.Time) []time.Time {
	f := t.fails[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) > t.window {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(t.fails, key)
		return nil
	}
	t.fails[key] = f
	return f
}
