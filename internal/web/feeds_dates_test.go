package web

import (
	"context"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"legists/internal/demo"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestFeedDatesSQLite(t *testing.T)   { testFeedDates(t, storetest.OpenSQLite(t)) }
func TestFeedDatesPostgres(t *testing.T) { testFeedDates(t, storetest.OpenPostgres(t)) }

// testFeedDates reads the feeds as a feed reader would: each entry is dated
// by the brief's publication, and updated when the brief last changed, not
// when the database was loaded; an edit moves only that brief's date.
func testFeedDates(t *testing.T, st store.Store) {
	s := newSiteOn(t, st)
	entries, err := demo.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	published := map[string]time.Time{}
	for _, e := range entries {
		if e.Status == "published" {
			published[s.ts.URL+"/briefs/"+e.Slug] = e.PublishedAt.UTC()
		}
	}
	read := func(path string) map[string][2]time.Time {
		t.Helper()
		_, body := s.get(path)
		f, err := gofeed.NewParser().ParseString(body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out := map[string][2]time.Time{}
		for _, it := range f.Items {
			if it.PublishedParsed == nil || it.UpdatedParsed == nil {
				t.Fatalf("%s: %s has no published or updated date", path, it.Link)
			}
			out[it.Link] = [2]time.Time{it.PublishedParsed.UTC(), it.UpdatedParsed.UTC()}
		}
		return out
	}
	for _, path := range []string{"/feed.xml", "/feed.json"} {
		got := read(path)
		if len(got) != len(published) {
			t.Errorf("%s: %d entries, want %d", path, len(got), len(published))
		}
		for link, d := range got {
			if want := published[link]; !d[0].Equal(want) || !d[1].Equal(want) {
				t.Errorf("%s: %s published %s updated %s; want both %s (the demo's date, not the load time)", path, link, d[0], d[1], want)
			}
		}
	}

	// An editor changes one brief: only its updated date moves, to the
	// time of the change; its publication date stays.
	e := demoBrief(t)
	b, err := st.GetBrief(context.Background(), e.Slug)
	if err != nil {
		t.Fatal(err)
	}
	b.Byline = "The Legists Content Team (corrected)"
	before := time.Now().Add(-time.Second)
	if res, err := st.SaveBrief(context.Background(), b, store.SaveOptions{Author: "editor"}); err != nil || res.Action != store.SaveUpdated {
		t.Fatalf("save: %+v %v", res, err)
	}
	s.srv.Invalidate()
	for _, path := range []string{"/feed.xml", "/feed.json"} {
		for link, d := range read(path) {
			edited := link == s.ts.URL+"/briefs/"+e.Slug
			switch {
			case !d[0].Equal(published[link]):
				t.Errorf("%s: %s publication moved to %s", path, link, d[0])
			case edited && d[1].Before(before):
				t.Errorf("%s: the edited brief's updated date is %s, before the edit", path, d[1])
			case !edited && !d[1].Equal(published[link]):
				t.Errorf("%s: %s updated %s though nobody changed it", path, link, d[1])
			}
		}
	}
}
