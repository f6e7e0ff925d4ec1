package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"legists/internal/brief"
)

// maxSlugLen bounds slugs kept in URLs.
const maxSlugLen = 200

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// canonicalBrief validates b and returns the brief as it is stored, its
// canonical JSON and the hex SHA-256 of that JSON.
//
// The canonical form is what "identical" means for SaveBrief: the JSON of
// the brief with
//   - UpdatedAt left out (storage sets it);
//   - an empty Status as draft (so Status, PublishedAt, every text field, the
//     spans, the firm and topic lists in their order, and the sources with
//     their archived text all count: any change to them is a new revision);
//   - times in UTC to the microsecond;
//   - nil lists as empty ones, empty span lists as absent;
//   - sources in order of N;
//   - invalid UTF-8 replaced by U+FFFD.
//
// Errors wrap ErrInvalid.
func canonicalBrief(b *brief.Brief) (brief.Brief, []byte, string, error) {
	if b == nil {
		return brief.Brief{}, nil, "", fmt.Errorf("store: nil brief: %w", ErrInvalid)
	}
	c := *b
	c.UpdatedAt = time.Time{}
	if c.Slug == "" {
		return c, nil, "", fmt.Errorf("store: brief %q has no slug: %w", c.Title, ErrInvalid)
	}
	if len(c.Slug) > maxSlugLen || !slugRE.MatchString(c.Slug) {
		return c, nil, "", fmt.Errorf("store: brief slug %q: want lower-case letters, digits and single hyphens (at most %d bytes): %w", c.Slug, maxSlugLen, ErrInvalid)
	}
	if c.Status == "" {
		c.Status = brief.StatusDraft
	}
	if !c.Status.Valid() {
		return c, nil, "", fmt.Errorf("store: brief %s: status %q is not draft, review or published: %w", c.Slug, c.Status, ErrInvalid)
	}
	if c.PublishedAt != nil {
		t := normTime(*c.PublishedAt)
		c.PublishedAt = &t
	}
	c.Sections = make([]brief.Section, len(b.Sections))
	for i, sec := range b.Sections {
		ps := make([]brief.Paragraph, len(sec.Paragraphs))
		for j, p := range sec.Paragraphs {
			if len(p.Spans) == 0 {
				p.Spans = nil
			} else {
				spans := make([]brief.Span, len(p.Spans))
				for k, sp := range p.Spans {
					if sp.Citations == nil {
						sp.Citations = []int{}
					}
					spans[k] = sp
				}
				p.Spans = spans
			}
			ps[j] = p
		}
		c.Sections[i] = brief.Section{Heading: sec.Heading, Paragraphs: ps}
	}
	c.Firms = append([]string{}, b.Firms...)
	c.Topics = append([]string{}, b.Topics...)
	c.Sources = append([]brief.Source{}, b.Sources...)
	slices.SortStableFunc(c.Sources, func(x, y brief.Source) int { return x.N - y.N })
	for i, src := range c.Sources {
		if src.N < 1 {
			return c, nil, "", fmt.Errorf("store: brief %s: source number %d: want 1 or more: %w", c.Slug, src.N, ErrInvalid)
		}
		if i > 0 && c.Sources[i-1].N == src.N {
			return c, nil, "", fmt.Errorf("store: brief %s: two sources numbered %d: %w", c.Slug, src.N, ErrInvalid)
		}
		if src.FetchedAt != nil {
			t := normTime(*src.FetchedAt)
			c.Sources[i].FetchedAt = &t
		}
	}
	if !validUTF8(&c) {
		sanitizeUTF8(&c)
	}
	doc, err := json.Marshal(&c)
	if err != nil {
		return c, nil, "", fmt.Errorf("store: brief %s: %w", c.Slug, err)
	}
	if bytes.Contains(doc, []byte(`\u0000`)) {
		return c, nil, "", fmt.Errorf("store: brief %s contains a NUL character: %w", c.Slug, ErrInvalid)
	}
	fillEmpty(&c)
	sum := sha256.Sum256(doc)
	return c, doc, hex.EncodeToString(sum[:]), nil
}

