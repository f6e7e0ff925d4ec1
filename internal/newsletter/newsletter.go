// Package newsletter serves the reader's side of the newsletter and the
// events calendar:
//
//	POST /subscribe                  the Stay Tuned form: email, topics and firms (repeated slugs),
//	                                 frequency (daily|weekly); honeypot field "website"
//	GET  /subscribe                  a full sign-up form
//	GET  /subscribe/confirm?token=   double opt-in
//	GET  /preferences?token=         change topics, firms and frequency without a password
//	POST /preferences                (token in the form or the query)
//	GET  /preferences/export?token=  the subscriber's data as JSON
//	POST /preferences/erase          erase the subscriber's data
//	GET  /unsubscribe?token=         a page with a one-button form
//	POST /unsubscribe?token=         unsubscribe (RFC 8058 one-click: body List-Unsubscribe=One-Click)
//	GET  /events                     upcoming events
//	GET  /events.ics                 the same as iCalendar (RFC 5545)
//
// POST /subscribe answers the same, byte for byte, whether or not the
// address is known, and sends its mail in the background, so that neither
// the answer nor its timing tells who subscribes. Links are signed
// (digest.Tokens). Sign-ups are limited per client address and per e-mail
// address, in memory.
package newsletter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"legists/internal/brief"
	"legists/internal/clientaddr"
	"legists/internal/digest"
	"legists/internal/mail"
	"legists/internal/store"
)

// Limit is a token bucket: Burst requests at once, then one every Every.
type Limit struct {
	Every time.Duration
	Burst int
}

// Deps is what the handlers need.
type Deps struct {
	Store store.Store
	// Mailer sends confirmation mail (nil: an outbox in ./outbox).
	Mailer mail.Sender
	// BaseURL is the site's public address, for links in mail.
	BaseURL string
	// From is the author of mail (default digest.DefaultFrom(BaseURL)).
	From string
	// Tokens signs links (default: loaded from the store on first use).
	Tokens *digest.Tokens
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// IPLimit bounds sign-ups per client address (default 10, then one
	// every 6 minutes); AddressLimit confirmation mails per e-mail
	// address (default 3, then one every 8 hours).
	IPLimit, AddressLimit Limit
	// ClientIP returns the client address of a request (default: the
	// connection's remote address). legists serve passes the function the
	// site and the desk use (clientaddr.Func of --trust-proxy).
	ClientIP func(*http.Request) string
	// SyncMail sends confirmation mail before answering (tests); by
	// default it goes in the background.
	SyncMail bool
	// Wrap, when set, puts the pages in the site's layout: it gets the
	// page's <main class="page"> element (trusted HTML) and writes the
	// response with status. Without it, pages are whole documents that
	// use /static/site.css.
	Wrap func(w http.ResponseWriter, r *http.Request, status int, title string, main template.HTML)
	// Cache, when set, wraps the handlers of the pages that are the same
	// for every reader (the events page and calendar): legists serve
	// passes the site's page cache (web.Server.Cached).
	Cache func(http.Handler) http.Handler
}

// Handler serves the newsletter routes.
type Handler struct {
	d   Deps
	log *slog.Logger

	ipLimit, addrLimit *limiter

	tokMu  sync.Mutex
	tokens *digest.Tokens

	dirMu     sync.Mutex
	dirAt     time.Time
	topics    []brief.Topic
	firms     []brief.Firm
	topicSet  map[string]bool
	firmSet   map[string]bool
	nameOfTop map[string]string
	nameOfFir map[string]string

	mailWG  sync.WaitGroup
	mailSem chan struct{}
}

// Routes registers the newsletter and events routes on mux.
func Routes(mux *http.ServeMux, deps Deps) { New(deps).Register(mux) }

