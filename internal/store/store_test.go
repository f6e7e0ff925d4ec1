package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	runStoreSuite(t, func(t *testing.T) store.Store { return storetest.OpenSQLite(t) })
	runOpenSuite(t, func(t *testing.T) string { return storetest.SQLiteDSN(t) })
}

func TestSQLiteMemory(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := sampleBrief("in-memory")
	if _, err := s.SaveBrief(ctx, b, store.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetBrief(ctx, "in-memory"); err != nil {
		t.Fatal(err)
	}
	res, err := s.SearchBriefs(ctx, store.SearchQuery{Q: "sanctions"})
	if err != nil || res.Total != 1 {
		t.Fatalf("search: %+v, %v", res, err)
	}
}

func TestPostgres(t *testing.T) {
	storetest.PostgresDSN(t) // skips when LEGISTS_TEST_POSTGRES is unset
	runStoreSuite(t, func(t *testing.T) store.Store { return storetest.OpenPostgres(t) })
	runOpenSuite(t, func(t *testing.T) string { return storetest.PostgresDSN(t) })
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{"mysql://u:secret@host/db", "legists.db", "sqlite:", "postgres://h/db?pool_max_conns=x"} {
		_, err := store.Open(ctx, dsn)
		if err == nil {
			t.Errorf("Open(%q): no error", dsn)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q): error shows the password: %v", dsn, err)
		}
	}
	_, err := store.Open(ctx, "mysql://u@host/db")
	if err == nil || !strings.Contains(err.Error(), `"mysql"`) {
		t.Errorf("unsupported scheme: %v", err)
	}
}

var ctx = context.Background()