// validUTF8 reports whether every string of b is valid UTF-8.
func validUTF8(b *brief.Brief) bool {
	ok := true
	eachString(b, func(s *string) { ok = ok && utf8.ValidString(*s) })
	return ok
}

// sanitizeUTF8 replaces invalid UTF-8 in the strings of b (whose lists
// must not be shared) by U+FFFD, so that b and its JSON agree.
func sanitizeUTF8(b *brief.Brief) {
	eachString(b, func(s *string) {
		if !utf8.ValidString(*s) {
			*s = strings.ToValidUTF8(*s, "\uFFFD")
		}
	})
}

func eachString(b *brief.Brief, fn func(*string)) {
	fn(&b.Slug)
	fn(&b.Title)
	fn(&b.Byline)
	for i := range b.Sections {
		fn(&b.Sections[i].Heading)
		for j := range b.Sections[i].Paragraphs {
			fn(&b.Sections[i].Paragraphs[j].Text)
		}
	}
	for i := range b.Firms {
		fn(&b.Firms[i])
	}
	for i := range b.Topics {
		fn(&b.Topics[i])
	}
	for i := range b.Sources {
		src := &b.Sources[i]
		fn(&src.URL)
		fn(&src.Title)
		fn(&src.Publisher)
		fn(&src.Text)
		fn(&src.ContentHash)
	}
}

// fillEmpty makes the lists of a brief read from storage non-nil, so that a
// stored brief encodes as [] rather than null.
func fillEmpty(b *brief.Brief) {
	if b.Sections == nil {
		b.Sections = []brief.Section{}
	}
	for i := range b.Sections {
		if b.Sections[i].Paragraphs == nil {
			b.Sections[i].Paragraphs = []brief.Paragraph{}
		}
	}
	if b.Firms == nil {
		b.Firms = []string{}
	}
	if b.Topics == nil {
		b.Topics = []string{}
	}
	if b.Sources == nil {
		b.Sources = []brief.Source{}
	}
}

// searchText is what full-text search indexes besides the title: every
// paragraph, then the firm and topic names.
func searchText(b *brief.Brief) string {
	var sb strings.Builder
	for _, sec := range b.Sections {
		for _, p := range sec.Paragraphs {
			sb.WriteString(p.Text)
			sb.WriteString("\n")
		}
	}
	if len(b.Firms) > 0 {
		sb.WriteString(strings.Join(b.Firms, ", "))
		sb.WriteString("\n")
	}
	if len(b.Topics) > 0 {
		sb.WriteString(strings.Join(b.Topics, ", "))
		sb.WriteString("\n")
	}
	return strings.TrimSuffix(sb.String(), "\n")
}

// preparedBrief is a validated brief with everything SaveBrief writes.
type preparedBrief struct {
	c      brief.Brief
	doc    []byte
	hash   string
	body   string
	text   string
	search string
}

func prepareBrief(b *brief.Brief) (*preparedBrief, error) {
	c, doc, hash, err := canonicalBrief(b)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(c.Sections)
	if err != nil {
		return nil, err
	}
	return &preparedBrief{
		c: c, doc: doc, hash: hash, body: string(body),
		text:   renderMarkdown(&c),
		search: searchText(&c),
	}, nil
}

// renderMarkdown is the revision text; a renderer that panics costs the
// revision its text, not the save.
func renderMarkdown(b *brief.Brief) (text string) {
	defer func() {
		if recover() != nil {
			text = ""
		}
	}()
	return brief.RenderMarkdown(b)
}

// SaveBrief implements Store.
func (s *db) SaveBrief(ctx context.Context, b *brief.Brief, opts SaveOptions) (SaveResult, error) {
	p, err := prepareBrief(b)
	if err != nil {
		return SaveResult{}, err
	}
	var res SaveResult
	err = s.write(ctx, func(tx runner) error {
		res, err = s.saveBrief(ctx, tx, p, s.saveTime(opts), opts)
		noteOutcome(ctx, res)
		return err
	})
	if err != nil {
		return SaveResult{}, err
	}
	return res, nil
}