// New makes a handler.
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Mailer == nil {
		d.Mailer = mail.NewOutbox("")
	}
	if d.From == "" {
		d.From = digest.DefaultFrom(d.BaseURL)
	}
	if d.IPLimit.Every <= 0 {
		d.IPLimit = Limit{Every: 6 * time.Minute, Burst: 10}
	}
	if d.AddressLimit.Every <= 0 {
		d.AddressLimit = Limit{Every: 8 * time.Hour, Burst: 3}
	}
	if d.ClientIP == nil {
		d.ClientIP = clientaddr.Peer
	}
	return &Handler{
		d:         d,
		log:       d.Logger,
		tokens:    d.Tokens,
		ipLimit:   newLimiter(d.IPLimit, d.Now),
		addrLimit: newLimiter(d.AddressLimit, d.Now),
		mailSem:   make(chan struct{}, 8),
	}
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /subscribe", h.handleSubscribeForm)
	mux.HandleFunc("POST /subscribe", h.handleSubscribe)
	mux.HandleFunc("GET /subscribe/confirm", h.handleConfirm)
	mux.HandleFunc("GET /preferences", h.handlePreferences)
	mux.HandleFunc("POST /preferences", h.handlePreferencesPost)
	mux.HandleFunc("GET /preferences/export", h.handleExport)
	mux.HandleFunc("POST /preferences/erase", h.handleErase)
	mux.HandleFunc("GET /unsubscribe", h.handleUnsubscribePage)
	mux.HandleFunc("POST /unsubscribe", h.handleUnsubscribe)
	cache := h.d.Cache
	if cache == nil {
		cache = func(h http.Handler) http.Handler { return h }
	}
	mux.Handle("GET /events", cache(http.HandlerFunc(h.handleEvents)))
	mux.Handle("GET /events.ics", cache(http.HandlerFunc(h.handleICS)))
}

// Wait waits for the confirmation mails sent in the background.
func (h *Handler) Wait() { h.mailWG.Wait() }

// addressKey is the rate-limit key of an e-mail address: a hash, so that
// the limiter keeps no address in memory.
func addressKey(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return hex.EncodeToString(sum[:16])
}

// ---- rate limits ----

type limiter struct {
	lim   Limit
	now   func() time.Time
	mu    sync.Mutex
	m     map[string]*limEntry
	calls int
}

type limEntry struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(l Limit, now func() time.Time) *limiter {
	if l.Burst <= 0 {
		l.Burst = 1
	}
	return &limiter{lim: l, now: now, m: map[string]*limEntry{}}
}

// maxLimiterKeys bounds the buckets a limiter keeps.
const maxLimiterKeys = 200000

// allow takes a token from key's bucket.
func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.calls++
	if l.calls%1024 == 0 {
		// Forget buckets that have refilled: they behave like new ones.
		full := l.lim.Every * time.Duration(l.lim.Burst)
		for k, e := range l.m {
			if now.Sub(e.seen) > full {
				delete(l.m, k)
			}
		}
		// Bound the memory under a flood of distinct keys.
		if len(l.m) > maxLimiterKeys {
			for k := range l.m {
				delete(l.m, k)
				if len(l.m) <= maxLimiterKeys/2 {
					break
				}
			}
		}
	}
	e := l.m[key]
	if e == nil {
		e = &limEntry{l: rate.NewLimiter(rate.Every(l.lim.Every), l.lim.Burst)}
		l.m[key] = e
	}
	e.seen = now
	return e.l.AllowN(now, 1)
}

// ---- directory ----

// directory returns the taxonomy and firm directory, cached for a minute.
func (h *Handler) directory(ctx context.Context) ([]brief.Topic, []brief.Firm) {
	h.dirMu.Lock()
	defer h.dirMu.Unlock()
	if h.topicSet != nil && h.d.Now().Sub(h.dirAt) < time.Minute {
		return h.topics, h.firms
	}
	topics, err1 := h.d.Store.ListTopics(ctx)
	firms, err2 := h.d.Store.ListFirms(ctx)
	if err := errors.Join(err1, err2); err != nil {
		h.log.Warn("newsletter: cannot read the directory", "err", err)
		if h.topicSet != nil {
			return h.topics, h.firms
		}
	}
	h.topics, h.firms, h.dirAt = topics, firms, h.d.Now()
	h.topicSet, h.firmSet = map[string]bool{}, map[string]bool{}
	h.nameOfTop, h.nameOfFir = map[string]string{}, map[string]string{}
	for _, t := range topics {
		h.topicSet[t.Slug] = true
		h.nameOfTop[t.Slug] = t.Name
	}
	for _, f := range firms {
		h.firmSet[f.Slug] = true
		h.nameOfFir[f.Slug] = f.Name
	}
	return topics, firms
}

