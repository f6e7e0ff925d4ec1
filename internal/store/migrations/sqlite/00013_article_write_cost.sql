-- Ingest speed (issue 13): an article is stored before its story is known
-- and joins one a moment later, and few articles are duplicates: the
-- story and duplicate indexes hold the rows that have one only, so an
-- insert writes neither. Every query on them names a value (story_id = ?,
-- duplicate_of IN (…)), which implies IS NOT NULL. (PostgreSQL also
-- compresses articles with lz4 from here; SQLite does not compress.)

-- +goose Up
DROP INDEX articles_story;
CREATE INDEX articles_story ON articles (story_id, sort_at) WHERE story_id IS NOT NULL;
DROP INDEX articles_duplicate_of;
CREATE INDEX articles_duplicate_of ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- +goose Down
DROP INDEX articles_story;
CREATE INDEX articles_story ON articles (story_id, sort_at);
DROP INDEX articles_duplicate_of;
CREATE INDEX articles_duplicate_of ON articles (duplicate_of);