// SaveBriefs implements Store: SaveBrief for each brief, in one transaction.
func (s *db) SaveBriefs(ctx context.Context, bs []*brief.Brief, opts SaveOptions) ([]SaveResult, error) {
	ps := make([]*preparedBrief, len(bs))
	for i, b := range bs {
		p, err := prepareBrief(b)
		if err != nil {
			return nil, fmt.Errorf("brief %d of %d: %w", i+1, len(bs), err)
		}
		ps[i] = p
	}
	out := make([]SaveResult, len(bs))
	err := s.write(ctx, func(tx runner) error {
		now := s.saveTime(opts)
		for i, p := range ps {
			res, err := s.saveBrief(ctx, tx, p, now, opts)
			if err != nil {
				return err
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// saveTime is when a save is recorded: opts.At, or now.
func (s *db) saveTime(opts SaveOptions) time.Time {
	if !opts.At.IsZero() {
		return normTime(opts.At)
	}
	return normTime(s.now())
}

// saveBrief saves p in the write transaction tx.
func (s *db) saveBrief(ctx context.Context, tx runner, p *preparedBrief, now time.Time, opts SaveOptions) (res SaveResult, err error) {
	c := &p.c
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: save brief %s: %w", c.Slug, err)
		}
	}()
	sortAt := now
	if c.PublishedAt != nil {
		sortAt = *c.PublishedAt
	}
	res = SaveResult{Slug: c.Slug}
	var (
		id      int64
		oldHash string
		rev     int
	)
	for attempt := 0; ; attempt++ {
		err := tx.queryRow(ctx, `SELECT id, content_hash, revision FROM briefs WHERE slug = ?`+s.d.forUpdate, c.Slug).Scan(&id, &oldHash, &rev)
		if err == nil {
			break
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return res, err
		}
		err = tx.queryRow(ctx, `INSERT INTO briefs
			(slug, title, byline, status, published_at, sort_at, created_at, updated_at, body, content_hash, revision, search_text)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
			ON CONFLICT (slug) DO NOTHING RETURNING id`,
			c.Slug, c.Title, c.Byline, string(c.Status), s.d.timePtrArg(c.PublishedAt), s.d.timeArg(sortAt),
			s.d.timeArg(now), s.d.timeArg(now), p.body, p.hash, p.search).Scan(&id)
		if err == nil {
			res.Action, res.Revision = SaveCreated, 1
			return res, s.insertBriefParts(ctx, tx, id, p, 1, now, opts)
		}
		if !errors.Is(err, sql.ErrNoRows) || attempt > 0 {
			return res, err
		}
		// Another transaction created the slug since our SELECT: read it
		// again (FOR UPDATE waits for that transaction) and update it.
	}
	if oldHash == p.hash {
		res.Action, res.Revision = SaveUnchanged, rev
		return res, nil
	}
	rev++
	if _, err := tx.exec(ctx, `UPDATE briefs SET title = ?, byline = ?, status = ?, published_at = ?, sort_at = ?,
		updated_at = ?, body = ?, content_hash = ?, revision = ?, search_text = ? WHERE id = ?`,
		c.Title, c.Byline, string(c.Status), s.d.timePtrArg(c.PublishedAt), s.d.timeArg(sortAt),
		s.d.timeArg(now), p.body, p.hash, rev, p.search, id); err != nil {
		return res, err
	}
	for _, table := range []string{"brief_sources", "brief_firms", "brief_topics", "brief_law_refs"} {
		if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE brief_id = ?`, id); err != nil {
			return res, err
		}
	}
	res.Action, res.Revision = SaveUpdated, rev
	return res, s.insertBriefParts(ctx, tx, id, p, rev, now, opts)
}

// insertBriefParts writes the sources, firm and topic tags and the revision
// of brief id.
func (s *db) insertBriefParts(ctx context.Context, tx runner, id int64, p *preparedBrief, rev int, now time.Time, opts SaveOptions) error {
	c := &p.c
	if len(c.Sources) > 0 {
		rows := make([][]any, len(c.Sources))
		for i, src := range c.Sources {
			rows[i] = []any{id, src.N, src.URL, src.Title, src.Publisher, s.d.timePtrArg(src.FetchedAt), src.Text, src.ContentHash}
		}
		if err := insertRows(ctx, tx, "brief_sources (brief_id, n, url, title, publisher, fetched_at, text, content_hash)", rows); err != nil {
			return err
		}
	}
	if len(c.Firms) > 0 {
		rows := make([][]any, len(c.Firms))
		for i, name := range c.Firms {
			rows[i] = []any{id, i, name, brief.Slugify(name)}
		}
		if err := insertRows(ctx, tx, "brief_firms (brief_id, position, name, firm_slug)", rows); err != nil {
			return err
		}
	}
	if len(c.Topics) > 0 {
		rows := make([][]any, len(c.Topics))
		for i, name := range c.Topics {
			rows[i] = []any{id, i, name, brief.Slugify(name)}
		}
		if err := insertRows(ctx, tx, "brief_topics (brief_id, position, name, topic_slug)", rows); err != nil {
			return err
		}
	}
	if err := s.writeLawRefs(ctx, tx, id, c.Sections); err != nil { // law.go
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO brief_revisions (brief_id, number, created_at, author, note, text, hash, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, rev, s.d.timeArg(now), opts.Author, opts.Note, p.text, p.hash, string(p.doc))
	return err
}

// insertRows inserts rows into "table (columns)" with multi-row INSERTs.
func insertRows(ctx context.Context, tx runner, into string, rows [][]any) error {
	const batch = 200
	for len(rows) > 0 {
		n := min(batch, len(rows))
		var sb strings.Builder
		sb.WriteString("INSERT INTO ")
		sb.WriteString(into)
		sb.WriteString(" VALUES ")
		args := make([]any, 0, n*len(rows[0]))
		for i, r := range rows[:n] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			sb.WriteString(placeholders(len(r)))
			sb.WriteString(")")
			args = append(args, r...)
		}
		if _, err := tx.exec(ctx, sb.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// briefCols are the columns scanBrief reads, from briefs aliased b.
const briefCols = `b.id, b.slug, b.title, b.byline, b.status, b.published_at, b.updated_at, b.sort_at, b.body`

type briefRow struct {
	id     int64
	sortAt time.Time
	b      *brief.Brief
}

func scanBrief(sc interface{ Scan(...any) error }) (briefRow, error) {
	var (
		r                       briefRow
		b                       brief.Brief
		status                  string
		published, updated, srt dbTime
		body                    []byte
	)
	if err := sc.Scan(&r.id, &b.Slug, &b.Title, &b.Byline, &status, &published, &updated, &srt, &body); err != nil {
		return r, err
	}
	b.Status = brief.Status(status)
	b.PublishedAt = published.Ptr()
	b.UpdatedAt = updated.Time
	if err := json.Unmarshal(body, &b.Sections); err != nil {
		return r, fmt.Errorf("store: brief %s: body: %w", b.Slug, err)
	}
	fillEmpty(&b)
	r.sortAt, r.b = srt.Time, &b
	return r, nil
}

// loadBriefs reads the briefs of a query selecting briefCols, then their
// sources (with or without the archived text), firms and topics.
func loadBriefs(ctx context.Context, tx runner, withText bool, q string, args ...any) ([]briefRow, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []briefRow
	for rows.Next() {
		r, err := scanBrief(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadParts(ctx, tx, out, withText); err != nil {
		return nil, err
	}
	return out, nil
}

// loadParts fills in the sources, firms and topics of briefs, three queries
// whatever their number.
func loadParts(ctx context.Context, tx runner, briefs []briefRow, withText bool) error {
	if len(briefs) == 0 {
		return nil
	}
	byID := make(map[int64]*brief.Brief, len(briefs))
	ids := make([]any, len(briefs))
	for i, r := range briefs {
		byID[r.id] = r.b
		ids[i] = r.id
	}
	in := "(" + placeholders(len(ids)) + ")"
	textCol := "''"
	if withText {
		textCol = "text"
	}
	rows, err := tx.query(ctx, `SELECT brief_id, n, url, title, publisher, fetched_at, `+textCol+`, content_hash
		FROM brief_sources WHERE brief_id IN `+in+` ORDER BY brief_id, n`, ids...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			id      int64
			src     brief.Source
			fetched dbTime
		)
		if err := rows.Scan(&id, &src.N, &src.URL, &src.Title, &src.Publisher, &fetched, &src.Text, &src.ContentHash); err != nil {
			rows.Close()
			return err
		}
		src.FetchedAt = fetched.Ptr()
		b := byID[id]
		b.Sources = append(b.Sources, src)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, part := range []struct {
		table string
		list  func(*brief.Brief) *[]string
	}{
		{"brief_firms", func(b *brief.Brief) *[]string { return &b.Firms }},
		{"brief_topics", func(b *brief.Brief) *[]string { return &b.Topics }},
	} {
		rows, err := tx.query(ctx, `SELECT brief_id, name FROM `+part.table+` WHERE brief_id IN `+in+` ORDER BY brief_id, position`, ids...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id   int64
				name string
			)
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			l := part.list(byID[id])
			*l = append(*l, name)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// GetBrief implements Store.
func (s *db) GetBrief(ctx context.Context, slug string) (*brief.Brief, error) {
	var out []briefRow
	err := s.read(ctx, func(tx runner) error {
		var err error
		out, err = loadBriefs(ctx, tx, true, `SELECT `+briefCols+` FROM briefs b WHERE b.slug = ?`, slug)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: get brief %s: %w", slug, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("store: brief %q: %w", slug, ErrNotFound)
	}
	return out[0].b, nil
}

// DeleteBrief implements Store. The brief's sources, tags and revisions go
// with it.
func (s *db) DeleteBrief(ctx context.Context, slug string) error {
	var n int64
	err := s.write(ctx, func(tx runner) error {
		r, err := tx.exec(ctx, `DELETE FROM briefs WHERE slug = ?`, slug)
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		noteOutcome(ctx, RowsChanged(n))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete brief %s: %w", slug, err)
	}
	if n == 0 {
		return fmt.Errorf("store: brief %q: %w", slug, ErrNotFound)
	}
	return nil
}

// Revisions implements Store: every revision of the brief, oldest first.
func (s *db) Revisions(ctx context.Context, slug string) ([]Revision, error) {
	var out []Revision
	err := s.read(ctx, func(tx runner) error {
		var id int64
		if err := tx.queryRow(ctx, `SELECT id FROM briefs WHERE slug = ?`, slug).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: brief %q: %w", slug, ErrNotFound)
			}
			return err
		}
		rows, err := tx.query(ctx, `SELECT number, created_at, author, note, text, hash, doc
			FROM brief_revisions WHERE brief_id = ? ORDER BY number`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				r   Revision
				at  dbTime
				doc []byte
			)
			if err := rows.Scan(&r.Number, &at, &r.Author, &r.Note, &r.Text, &r.Hash, &doc); err != nil {
				return err
			}
			r.CreatedAt = at.Time
			var b brief.Brief
			if err := json.Unmarshal(doc, &b); err != nil {
				return fmt.Errorf("revision %d: %w", r.Number, err)
			}
			fillEmpty(&b)
			r.Brief = &b
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("store: revisions of %s: %w", slug, err)
	}
	return out, nil
}

// filters collects the WHERE conditions of listings and searches over
// briefs aliased b.
type filters struct {
	conds []string
	args  []any
}

func (f *filters) add(cond string, args ...any) {
	f.conds = append(f.conds, cond)
	f.args = append(f.args, args...)
}

// sql returns " AND c1 AND c2 ..." (empty without conditions).
func (f *filters) sql() string {
	if len(f.conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(f.conds, " AND ")
}

// firmSlugs are the slugs a firm's briefs are tagged under: the firm's
// own, and those of its current and former names and other aliases as the
// directory lists them (a brief tagged "Allen & Overy LLP" is A&O
// Shearman's). A firm the directory does not know is its slug alone.
func (s *db) firmSlugs(ctx context.Context, firm string) ([]string, error) {
	slug := brief.Slugify(firm)
	out := []string{slug}
	f, err := s.GetFirm(ctx, slug)
	if errors.Is(err, ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, name := range append([]string{f.Name}, f.Aliases...) {
		if a := brief.Slugify(name); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// inList is "(?, ?, ?)" for n values.
func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// anys is vs as the arguments of a statement.
func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

func (s *db) briefFilters(status brief.Status, firmSlugs []string, topic string, since, until time.Time) (*filters, error) {
	f := &filters{}
	if status != "" {
		if !status.Valid() {
			return nil, fmt.Errorf("store: status %q is not draft, review or published: %w", status, ErrInvalid)
		}
		f.add("b.status = ?", string(status))
	}
	if len(firmSlugs) > 0 {
		f.add("EXISTS (SELECT 1 FROM brief_firms bf WHERE bf.brief_id = b.id AND bf.firm_slug IN "+inList(len(firmSlugs))+")", anys(firmSlugs)...)
	}
	if topic != "" {
		f.add("EXISTS (SELECT 1 FROM brief_topics bt WHERE bt.brief_id = b.id AND bt.topic_slug = ?)", brief.Slugify(topic))
	}
	if !since.IsZero() {
		f.add("b.sort_at >= ?", s.d.timeArg(since))
	}
	if !until.IsZero() {
		f.add("b.sort_at < ?", s.d.timeArg(until))
	}
	return f, nil
}

func clampLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// cursor is the position after the last brief of a page.
type cursor struct {
	At time.Time `json:"t"`
	ID int64     `json:"i"`
}

func encodeCursor(c cursor) string {
	j, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(j)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	j, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(j, &c)
	}
	if err != nil || c.ID <= 0 {
		return c, fmt.Errorf("store: malformed cursor %q: %w", s, ErrInvalid)
	}
	return c, nil
}

// ListBriefs implements Store.
func (s *db) ListBriefs(ctx context.Context, f BriefFilter) (BriefPage, error) {
	var firms []string
	if f.Firm != "" {
		var err error
		if firms, err = s.firmSlugs(ctx, f.Firm); err != nil {
			return BriefPage{}, fmt.Errorf("store: list briefs: %w", err)
		}
	}
	w, err := s.briefFilters(f.Status, firms, f.Topic, f.Since, f.Until)
	if err != nil {
		return BriefPage{}, err
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return BriefPage{}, err
		}
		w.add("(b.sort_at, b.id) < (?, ?)", s.d.timeArg(c.At), c.ID)
	}
	if f.Law != "" {
		w.add("EXISTS (SELECT 1 FROM brief_law_refs bl WHERE bl.brief_id = b.id AND bl.slug = ?)", f.Law)
	}
	limit := clampLimit(f.Limit)
	page := BriefPage{Briefs: []brief.Brief{}}
	err = s.read(ctx, func(tx runner) error {
		rows, err := loadBriefs(ctx, tx, false, `SELECT `+briefCols+` FROM briefs b WHERE 1 = 1`+w.sql()+
			` ORDER BY b.sort_at DESC, b.id DESC LIMIT ?`, append(w.args, limit+1)...)
		if err != nil {
			return err
		}
		if len(rows) > limit {
			rows = rows[:limit]
			last := rows[limit-1]
			page.Next = encodeCursor(cursor{At: last.sortAt, ID: last.id})
		}
		for _, r := range rows {
			page.Briefs = append(page.Briefs, *r.b)
		}
		return nil
	})
	if err != nil {
		return BriefPage{}, fmt.Errorf("store: list briefs: %w", err)
	}
	return page, nil
}
