package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestLawIndexSQLite(t *testing.T) { testLawIndex(t, storetest.SQLiteDSN(t)) }

func TestLawIndexPostgres(t *testing.T) { testLawIndex(t, storetest.PostgresDSN(t)) }

// lawBrief is a one-paragraph brief citing what text cites.
func lawBrief(slug, text string, status brief.Status, day string) *brief.Brief {
	b := &brief.Brief{Slug: slug, Title: "Brief " + slug, Byline: "The Legists Content Team", Status: status,
		Sections: []brief.Section{
			{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: text, Spans: []brief.Span{{Start: 0, End: len(text), Citations: []int{1}}}}}},
			{Heading: brief.HeadingMeaning, Paragraphs: []brief.Paragraph{{Text: "It matters."}}},
			{Heading: brief.HeadingLegal, Paragraphs: []brief.Paragraph{{Text: "Lawyers will be busy."}}},
		},
		Sources: []brief.Source{{N: 1, URL: "https://example.com/" + slug, Title: "Source", Publisher: "Wire"}},
	}
	if status == brief.StatusPublished {
		b.PublishedAt = date(day + "T09:00:00Z")
	}
	return b
}

func testLawIndex(t *testing.T, dsn string) {
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	const gdpr, ca = "eu-regulation-2016-679", "uk-companies-act-2006"
	mustSave(t, s, lawBrief("a", "The regulator relied on Article 6(1)(f) GDPR and section 172 of the Companies Act 2006.", brief.StatusPublished, "2025-01-02"))
	mustSave(t, s, lawBrief("b", "A draft citing Regulation (EU) 2016/679.", brief.StatusDraft, ""))
	mustSave(t, s, lawBrief("c", "Fines under Art. 83 of the General Data Protection Regulation rose.", brief.StatusPublished, "2025-03-04"))

	li, err := s.GetInstrument(ctx, gdpr)
	if err != nil {
		t.Fatal(err)
	}
	if li.Briefs != 2 || li.Name != "Regulation (EU) 2016/679" || li.URL != "https://eur-lex.europa.eu/eli/reg/2016/679/oj" ||
		li.Kind != "regulation" || li.Jurisdiction != "eu" || li.LastCited.Format("2006-01-02") != "2025-03-04" {
		t.Errorf("GDPR: %+v", li)
	}
	if strings.Join(li.Pinpoints, "; ") != "Article 83 of Regulation (EU) 2016/679; Article 6(1)(f) of Regulation (EU) 2016/679" {
		t.Errorf("pinpoints: %q", li.Pinpoints)
	}
	pg, err := s.ListBriefs(ctx, store.BriefFilter{Status: brief.StatusPublished, Law: gdpr})
	if err != nil || len(pg.Briefs) != 2 || pg.Briefs[0].Slug != "c" || pg.Briefs[1].Slug != "a" {
		t.Fatalf("briefs citing the GDPR: %+v, %v", pg.Briefs, err)
	}
	all, err := s.ListInstruments(ctx)
	if err != nil || len(all) != 2 || all[0].Slug != gdpr || all[1].Slug != ca {
		t.Fatalf("instruments: %+v, %v", all, err)
	}

	// An update re-indexes in the same save; a delete drops the rows.
	mustSave(t, s, lawBrief("a", "The regulator now relies on the Insolvency Act 1986.", brief.StatusPublished, "2025-01-02"))
	if _, err := s.GetInstrument(ctx, ca); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Companies Act after the update: %v", err)
	}
	if li, err := s.GetInstrument(ctx, "uk-insolvency-act-1986"); err != nil || li.Briefs != 1 {
		t.Errorf("Insolvency Act: %+v, %v", li, err)
	}
	if err := s.DeleteBrief(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetInstrument(ctx, gdpr); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GDPR cited only by a draft: %v", err)
	}
	if _, err := s.GetInstrument(ctx, " "); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty slug: %v", err)
	}

	// An index written by another version (or lost) is rebuilt on Open.
	s.Close()
	driver, raw := "pgx", dsn
	if strings.HasPrefix(dsn, "sqlite:") {
		driver, raw = "sqlite", strings.TrimPrefix(dsn, "sqlite:")
	}
	conn, err := sql.Open(driver, raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM brief_law_refs`, `UPDATE briefs SET law_indexed = 0`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	s, err = store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if li, err := s.GetInstrument(ctx, "uk-insolvency-act-1986"); err != nil || li.Briefs != 1 {
		t.Errorf("after the rebuild: %+v, %v", li, err)
	}
}
