package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"legists/internal/api"
	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/demo"
	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/store/storetest"
	"legists/internal/web"
)

func TestMain(m *testing.M) {
	auth.DefaultParams = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	os.Exit(m.Run())
}

// openAPI is the parsed document with a schema compiler over it.
type openAPI struct {
	doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	raw      map[string]any
	kin      *openapi3.T
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

const docURL = "https://legists.test/openapi.json"

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	o := &openAPI{schemas: map[string]*jsonschema.Schema{}, kin: kinDoc(t)}
	if err := json.Unmarshal(api.OpenAPI(), &o.doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if o.doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q", o.doc.OpenAPI)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	if err != nil {
		t.Fatal(err)
	}
	o.raw = inst.(map[string]any)
	o.compiler = jsonschema.NewCompiler()
	o.compiler.DefaultDraft(jsonschema.Draft2020)
	if err := o.compiler.AddResource(docURL, inst); err != nil {
		t.Fatal(err)
	}
	return o
}

// operation returns the documented responses of method+path.
func (o *openAPI) responses(t *testing.T, method, path string) map[string]any {
	t.Helper()
	item, ok := o.raw["paths"].(map[string]any)[path].(map[string]any)
	if !ok {
		t.Fatalf("no path %s in the document", path)
	}
	op, ok := item[strings.ToLower(method)].(map[string]any)
	if !ok {
		t.Fatalf("no %s %s in the document", method, path)
	}
	return op["responses"].(map[string]any)
}

// resolve follows a $ref to a components entry.
func (o *openAPI) resolve(v map[string]any) map[string]any {
	if ref, ok := v["$ref"].(string); ok {
		parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
		var cur any = o.raw
		for _, p := range parts {
			cur = cur.(map[string]any)[p]
		}
		return cur.(map[string]any)
	}
	return v
}

// check validates a response against the document: its status is
// documented for the operation, its content type is the documented one and
// its body matches the documented schema.
func (o *openAPI) check(t *testing.T, method, path string, resp *http.Response, body []byte) {
	t.Helper()
	resps := o.responses(t, method, path)
	code := strconv.Itoa(resp.StatusCode)
	r, ok := resps[code].(map[string]any)
	if !ok {
		t.Errorf("%s %s answered %d, which the document does not list (%v)", method, path, resp.StatusCode, keys(resps))
		return
	}
	r = o.resolve(r)
	content, _ := r["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) != 0 {
			t.Errorf("%s %s %d: body %q where none is documented", method, path, resp.StatusCode, body)
		}
		return
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	media, ok := content[ct].(map[string]any)
	if !ok {
		t.Errorf("%s %s %d: content type %q not documented (%v)", method, path, resp.StatusCode, ct, keys(content))
		return
	}
	ptr := schemaPointer(method, path, code, ct)
	if ref, ok := media["schema"].(map[string]any)["$ref"].(string); ok {
		ptr = ref
	}
	sch, ok := o.schemas[ptr]
	if !ok {
		var err error
		if sch, err = o.compiler.Compile(docURL + ptr); err != nil {
			t.Fatalf("compile %s: %v", ptr, err)
		}
		o.schemas[ptr] = sch
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s %s: body is not JSON: %v", method, path, err)
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s %s %d: body does not match %s: %v\n%s", method, path, resp.StatusCode, ptr, err, body)
	}
}