// knownSlugs keeps the values that name a topic (or firm) of the
// directory, by slug or by name, as slugs.
func (h *Handler) knownSlugs(ctx context.Context, values []string, firms bool) []string {
	h.directory(ctx)
	h.dirMu.Lock()
	set := h.topicSet
	if firms {
		set = h.firmSet
	}
	h.dirMu.Unlock()
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			s := strings.TrimSpace(part)
			if s == "" {
				continue
			}
			if !set[s] {
				s = brief.Slugify(s)
			}
			if set[s] && len(out) < 200 {
				out = append(out, s)
			}
		}
	}
	return out
}

func (h *Handler) names(slugs []string, firms bool) []string {
	h.dirMu.Lock()
	defer h.dirMu.Unlock()
	m := h.nameOfTop
	if firms {
		m = h.nameOfFir
	}
	var out []string
	for _, s := range slugs {
		if n, ok := m[s]; ok {
			out = append(out, n)
		} else {
			out = append(out, s)
		}
	}
	return out
}

// ---- tokens ----

func (h *Handler) tokenSigner(ctx context.Context) (*digest.Tokens, error) {
	h.tokMu.Lock()
	defer h.tokMu.Unlock()
	if h.tokens == nil {
		t, err := digest.LoadTokens(ctx, h.d.Store)
		if err != nil {
			return nil, err
		}
		h.tokens = t
	}
	return h.tokens, nil
}

func (h *Handler) links(ctx context.Context) (digest.Links, error) {
	t, err := h.tokenSigner(ctx)
	if err != nil {
		return digest.Links{}, err
	}
	return digest.Links{Base: h.d.BaseURL, Tokens: t}, nil
}

// errGone: the token is well signed but names a subscriber that no longer
// exists (erased), or was never valid.
var errGone = errors.New("newsletter: no such subscriber")

// subscriberFor checks a token for purpose p and returns its subscriber.
func (h *Handler) subscriberFor(ctx context.Context, token string, p digest.Purpose, allowExpired bool) (*store.Subscriber, error) {
	t, err := h.tokenSigner(ctx)
	if err != nil {
		return nil, err
	}
	c, err := t.Parse(token, p)
	if err != nil {
		return nil, err
	}
	sub, err := h.d.Store.GetSubscriber(ctx, c.SubscriberID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errGone
	}
	if err != nil {
		return nil, err
	}
	if err := t.Verify(c, sub, allowExpired); err != nil {
		return nil, err
	}
	return sub, nil
}

// tokenError answers a bad link.
func (h *Handler) tokenError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, digest.ErrTokenExpired):
		h.page(w, r, http.StatusGone, pageData{Title: "This link has expired",
			Notice: "For your security, this link only worked for a limited time.", NoticeKind: "error",
			Body: "expired"})
	case errors.Is(err, digest.ErrTokenInvalid), errors.Is(err, errGone):
		h.page(w, r, http.StatusBadRequest, pageData{Title: "This link is not valid",
			Notice: "The link may be incomplete (check that it was not cut across two lines), or it no longer applies.", NoticeKind: "error",
			Body: "invalid"})
	default:
		h.serverError(w, r, err)
	}
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("newsletter", "path", r.URL.Path, "err", err)
	h.page(w, r, http.StatusInternalServerError, pageData{Title: "Something went wrong",
		Notice: "We could not complete your request. Please try again in a few minutes.", NoticeKind: "error"})
}

// ---- subscribe ----

// maxForm bounds form bodies.
const maxForm = 64 << 10

func (h *Handler) handleSubscribeForm(w http.ResponseWriter, r *http.Request) {
	topics, firms := h.directory(r.Context())
	h.page(w, r, http.StatusOK, pageData{Title: "Stay Tuned", Body: "subscribe-form", Form: h.formView(topics, firms, nil, nil, store.Weekly)})
}

// acceptedPage is the one answer to every sign-up that is well formed.
var acceptedPage = pageData{
	Title:      "Check your inbox",
	Notice:     "If the address can receive our mail, a message is on its way. Follow its link to confirm your subscription; the link works for 48 hours.",
	NoticeKind: "ok",
	Body:       "accepted",
}

