-- Ingest speed (issue 13): less work for the server per article saved.
--
-- An article's page HTML and text are stored compressed out of line
-- (TOAST). PostgreSQL's default, pglz, is several times slower than lz4
-- for about the same size. Values stored before keep pglz (both are read
-- alike); new and updated values use lz4.
--
-- An article is stored before its story is known and joins one a moment
-- later, and few articles are duplicates: the story and duplicate indexes
-- hold the rows that have one only, so an insert writes neither.
-- Every query on them names a value (story_id = ?, duplicate_of IN (…)),
-- which implies IS NOT NULL.

-- +goose Up
ALTER TABLE articles ALTER COLUMN html SET COMPRESSION lz4, ALTER COLUMN text SET COMPRESSION lz4;
DROP INDEX articles_story;
CREATE INDEX articles_story ON articles (story_id, sort_at) WHERE story_id IS NOT NULL;
DROP INDEX articles_duplicate_of;
CREATE INDEX articles_duplicate_of ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- +goose Down
ALTER TABLE articles ALTER COLUMN html SET COMPRESSION pglz, ALTER COLUMN text SET COMPRESSION pglz;
DROP INDEX articles_story;
CREATE INDEX articles_story ON articles (story_id, sort_at);
DROP INDEX articles_duplicate_of;
CREATE INDEX articles_duplicate_of ON articles (duplicate_of);
