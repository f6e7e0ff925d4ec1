package store

// Stories: putting articles into stories, one or many in one transaction.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"legists/internal/source"
)

// StoryAssignment is one article's place in AssignStories. StoryID > 0
// joins that story; StoryID < 0 is a key for a story new in the call: the
// first assignment with that key creates the story (titled after its
// article), the later ones join it. Vector is added to the story's
// centroid.
type StoryAssignment struct {
	ArticleID int64
	StoryID   int64
	Vector    source.Vector
}

// AssignStory implements SourceStore.
func (s *db) AssignStory(ctx context.Context, articleID, storyID int64, v source.Vector) (int64, error) {
	if storyID <= 0 {
		storyID = -1
	}
	ids, err := s.AssignStories(ctx, []StoryAssignment{{ArticleID: articleID, StoryID: storyID, Vector: v}})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// storyChange is what a call does to one story.
type storyChange struct {
	title       string // of a new story: its first article's
	centroid    source.Vector
	first, last time.Time
	added       int
}

// AssignStories implements SourceStore: one transaction for all of as,
// whatever their number, so that many articles joining one story take its
// row lock once. The articles are locked first, then the stories, each
// in id order (AssignStory, a call of one, takes them in the same order),
// so that concurrent calls cannot deadlock.
func (s *db) AssignStories(ctx context.Context, as []StoryAssignment) ([]int64, error) {
	out := make([]int64, len(as))
	if len(as) == 0 {
		return out, nil
	}
	now := s.now()
	err := s.writeRefetchable(ctx, func(tx runner) error {
		clear(out)
		// 1. The articles.
		type article struct {
			title   string
			at      time.Time
			current sql.NullInt64
			found   bool
		}
		arts := map[int64]*article{}
		var artIDs []int64
		for _, a := range as {
			if arts[a.ArticleID] == nil {
				arts[a.ArticleID] = &article{}
				artIDs = append(artIDs, a.ArticleID)
			}
		}
		slices.Sort(artIDs)
		rows, err := tx.query(ctx, `SELECT id, title, published_at, fetched_at, story_id FROM articles
			WHERE id IN (`+placeholders(len(artIDs))+`) ORDER BY id`+s.d.forUpdate, anys(artIDs)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id           int64
				title        string
				pub, fetched dbTime
				current      sql.NullInt64
			)
			if err := rows.Scan(&id, &title, &pub, &fetched, &current); err != nil {
				rows.Close()
				return err
			}
			at := fetched.Time
			if pub.Valid {
				at = pub.Time
			}
			*arts[id] = article{title: title, at: at, current: current, found: true}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range artIDs {
			if !arts[id].found {
				return fmt.Errorf("store: article %d: %w", id, ErrNotFound)
			}
		}

		// 2. Where each article goes. target[i] is a story id (> 0) or a
		// new story's key (< 0); 0 for an article already in a story (a
		// rerun after a crash), which stays where it is, and for an
		// article listed again (its first listing counts: firstOf).
		target := make([]int64, len(as))
		firstOf := make([]int, len(as))
		listed := map[int64]int{}
		keyTarget := map[int64]int64{}
		changes := map[int64]*storyChange{}
		var newKeys, joined []int64
		for i, a := range as {
			firstOf[i] = i
			if j, ok := listed[a.ArticleID]; ok {
				firstOf[i] = j
				continue
			}
			listed[a.ArticleID] = i
			art := arts[a.ArticleID]
			k := a.StoryID
			t, founded := keyTarget[k]
			if k < 0 && founded {
				k = t
			}
			if art.current.Valid {
				out[i] = art.current.Int64
				if a.StoryID < 0 && !founded {
					keyTarget[a.StoryID] = art.current.Int64
				}
				continue
			}
			if k == 0 {
				return fmt.Errorf("store: story 0: %w", ErrInvalid)
			}
			if a.StoryID < 0 && !founded {
				keyTarget[k] = k
				newKeys = append(newKeys, k)
				changes[k] = &storyChange{title: art.title, centroid: source.Vector{}, first: art.at, last: art.at}
			}
			target[i] = k
			if k > 0 && changes[k] == nil {
				changes[k] = &storyChange{}
				joined = append(joined, k)
			}
		}

		// 3. The stories joined, locked, with their centroids.
		if len(joined) > 0 {
			slices.Sort(joined)
			rows, err := tx.query(ctx, `SELECT id, centroid, first_seen, last_seen FROM stories
				WHERE id IN (`+placeholders(len(joined))+`) ORDER BY id`+s.d.forUpdate, anys(joined)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var (
					id          int64
					raw         []byte
					first, last dbTime
				)
				if err := rows.Scan(&id, &raw, &first, &last); err != nil {
					rows.Close()
					return err
				}
				c := changes[id]
				if err := json.Unmarshal(raw, &c.centroid); err != nil {
					rows.Close()
					return fmt.Errorf("store: story %d centroid: %w", id, err)
				}
				c.first, c.last = first.Time, last.Time
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, id := range joined {
				if changes[id].first.IsZero() {
					return fmt.Errorf("store: story %d: %w", id, ErrNotFound)
				}
			}
		}

		// 4. The centroids, in the order of the assignments.
		for i, a := range as {
			k := target[i]
			if k == 0 {
				continue
			}
			c, at := changes[k], arts[a.ArticleID].at
			c.centroid = c.centroid.Merge(a.Vector)
			c.added++
			if at.Before(c.first) {
				c.first = at
			}
			if at.After(c.last) {
				c.last = at
			}
		}
		ids := map[int64]int64{}
		for _, k := range newKeys {
			c := changes[k]
			centroid, _ := json.Marshal(c.centroid)
			var id int64
			if err := tx.hot().queryRow(ctx, `INSERT INTO stories (title, first_seen, last_seen, article_count, centroid, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.title, s.d.timeArg(c.first), s.d.timeArg(c.last), c.added,
				string(centroid), s.d.timeArg(now), s.d.timeArg(now)).Scan(&id); err != nil {
				return err
			}
			ids[k] = id
		}
		for _, id := range joined {
			c := changes[id]
			centroid, _ := json.Marshal(c.centroid)
			ids[id] = id
			if _, err := tx.hot().exec(ctx, `UPDATE stories SET centroid = ?, first_seen = ?, last_seen = ?,
				article_count = article_count + ?, updated_at = ? WHERE id = ?`,
				string(centroid), s.d.timeArg(c.first), s.d.timeArg(c.last), c.added, s.d.timeArg(now), id); err != nil {
				return err
			}
		}

		// 5. The articles and their duplicates: two statements for all.
		var setArgs, inArgs []any
		var cases []string
		for i, a := range as {
			if target[i] == 0 {
				continue
			}
			out[i] = ids[target[i]]
			cases = append(cases, `WHEN ? THEN CAST(? AS BIGINT)`)
			setArgs = append(setArgs, a.ArticleID, out[i])
			inArgs = append(inArgs, a.ArticleID)
		}
		for i := range as {
			out[i] = out[firstOf[i]]
		}
		if len(cases) == 0 {
			return nil
		}
		caseSQL := `CASE %s ` + strings.Join(cases, " ") + ` END`
		// Each statement on an index (an OR may scan the table).
		if _, err := tx.exec(ctx, `UPDATE articles SET story_id = `+fmt.Sprintf(caseSQL, "id")+
			` WHERE id IN (`+placeholders(len(inArgs))+`)`, append(setArgs, inArgs...)...); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE articles SET story_id = `+fmt.Sprintf(caseSQL, "duplicate_of")+
			` WHERE duplicate_of IN (`+placeholders(len(inArgs))+`) AND story_id IS NULL`, append(setArgs, inArgs...)...)
		return err
	})
	if err != nil {
		if len(as) == 1 {
			return nil, fmt.Errorf("store: assign article %d to a story: %w", as[0].ArticleID, err)
		}
		return nil, fmt.Errorf("store: assign %d articles to stories: %w", len(as), err)
	}
	return out, nil
}
