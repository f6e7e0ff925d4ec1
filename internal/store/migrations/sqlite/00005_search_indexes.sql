-- Indexes for full-text search (store/search.go).
--
-- briefs_search_meta covers the columns a search filters and orders its
-- matches by, keyed by id: joining the rowids that briefs_fts matches with
-- it reads a compact index instead of the wide rows of briefs (body, text).

-- +goose Up
CREATE INDEX IF NOT EXISTS briefs_search_meta ON briefs (id, status, sort_at);

-- +goose Down
DROP INDEX IF EXISTS briefs_search_meta;