func date(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// sampleBrief is a brief with every field set, times with nanoseconds and
// a zone, to check normalisation.
func sampleBrief(slug string) *brief.Brief {
	text1 := "NATO allies agreed new sanctions on Tuesday. Sweden’s accession stalled (again)."
	cut := strings.Index(text1, " Sweden")
	return &brief.Brief{
		Slug:        slug,
		Title:       "The NATO stalemate over sanctions",
		Byline:      "The Legists Content Team",
		Status:      brief.StatusPublished,
		PublishedAt: date("2024-05-14T09:30:00.123456789+02:00"),
		Sections: []brief.Section{
			{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{
				{Text: text1, Spans: []brief.Span{
					{Start: 0, End: cut, Citations: []int{1}},
					{Start: cut, End: len(text1), Citations: []int{1, 2}},
				}},
				{Text: "An uncited paragraph about Article 5(1) and Regulation (EU) 2016/679."},
			}},
			{Heading: brief.HeadingMeaning, Paragraphs: []brief.Paragraph{
				{Text: "Turkey’s veto means delay — for now.", Spans: []brief.Span{{Start: 0, End: 38, Citations: []int{2}}}},
			}},
			{Heading: brief.HeadingLegal, Paragraphs: []brief.Paragraph{
				{Text: "Defence contractors will need export-control advice.", Spans: []brief.Span{{Start: 0, End: 52, Citations: []int{3}}}},
			}},
		},
		Firms:  []string{"Clifford Chance LLP", "Skadden, Arps, Slate, Meagher & Flom (UK) LLP"},
		Topics: []string{"Sanctions", "European Union"},
		Sources: []brief.Source{
			{N: 2, URL: "https://example.com/b", Title: "Turkey blocks", Publisher: "Reuters"},
			{N: 1, URL: "https://example.com/a", Title: "NATO talks", Publisher: "FT", FetchedAt: date("2024-05-13T08:00:00.5Z"),
				Text: "Archived text of the article.", ContentHash: "abc123"},
			{N: 3, URL: "https://example.com/c", Title: "Export controls", Publisher: "Bloomberg"},
		},
	}
}

// normalised is what a stored b reads back as.
func normalised(b *brief.Brief) brief.Brief {
	c := *b
	if c.Status == "" {
		c.Status = brief.StatusDraft
	}
	if c.PublishedAt != nil {
		t := c.PublishedAt.UTC().Truncate(time.Microsecond)
		c.PublishedAt = &t
	}
	c.Sources = append([]brief.Source{}, b.Sources...)
	slices.SortFunc(c.Sources, func(x, y brief.Source) int { return x.N - y.N })
	for i := range c.Sources {
		if f := c.Sources[i].FetchedAt; f != nil {
			t := f.UTC().Truncate(time.Microsecond)
			c.Sources[i].FetchedAt = &t
		}
	}
	if c.Firms == nil {
		c.Firms = []string{}
	}
	if c.Topics == nil {
		c.Topics = []string{}
	}
	c.UpdatedAt = time.Time{}
	return c
}

func sameBrief(t *testing.T, got *brief.Brief, want brief.Brief) {
	t.Helper()
	g := *got
	if g.UpdatedAt.IsZero() {
		t.Errorf("UpdatedAt not set")
	}
	g.UpdatedAt = time.Time{}
	if !reflect.DeepEqual(g, want) {
		gj, _ := json.MarshalIndent(g, "", " ")
		wj, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("brief differs:\ngot  %s\nwant %s", gj, wj)
	}
}

func mustSave(t *testing.T, s store.Store, b *brief.Brief) store.SaveResult {
	t.Helper()
	res, err := s.SaveBrief(ctx, b, store.SaveOptions{Author: "test"})
	if err != nil {
		t.Fatalf("save %s: %v", b.Slug, err)
	}
	return res
}

func runStoreSuite(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		b := sampleBrief("nato-stalemate")
		before, _ := json.Marshal(b)
		res := mustSave(t, s, b)
		if res != (store.SaveResult{Slug: "nato-stalemate", Action: store.SaveCreated, Revision: 1}) {
			t.Fatalf("result %+v", res)
		}
		if after, _ := json.Marshal(b); string(after) != string(before) {
			t.Errorf("SaveBrief modified its argument")
		}
		got, err := s.GetBrief(ctx, "nato-stalemate")
		if err != nil {
			t.Fatal(err)
		}
		sameBrief(t, got, normalised(b))
		if got.PublishedAt.Location() != time.UTC {
			t.Errorf("PublishedAt in %v, want UTC", got.PublishedAt.Location())
		}

		// A minimal brief: no status (draft), nothing but a slug.
		min := &brief.Brief{Slug: "minimal"}
		mustSave(t, s, min)
		got, err = s.GetBrief(ctx, "minimal")
		if err != nil {
			t.Fatal(err)
		}
		want := normalised(min)
		want.Sections = []brief.Section{}
		want.Sources = []brief.Source{}
		sameBrief(t, got, want)
	})

	t.Run("InvalidUTF8", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		b := sampleBrief("bad-bytes")
		b.Title = "Bad \xff bytes"
		b.Sections[0].Paragraphs[0].Text = "caf\xe9 au lait"
		mustSave(t, s, b)
		got, err := s.GetBrief(ctx, "bad-bytes")
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Bad \uFFFD bytes" || got.Sections[0].Paragraphs[0].Text != "caf\uFFFD au lait" {
			t.Errorf("got %q, %q", got.Title, got.Sections[0].Paragraphs[0].Text)
		}
		for _, again := range []*brief.Brief{b, got} {
			if res := mustSave(t, s, again); res.Action != store.SaveUnchanged {
				t.Errorf("re-save: %+v", res)
			}
		}
	})

	t.Run("SaveBriefs", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		briefs := storetest.GenerateBriefs(30, 3)
		bad := append(append([]*brief.Brief{}, briefs[:10]...), &brief.Brief{Slug: "x", Status: "gone"})
		if _, err := s.SaveBriefs(ctx, bad, store.SaveOptions{}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("invalid batch: %v", err)
		}
		if page, _ := s.ListBriefs(ctx, store.BriefFilter{}); len(page.Briefs) != 0 {
			t.Fatalf("invalid batch stored %d briefs", len(page.Briefs))
		}
		res, err := s.SaveBriefs(ctx, briefs, store.SaveOptions{Author: "import"})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Action != store.SaveCreated || r.Slug != briefs[i].Slug {
				t.Fatalf("result %d: %+v", i, r)
			}
		}
		changed := *briefs[4]
		changed.Title = "Changed title"
		res, err = s.SaveBriefs(ctx, []*brief.Brief{briefs[3], &changed}, store.SaveOptions{})
		if err != nil || res[0].Action != store.SaveUnchanged || res[1].Action != store.SaveUpdated || res[1].Revision != 2 {
			t.Fatalf("second batch: %+v, %v", res, err)
		}
		for _, b := range briefs[:3] {
			got, err := s.GetBrief(ctx, b.Slug)
			if err != nil {
				t.Fatal(err)
			}
			sameBrief(t, got, normalised(b))
		}
	})

	t.Run("IdempotentSave", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		b := sampleBrief("same")
		mustSave(t, s, b)
		res := mustSave(t, s, sampleBrief("same"))
		if res.Action != store.SaveUnchanged || res.Revision != 1 {
			t.Fatalf("second save: %+v", res)
		}
		// What GetBrief returns saves as unchanged too.
		got, err := s.GetBrief(ctx, "same")
		if err != nil {
			t.Fatal(err)
		}
		if res := mustSave(t, s, got); res.Action != store.SaveUnchanged {
			t.Fatalf("saving the stored brief: %+v", res)
		}
		revs, err := s.Revisions(ctx, "same")
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 1 || revs[0].Number != 1 || revs[0].Author != "test" || len(revs[0].Hash) != 64 {
			t.Fatalf("revisions: %+v", revs)
		}
	})

	t.Run("ChangedSave", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		b := sampleBrief("changing")
		mustSave(t, s, b)
		b2 := sampleBrief("changing")
		b2.Sections[1].Paragraphs[0].Text = "Turkey’s veto means a long delay."
		res, err := s.SaveBrief(ctx, b2, store.SaveOptions{Author: "editor", Note: "tighten"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != store.SaveUpdated || res.Revision != 2 {
			t.Fatalf("result %+v", res)
		}
		// A status change alone is a change too.
		b3 := sampleBrief("changing")
		b3.Sections = b2.Sections
		b3.Status = brief.StatusReview
		if res := mustSave(t, s, b3); res.Action != store.SaveUpdated || res.Revision != 3 {
			t.Fatalf("status change: %+v", res)
		}
		got, err := s.GetBrief(ctx, "changing")
		if err != nil {
			t.Fatal(err)
		}
		sameBrief(t, got, normalised(b3))
		revs, err := s.Revisions(ctx, "changing")
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 3 {
			t.Fatalf("%d revisions", len(revs))
		}
		if revs[0].Number != 1 || revs[1].Number != 2 || revs[1].Author != "editor" || revs[1].Note != "tighten" {
			t.Errorf("revisions: %+v", revs)
		}
		if revs[0].Hash == revs[1].Hash || revs[1].Hash == revs[2].Hash {
			t.Errorf("hashes do not change")
		}
		if p := revs[0].Brief.Sections[1].Paragraphs[0].Text; p != b.Sections[1].Paragraphs[0].Text {
			t.Errorf("revision 1 text %q", p)
		}
		if p := revs[1].Brief.Sections[1].Paragraphs[0].Text; p != b2.Sections[1].Paragraphs[0].Text {
			t.Errorf("revision 2 text %q", p)
		}
		if revs[0].Brief.Sources[0].Text != "Archived text of the article." {
			t.Errorf("revision lost source text")
		}
		if revs[2].CreatedAt.Before(revs[0].CreatedAt) {
			t.Errorf("revision times out of order")
		}
	})

	t.Run("FailedSaveKeepsPrevious", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		b := sampleBrief("keep")
		mustSave(t, s, b)
		for name, mutate := range map[string]func(*brief.Brief){
			"status":        func(b *brief.Brief) { b.Status = "archived" },
			"slug":          func(b *brief.Brief) { b.Slug = "Not A Slug" },
			"empty slug":    func(b *brief.Brief) { b.Slug = "" },
			"duplicate src": func(b *brief.Brief) { b.Sources[1].N = 2 },
			"src zero":      func(b *brief.Brief) { b.Sources[0].N = 0 },
			"nul":           func(b *brief.Brief) { b.Title = "a\x00b" },
		} {
			bad := sampleBrief("keep")
			bad.Title = "Changed"
			mutate(bad)
			_, err := s.SaveBrief(ctx, bad, store.SaveOptions{})
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: error %v, want ErrInvalid", name, err)
			}
		}
		if _, err := s.SaveBrief(ctx, nil, store.SaveOptions{}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("nil brief: %v", err)
		}
		got, err := s.GetBrief(ctx, "keep")
		if err != nil {
			t.Fatal(err)
		}
		sameBrief(t, got, normalised(b))
		if revs, _ := s.Revisions(ctx, "keep"); len(revs) != 1 {
			t.Errorf("%d revisions", len(revs))
		}
		page, err := s.ListBriefs(ctx, store.BriefFilter{})
		if err != nil || len(page.Briefs) != 1 {
			t.Errorf("list: %d briefs, %v", len(page.Briefs), err)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		if _, err := s.GetBrief(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetBrief: %v", err)
		}
		if err := s.DeleteBrief(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteBrief: %v", err)
		}
		if _, err := s.Revisions(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Revisions: %v", err)
		}
		if _, err := s.GetFirm(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetFirm: %v", err)
		}
		if _, err := s.GetTopic(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetTopic: %v", err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		mustSave(t, s, sampleBrief("gone"))
		mustSave(t, s, sampleBrief("stays"))
		if err := s.DeleteBrief(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetBrief(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetBrief after delete: %v", err)
		}
		res, err := s.SearchBriefs(ctx, store.SearchQuery{Q: "stalemate"})
		if err != nil || res.Total != 1 || res.Hits[0].Brief.Slug != "stays" {
			t.Errorf("search after delete: %+v %v", res, err)
		}
		// The slug can be used again, from revision 1.
		if res := mustSave(t, s, sampleBrief("gone")); res.Action != store.SaveCreated || res.Revision != 1 {
			t.Errorf("re-create: %+v", res)
		}
	})

	t.Run("List", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		testList(t, s)
	})

	t.Run("Search", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		testSearch(t, s)
	})

	t.Run("FirmsTopics", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		testFirmsTopics(t, s)
	})

	t.Run("ConcurrentSaves", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		briefs := storetest.GenerateBriefs(80, 7)
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; i < len(briefs); i += 8 {
					if _, err := s.SaveBrief(ctx, briefs[i], store.SaveOptions{}); err != nil {
						errs <- err
					}
				}
				// Every goroutine also saves the same brief, changed in turn.
				shared := sampleBrief("shared")
				shared.Title = fmt.Sprintf("Shared %d", g)
				if _, err := s.SaveBrief(ctx, shared, store.SaveOptions{}); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n := 0
		for cur := ""; ; {
			page, err := s.ListBriefs(ctx, store.BriefFilter{Limit: 50, Cursor: cur})
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Briefs)
			if cur = page.Next; cur == "" {
				break
			}
		}
		if n != len(briefs)+1 {
			t.Errorf("%d briefs stored, want %d", n, len(briefs)+1)
		}
		revs, err := s.Revisions(ctx, "shared")
		if err != nil || len(revs) != 8 {
			t.Errorf("shared brief: %d revisions, %v", len(revs), err)
		}
	})
}