func schemaPointer(method, path, code, ct string) string {
	esc := strings.NewReplacer("~", "~0", "/", "~1").Replace
	return "#/paths/" + esc(path) + "/" + strings.ToLower(method) + "/responses/" + code + "/content/" + esc(ct) + "/schema"
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type env struct {
	t     *testing.T
	ts    *httptest.Server
	st    web.Store
	srv   *web.Server
	oa    *openAPI
	token map[brief.Role]string
	seen  map[string]bool // "METHOD /path" exercised
}

func newEnv(t *testing.T, st store.Store) *env {
	t.Helper()
	ctx := context.Background()
	if err := demo.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	ws := st.(web.Store)
	ts := httptest.NewServer(nil)
	t.Cleanup(ts.Close)
	srv, err := web.New(web.Options{Store: ws, BaseURL: ts.URL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBodyBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	e := &env{t: t, ts: ts, st: ws, srv: srv, oa: loadOpenAPI(t), token: map[brief.Role]string{}, seen: map[string]bool{}}
	for _, r := range []brief.Role{brief.RoleAuthor, brief.RoleEditor} {
		u, err := web.NewUser(string(r)+"@example.org", "", r, "long enough passphrase")
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		secret, _, err := srv.Auth().NewAPIToken(ctx, u, "test", 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		e.token[r] = secret
	}
	return e
}

// call makes a request, checks it against the document (docPath is the
// templated path) and returns the status and body.
func (e *env) call(method, docPath, path string, body string, ctype string, role brief.Role) (int, []byte, *http.Response) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.ts.URL+api.Prefix+path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.token[role])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	e.oa.check(e.t, method, docPath, resp, b)
	validateResponse(e.t, e.oa.kin, method, docPath, req, resp, b)
	e.seen[method+" "+docPath] = true
	return resp.StatusCode, b, resp
}

const mdBrief = `---
slug: api-made-brief
byline: API Tester
topics:
  - Competition & Antitrust
firms:
  - Allen & Overy LLP
---

# Competition authority clears the merger

## What just happened?

The authority cleared the merger without conditions. [1]

## What does this mean?

The parties can close this quarter. [1]

## How will this affect the legal sector?

Merger-control practices will cite the decision. [1]

## Sources

1. [Merger cleared](https://news.example/merger) — Example News
`

func TestAPIConformsToOpenAPI(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	runAPI(t, e)
}

func TestAPIPostgres(t *testing.T) {
	e := newEnv(t, storetest.OpenPostgres(t))
	runAPI(t, e)
}

func runAPI(t *testing.T, e *env) {
	// Every route the API registers is documented.
	for _, r := range e.srv.API().Routes() {
		method, p, _ := strings.Cut(r, " ")
		p = strings.TrimPrefix(p, api.Prefix)
		if _, ok := e.oa.doc.Paths[p][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}

	code, body, _ := e.call("GET", "/openapi.json", "/openapi.json", "", "", "")
	if code != 200 || !bytes.Equal(body, api.OpenAPI()) {
		t.Fatalf("openapi.json: %d", code)
	}

	// Cursor pagination walks every published brief once.
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		code, body, _ := e.call("GET", "/briefs", "/briefs?limit=5&cursor="+cursor, "", "", "")
		if code != 200 {
			t.Fatalf("list: %d %s", code, body)
		}
		var pg api.BriefList
		_ = json.Unmarshal(body, &pg)
		for _, b := range pg.Briefs {
			if seen[b.Slug] {
				t.Fatalf("brief %s on two pages", b.Slug)
			}
			seen[b.Slug] = true
			if b.Status != "published" {
				t.Errorf("unpublished brief listed: %s", b.Slug)
			}
		}
		pages++
		if pg.Next == "" {
			break
		}
		cursor = pg.Next
	}
	entries, _ := demo.Manifest()
	published := 0
	for _, en := range entries {
		if en.Status == "published" {
			published++
		}
	}
	if len(seen) != published || pages < 2 {
		t.Errorf("listed %d of %d published briefs in %d pages", len(seen), published, pages)
	}
	if code, _, _ := e.call("GET", "/briefs", "/briefs?limit=0", "", "", ""); code != 400 {
		t.Errorf("limit=0: %d", code)
	}
	if code, _, _ := e.call("GET", "/briefs", "/briefs?status=draft", "", "", ""); code != 401 {
		t.Errorf("drafts without token: %d", code)
	}
	if code, _, _ := e.call("GET", "/briefs", "/briefs?status=draft", "", "", brief.RoleAuthor); code != 200 {
		t.Errorf("drafts with token: %d", code)
	}

	var slug string
	for s := range seen {
		slug = s
		break
	}
	code, body, _ = e.call("GET", "/briefs/{slug}", "/briefs/"+slug, "", "", "")
	var got api.Brief
	_ = json.Unmarshal(body, &got)
	if code != 200 || got.Slug != slug || len(got.Sections) != 3 || len(got.Sections[0].Paragraphs[0].Citations) == 0 || len(got.Sources) == 0 {
		t.Fatalf("get: %d %+v", code, got)
	}
	if code, _, _ := e.call("GET", "/briefs/{slug}", "/briefs/no-such-brief", "", "", ""); code != 404 {
		t.Errorf("missing: %d", code)
	}

	// Writes need a token; authors may not publish.
	if code, _, _ := e.call("POST", "/briefs", "/briefs", mdBrief, "text/markdown", ""); code != 401 {
		t.Errorf("create without token: %d", code)
	}
	req, _ := http.NewRequest("POST", e.ts.URL+api.Prefix+"/briefs", strings.NewReader(mdBrief))
	req.Header.Set("Authorization", "Bearer lgt_wrong")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("bad token: %d", resp.StatusCode)
	}
	code, body, resp := e.call("POST", "/briefs", "/briefs", mdBrief, "text/markdown", brief.RoleAuthor)
	if code != 201 || resp.Header.Get("Location") != api.Prefix+"/briefs/api-made-brief" {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, _, _ := e.call("POST", "/briefs", "/briefs", mdBrief, "text/markdown", brief.RoleAuthor); code != 409 {
		t.Errorf("duplicate: %d", code)
	}
	if code, _, _ := e.call("GET", "/briefs/{slug}", "/briefs/api-made-brief", "", "", ""); code != 404 {
		t.Errorf("draft visible without token: %d", code)
	}
	// PUT the JSON back, published: authors may not, editors may.
	_, body, _ = e.call("GET", "/briefs/{slug}", "/briefs/api-made-brief", "", "", brief.RoleAuthor)
	var draft api.Brief
	_ = json.Unmarshal(body, &draft)
	draft.Status = "published"
	js, _ := json.Marshal(draft)
	if code, _, _ := e.call("PUT", "/briefs/{slug}", "/briefs/api-made-brief", string(js), "application/json", brief.RoleAuthor); code != 403 {
		t.Errorf("author publishes: %d", code)
	}
	code, body, _ = e.call("PUT", "/briefs/{slug}", "/briefs/api-made-brief", string(js), "application/json", brief.RoleEditor)
	var pub api.Brief
	_ = json.Unmarshal(body, &pub)
	if code != 200 || pub.Status != "published" || pub.PublishedAt == nil {
		t.Fatalf("publish: %d %s", code, body)
	}
	if code, _, _ := e.call("GET", "/briefs/{slug}", "/briefs/api-made-brief", "", "", ""); code != 200 {
		t.Errorf("published not visible: %d", code)
	}
	// JSON create with whole-paragraph citations, and validation errors.
	in := api.Brief{Title: "JSON brief about arbitration", Sections: []api.Section{
		{Heading: brief.HeadingHappened, Paragraphs: []api.Paragraph{{Text: "A tribunal ruled.", Citations: []int{1}}}},
		{Heading: brief.HeadingMeaning, Paragraphs: []api.Paragraph{{Text: "It matters.", Citations: []int{1}}}},
		{Heading: brief.HeadingLegal, Paragraphs: []api.Paragraph{{Text: "Arbitration lawyers care.", Citations: []int{1}}}},
	}, Sources: []api.Source{{N: 1, URL: "https://news.example/a", Title: "A", Publisher: "P"}}}
	js, _ = json.Marshal(in)
	if code, body, _ := e.call("POST", "/briefs", "/briefs", string(js), "application/json", brief.RoleAuthor); code != 201 {
		t.Errorf("JSON create: %d %s", code, body)
	}
	in.Slug, in.Sections = "broken-brief", in.Sections[:1]
	js, _ = json.Marshal(in)
	code, body, _ = e.call("POST", "/briefs", "/briefs", string(js), "application/json", brief.RoleAuthor)
	if code != 422 || !strings.Contains(string(body), "sections") {
		t.Errorf("invalid: %d %s", code, body)
	}
	if code, _, _ := e.call("POST", "/briefs", "/briefs", "{not json", "application/json", brief.RoleAuthor); code != 400 {
		t.Errorf("bad JSON: %d", code)
	}
	if code, _, _ := e.call("POST", "/briefs", "/briefs", "<x/>", "application/xml", brief.RoleAuthor); code != 415 {
		t.Errorf("XML: %d", code)
	}
	big := strings.Repeat("a", 2<<20)
	if code, _, _ := e.call("POST", "/briefs", "/briefs", big, "text/plain", brief.RoleAuthor); code != 413 {
		t.Errorf("big: %d", code)
	}
	if code, _, _ := e.call("PUT", "/briefs/{slug}", "/briefs/other-slug", mdBrief, "text/markdown", brief.RoleEditor); code != 422 {
		t.Errorf("slug mismatch: %d", code)
	}
	if code, _, _ := e.call("PUT", "/briefs/{slug}", "/briefs/api-made-brief", mdBrief, "text/markdown", ""); code != 401 {
		t.Errorf("put without token: %d", code)
	}
	// A PUT to a new slug creates.
	if code, body, _ := e.call("PUT", "/briefs/{slug}", "/briefs/put-made-brief", strings.Replace(mdBrief, "slug: api-made-brief", "slug: put-made-brief", 1), "text/markdown", brief.RoleEditor); code != 201 {
		t.Errorf("put create: %d %s", code, body)
	}

	// Revisions.
	if code, _, _ := e.call("GET", "/briefs/{slug}/revisions", "/briefs/api-made-brief/revisions", "", "", ""); code != 401 {
		t.Errorf("revisions without token: %d", code)
	}
	code, body, _ = e.call("GET", "/briefs/{slug}/revisions", "/briefs/api-made-brief/revisions", "", "", brief.RoleAuthor)
	var revs api.RevisionList
	_ = json.Unmarshal(body, &revs)
	if code != 200 || len(revs.Revisions) != 2 {
		t.Errorf("revisions: %d %d", code, len(revs.Revisions))
	}
	if code, _, _ := e.call("GET", "/briefs/{slug}/revisions", "/briefs/no-such/revisions", "", "", brief.RoleAuthor); code != 404 {
		t.Errorf("revisions 404: %d", code)
	}

	// Search, with highlighted snippets and cursor pagination.
	code, body, _ = e.call("GET", "/search", "/search?q=merger&limit=1", "", "", "")
	var sr api.SearchResult
	_ = json.Unmarshal(body, &sr)
	if code != 200 || len(sr.Hits) != 1 || !strings.Contains(sr.Hits[0].SnippetHTML, "<mark>") || strings.ContainsAny(sr.Hits[0].Snippet, "\x02\x03") {
		t.Fatalf("search: %d %s", code, body)
	}
	if sr.Total > 1 {
		if sr.Next == "" {
			t.Error("search: no next cursor")
		}
		code, body, _ := e.call("GET", "/search", "/search?q=merger&limit=1&cursor="+sr.Next, "", "", "")
		var sr2 api.SearchResult
		_ = json.Unmarshal(body, &sr2)
		if code != 200 || len(sr2.Hits) != 1 || sr2.Hits[0].Brief.Slug == sr.Hits[0].Brief.Slug {
			t.Errorf("search page 2: %d %s", code, body)
		}
	}
	// Did you mean: a misspelt word is corrected from the index's words;
	// the sanctions briefs come before a court sanctioning a plan.
	code, body, _ = e.call("GET", "/search", "/search?q=santcions", "", "", "")
	var dym api.SearchResult
	if err := json.Unmarshal(body, &dym); err != nil || code != 200 || dym.Total != 0 || dym.Suggestion != "sanctions" {
		t.Errorf("search santcions: %d %s", code, body)
	}
	code, body, _ = e.call("GET", "/search", "/search?q=sanctions", "", "", "")
	var sanc api.SearchResult
	if err := json.Unmarshal(body, &sanc); err != nil || code != 200 || len(sanc.Hits) < 2 || !slices.Contains(sanc.Hits[0].Brief.Topics, "Sanctions & Export Controls") {
		t.Errorf("search sanctions: the first hit is not sanctions news: %s", body)
	}
	if code, _, _ := e.call("GET", "/search", "/search", "", "", ""); code != 400 {
		t.Errorf("search without q: %d", code)
	}
	if code, _, _ := e.call("GET", "/search", "/search?q=x&cursor=bm90LW9mZnNldA", "", "", ""); code != 400 {
		t.Errorf("bad cursor: %d", code)
	}
	if code, body, _ := e.call("GET", "/search", "/search?q=%3Cscript%3E", "", "", ""); code != 200 && code != 400 {
		t.Errorf("script query: %d %s", code, body)
	}

	// Directory.
	code, body, _ = e.call("GET", "/firms", "/firms", "", "", "")
	var fl api.FirmList
	_ = json.Unmarshal(body, &fl)
	if code != 200 || len(fl.Firms) == 0 {
		t.Fatalf("firms: %d", code)
	}
	if code, _, _ := e.call("GET", "/firms/{slug}", "/firms/"+fl.Firms[0].Slug, "", "", ""); code != 200 {
		t.Errorf("firm: %d", code)
	}
	if code, _, _ := e.call("GET", "/firms/{slug}", "/firms/no-such-firm", "", "", ""); code != 404 {
		t.Errorf("firm 404: %d", code)
	}
	code, body, _ = e.call("GET", "/topics", "/topics", "", "", "")
	var tl api.TopicList
	_ = json.Unmarshal(body, &tl)
	if code != 200 || len(tl.Topics) == 0 {
		t.Fatalf("topics: %d", code)
	}
	if code, _, _ := e.call("GET", "/topics/{slug}", "/topics/"+tl.Topics[0].Slug, "", "", ""); code != 200 {
		t.Errorf("topic: %d", code)
	}
	if code, _, _ := e.call("GET", "/topics/{slug}", "/topics/no-such-topic", "", "", ""); code != 404 {
		t.Errorf("topic 404: %d", code)
	}
	if code, _, _ := e.call("GET", "/me", "/me", "", "", brief.RoleEditor); code != 200 {
		t.Errorf("me: %d", code)
	}
	if code, _, _ := e.call("GET", "/me", "/me", "", "", ""); code != 401 {
		t.Errorf("me without token: %d", code)
	}

	// Articles and stories from the sources' archive.
	ctx := context.Background()
	src, err := e.st.AddSource(ctx, source.Source{URL: "https://news.example/feed.xml", Kind: source.KindFeed})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	var artID int64
	for i, title := range []string{"Court fines bank over sanctions", "Regulator opens merger probe"} {
		a := &source.Article{SourceID: src.ID, GUID: fmt.Sprint(i), URL: fmt.Sprintf("https://news.example/a%d", i), Title: title,
			Publisher: "Example News", PublishedAt: &now, FetchedAt: now, Text: title + ". " + strings.Repeat(title+" in detail. ", 20), FullText: true}
		res, err := e.st.SaveArticle(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		artID = res.ID
		if _, err := e.st.AssignStory(ctx, res.ID, 0, source.Vector{"court": 1}); err != nil {
			t.Fatal(err)
		}
	}
	code, body, _ = e.call("GET", "/articles", "/articles?limit=1", "", "", "")
	var al struct {
		Articles []struct{ ID int64 }
		Next     string
	}
	_ = json.Unmarshal(body, &al)
	if code != 200 || len(al.Articles) != 1 || al.Next == "" {
		t.Errorf("articles: %d %s", code, body)
	}
	if code, body, _ := e.call("GET", "/articles", "/articles?cursor="+al.Next, "", "", ""); code != 200 || !strings.Contains(string(body), "Court fines bank") && !strings.Contains(string(body), "merger probe") {
		t.Errorf("articles page 2: %d %s", code, body)
	}
	if code, _, _ := e.call("GET", "/articles", "/articles?source=x", "", "", ""); code != 400 {
		t.Errorf("articles bad source: %d", code)
	}
	if code, body, _ := e.call("GET", "/articles/{id}", fmt.Sprintf("/articles/%d", artID), "", "", ""); code != 200 || !strings.Contains(string(body), "in detail") {
		t.Errorf("article: %d %s", code, body)
	}
	if code, _, _ := e.call("GET", "/articles/{id}", "/articles/999999", "", "", ""); code != 404 {
		t.Errorf("article 404: %d", code)
	}
	code, body, _ = e.call("GET", "/stories", "/stories?articles=true", "", "", "")
	var sl struct{ Stories []struct{ ID int64 } }
	_ = json.Unmarshal(body, &sl)
	if code != 200 || len(sl.Stories) == 0 {
		t.Fatalf("stories: %d %s", code, body)
	}
	if code, _, _ := e.call("GET", "/stories", "/stories?min_articles=x", "", "", ""); code != 400 {
		t.Errorf("stories bad filter: %d", code)
	}
	if code, _, _ := e.call("GET", "/stories/{id}", fmt.Sprintf("/stories/%d", sl.Stories[0].ID), "", "", ""); code != 200 {
		t.Errorf("story: %d", code)
	}
	if code, _, _ := e.call("GET", "/stories/{id}", "/stories/999999", "", "", ""); code != 404 {
		t.Errorf("story 404: %d", code)
	}

	// Delete: editors only.
	if code, _, _ := e.call("DELETE", "/briefs/{slug}", "/briefs/put-made-brief", "", "", brief.RoleAuthor); code != 403 {
		t.Errorf("author deletes: %d", code)
	}
	if code, _, _ := e.call("DELETE", "/briefs/{slug}", "/briefs/put-made-brief", "", "", brief.RoleEditor); code != 204 {
		t.Errorf("delete: %d", code)
	}
	if code, _, _ := e.call("DELETE", "/briefs/{slug}", "/briefs/put-made-brief", "", "", brief.RoleEditor); code != 404 {
		t.Errorf("delete again: %d", code)
	}
	if code, _, _ := e.call("DELETE", "/briefs/{slug}", "/briefs/put-made-brief", "", "", ""); code != 401 {
		t.Errorf("delete without token: %d", code)
	}

	testLaw(t, e) // law_test.go

	// The audit log recorded the API writes.
	es, _ := e.st.ListAudit(ctx, store.AuditFilter{Target: "api-made-brief"})
	if len(es) < 2 {
		t.Errorf("audit: %+v", es)
	}

	// Every documented operation was exercised.
	for p, ops := range e.oa.doc.Paths {
		for m := range ops {
			if m == "parameters" {
				continue
			}
			if !e.seen[strings.ToUpper(m)+" "+p] {
				t.Errorf("%s %s is documented but not tested", strings.ToUpper(m), p)
			}
		}
	}
}

func TestOpenAPIRefsResolve(t *testing.T) {
	oa := loadOpenAPI(t)
	re := regexp.MustCompile(`"\$ref":\s*"(#[^"]+)"`)
	for _, m := range re.FindAllStringSubmatch(string(api.OpenAPI()), -1) {
		if strings.Contains(m[1], "/schemas/") {
			if _, err := oa.compiler.Compile(docURL + m[1]); err != nil {
				t.Errorf("%s: %v", m[1], err)
			}
		}
	}
}