func (h *Handler) accepted(w http.ResponseWriter, r *http.Request) {
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "accepted", "message": acceptedPage.Notice})
		return
	}
	h.page(w, r, http.StatusOK, acceptedPage)
}

func (h *Handler) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.badForm(w, r, "The form could not be read.")
		return
	}
	if strings.TrimSpace(r.PostForm.Get("website")) != "" {
		// The honeypot: people do not see this field; bots fill it in.
		h.log.Info("newsletter: honeypot sign-up ignored", "ip", h.d.ClientIP(r))
		h.accepted(w, r)
		return
	}
	ip := h.d.ClientIP(r)
	if !h.ipLimit.allow(clientaddr.Key(ip)) {
		w.Header().Set("Retry-After", strconv.Itoa(int(h.d.IPLimit.Every.Seconds())))
		if wantsJSON(r) {
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"status": "rate_limited", "message": "Too many sign-ups from your network; try again later."})
			return
		}
		h.page(w, r, http.StatusTooManyRequests, pageData{Title: "Too many requests",
			Notice: "We received many sign-ups from your network. Please try again later.", NoticeKind: "error"})
		return
	}
	email, ok := parseEmail(r.PostForm.Get("email"))
	if !ok {
		h.badForm(w, r, "Please enter a valid e-mail address.")
		return
	}
	freq := store.Frequency(strings.ToLower(strings.TrimSpace(r.PostForm.Get("frequency"))))
	if freq == "" {
		freq = store.Weekly
	}
	if !freq.Valid() {
		h.badForm(w, r, "Please choose daily or weekly.")
		return
	}
	topics := h.knownSlugs(ctx, r.PostForm["topics"], false)
	firms := h.knownSlugs(ctx, r.PostForm["firms"], true)
	if !h.addrLimit.allow(addressKey(email)) {
		// Same answer, no mail: nobody can flood an inbox through us.
		h.log.Info("newsletter: sign-up mail withheld by the per-address limit", "ip", ip)
		h.accepted(w, r)
		return
	}
	sub, prev, err := h.d.Store.Subscribe(ctx, store.SubscribeRequest{Email: email, Frequency: freq, Topics: topics, Firms: firms, IP: ip, At: h.d.Now()})
	if errors.Is(err, store.ErrInvalid) {
		h.badForm(w, r, "Please enter a valid e-mail address.")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	links, err := h.links(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var msg *mail.Message
	if prev == store.SubscriberConfirmed {
		msg, err = h.alreadyMail(sub, links)
	} else {
		msg, err = h.confirmMail(sub, links)
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.send(msg)
	h.accepted(w, r)
}

// parseEmail accepts a bare address.
func parseEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 || strings.ContainsAny(s, "<>\"\r\n ") {
		return "", false
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", false
	}
	return s, true
}

func (h *Handler) badForm(w http.ResponseWriter, r *http.Request, msg string) {
	if wantsJSON(r) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"status": "invalid", "message": msg})
		return
	}
	topics, firms := h.directory(r.Context())
	var selTopics, selFirms []string
	freq := store.Weekly
	if r.PostForm != nil {
		selTopics = h.knownSlugs(r.Context(), r.PostForm["topics"], false)
		selFirms = h.knownSlugs(r.Context(), r.PostForm["firms"], true)
		if f := store.Frequency(r.PostForm.Get("frequency")); f.Valid() {
			freq = f
		}
	}
	fv := h.formView(topics, firms, selTopics, selFirms, freq)
	if r.PostForm != nil {
		fv.Email = r.PostForm.Get("email")
	}
	h.page(w, r, http.StatusBadRequest, pageData{Title: "Stay Tuned", Notice: msg, NoticeKind: "error", Body: "subscribe-form", Form: fv})
}

// send delivers a transactional message in the background (or at once
// with SyncMail).
func (h *Handler) send(msg *mail.Message) {
	do := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := h.d.Mailer.Send(ctx, msg); err != nil {
			h.log.Warn("newsletter: mail not sent", "message_id", msg.ID, "err", err)
		}
	}
	if h.d.SyncMail {
		do()
		return
	}
	h.mailWG.Add(1)
	go func() {
		defer h.mailWG.Done()
		h.mailSem <- struct{}{}
		defer func() { <-h.mailSem }()
		do()
	}()
}

