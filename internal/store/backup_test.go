package store_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// ---- round trips: same dialect and the moves between them ----

func TestBackupRestoreSQLite(t *testing.T) {
	testRoundTrip(t, storetest.SQLiteDSN, storetest.SQLiteDSN)
}

func TestBackupRestorePostgres(t *testing.T) {
	testRoundTrip(t, storetest.PostgresDSN, storetest.PostgresDSN)
}

func TestBackupMoveSQLiteToPostgres(t *testing.T) {
	testRoundTrip(t, storetest.SQLiteDSN, storetest.PostgresDSN)
}

func TestBackupMovePostgresToSQLite(t *testing.T) {
	testRoundTrip(t, storetest.PostgresDSN, storetest.SQLiteDSN)
}

// openDSN opens dsn, closed when the test ends (before a PostgreSQL schema
// is dropped).
func openDSN(t *testing.T, dsn string) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testRoundTrip(t *testing.T, from, to func(testing.TB) string) {
	ctx := context.Background()
	src := openDSN(t, from(t))
	fillStore(t, src)

	var archive bytes.Buffer
	var calls int
	h, err := store.Backup(ctx, src, &archive, store.BackupOptions{Progress: func(string, int64, int64) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if h.Format != store.ArchiveFormat || h.Dialect != src.Dialect() || h.SchemaVersion == 0 || h.Rows == 0 || calls == 0 {
		t.Fatalf("header %+v, %d progress calls", h, calls)
	}
	// Every table of the schema is in the archive and, but for tables this
	// fixture does not know, has rows.
	for _, tb := range h.Tables {
		if tb.Rows == 0 {
			t.Logf("table %s is empty in the fixture: its round trip is not exercised", tb.Name)
		}
		if tb.Name == "goose_db_version" || strings.HasPrefix(tb.Name, "briefs_fts") || strings.HasPrefix(tb.Name, "sqlite_") {
			t.Errorf("archive holds %s", tb.Name)
		}
	}

	dst := openDSN(t, to(t))
	got, err := store.Restore(ctx, dst, bytes.NewReader(archive.Bytes()), store.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows != h.Rows {
		t.Fatalf("restored %d rows of %d", got.Rows, h.Rows)
	}
	compareStores(t, src, dst)

	// Ids continue after the restored ones (PostgreSQL sequences reset).
	b := storetest.GenerateBriefs(1, 4242)[0]
	b.Slug = "after-restore"
	b.Title = "Restored-marker " + b.Title
	if _, err := dst.SaveBrief(ctx, b, store.SaveOptions{Author: "test"}); err != nil {
		t.Fatalf("save after restore: %v", err)
	}
	u := &store.User{Email: "new@example.org", Role: brief.RoleAuthor, PasswordHash: "h"}
	if err := dst.CreateUser(ctx, u); err != nil {
		t.Fatalf("create user after restore: %v", err)
	}
	if res, err := dst.SearchBriefs(ctx, store.SearchQuery{Q: "restored-marker", Status: b.Status}); err != nil || res.Total != 1 {
		t.Fatalf("search after restore: %+v %v", res.Total, err)
	}

	// A second restore is refused; with Force it replaces the rows.
	_, err = store.Restore(ctx, dst, bytes.NewReader(archive.Bytes()), store.RestoreOptions{})
	if !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("restore into a full database: %v", err)
	}
	if _, err := store.Restore(ctx, dst, bytes.NewReader(archive.Bytes()), store.RestoreOptions{Force: true}); err != nil {
		t.Fatalf("forced restore: %v", err)
	}
	if _, err := dst.GetBrief(ctx, "after-restore"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("forced restore kept a brief: %v", err)
	}
	compareStores(t, src, dst)
}

// fillStore puts rows in every table the Store interface can reach:
// briefs with several revisions, firms, topics, sources, articles with a
// near-duplicate, stories, users, sessions, API tokens, the audit log and
// scheduled publications.
func fillStore(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.UpsertFirms(ctx, storetest.Firms); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertTopics(ctx, storetest.Topics); err != nil {
		t.Fatal(err)
	}
	briefs := storetest.GenerateBriefs(120, 11)
	// Text that JSON and SQL must carry as it is.
	odd := briefs[0]
	odd.Title = `Quotes "double" and 'single', a back\slash, tab	and ünïcödé — “curly” 🚀 <b>&amp;</b>`
	odd.Sections[0].Paragraphs[0].Text = "Line one\nline two ? $1 -- not a comment; " + odd.Sections[0].Paragraphs[0].Text
	odd.Sections[0].Paragraphs[0].Spans = nil
	storetest.Load(t, s, briefs)
	// More revisions of some briefs.
	for i := 0; i < len(briefs); i += 7 {
		b := *briefs[i]
		b.Title += " (updated)"
		if _, err := s.SaveBrief(ctx, &b, store.SaveOptions{Author: "editor", Note: "retitled"}); err != nil {
			t.Fatal(err)
		}
		b.Status = brief.StatusPublished
		now := time.Date(2025, 7, 1, 8, 30, 0, 123456000, time.UTC)
		b.PublishedAt = &now
		if _, err := s.SaveBrief(ctx, &b, store.SaveOptions{Author: "editor", Note: "published"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteBrief(ctx, briefs[3].Slug); err != nil {
		t.Fatal(err)
	}

	// Sources, articles (one a near-duplicate), stories.
	feed, err := s.AddSource(ctx, source.Source{URL: "https://wire.example/feed.xml", Kind: source.KindFeed, Title: "Wire"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.AddSource(ctx, source.Source{URL: "https://court.example/decision", Kind: source.KindPage})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if ok, err := s.ClaimSource(ctx, feed.ID, "w1", now, now.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := s.FinishPoll(ctx, feed.ID, "w1", source.PollResult{At: now, Status: 200, OK: true, ETag: `"e1"`, Title: "Wire feed",
		FeedType: "rss 2.0", NextPollAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	text := strings.Repeat("The competition authority fined the cartel members after a long investigation into price fixing. ", 12)
	var firstID int64
	for i, a := range []*source.Article{
		{SourceID: feed.ID, GUID: "g1", URL: "https://wire.example/a1?utm_source=x", CanonicalURL: "https://wire.example/a1",
			Title: "Cartel fined", Text: text, HTML: "<p>" + text + "</p>", FullText: true, PublishedAt: &pub, Publisher: "Wire"},
		{SourceID: page.ID, GUID: "g2", URL: "https://paper.example/b", CanonicalURL: "https://paper.example/b",
			Title: "Cartel fined (reprint)", Text: text + " Reprinted.", FullText: false},
		{SourceID: feed.ID, GUID: "g3", URL: "https://wire.example/a3", CanonicalURL: "https://wire.example/a3",
			Title: "Sanctions widened", Text: strings.Repeat("Sanctions on oil exports were widened by the council today. ", 10), FullText: true},
	} {
		a.FetchedAt = now.Add(time.Duration(i) * time.Minute)
		r, err := s.SaveArticle(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			firstID = r.ID
		}
		if r.Outcome == source.SavedNew {
			if _, err := s.AssignStory(ctx, r.ID, 0, source.TermVector(a.Title, a.Text)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if firstID == 0 {
		t.Fatal("no article")
	}

	// The desk.
	u := &store.User{Email: "Ed@Example.org", Name: "Ed", Role: brief.RoleEditor, PasswordHash: "$argon2id$v=19$x"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	v := &store.User{Email: "gone@example.org", Role: brief.RoleAuthor, PasswordHash: "h", Disabled: true}
	if err := s.CreateUser(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, &store.Session{ID: "s1", UserID: u.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tok := &store.APIToken{UserID: u.ID, Name: "ci", Prefix: "lg_ab", Hash: "deadbeef"}
	if err := s.CreateAPIToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchAPIToken(ctx, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := s.AppendAudit(ctx, &store.AuditEntry{Actor: u.Email, Action: "brief.save", Target: briefs[i].Slug, Detail: fmt.Sprintf("n=%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SchedulePublish(ctx, store.ScheduledPublish{Slug: briefs[1].Slug, At: now.Add(24 * time.Hour), By: u.Email}); err != nil {
		t.Fatal(err)
	}

	// The newsletter: settings, subscribers, a delivery, events.
	if _, err := s.EnsureSetting(ctx, "link-secret", "0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportSubscribers(ctx, []store.Subscriber{
		{Email: "Reader@Example.org", Frequency: store.Daily, Topics: []string{"sanctions"}, Firms: []string{"linklaters-llp"}},
		{Email: "weekly@example.org"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Subscribe(ctx, store.SubscribeRequest{Email: "pending@example.org", IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	reader, err := s.GetSubscriberByEmail(ctx, "reader@example.org")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.ClaimDeliveries(ctx, []store.DeliveryClaim{{SubscriberID: reader.ID, Edition: "daily:2026-03-02",
		WindowStart: now.Add(-24 * time.Hour), WindowEnd: now}}, "sender", now, now.Add(time.Minute))
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim delivery: %v %v", ds, err)
	}
	if ok, err := s.FinishDelivery(ctx, ds[0].ID, "sender", store.DeliveryResult{State: store.DeliverySent, MessageID: "<m1@example.org>", Briefs: 3}); err != nil || !ok {
		t.Fatalf("finish delivery: %v %v", ok, err)
	}
	if _, err := s.SaveEvent(ctx, &store.Event{Title: "Sanctions compliance forum", StartsAt: pub.Add(30 * 24 * time.Hour),
		EndsAt: pub.Add(30*24*time.Hour + 3*time.Hour), TimeZone: "Europe/London", Place: "London", Topics: []string{"Sanctions"}}); err != nil {
		t.Fatal(err)
	}
}

// allSlugs lists every brief, every status, in listing order.
func allBriefs(t *testing.T, s store.Store) []brief.Brief {
	t.Helper()
	var out []brief.Brief
	f := store.BriefFilter{Limit: store.MaxLimit}
	for {
		p, err := s.ListBriefs(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Briefs...)
		if p.Next == "" {
			return out
		}
		f.Cursor = p.Next
	}
}

// compareStores checks that b holds what a holds: every table's rows (from
// a backup of each), and what the Store interface returns.
func compareStores(t *testing.T, a, b store.Store) {
	t.Helper()
	ctx := context.Background()
	ta, tb := archiveTables(t, a), archiveTables(t, b)
	for name, rows := range ta {
		other, ok := tb[name]
		if !ok {
			t.Errorf("table %s missing after restore", name)
			continue
		}
		if len(rows) != len(other) {
			t.Errorf("table %s: %d rows, %d after restore", name, len(rows), len(other))
			continue
		}
		for i := range rows {
			if rows[i] != other[i] {
				t.Errorf("table %s differs after restore:\n  %s\n  %s", name, clipped(rows[i]), clipped(other[i]))
				break
			}
		}
	}
	for name := range tb {
		if _, ok := ta[name]; !ok {
			t.Errorf("table %s appeared after restore", name)
		}
	}

	la, lb := allBriefs(t, a), allBriefs(t, b)
	if !reflect.DeepEqual(la, lb) {
		t.Errorf("ListBriefs differs: %d and %d briefs", len(la), len(lb))
	}
	if len(la) == 0 {
		t.Fatal("no briefs")
	}
	for _, lst := range la {
		ga, err := a.GetBrief(ctx, lst.Slug)
		if err != nil {
			t.Fatal(err)
		}
		gb, err := b.GetBrief(ctx, lst.Slug)
		if err != nil {
			t.Fatalf("GetBrief(%s) after restore: %v", lst.Slug, err)
		}
		if !reflect.DeepEqual(ga, gb) {
			t.Errorf("GetBrief(%s) differs after restore", lst.Slug)
		}
		ra, err := a.Revisions(ctx, lst.Slug)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := b.Revisions(ctx, lst.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ra, rb) {
			t.Errorf("Revisions(%s) differ after restore", lst.Slug)
		}
	}
	for _, status := range []brief.Status{brief.StatusPublished, brief.StatusDraft} {
		p1, _ := a.ListBriefs(ctx, store.BriefFilter{Status: status, Firm: "clifford-chance-llp", Limit: 50})
		p2, _ := b.ListBriefs(ctx, store.BriefFilter{Status: status, Firm: "clifford-chance-llp", Limit: 50})
		if !reflect.DeepEqual(p1, p2) {
			t.Errorf("ListBriefs by firm and %s differs", status)
		}
	}
	sameDialect := a.Dialect() == b.Dialect()
	for _, q := range []string{"sanctions", "merger", "Treasury fined", `"data-protection ruling"`, "pipeline OR tariffs", "court -supreme", "ünïcödé", ""} {
		ra, err := a.SearchBriefs(ctx, store.SearchQuery{Q: q, Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		rb, err := b.SearchBriefs(ctx, store.SearchQuery{Q: q, Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		if sameDialect {
			if !reflect.DeepEqual(ra, rb) {
				t.Errorf("SearchBriefs(%q) differs after restore", q)
			}
			continue
		}
		// Across dialects ranking and snippets differ by design; the
		// matches must not.
		if sa, sb := hitSlugs(ra), hitSlugs(rb); !slices.Equal(sa, sb) || ra.Total != rb.Total {
			t.Errorf("SearchBriefs(%q): %d hits %v, after the move %d hits %v", q, ra.Total, sa, rb.Total, sb)
		}
	}
	fa, _ := a.ListFirms(ctx)
	fb, _ := b.ListFirms(ctx)
	if !reflect.DeepEqual(fa, fb) || len(fa) == 0 {
		t.Errorf("ListFirms differs")
	}
	xa, _ := a.ListTopics(ctx)
	xb, _ := b.ListTopics(ctx)
	if !reflect.DeepEqual(xa, xb) || len(xa) == 0 {
		t.Errorf("ListTopics differs")
	}
	sa, _ := a.ListSources(ctx)
	sb, _ := b.ListSources(ctx)
	if !reflect.DeepEqual(sa, sb) {
		t.Errorf("ListSources differs:\n%+v\n%+v", sa, sb)
	}
	aa, _ := a.ListArticles(ctx, store.ArticleFilter{Duplicates: true, WithText: true})
	ab, _ := b.ListArticles(ctx, store.ArticleFilter{Duplicates: true, WithText: true})
	if !reflect.DeepEqual(aa, ab) {
		t.Errorf("ListArticles differs")
	}
	sta, _ := a.ListStories(ctx, store.StoryFilter{WithArticles: true})
	stb, _ := b.ListStories(ctx, store.StoryFilter{WithArticles: true})
	if !reflect.DeepEqual(sta, stb) {
		t.Errorf("ListStories differs:\n%+v\n%+v", sta, stb)
	}
	ua, _ := a.ListUsers(ctx)
	ub, _ := b.ListUsers(ctx)
	if !reflect.DeepEqual(ua, ub) || len(ua) == 0 {
		t.Errorf("ListUsers differs")
	}
	if len(ua) > 0 {
		ka, _ := a.ListAPITokens(ctx, ua[0].ID)
		kb, _ := b.ListAPITokens(ctx, ua[0].ID)
		if !reflect.DeepEqual(ka, kb) {
			t.Errorf("ListAPITokens differs")
		}
	}
	if s1, err := b.GetSession(ctx, "s1"); err != nil || s1.CSRF != "c" {
		t.Errorf("session after restore: %+v %v", s1, err)
	}
	da, _ := a.ListAudit(ctx, store.AuditFilter{Limit: 100})
	db, _ := b.ListAudit(ctx, store.AuditFilter{Limit: 100})
	if !reflect.DeepEqual(da, db) {
		t.Errorf("ListAudit differs")
	}
	na, _ := a.ListSubscribers(ctx, store.SubscriberFilter{})
	nb, _ := b.ListSubscribers(ctx, store.SubscriberFilter{})
	if !reflect.DeepEqual(na, nb) {
		t.Errorf("ListSubscribers differs")
	}
	for _, sub := range na {
		da, _ := a.ListDeliveries(ctx, sub.ID)
		db, _ := b.ListDeliveries(ctx, sub.ID)
		if !reflect.DeepEqual(da, db) {
			t.Errorf("ListDeliveries(%d) differs", sub.ID)
		}
	}
	ea, _ := a.ListEvents(ctx, store.EventFilter{})
	eb, _ := b.ListEvents(ctx, store.EventFilter{})
	if !reflect.DeepEqual(ea, eb) {
		t.Errorf("ListEvents differs")
	}
	if v, err := b.EnsureSetting(ctx, "link-secret", "other"); err != nil || v != "0123456789abcdef" {
		t.Errorf("setting after restore: %q %v", v, err)
	}
	pa, _ := a.ListSchedules(ctx)
	pb, _ := b.ListSchedules(ctx)
	if !reflect.DeepEqual(pa, pb) {
		t.Errorf("ListSchedules differs")
	}
}

func hitSlugs(r store.SearchResult) []string {
	out := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = h.Brief.Slug
	}
	sort.Strings(out)
	return out
}

func clipped(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// archiveTables backs s up and returns each table's rows as canonical
// strings, sorted: column name to value, JSON text decoded, booleans as
// 0/1, so that rows from SQLite and PostgreSQL compare.
func archiveTables(t *testing.T, s store.Store) map[string][]string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := store.Backup(context.Background(), s, &buf, store.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	lines := archiveLines(t, buf.Bytes())
	var cols []string
	var table string
	for _, line := range lines[1 : len(lines)-1] {
		if line[0] == '{' {
			var th struct {
				Table   string `json:"table"`
				Columns []struct {
					Name string `json:"name"`
				} `json:"columns"`
			}
			if err := json.Unmarshal(line, &th); err != nil {
				t.Fatal(err)
			}
			table, cols = th.Table, nil
			for _, c := range th.Columns {
				cols = append(cols, c.Name)
			}
			out[table] = []string{}
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var row []any
		if err := dec.Decode(&row); err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		for i, v := range row {
			m[cols[i]] = canonicalValue(v)
		}
		b, _ := json.Marshal(m)
		out[table] = append(out[table], string(b))
	}
	for _, rows := range out {
		sort.Strings(rows)
	}
	return out
}

func canonicalValue(v any) any {
	switch v := v.(type) {
	case bool:
		if v {
			return json.Number("1")
		}
		return json.Number("0")
	case string:
		if s := strings.TrimSpace(v); len(s) > 1 && (s[0] == '{' || s[0] == '[') {
			var x any
			if json.Unmarshal([]byte(s), &x) == nil {
				b, _ := json.Marshal(x)
				return "json:" + string(b)
			}
		}
	}
	return v
}

// archiveLines returns the lines of a gzip'd archive.
func archiveLines(t *testing.T, archive []byte) [][]byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		out = append(out, slices.Clone(sc.Bytes()))
	}
	return out
}

func gzipLines(lines [][]byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, l := range lines {
		zw.Write(l)
		zw.Write([]byte("\n"))
	}
	zw.Close()
	return buf.Bytes()
}

// ---- a backup of a live system ----

func TestBackupLiveSQLite(t *testing.T)   { testBackupLive(t, storetest.SQLiteDSN) }
func TestBackupLivePostgres(t *testing.T) { testBackupLive(t, storetest.PostgresDSN) }

func testBackupLive(t *testing.T, dsn func(testing.TB) string) {
	ctx := context.Background()
	s := openDSN(t, dsn(t))
	const initial, batch = 600, 10
	base := storetest.GenerateBriefs(initial, 5)
	storetest.Load(t, s, base)

	// A writer keeps adding briefs, batch by batch (each batch one
	// transaction), and revising old ones, until the backups are done.
	var (
		stop    atomic.Bool
		saved   atomic.Int64
		wg      sync.WaitGroup
		werr    error
		started = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		more := storetest.GenerateBriefs(20000, 99)
		for i := 0; !stop.Load() && i+batch <= len(more); i += batch {
			bs := more[i : i+batch]
			for j, b := range bs {
				b.Slug = fmt.Sprintf("live-%d-%s", i+j, b.Slug)
			}
			old := *base[(i/batch)%initial]
			old.Title += fmt.Sprintf(" rev %d", i)
			bs = append(bs, &old)
			if _, err := s.SaveBriefs(ctx, bs, store.SaveOptions{Author: "live"}); err != nil {
				werr = err
				return
			}
			if saved.Add(1) == 2 {
				close(started)
			}
		}
	}()
	<-started
	var archives [][]byte
	during := int64(0)
	for range 3 {
		before := saved.Load()
		var buf bytes.Buffer
		if _, err := store.Backup(ctx, s, &buf, store.BackupOptions{}); err != nil {
			t.Fatal(err)
		}
		during += saved.Load() - before
		archives = append(archives, buf.Bytes())
	}
	stop.Store(true)
	wg.Wait()
	if werr != nil {
		t.Fatal(werr)
	}
	t.Logf("%d write transactions committed while backing up", during)

	for k, archive := range archives {
		tables := map[string][]map[string]any{}
		lines := archiveLines(t, archive)
		var cols []string
		var table string
		for _, line := range lines[1 : len(lines)-1] {
			if line[0] == '{' {
				var th struct {
					Table   string `json:"table"`
					Columns []struct {
						Name string `json:"name"`
					} `json:"columns"`
				}
				json.Unmarshal(line, &th)
				table, cols = th.Table, nil
				for _, c := range th.Columns {
					cols = append(cols, c.Name)
				}
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.UseNumber()
			var row []any
			if err := dec.Decode(&row); err != nil {
				t.Fatal(err)
			}
			m := map[string]any{}
			for i, v := range row {
				m[cols[i]] = v
			}
			tables[table] = append(tables[table], m)
		}
		ids := map[string]int64{} // brief id -> revision
		live := 0
		for _, b := range tables["briefs"] {
			rev, _ := b["revision"].(json.Number).Int64()
			ids[b["id"].(json.Number).String()] = rev
			if strings.HasPrefix(b["slug"].(string), "live-") {
				live++
			}
		}
		if live%batch != 0 {
			t.Errorf("archive %d: %d live briefs, not a whole number of transactions of %d", k, live, batch)
		}
		revs := map[string]int64{}
		for _, r := range tables["brief_revisions"] {
			id := r["brief_id"].(json.Number).String()
			if _, ok := ids[id]; !ok {
				t.Fatalf("archive %d: a revision of brief %s, which the archive lacks", k, id)
			}
			revs[id]++
		}
		for id, rev := range ids {
			if revs[id] != rev {
				t.Fatalf("archive %d: brief %s at revision %d has %d revisions", k, id, rev, revs[id])
			}
		}
		for _, part := range []string{"brief_sources", "brief_firms", "brief_topics"} {
			for _, r := range tables[part] {
				if _, ok := ids[r["brief_id"].(json.Number).String()]; !ok {
					t.Fatalf("archive %d: %s row of a missing brief", k, part)
				}
			}
		}
		// And it restores.
		dst := storetest.OpenSQLite(t)
		h, err := store.Restore(ctx, dst, bytes.NewReader(archive), store.RestoreOptions{})
		if err != nil {
			t.Fatalf("archive %d: %v", k, err)
		}
		if n := len(allBriefs(t, dst)); n != len(tables["briefs"]) || n != initial+live {
			t.Fatalf("archive %d: restored %d briefs, archive has %d (%d live)", k, n, len(tables["briefs"]), live)
		}
		if h.Rows != int64(len(lines)-2-len(h.Tables)) {
			t.Fatalf("archive %d: header says %d rows, has %d", k, h.Rows, len(lines)-2-len(h.Tables))
		}
	}
}

// ---- bad archives ----

func TestRestoreBadArchiveSQLite(t *testing.T)   { testRestoreBad(t, storetest.SQLiteDSN) }
func TestRestoreBadArchivePostgres(t *testing.T) { testRestoreBad(t, storetest.PostgresDSN) }

func testRestoreBad(t *testing.T, dsn func(testing.TB) string) {
	ctx := context.Background()
	src := storetest.OpenSQLite(t)
	fillStore(t, src)
	var buf bytes.Buffer
	if _, err := store.Backup(ctx, src, &buf, store.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	lines := archiveLines(t, good)
	lineOf := func(table string) int { // the line of the table's header
		for i, l := range lines {
			if bytes.HasPrefix(l, []byte(`{"table":"`+table+`"`)) {
				return i
			}
		}
		t.Fatalf("no table %s", table)
		return 0
	}
	edit := func(i int, fn func([]any) []any) [][]byte {
		out := slices.Clone(lines)
		var row []any
		dec := json.NewDecoder(bytes.NewReader(lines[i]))
		dec.UseNumber()
		if err := dec.Decode(&row); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(fn(row))
		out[i] = b
		return out
	}
	briefsRow := lineOf("briefs") + 1
	revRow := lineOf("brief_revisions") + 2

	cases := []struct {
		name    string
		archive []byte
		want    []string // substrings of the error
	}{
		{"empty", nil, []string{"empty"}},
		{"not an archive", []byte("PK\x03\x04 a zip file"), []string{"not a legists backup"}},
		{"truncated gzip", good[:len(good)/2], []string{"truncated or corrupt", "line "}},
		{"truncated gzip early", good[:len(good)/20], []string{"truncated or corrupt"}},
		{"corrupt gzip", func() []byte {
			b := slices.Clone(good)
			b[len(b)-6] ^= 0xff // the CRC
			return b
		}(), []string{"corrupt"}},
		{"wrong header", gzipLines([][]byte{[]byte(`{"format":"something-else","version":1}`)}), []string{"line 1", "not a legists backup"}},
		{"newer format", gzipLines(append([][]byte{bytes.Replace(lines[0], []byte(`"version":1`), []byte(`"version":9`), 1)}, lines[1:]...)), []string{"format version 9"}},
		{"newer schema", gzipLines(append([][]byte{bytes.Replace(lines[0], []byte(`"migrations":[1`), []byte(`"migrations":[99999,1`), 1)}, lines[1:]...)), []string{"migration 99999"}},
		{"cut at a line", gzipLines(lines[:revRow+3]), []string{"brief_revisions", fmt.Sprintf("line %d", revRow+4), "breaks off"}},
		{"no end line", gzipLines(lines[:len(lines)-1]), []string{"breaks off"}},
		{"bad integer", gzipLines(edit(briefsRow, func(r []any) []any { r[0] = "not-a-number"; return r })), []string{fmt.Sprintf("line %d", briefsRow+1), "briefs", "column id", "want an integer"}},
		{"missing value", gzipLines(edit(revRow, func(r []any) []any { return r[:len(r)-1] })), []string{fmt.Sprintf("line %d", revRow+1), "brief_revisions", "values for"}},
		{"garbage row", gzipLines(append(append(slices.Clone(lines[:revRow]), []byte(`[1, 2, "unterminated`)), lines[revRow+1:]...)), []string{fmt.Sprintf("line %d", revRow+1), "brief_revisions"}},
		{"data after the end", gzipLines(append(slices.Clone(lines), []byte(`[1]`))), []string{"after the end"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := openDSN(t, dsn(t))
			_, err := store.Restore(ctx, dst, bytes.NewReader(c.archive), store.RestoreOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			if !errors.Is(err, store.ErrArchive) {
				t.Errorf("error does not wrap ErrArchive: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := rowCount(t, dst); n != 0 {
				t.Errorf("a failed restore left %d rows", n)
			}
		})
	}

	// A bad time is caught where the column is a time (PostgreSQL); a
	// forced restore that fails keeps the rows that were there.
	t.Run("failed forced restore keeps the old rows", func(t *testing.T) {
		dst := openDSN(t, dsn(t))
		if _, err := store.Restore(ctx, dst, bytes.NewReader(good), store.RestoreOptions{}); err != nil {
			t.Fatal(err)
		}
		before := rowCount(t, dst)
		bad := gzipLines(edit(revRow, func(r []any) []any { r[0] = "x"; return r }))
		if _, err := store.Restore(ctx, dst, bytes.NewReader(bad), store.RestoreOptions{Force: true}); err == nil {
			t.Fatal("no error")
		}
		if after := rowCount(t, dst); after != before {
			t.Fatalf("%d rows before, %d after a failed forced restore", before, after)
		}
		// A dry run checks and changes nothing.
		if _, err := store.Restore(ctx, dst, bytes.NewReader(good), store.RestoreOptions{Force: true, DryRun: true}); err != nil {
			t.Fatal(err)
		}
		if after := rowCount(t, dst); after != before {
			t.Fatalf("dry run changed the rows: %d, %d", before, after)
		}
	})
	if dst := openDSN(t, dsn(t)); dst.Dialect() == "postgres" {
		timeCol := -1
		var th struct {
			Columns []struct{ Name string } `json:"columns"`
		}
		json.Unmarshal(lines[briefsRow-1], &th)
		for i, c := range th.Columns {
			if c.Name == "created_at" {
				timeCol = i
			}
		}
		bad := gzipLines(edit(briefsRow, func(r []any) []any { r[timeCol] = "yesterday"; return r }))
		_, err := store.Restore(ctx, dst, bytes.NewReader(bad), store.RestoreOptions{})
		if err == nil || !strings.Contains(err.Error(), "created_at") || !strings.Contains(err.Error(), "want a time") {
			t.Errorf("bad time: %v", err)
		}
	}
}

// rowCount counts the rows of every table.
func rowCount(t *testing.T, s store.Store) int64 {
	t.Helper()
	var buf bytes.Buffer
	h, err := store.Backup(context.Background(), s, &buf, store.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return h.Rows
}

// ---- figures ----

// TestBackupFigures times a backup and a restore of 10,000 briefs on each
// database; it runs when LEGISTS_BACKUP_FIGURES is set.
func TestBackupFigures(t *testing.T) {
	if os.Getenv("LEGISTS_BACKUP_FIGURES") == "" {
		t.Skip("LEGISTS_BACKUP_FIGURES is not set")
	}
	briefs := storetest.GenerateBriefs(10000, 1)
	for _, c := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteDSN}, {"postgres", storetest.PostgresDSN}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := openDSN(t, c.dsn(t))
			storetest.Load(t, s, briefs)
			var buf bytes.Buffer
			start := time.Now()
			h, err := store.Backup(ctx, s, &buf, store.BackupOptions{})
			if err != nil {
				t.Fatal(err)
			}
			backup := time.Since(start)
			dst := openDSN(t, c.dsn(t))
			start = time.Now()
			if _, err := store.Restore(ctx, dst, bytes.NewReader(buf.Bytes()), store.RestoreOptions{}); err != nil {
				t.Fatal(err)
			}
			restore := time.Since(start)
			t.Logf("%s: 10,000 briefs, %d rows: backup %v, restore %v, archive %.1f MB", c.name, h.Rows,
				backup.Round(time.Millisecond), restore.Round(time.Millisecond), float64(buf.Len())/1e6)
		})
	}
}

// TestBackupSkipsQueueTables: the job queue's river_* tables are its own
// state; a backup leaves them out, so it restores into a fresh database
// that has never run the queue.
func TestBackupSkipsQueueTables(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	src, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.SaveBrief(ctx, storetest.GenerateBriefs(1, 7)[0], store.SaveOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TABLE river_job (id INTEGER PRIMARY KEY, kind TEXT); INSERT INTO river_job (kind) VALUES ('ingest_poll')`); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	hdr, err := store.Backup(ctx, src, &buf, store.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range hdr.Tables {
		if strings.HasPrefix(tb.Name, "river_") {
			t.Errorf("archive holds the queue table %s", tb.Name)
		}
	}
	dst := storetest.OpenSQLite(t)
	if _, err := store.Restore(ctx, dst, &buf, store.RestoreOptions{}); err != nil {
		t.Fatalf("restore into a fresh database: %v", err)
	}
	page, err := dst.ListBriefs(ctx, store.BriefFilter{})
	if err != nil || len(page.Briefs) != 1 {
		t.Errorf("restored briefs: %d (%v)", len(page.Briefs), err)
	}
}