// runOpenSuite checks what needs a DSN rather than a store.
func runOpenSuite(t *testing.T, dsn func(t *testing.T) string) {
	t.Run("Reopen", func(t *testing.T) {
		t.Parallel()
		d := dsn(t)
		s1, err := store.Open(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		mustSave(t, s1, sampleBrief("persisted"))
		s1.Close()
		// Migrations run again on the second Open and change nothing.
		s2, err := store.Open(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		got, err := s2.GetBrief(ctx, "persisted")
		if err != nil {
			t.Fatal(err)
		}
		sameBrief(t, got, normalised(sampleBrief("persisted")))
		if err := s2.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ConcurrentOpen", func(t *testing.T) {
		t.Parallel()
		d := dsn(t)
		stores := make([]store.Store, 3)
		errs := make([]error, 3)
		var wg sync.WaitGroup
		for i := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stores[i], errs[i] = store.Open(ctx, d)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("open %d: %v", i, err)
			}
			defer stores[i].Close()
		}
		for i, s := range stores {
			b := sampleBrief(fmt.Sprintf("from-%d", i))
			mustSave(t, s, b)
		}
		page, err := stores[0].ListBriefs(ctx, store.BriefFilter{})
		if err != nil || len(page.Briefs) != 3 {
			t.Fatalf("list: %d, %v", len(page.Briefs), err)
		}
	})
}

