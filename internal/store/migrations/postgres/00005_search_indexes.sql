-- Indexes for full-text search (store/search.go).
--
-- briefs_search_published is the GIN index of published briefs only, what
-- readers search: a search of published briefs needs no status check on the
-- heap, and counting its matches can skip the heap on all-visible pages.

-- +goose Up
CREATE INDEX IF NOT EXISTS briefs_search_published ON briefs USING gin (search_tsv) WHERE status = 'published';

-- +goose Down
DROP INDEX IF EXISTS briefs_search_published;