// ---- confirm ----

func (h *Handler) handleConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	setPrivate(w)
	sub, err := h.subscriberFor(ctx, r.URL.Query().Get("token"), digest.PurposeConfirm, false)
	if err != nil {
		h.tokenError(w, r, err)
		return
	}
	sub, err = h.d.Store.ConfirmSubscriber(ctx, sub.ID, h.d.ClientIP(r), h.d.Now())
	if errors.Is(err, store.ErrConflict) {
		h.page(w, r, http.StatusConflict, pageData{Title: "This link no longer applies",
			Notice: "This address has unsubscribed since the link was sent. To receive the digest again, subscribe from any page.", NoticeKind: "error"})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	links, err := h.links(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.page(w, r, http.StatusOK, pageData{Title: "You are subscribed",
		Notice: "Thank you. Your first digest comes as soon as there is news on what you follow.", NoticeKind: "ok",
		Body: "confirmed", Sub: h.subView(sub), PrefsURL: links.Preferences(sub)})
}

// ---- preferences ----

func (h *Handler) handlePreferences(w http.ResponseWriter, r *http.Request) {
	setPrivate(w)
	sub, err := h.subscriberFor(r.Context(), r.URL.Query().Get("token"), digest.PurposeManage, false)
	if err != nil {
		h.tokenError(w, r, err)
		return
	}
	h.prefsPage(w, r, http.StatusOK, sub, r.URL.Query().Get("token"), "", "")
}

func (h *Handler) prefsPage(w http.ResponseWriter, r *http.Request, status int, sub *store.Subscriber, token, notice, kind string) {
	links, err := h.links(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	topics, firms := h.directory(r.Context())
	h.page(w, r, status, pageData{Title: "Your digest", Notice: notice, NoticeKind: kind, Body: "preferences",
		Sub: h.subView(sub), Token: token, Form: h.formView(topics, firms, sub.Topics, sub.Firms, sub.Frequency),
		UnsubURL: links.Unsubscribe(sub)})
}

func (h *Handler) formToken(r *http.Request) string {
	if t := r.PostForm.Get("token"); t != "" {
		return t
	}
	return r.URL.Query().Get("token")
}

func (h *Handler) handlePreferencesPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	setPrivate(w)
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.tokenError(w, r, digest.ErrTokenInvalid)
		return
	}
	token := h.formToken(r)
	sub, err := h.subscriberFor(ctx, token, digest.PurposeManage, false)
	if err != nil {
		h.tokenError(w, r, err)
		return
	}
	switch r.PostForm.Get("action") {
	case "resume":
		sub, err = h.d.Store.SetSubscriberStatus(ctx, sub.ID, store.SubscriberConfirmed, h.d.Now(), "")
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		h.prefsPage(w, r, http.StatusOK, sub, token, "Welcome back: your digest is on again.", "ok")
		return
	}
	freq := store.Frequency(r.PostForm.Get("frequency"))
	if freq == "" {
		freq = sub.Frequency
	}
	if !freq.Valid() {
		h.prefsPage(w, r, http.StatusBadRequest, sub, token, "Please choose daily or weekly.", "error")
		return
	}
	sub, err = h.d.Store.UpdatePreferences(ctx, sub.ID, store.Preferences{Frequency: freq,
		Topics: h.knownSlugs(ctx, r.PostForm["topics"], false), Firms: h.knownSlugs(ctx, r.PostForm["firms"], true)})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.prefsPage(w, r, http.StatusOK, sub, token, "Your preferences are saved.", "ok")
}

// Export is the JSON a subscriber downloads.
type Export struct {
	Subscriber store.Subscriber `json:"subscriber"`
	// Topics and Firms are the names of what the subscriber follows.
	Topics     []string         `json:"topic_names"`
	Firms      []string         `json:"firm_names"`
	Deliveries []store.Delivery `json:"deliveries"`
	ExportedAt time.Time        `json:"exported_at"`
}

