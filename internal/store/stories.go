package store

// Stories: clustering state and listings.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"legists/internal/source"
)

// UnclusteredArticles implements SourceStore.
func (s *db) UnclusteredArticles(ctx context.Context, limit int) ([]source.Article, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.reader().query(ctx, `SELECT `+articleTextCols+` FROM articles a
		WHERE a.story_id IS NULL AND a.duplicate_of IS NULL ORDER BY a.sort_at, a.id LIMIT `+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("store: unclustered articles: %w", err)
	}
	defer rows.Close()
	out := []source.Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unclustered articles: %w", err)
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// StoryCandidates implements SourceStore.
func (s *db) StoryCandidates(ctx context.Context, from, to time.Time) ([]source.Candidate, error) {
	rows, err := s.reader().query(ctx, `SELECT id, first_seen, last_seen, centroid FROM stories
		WHERE last_seen >= ? AND first_seen <= ? ORDER BY id`, s.d.timeArg(from), s.d.timeArg(to))
	if err != nil {
		return nil, fmt.Errorf("store: story candidates: %w", err)
	}
	defer rows.Close()
	out := []source.Candidate{}
	for rows.Next() {
		var (
			c           source.Candidate
			first, last dbTime
			centroid    []byte
		)
		if err := rows.Scan(&c.ID, &first, &last, &centroid); err != nil {
			return nil, fmt.Errorf("store: story candidates: %w", err)
		}
		c.FirstSeen, c.LastSeen = first.Time, last.Time
		if err := json.Unmarshal(centroid, &c.Centroid); err != nil {
			return nil, fmt.Errorf("store: story %d centroid: %w", c.ID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const storyCols = `id, title, first_seen, last_seen, article_count, centroid`

func scanStory(sc interface{ Scan(...any) error }) (*source.Story, error) {
	var (
		st          source.Story
		first, last dbTime
		raw         []byte
	)
	if err := sc.Scan(&st.ID, &st.Title, &first, &last, &st.ArticleCount, &raw); err != nil {
		return nil, err
	}
	st.FirstSeen, st.LastSeen = first.Time, last.Time
	var c source.Vector
	if json.Unmarshal(raw, &c) == nil {
		st.Terms = c.Top(8)
	}
	return &st, nil
}

// GetStory implements SourceStore.
func (s *db) GetStory(ctx context.Context, id int64) (*source.Story, error) {
	st, err := scanStory(s.reader().queryRow(ctx, `SELECT `+storyCols+` FROM stories WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: story %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get story: %w", err)
	}
	if err := s.fillStory(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *db) fillStory(ctx context.Context, st *source.Story) error {
	rows, err := s.reader().query(ctx, `SELECT `+articleCols+` FROM articles a WHERE a.story_id = ?
		ORDER BY a.sort_at, a.id`, st.ID)
	if err != nil {
		return fmt.Errorf("store: story %d articles: %w", st.ID, err)
	}
	defer rows.Close()
	st.Articles = []source.ArticleSummary{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return fmt.Errorf("store: story %d articles: %w", st.ID, err)
		}
		st.Articles = append(st.Articles, a.Summary())
	}
	if err := rows.Err(); err != nil {
		return err
	}
	st.Timeline = source.Timeline(st.Articles)
	return nil
}

// storyCursor is the position of the last story of a page.
type storyCursor struct {
	At time.Time `json:"t"`
	ID int64     `json:"i"`
}

// ListStories implements SourceStore.
func (s *db) ListStories(ctx context.Context, f StoryFilter) (StoryPage, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, `last_seen >= ?`), append(args, s.d.timeArg(f.Since))
	}
	if f.MinArticles > 0 {
		where, args = append(where, `article_count >= ?`), append(args, f.MinArticles)
	}
	if f.Cursor != "" {
		var c storyCursor
		if err := srcDecodeCursor(f.Cursor, &c); err != nil {
			return StoryPage{}, err
		}
		where = append(where, `(last_seen < ? OR (last_seen = ? AND id < ?))`)
		args = append(args, s.d.timeArg(c.At), s.d.timeArg(c.At), c.ID)
	}
	q := `SELECT ` + storyCols + ` FROM stories`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := srcPageLimit(f.Limit)
	q += ` ORDER BY last_seen DESC, id DESC LIMIT ` + strconv.Itoa(limit+1)
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return StoryPage{}, fmt.Errorf("store: list stories: %w", err)
	}
	page := StoryPage{Stories: []source.Story{}}
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			rows.Close()
			return StoryPage{}, fmt.Errorf("store: list stories: %w", err)
		}
		if len(page.Stories) == limit {
			last := page.Stories[len(page.Stories)-1]
			page.Next = srcEncodeCursor(storyCursor{At: last.LastSeen, ID: last.ID})
			break
		}
		page.Stories = append(page.Stories, *st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return StoryPage{}, err
	}
	if f.WithArticles {
		for i := range page.Stories {
			if err := s.fillStory(ctx, &page.Stories[i]); err != nil {
				return StoryPage{}, err
			}
		}
	}
	return page, nil
}
