-- A narrow search index that ranking reads on its own (issue 14): it
-- replaces briefs_fts, an external-content index over briefs whose matches
-- had to be joined with briefs (briefs_search_meta) for their status and
-- date, and counted in full.
--
-- brief_search keeps its own copy of the words (FTS5 with content), so
-- bm25 and snippet() read nothing of briefs, and its rowid encodes
-- recency:
--
--     rowid = (unixepoch(sort_at) - 2000000000) * 2^32 + id
--
-- (sort_at to the second, held within April 1965 to June 2101, the 32
-- bits around 2e9: a date outside sorts at the nearer end; brief ids below
-- 2^32; search.go's searchRowid computes the same), so rowid order is the listing order (sort_at, then id) and "the
-- N most recent matches" is a scan of the index by descending rowid with a
-- LIMIT; a date range is a rowid range; the id is rowid & 0xFFFFFFFF. The
-- status is an indexed column, so that FTS5 filters by it itself (the
-- query names the column: {status} : "published"; the reader's words are
-- limited to {title search_text}). Same tokenizer as briefs_fts: porter
-- stemming, diacritics folded. Triggers keep it in step with briefs inside
-- the writing transaction.

-- +goose Up
DROP TRIGGER IF EXISTS briefs_fts_update;
DROP TRIGGER IF EXISTS briefs_fts_delete;
DROP TRIGGER IF EXISTS briefs_fts_insert;
DROP TABLE IF EXISTS briefs_fts;
-- Only the join with briefs_fts used it.
DROP INDEX IF EXISTS briefs_search_meta;

CREATE VIRTUAL TABLE brief_search USING fts5 (
    title, search_text, status,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO brief_search (rowid, title, search_text, status)
    SELECT (max(-147483648, min(4147483647, unixepoch(sort_at))) - 2000000000) * 4294967296 + id, title, search_text, status FROM briefs;
-- One segment rather than the many of a bulk insert: reads merge fewer.
INSERT INTO brief_search (brief_search) VALUES ('optimize');

-- +goose StatementBegin
CREATE TRIGGER brief_search_insert AFTER INSERT ON briefs BEGIN
    INSERT INTO brief_search (rowid, title, search_text, status)
        VALUES ((max(-147483648, min(4147483647, unixepoch(new.sort_at))) - 2000000000) * 4294967296 + new.id, new.title, new.search_text, new.status);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER brief_search_delete AFTER DELETE ON briefs BEGIN
    DELETE FROM brief_search WHERE rowid = (max(-147483648, min(4147483647, unixepoch(old.sort_at))) - 2000000000) * 4294967296 + old.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER brief_search_update AFTER UPDATE OF title, search_text, status, sort_at ON briefs BEGIN
    DELETE FROM brief_search WHERE rowid = (max(-147483648, min(4147483647, unixepoch(old.sort_at))) - 2000000000) * 4294967296 + old.id;
    INSERT INTO brief_search (rowid, title, search_text, status)
        VALUES ((max(-147483648, min(4147483647, unixepoch(new.sort_at))) - 2000000000) * 4294967296 + new.id, new.title, new.search_text, new.status);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER brief_search_update;
DROP TRIGGER brief_search_delete;
DROP TRIGGER brief_search_insert;
DROP TABLE brief_search;

CREATE INDEX IF NOT EXISTS briefs_search_meta ON briefs (id, status, sort_at);

CREATE VIRTUAL TABLE briefs_fts USING fts5 (
    title, search_text,
    content = 'briefs', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO briefs_fts (briefs_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER briefs_fts_insert AFTER INSERT ON briefs BEGIN
    INSERT INTO briefs_fts (rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER briefs_fts_delete AFTER DELETE ON briefs BEGIN
    INSERT INTO briefs_fts (briefs_fts, rowid, title, search_text) VALUES ('delete', old.id, old.title, old.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER briefs_fts_update AFTER UPDATE OF title, search_text ON briefs BEGIN
    INSERT INTO briefs_fts (briefs_fts, rowid, title, search_text) VALUES ('delete', old.id, old.title, old.search_text);
    INSERT INTO briefs_fts (rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
END;
-- +goose StatementEnd