func (h *Handler) handleExport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	setPrivate(w)
	sub, err := h.subscriberFor(ctx, r.URL.Query().Get("token"), digest.PurposeManage, false)
	if err != nil {
		h.tokenError(w, r, err)
		return
	}
	dl, err := h.d.Store.ListDeliveries(ctx, sub.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.directory(ctx)
	exp := Export{Subscriber: *sub, Topics: h.names(sub.Topics, false), Firms: h.names(sub.Firms, true), Deliveries: dl, ExportedAt: h.d.Now().UTC()}
	for i := range exp.Deliveries {
		exp.Deliveries[i].ClaimedBy = ""
	}
	w.Header().Set("Content-Disposition", `attachment; filename="legists-subscriber-data.json"`)
	writeJSON(w, http.StatusOK, exp)
}

func (h *Handler) handleErase(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	setPrivate(w)
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.tokenError(w, r, digest.ErrTokenInvalid)
		return
	}
	sub, err := h.subscriberFor(ctx, h.formToken(r), digest.PurposeManage, false)
	if err != nil {
		h.tokenError(w, r, err)
		return
	}
	if err := h.d.Store.DeleteSubscriber(ctx, sub.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	h.log.Info("newsletter: subscriber erased on request", "subscriber", sub.ID)
	h.page(w, r, http.StatusOK, pageData{Title: "Your data is erased",
		Notice:     "We deleted your address, your preferences and the record of the digests we sent you. You will receive nothing more from us.",
		NoticeKind: "ok"})
}

// ---- unsubscribe ----

func (h *Handler) handleUnsubscribePage(w http.ResponseWriter, r *http.Request) {
	setPrivate(w)
	token := r.URL.Query().Get("token")
	sub, err := h.subscriberFor(r.Context(), token, digest.PurposeUnsubscribe, true)
	if errors.Is(err, errGone) {
		h.page(w, r, http.StatusOK, pageData{Title: "You are not subscribed", Notice: "This address receives nothing from us.", NoticeKind: "ok"})
		return
	}
	if err != nil {
		h.tokenError(w, r, err)
		return
	}
	if sub.Status != store.SubscriberConfirmed && sub.Status != store.SubscriberPending {
		h.page(w, r, http.StatusOK, pageData{Title: "You are unsubscribed", Notice: "This address receives no digest from us.", NoticeKind: "ok", Sub: h.subView(sub)})
		return
	}
	h.page(w, r, http.StatusOK, pageData{Title: "Unsubscribe", Body: "unsubscribe", Sub: h.subView(sub), Token: token})
}

// handleUnsubscribe unsubscribes: the RFC 8058 one-click POST of a mail
// client (body List-Unsubscribe=One-Click), or the form of the page.
func (h *Handler) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	setPrivate(w)
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	_ = r.ParseForm() // a one-click POST may come with any body
	token := h.formToken(r)
	sub, err := h.subscriberFor(ctx, token, digest.PurposeUnsubscribe, true)
	if errors.Is(err, errGone) {
		h.page(w, r, http.StatusOK, pageData{Title: "You are unsubscribed", Notice: "This address receives nothing from us.", NoticeKind: "ok"})
		return
	}
	if err != nil {
		h.tokenError(w, r, err)
		return
	}
	if sub.Status == store.SubscriberConfirmed || sub.Status == store.SubscriberPending {
		if sub, err = h.d.Store.SetSubscriberStatus(ctx, sub.ID, store.SubscriberUnsubscribed, h.d.Now(), ""); err != nil {
			h.serverError(w, r, err)
			return
		}
		h.log.Info("newsletter: unsubscribed", "subscriber", sub.ID, "one_click", r.PostForm.Get("List-Unsubscribe") == "One-Click")
	}
	links, err := h.links(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.page(w, r, http.StatusOK, pageData{Title: "You are unsubscribed",
		Notice: "You will receive no more digests. Changed your mind? You can resume from your preferences.", NoticeKind: "ok",
		Sub: h.subView(sub), PrefsURL: links.Preferences(sub)})
}

// ---- helpers ----

func setPrivate(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	// Links on these pages must not carry the token away in Referer.
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
}

func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
