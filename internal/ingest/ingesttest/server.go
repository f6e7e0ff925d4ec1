// Package ingesttest serves the ingest fixtures from a loopback HTTP server:
// feeds of every format, article pages with real-looking boilerplate, a
// wire reprint, wrong and foreign charsets, broken XML, a huge body, a slow
// server, a redirect loop, permanent redirects, conditional GETs (304),
// 429s, and generated feeds and pages for load and crash tests.
package ingesttest

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

//go:embed testdata
var files embed.FS

// Server is the fixture server.
type Server struct {
	*httptest.Server
	// SlowDelay is how long /slow.xml and /slow/ pages wait (default 5s).
	SlowDelay time.Duration
	// PageDelay is how long each generated /slowart/ page waits (default
	// 200ms).
	PageDelay time.Duration

	mu       sync.Mutex
	hits     map[string]int
	genPages atomic.Int64
	inFlight atomic.Int64
	maxIn    atomic.Int64
}

// New starts a fixture server on loopback.
func New() *Server {
	s := &Server{SlowDelay: 5 * time.Second, PageDelay: 200 * time.Millisecond, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Hits returns how many requests a path received.
func (s *Server) Hits(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[p]
}

// GeneratedPages returns how many generated article pages (/gen/page/)
// were served: a load test's progress, item by item.
func (s *Server) GeneratedPages() int { return int(s.genPages.Load()) }

// MaxInFlight returns the most requests the server handled at once.
func (s *Server) MaxInFlight() int64 { return s.maxIn.Load() }

// URL returns the absolute URL of a path.
func (s *Server) URLOf(p string) string { return s.Server.URL + p }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxIn.Load()
		if n <= m || s.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.mu.Unlock()

	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/feeds/"):
		s.feed(w, r, strings.TrimPrefix(p, "/feeds/"), "", nil)
	case strings.HasPrefix(p, "/a/"):
		s.article(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/a/"), ".html"), "daily", "utf-8", nil)
	case strings.HasPrefix(p, "/gazette/"):
		s.article(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/gazette/"), ".html"), "gazette", "utf-8", nil)
	case p == "/enc/latin1.xml":
		s.feed(w, r, "latin1.xml", "application/rss+xml", charmap.ISO8859_1)
	case p == "/enc/cp1251.xml":
		// The charset is only in the header: the XML declaration is silent.
		s.feed(w, r, "cp1251.xml", "application/rss+xml; charset=windows-1251", charmap.Windows1251)
	case strings.HasPrefix(p, "/enc/latin1/"):
		s.article(w, r, name(p), "daily", "iso-8859-1", charmap.ISO8859_1)
	case strings.HasPrefix(p, "/enc/cp1251/"):
		s.article(w, r, name(p), "daily", "windows-1251", charmap.Windows1251)
	case strings.HasPrefix(p, "/enc/wrong/"):
		// The header and the page claim UTF-8; the bytes are Windows-1252.
		s.article(w, r, name(p), "daily", "utf-8", charmap.Windows1252)
	case p == "/huge.xml":
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title><description>`)
		chunk := bytes.Repeat([]byte("padding "), 8192)
		for range (20 << 20) / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `</description></channel></rss>`)
	case p == "/slow.xml" || strings.HasPrefix(p, "/slow/"):
		select {
		case <-time.After(s.SlowDelay):
		case <-r.Context().Done():
			return
		}
		s.feed(w, r, "rss2.xml", "", nil)
	case p == "/loop/a":
		http.Redirect(w, r, "/loop/b", http.StatusFound)
	case p == "/loop/b":
		http.Redirect(w, r, "/loop/a", http.StatusFound)
	case p == "/moved.xml":
		http.Redirect(w, r, "/feeds/rss2.xml", http.StatusMovedPermanently)
	case p == "/moved-twice.xml":
		http.Redirect(w, r, "/moved.xml", http.StatusPermanentRedirect)
	case p == "/old-feed.xml":
		http.Redirect(w, r, "/feeds/rss2.xml?edition=new", http.StatusMovedPermanently)
	case p == "/temporary.xml":
		http.Redirect(w, r, "/feeds/rss2.xml", http.StatusFound)
	case p == "/metadata-redirect":
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	case p == "/cond.xml":
		const etag = `"rev-7"`
		const lm = "Mon, 02 Mar 2026 16:00:00 GMT"
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lm)
		w.Header().Set("Cache-Control", "public, max-age=1800")
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lm {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		s.feed(w, r, "atom10.xml", "", nil)
	case p == "/429.xml":
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case p == "/503.xml":
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	case p == "/gzip.xml":
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(s.fixture("feeds/atom10.xml", r))
		zw.Close()
	case p == "/page.html":
		s.article(w, r, "hospital-merger", "daily", "utf-8", nil)
	case p == "/not-found.xml":
		http.NotFound(w, r)
	case p == "/slowfeed.xml":
		s.slowFeed(w, r)
	case strings.HasPrefix(p, "/slowart/"):
		select {
		case <-time.After(s.PageDelay):
		case <-r.Context().Done():
			return
		}
		id, _ := strconv.Atoi(strings.TrimSuffix(path.Base(p), ".html"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(GeneratedPage(id))
	case strings.HasPrefix(p, "/detect/"):
		s.detect(w, r, strings.TrimPrefix(p, "/detect/"))
	case p == "/":
		// A home page that announces no feed; the feed is at a common
		// path.
		s.detect(w, r, "home-plain.html")
	case p == "/index.xml":
		s.feed(w, r, "rss2.xml", "", nil)
	case strings.HasPrefix(p, "/gen/feed/"):
		s.genFeed(w, r)
	case strings.HasPrefix(p, "/gen/page/"):
		s.genPages.Add(1)
		id, _ := strconv.Atoi(strings.TrimSuffix(path.Base(p), ".html"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(GeneratedPage(id))
	default:
		http.NotFound(w, r)
	}
}

// detectTypes are the Content-Types of the /detect/ fixtures: what a
// careless server says.
var detectTypes = map[string]string{
	"empty.xml":        "application/rss+xml",
	"sitemap.xml":      "application/xml",
	"html-as-xml.xml":  "application/xml",
	"bad-encoding.xml": "application/atom+xml",
	"api.json":         "application/json",
	"logo.png":         "image/png",
}

// detect serves a fixture of testdata/detect/ for feed detection and
// discovery.
func (s *Server) detect(w http.ResponseWriter, r *http.Request, file string) {
	b, err := files.ReadFile("testdata/detect/" + file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	b = bytes.ReplaceAll(b, []byte("{{BASE}}"), []byte(base(r)))
	ct, ok := detectTypes[file]
	if !ok {
		ct = "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Write(b)
}

func name(p string) string { return strings.TrimSuffix(path.Base(p), ".html") }

func (s *Server) fixture(p string, r *http.Request) []byte {
	b, err := files.ReadFile("testdata/" + p)
	if err != nil {
		return nil
	}
	base := "http://" + r.Host
	return bytes.ReplaceAll(b, []byte("{{BASE}}"), []byte(base))
}

func (s *Server) feed(w http.ResponseWriter, r *http.Request, file, contentType string, enc encoding.Encoding) {
	b := s.fixture("feeds/"+file, r)
	if b == nil {
		http.NotFound(w, r)
		return
	}
	if contentType == "" {
		switch path.Ext(file) {
		case ".json":
			contentType = "application/feed+json"
		case ".rdf":
			contentType = "application/rdf+xml"
		default:
			if bytes.Contains(b[:min(len(b), 300)], []byte("<feed")) {
				contentType = "application/atom+xml"
			} else {
				contentType = "application/rss+xml"
			}
		}
	}
	if enc != nil {
		if eb, err := enc.NewEncoder().Bytes(b); err == nil {
			b = eb
		} else {
			b, _ = encoding.ReplaceUnsupported(enc.NewEncoder()).Bytes(b)
		}
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(b)
}

// article serves an article fixture in a layout, encoded as enc (nil for
// UTF-8) and labelled as charset.
func (s *Server) article(w http.ResponseWriter, r *http.Request, slug, layout, charset string, enc encoding.Encoding) {
	raw := s.fixture("articles/"+slug+".html", r)
	lay := s.fixture("layouts/"+layout+".html", r)
	if raw == nil || lay == nil {
		http.NotFound(w, r)
		return
	}
	head, body, _ := strings.Cut(string(raw), "\n---\n")
	meta := map[string]string{}
	for _, line := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(line, ":")
		meta[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	page := strings.NewReplacer(
		"{{ARTICLE}}", body,
		"{{TITLE}}", meta["title"],
		"{{AUTHOR}}", meta["author"],
		"{{DATE}}", meta["date"],
		"{{SECTION}}", meta["section"],
		"{{PATH}}", r.URL.Path,
	).Replace(string(lay))
	if charset != "utf-8" {
		page = strings.Replace(page, `<meta charset="utf-8">`, `<meta charset="`+charset+`">`, 1)
	}
	out := []byte(page)
	if enc != nil {
		if b, err := enc.NewEncoder().Bytes(out); err == nil {
			out = b
		} else {
			// Characters the charset lacks become '?', as a careless
			// publisher's pipeline would.
			out, _ = encoding.ReplaceUnsupported(enc.NewEncoder()).Bytes(out)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset="+charset)
	w.Write(out)
}

// slowFeed is an RSS feed of n items (?n=, default 20) whose pages are
// served slowly, for crash tests.
func (s *Server) slowFeed(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	if n <= 0 {
		n = 20
	}
	base := "http://" + r.Host
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(GeneratedFeed(base, "/slowart/", 0, n, false))
}

// genFeed serves /gen/feed/K.xml?items=N&full=F: N items numbered from
// K*N, linking to /gen/page/ID.html; the first F items of each feed carry
// their full text.
func (s *Server) genFeed(w http.ResponseWriter, r *http.Request) {
	k, _ := strconv.Atoi(strings.TrimSuffix(path.Base(r.URL.Path), ".xml"))
	n, _ := strconv.Atoi(r.URL.Query().Get("items"))
	if n <= 0 {
		n = 100
	}
	full, _ := strconv.Atoi(r.URL.Query().Get("full"))
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(GeneratedFeedFull(base(r), "/gen/page/", k*n, n, full))
}

func base(r *http.Request) string { return "http://" + r.Host }

// GeneratedFeed is an RSS 2.0 feed of n items numbered from first, linking
// to base+prefix+ID+".html"; with full, each item carries its text.
func GeneratedFeed(base, prefix string, first, n int, full bool) []byte {
	f := 0
	if full {
		f = n
	}
	return GeneratedFeedFull(base, prefix, first, n, f)
}

// GeneratedFeedFull is GeneratedFeed with the first full items carrying
// their text.
func GeneratedFeedFull(base, prefix string, first, n, full int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>`)
	fmt.Fprintf(&b, "<title>Generated feed %d</title><link>%s/</link><description>Load test</description>\n", first, base)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := first; i < first+n; i++ {
		title, paras := GeneratedArticle(i)
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s%s%d.html</link><guid>gen-%d</guid><pubDate>%s</pubDate>",
			title, base, prefix, i, i, t0.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z))
		fmt.Fprintf(&b, "<description>%s</description>", paras[0][:min(len(paras[0]), 120)])
		if i-first < full {
			b.WriteString("<content:encoded><![CDATA[")
			for _, p := range paras {
				b.WriteString("<p>" + p + "</p>")
			}
			b.WriteString("]]></content:encoded>")
		}
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// GeneratedPage is an article page with boilerplate for generated
// article id.
func GeneratedPage(id int) []byte {
	title, paras := GeneratedArticle(id)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
<meta property="og:site_name" content="Generated Gazette"></head><body>
<nav class="menu"><a href="/">Home</a> <a href="/law">Law</a> <a href="/business">Business</a> <a href="/subscribe">Subscribe</a></nav>
<div class="ad">Advertisement: compliance training for busy teams</div>
<article><h1>%s</h1><p class="byline">By Staff Reporter %d</p>`, title, title, id%17)
	for _, p := range paras {
		b.WriteString("<p>" + p + "</p>\n")
	}
	b.WriteString(`</article><aside class="sidebar"><h3>Most read</h3><ul><li><a href="/x">A story</a></li><li><a href="/y">Another story</a></li></ul></aside>
<section class="comments"><h3>Comments</h3><p>First!</p><p>Interesting read.</p></section><footer>© Generated Gazette</footer></body></html>`)
	return b.Bytes()
}

var (
	parties = []string{"Holcrest", "Nordcem", "Fenmore", "Quaimar", "Westbury Health", "Riverside Care", "Castell Minerals",
		"Baumann Stein", "Severpak", "Harrow Lane", "Obuya Mertens", "Lindqvist Bank", "Tarragon Foods", "Ostrava Steel",
		"Meridian Telecom", "Calloway Pharma", "Brightwater Energy", "Kestrel Airlines", "Pellucid Software", "Marlow Insurance"}
	bodies = []string{"competition authority", "data protection authority", "financial conduct regulator", "commercial court",
		"court of appeal", "supreme court", "energy regulator", "telecoms regulator", "serious fraud office", "employment tribunal"}
	actions = []string{"fined", "cleared", "opened an investigation into", "blocked a deal by", "approved a settlement with",
		"ordered a review of", "dismissed a claim against", "upheld a ruling against"}
	topics = []string{"price fixing", "misuse of customer data", "a hostile takeover", "late payment of suppliers",
		"misleading sustainability claims", "a pension scheme deficit", "export controls", "unfair dismissal",
		"patent infringement", "market manipulation", "bid rigging", "a failed merger", "sanctions breaches",
		"bribery of officials", "product safety failures", "tax avoidance"}
	fillers = []string{"lawyers said", "the decision may be appealed", "investors reacted calmly", "the case began last year",
		"documents show", "the company denied wrongdoing", "a hearing is scheduled", "the amount is unprecedented",
		"critics were unconvinced", "the board will meet", "analysts expect more cases", "the ruling runs to many pages"}
)

// GeneratedArticle is the title and paragraphs of generated article id:
// deterministic, distinct texts, twenty about each "event" (id/20), so that
// generated articles cluster into stories without being copies. An event
// has its own company, place and key words; each article words it in its
// own way, from a background vocabulary with a Zipf distribution like a
// language's.
func GeneratedArticle(id int) (string, []string) {
	event := id / 20
	er := rand.New(rand.NewPCG(uint64(event), 7))
	company := capital(pseudoWord(er)) + " " + suffixes[er.IntN(len(suffixes))]
	place := capital(pseudoWord(er))
	var keys []string
	for range 12 {
		keys = append(keys, pseudoWord(er))
	}
	body := bodies[er.IntN(len(bodies))]
	action := actions[er.IntN(len(actions))]
	topic := topics[er.IntN(len(topics))]
	amount := fmt.Sprintf("%d.%d million euros", 1+er.IntN(90), er.IntN(10))

	r := rand.New(rand.NewPCG(uint64(id), 11))
	title := fmt.Sprintf("%s: %s %s %s over %s", company, keys[r.IntN(4)], background(r), keys[4+r.IntN(4)], topic)
	paras := []string{fmt.Sprintf("The %s %s %s, which is based in %s, over %s, in a matter worth %s.",
		body, action, company, place, topic, amount)}
	for range 4 + r.IntN(3) {
		var sents []string
		for range 3 + r.IntN(3) {
			n := 8 + r.IntN(12)
			words := make([]string, 0, n)
			for range n {
				switch x := r.IntN(100); {
				case x < 35:
					words = append(words, functionWords[r.IntN(len(functionWords))])
				case x < 47:
					words = append(words, keys[r.IntN(len(keys))])
				case x < 49:
					words = append(words, company)
				default:
					words = append(words, background(r))
				}
			}
			sents = append(sents, capital(strings.Join(words, " "))+".")
		}
		paras = append(paras, strings.Join(sents, " "))
	}
	return title, paras
}

var functionWords = strings.Fields("the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been their one all would will we has when who if so no what about can more out up into them than then some could its only other any also")

// vocabulary is the background: 4,000 made-up words, drawn with a Zipf
// distribution (a few very common, most rare).
var vocabulary = func() []string {
	r := rand.New(rand.NewPCG(42, 42))
	seen := map[string]bool{}
	var out []string
	for len(out) < 4000 {
		w := pseudoWord(r)
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}()

func background(r *rand.Rand) string {
	// Inverse-CDF sampling of a Zipf law with exponent ~1 over the
	// vocabulary, rank = N^u, without its head (u from 0.5: the most common
	// words of a language are the function words, drawn apart).
	rank := int(math.Pow(float64(len(vocabulary)), 0.5+0.5*r.Float64())) - 1
	return vocabulary[min(max(rank, 0), len(vocabulary)-1)]
}

var suffixes = []string{"Holdings", "Group", "Industries", "Bank", "Logistics", "Foods", "Energy", "Pharma", "Telecom", "Insurance"}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var sentenceTemplates = []string{
	"Speaking in %[1]s, a spokesperson said %[2]s, while %[3]s declined to comment on %[4]s.",
	"According to %[1]s, %[2]s; the %[5]s filing names %[4]s as an interested party.",
	"%[4]s has hired %[1]s and %[3]s, and %[2]s.",
	"Records from the %[1]s office suggest that %[2]s, a point %[3]s disputes.",
	"At the %[5]s hearing, counsel for %[4]s told the judge that %[2]s.",
	"The %[1]s report, prepared by %[3]s, was shared with %[4]s before publication.",
	"Neighbours in %[5]s said %[2]s, and %[1]s confirmed it.",
	"A memo seen by %[3]s shows %[4]s considered the %[1]s option early.",
}

var syllables = []string{"ka", "lo", "ve", "mar", "tin", "so", "rel", "du", "pa", "nor", "vi", "gel", "to", "ra",
	"hem", "bi", "sul", "qua", "dor", "fen", "li", "mo", "tra", "zen", "ock", "ber", "ny", "wal", "ist", "cu"}

// pseudoWord is a made-up name (a street, a village, a witness), so that
// generated texts have a realistic spread of vocabulary.
func pseudoWord(r *rand.Rand) string {
	var b strings.Builder
	for range 2 + r.IntN(2) {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	return b.String()
}