func testList(t *testing.T, s store.Store) {
	type item struct {
		slug   string
		at     time.Time
		status brief.Status
		firm   string
		topic  string
	}
	base := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	var items []item
	firms := []string{"Clifford Chance LLP", "Linklaters LLP", "Allen & Overy LLP"}
	topics := []string{"Sanctions", "Energy"}
	for i := range 30 {
		it := item{
			slug:   fmt.Sprintf("brief-%02d", i),
			at:     base.Add(time.Duration(i/3) * 24 * time.Hour), // three briefs per day, same instant: ties
			status: []brief.Status{brief.StatusPublished, brief.StatusPublished, brief.StatusDraft}[i%3],
			firm:   firms[i%len(firms)],
			topic:  topics[i%len(topics)],
		}
		items = append(items, it)
		b := sampleBrief(it.slug)
		b.Status = it.status
		at := it.at
		b.PublishedAt = &at
		b.Firms = []string{it.firm}
		b.Topics = []string{it.topic}
		mustSave(t, s, b)
	}
	// Newest first; among equal dates, the later-created first.
	slices.SortStableFunc(items, func(a, b item) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(b.slug, a.slug)
	})
	collect := func(f store.BriefFilter) []string {
		t.Helper()
		var out []string
		seen := map[string]bool{}
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatal("endless listing")
			}
			page, err := s.ListBriefs(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range page.Briefs {
				if seen[b.Slug] {
					t.Fatalf("%s listed twice", b.Slug)
				}
				seen[b.Slug] = true
				if len(b.Sources) != 3 || b.Sources[0].Text != "" || b.Sources[0].ContentHash != "abc123" {
					t.Fatalf("listed sources: %+v", b.Sources)
				}
				if len(b.Sections) != 3 || len(b.Firms) != 1 || len(b.Topics) != 1 {
					t.Fatalf("listed brief incomplete: %+v", b)
				}
				out = append(out, b.Slug)
			}
			if f.Limit > 0 && len(page.Briefs) > f.Limit {
				t.Fatalf("page of %d, limit %d", len(page.Briefs), f.Limit)
			}
			if page.Next == "" {
				return out
			}
			f.Cursor = page.Next
		}
	}
	want := func(keep func(item) bool) []string {
		var out []string
		for _, it := range items {
			if keep(it) {
				out = append(out, it.slug)
			}
		}
		return out
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s:\ngot  %v\nwant %v", name, got, want)
		}
	}
	all := want(func(item) bool { return true })
	check("all, one page", collect(store.BriefFilter{Limit: 100}), all)
	check("all, pages of 7", collect(store.BriefFilter{Limit: 7}), all)
	check("all, pages of 1", collect(store.BriefFilter{Limit: 1}), all)
	check("all, pages of 3", collect(store.BriefFilter{Limit: 3}), all)
	check("default limit", collect(store.BriefFilter{}), all)
	page, err := s.ListBriefs(ctx, store.BriefFilter{})
	if err != nil || len(page.Briefs) != store.DefaultLimit || page.Next == "" {
		t.Errorf("default page: %d briefs, next %q, %v", len(page.Briefs), page.Next, err)
	}
	check("published", collect(store.BriefFilter{Status: brief.StatusPublished, Limit: 4}),
		want(func(it item) bool { return it.status == brief.StatusPublished }))
	check("firm slug", collect(store.BriefFilter{Firm: "clifford-chance-llp", Limit: 4}),
		want(func(it item) bool { return it.firm == "Clifford Chance LLP" }))
	check("firm name", collect(store.BriefFilter{Firm: "Allen & Overy LLP", Limit: 4}),
		want(func(it item) bool { return it.firm == "Allen & Overy LLP" }))
	check("topic", collect(store.BriefFilter{Topic: "energy", Limit: 4}),
		want(func(it item) bool { return it.topic == "Energy" }))
	since, until := base.Add(2*24*time.Hour), base.Add(5*24*time.Hour)
	check("date range", collect(store.BriefFilter{Since: since, Until: until, Limit: 4}),
		want(func(it item) bool { return !it.at.Before(since) && it.at.Before(until) }))
	check("all filters", collect(store.BriefFilter{Status: brief.StatusPublished, Firm: "linklaters-llp", Topic: "sanctions", Since: since, Limit: 2}),
		want(func(it item) bool {
			return it.status == brief.StatusPublished && it.firm == "Linklaters LLP" && it.topic == "Sanctions" && !it.at.Before(since)
		}))
	check("unknown firm", collect(store.BriefFilter{Firm: "nobody"}), nil)

	// A brief saved between pages neither repeats nor hides the others.
	first, err := s.ListBriefs(ctx, store.BriefFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, sampleBrief("late-arrival"))
	rest := collect(store.BriefFilter{Limit: 10, Cursor: first.Next})
	var got []string
	for _, b := range first.Briefs {
		got = append(got, b.Slug)
	}
	check("pages across a save", append(got, rest...), all)

	for _, bad := range []string{"garbage", "!!!", "eyJ0IjoxfQ"} {
		if _, err := s.ListBriefs(ctx, store.BriefFilter{Cursor: bad}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
	if _, err := s.ListBriefs(ctx, store.BriefFilter{Status: "bogus"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
}

func testSearch(t *testing.T, s store.Store) {
	mk := func(slug, title, body string, status brief.Status, day int, firm, topic string) {
		b := &brief.Brief{
			Slug: slug, Title: title, Status: status,
			PublishedAt: date(fmt.Sprintf("2024-03-%02dT10:00:00Z", day)),
			Sections: []brief.Section{
				{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: body}}},
				{Heading: brief.HeadingMeaning, Paragraphs: []brief.Paragraph{{Text: "Markets reacted calmly to the news."}}},
				{Heading: brief.HeadingLegal, Paragraphs: []brief.Paragraph{{Text: "Counsel are reviewing contracts."}}},
			},
			Firms:  []string{firm},
			Topics: []string{topic},
		}
		mustSave(t, s, b)
	}
	mk("title-hit", "New sanctions on Russian oil", "The Council adopted a package on Monday.", brief.StatusPublished, 1, "Clifford Chance LLP", "Sanctions")
	mk("body-hit", "Council meets in Brussels", "Ministers discussed sanctions among many other things, including fisheries and farm subsidies.", brief.StatusPublished, 5, "Linklaters LLP", "European Union")
	mk("draft-hit", "Sanctions draft", "Sanctions everywhere in this draft.", brief.StatusDraft, 6, "Clifford Chance LLP", "Sanctions")
	mk("merger", "Chip merger cleared", "The regulator cleared the merger of two chip makers after remedies.", brief.StatusPublished, 3, "Freshfields LLP", "Competition")
	mk("pipeline", "Pipeline halted", "Work on the pipeline stopped; Russia's exports fell. Café owners complained.", brief.StatusPublished, 4, "Linklaters LLP", "Energy")

	search := func(q store.SearchQuery) store.SearchResult {
		t.Helper()
		res, err := s.SearchBriefs(ctx, q)
		if err != nil {
			t.Fatalf("search %+v: %v", q, err)
		}
		if len(res.Hits) > res.Total {
			t.Fatalf("search %+v: %d hits, total %d", q, len(res.Hits), res.Total)
		}
		return res
	}
	slugs := func(res store.SearchResult) []string {
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.Brief.Slug)
		}
		return out
	}

	res := search(store.SearchQuery{Q: "sanctions"})
	if got := slugs(res); !slices.Equal(got, []string{"title-hit", "body-hit"}) || res.Total != 2 {
		t.Errorf("sanctions: %v (total %d), want title-hit before body-hit", got, res.Total)
	}
	if len(res.Hits) == 2 {
		if res.Hits[0].Rank <= res.Hits[1].Rank {
			t.Errorf("ranks %v, %v not decreasing", res.Hits[0].Rank, res.Hits[1].Rank)
		}
		sn := res.Hits[1].Snippet
		if !strings.Contains(sn, store.HighlightStart+"sanctions"+store.HighlightEnd) {
			t.Errorf("snippet %q has no highlighted match", sn)
		}
		if len(res.Hits[0].Brief.Sources) != 0 || res.Hits[0].Brief.Firms[0] != "Clifford Chance LLP" {
			t.Errorf("hit brief: %+v", res.Hits[0].Brief)
		}
	}
	// Stemming: "sanction" finds "sanctions".
	if got := slugs(search(store.SearchQuery{Q: "Sanction"})); len(got) != 2 {
		t.Errorf("stemmed: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: "sanctions", Status: brief.StatusDraft})); !slices.Equal(got, []string{"draft-hit"}) {
		t.Errorf("drafts: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: "sanctions", Firm: "linklaters-llp"})); !slices.Equal(got, []string{"body-hit"}) {
		t.Errorf("firm filter: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: "sanctions", Topic: "Sanctions"})); !slices.Equal(got, []string{"title-hit"}) {
		t.Errorf("topic filter: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: "sanctions", Since: *date("2024-03-02T00:00:00Z")})); !slices.Equal(got, []string{"body-hit"}) {
		t.Errorf("since: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: "sanctions", Until: *date("2024-03-02T00:00:00Z")})); !slices.Equal(got, []string{"title-hit"}) {
		t.Errorf("until: %v", got)
	}
	// Firm and topic names are searchable.
	if got := slugs(search(store.SearchQuery{Q: "Freshfields"})); !slices.Equal(got, []string{"merger"}) {
		t.Errorf("firm name: %v", got)
	}
	// Phrases, OR, exclusion.
	if got := slugs(search(store.SearchQuery{Q: `"chip makers"`})); !slices.Equal(got, []string{"merger"}) {
		t.Errorf("phrase: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: `"makers chip"`})); len(got) != 0 {
		t.Errorf("phrase out of order: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: "merger or pipeline"})); len(got) != 2 {
		t.Errorf("or: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: "sanctions -fisheries"})); !slices.Equal(got, []string{"title-hit"}) {
		t.Errorf("exclusion: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: "Russia's"})); len(got) == 0 {
		t.Errorf("apostrophe: no hits")
	}
	// Pagination.
	p1 := search(store.SearchQuery{Q: "sanctions", Limit: 1})
	p2 := search(store.SearchQuery{Q: "sanctions", Limit: 1, Offset: 1})
	p3 := search(store.SearchQuery{Q: "sanctions", Limit: 1, Offset: 2})
	if p1.Total != 2 || p2.Total != 2 || p3.Total != 2 || len(p1.Hits) != 1 || len(p2.Hits) != 1 || len(p3.Hits) != 0 ||
		p1.Hits[0].Brief.Slug == p2.Hits[0].Brief.Slug {
		t.Errorf("pages: %v %v %v", slugs(p1), slugs(p2), slugs(p3))
	}
	// No terms: every published brief, newest first.
	for _, q := range []string{"", "   ", "*", `"`, "😀", "-", "()"} {
		res := search(store.SearchQuery{Q: q})
		if got := slugs(res); !slices.Equal(got, []string{"body-hit", "pipeline", "merger", "title-hit"}) || res.Total != 4 {
			t.Errorf("query %q: %v (total %d)", q, got, res.Total)
		}
		if res.Hits[0].Snippet == "" {
			t.Errorf("query %q: empty snippet", q)
		}
	}
	// Odd queries: never an error.
	for _, q := range []string{`"`, `""`, `"sanctions`, `AND OR`, `OR`, `NOT`, `sanctions AND`, `*`, `sanc*`, `'`, `''`, `'; DROP TABLE briefs; --`,
		`😀 sanctions 🇪🇺`, `NEAR(a b)`, `title:sanctions`, `^sanctions`, `(sanctions`, `sanctions)`, `a:b:c`, `-sanctions`, `--`, `- -`,
		"sanc\x00tions", "\xff\xfe", `\`, `%`, `_`, `?`, `$1`, "café", "CAFE", strings.Repeat("x ", 500), `{}[]`, `or or or`, `"a" or -"b"`} {
		search(store.SearchQuery{Q: q})
	}
	if got := slugs(search(store.SearchQuery{Q: "cafe"})); !slices.Equal(got, []string{"pipeline"}) && s.Dialect() == "sqlite" {
		t.Errorf("diacritics: %v", got)
	}
	if got := slugs(search(store.SearchQuery{Q: "zebra"})); len(got) != 0 {
		t.Errorf("zebra: %v", got)
	}
	if _, err := s.SearchBriefs(ctx, store.SearchQuery{Q: "x", Status: "bogus"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
}

func testFirmsTopics(t *testing.T, s store.Store) {
	if err := s.UpsertFirms(ctx, storetest.Firms); err != nil {
		t.Fatal(err)
	}
	firms, err := s.ListFirms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(firms) != len(storetest.Firms) {
		t.Fatalf("%d firms", len(firms))
	}
	if !slices.IsSortedFunc(firms, func(a, b brief.Firm) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) }) {
		t.Errorf("firms not in order of name")
	}
	f, err := s.GetFirm(ctx, "skadden-arps-slate-meagher-flom-uk-llp")
	if err != nil {
		t.Fatal(err)
	}
	want := storetest.Firms[5]
	want.Slug = "skadden-arps-slate-meagher-flom-uk-llp"
	if !reflect.DeepEqual(*f, want) {
		t.Errorf("firm:\ngot  %+v\nwant %+v", *f, want)
	}
	// Upsert replaces.
	want.Aliases = []string{"Skadden Arps"}
	want.Website = "https://www.skadden.com"
	if err := s.UpsertFirms(ctx, []brief.Firm{want}); err != nil {
		t.Fatal(err)
	}
	if f, err := s.GetFirm(ctx, want.Slug); err != nil || !reflect.DeepEqual(*f, want) {
		t.Errorf("updated firm: %+v, %v", f, err)
	}
	if firms, _ := s.ListFirms(ctx); len(firms) != len(storetest.Firms) {
		t.Errorf("upsert added a firm")
	}
	if err := s.UpsertFirms(ctx, []brief.Firm{{Name: "Good"}, {Name: "  "}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("nameless firm: %v", err)
	}
	if _, err := s.GetFirm(ctx, "good"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed upsert stored a firm: %v", err)
	}

	if err := s.UpsertTopics(ctx, storetest.Topics); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertTopics(ctx, []brief.Topic{{Name: "Tax"}}); err != nil {
		t.Fatal(err)
	}
	topics, err := s.ListTopics(ctx)
	if err != nil || len(topics) != len(storetest.Topics)+1 {
		t.Fatalf("%d topics, %v", len(topics), err)
	}
	tp, err := s.GetTopic(ctx, "tax")
	if err != nil || tp.Kind != brief.TopicPracticeArea || tp.Name != "Tax" || tp.Keywords != nil {
		t.Errorf("tax: %+v, %v", tp, err)
	}
	tp, err = s.GetTopic(ctx, "european-union")
	if err != nil || tp.Kind != brief.TopicJurisdiction || !slices.Equal(tp.Keywords, []string{"Brussels", "Commission", "EU"}) {
		t.Errorf("eu: %+v, %v", tp, err)
	}
	if err := s.UpsertTopics(ctx, []brief.Topic{{Name: "X", Kind: "colour"}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad kind: %v", err)
	}
}
