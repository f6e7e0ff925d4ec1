package store

// Following the changes other processes make (issue 14): on PostgreSQL
// every transaction that changes a table the site shows sends a NOTIFY
// (migration 00011), which FollowChanges hears on a connection of its
// own, so that every instance drops its cached pages when any of them
// (or `legists import`, or a restore) writes. SQLite has one serving
// instance, which invalidates its cache itself.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChangeChannel is the PostgreSQL channel the change triggers notify on.
const ChangeChannel = "legists_changes"

// ChangeFeedApp, a space and the schema are the application_name of the
// change feed's connection (pg_stat_activity shows one per instance).
const ChangeFeedApp = "legists change feed"

// ChangeFeed is implemented by the store; FollowChanges reports
// errors.ErrUnsupported on a database that sends no notifications (SQLite).
type ChangeFeed interface {
	// FollowChanges calls changed with the name of each table a committed
	// transaction changed, by any process on the database (once per
	// table and transaction), until ctx ends; it then returns nil.
	// changed("") means anything may have changed: it is called each time
	// the listening connection is (re)established, after which every
	// commit is reported. When the connection fails, lost is called with
	// the error and FollowChanges reconnects with a growing pause (at
	// most maxPause).
	FollowChanges(ctx context.Context, changed func(table string), lost func(error)) error
}

var _ ChangeFeed = (*db)(nil)

const (
	minPause = 100 * time.Millisecond
	maxPause = 5 * time.Second
)

// FollowChanges implements ChangeFeed.
func (s *db) FollowChanges(ctx context.Context, changed func(table string), lost func(error)) error {
	if s.pg == nil {
		return fmt.Errorf("store: following changes on %s: %w", s.d.name, errors.ErrUnsupported)
	}
	if lost == nil {
		lost = func(error) {}
	}
	pause := minPause
	for {
		heard, err := s.listen(ctx, changed)
		if ctx.Err() != nil {
			return nil
		}
		if heard {
			pause = minPause
		}
		lost(err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, maxPause)
	}
}

// listen opens a connection, listens on ChangeChannel and reports
// notifications of this store's schema until the connection fails or ctx
// ends. heard says whether it got as far as listening.
func (s *db) listen(ctx context.Context, changed func(string)) (heard bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, s.pg.Copy())
	if err != nil {
		return false, fmt.Errorf("store: change feed: connect: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	var schema string
	if err := conn.QueryRow(ctx, `SELECT coalesce(current_schema(), '')`).Scan(&schema); err != nil {
		return false, fmt.Errorf("store: change feed: %w", err)
	}
	if _, err := conn.Exec(ctx, `SELECT set_config('application_name', $1, false)`, ChangeFeedApp+" "+schema); err != nil {
		return false, fmt.Errorf("store: change feed: %w", err)
	}
	if _, err := conn.Exec(ctx, `LISTEN `+ChangeChannel); err != nil {
		return false, fmt.Errorf("store: change feed: listen: %w", err)
	}
	changed("") // whatever happened while nobody listened
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, fmt.Errorf("store: change feed: %w", err)
		}
		sch, table, ok := strings.Cut(n.Payload, ".")
		if ok && sch == schema {
			changed(table)
		}
	}
}
