-- Briefs, their sources, firm and topic tags and revisions; the firm
-- directory and the topic taxonomy; full-text search over briefs.

-- +goose Up
CREATE TABLE briefs (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL DEFAULT '',
    byline       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'review', 'published')),
    published_at TEXT,
    -- sort_at is coalesce(published_at, updated_at): the listing order.
    sort_at      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    -- body is the JSON array of sections (headings, paragraphs, spans).
    body         TEXT NOT NULL DEFAULT '[]',
    -- content_hash is the hex SHA-256 of the canonical JSON of the brief.
    content_hash TEXT NOT NULL,
    -- revision is the number of the current revision.
    revision     INTEGER NOT NULL DEFAULT 1,
    -- search_text is every paragraph, then the firm and topic names.
    search_text  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX briefs_sort ON briefs (sort_at, id);
CREATE INDEX briefs_status_sort ON briefs (status, sort_at, id);

CREATE TABLE brief_sources (
    brief_id     INTEGER NOT NULL REFERENCES briefs (id) ON DELETE CASCADE,
    n            INTEGER NOT NULL,
    url          TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    publisher    TEXT NOT NULL DEFAULT '',
    fetched_at   TEXT,
    text         TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (brief_id, n)
);
CREATE INDEX brief_sources_url ON brief_sources (url);

CREATE TABLE brief_firms (
    brief_id  INTEGER NOT NULL REFERENCES briefs (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    firm_slug TEXT NOT NULL,
    PRIMARY KEY (brief_id, position)
);
CREATE INDEX brief_firms_slug ON brief_firms (firm_slug, brief_id);

CREATE TABLE brief_topics (
    brief_id   INTEGER NOT NULL REFERENCES briefs (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    topic_slug TEXT NOT NULL,
    PRIMARY KEY (brief_id, position)
);
CREATE INDEX brief_topics_slug ON brief_topics (topic_slug, brief_id);

CREATE TABLE brief_revisions (
    brief_id   INTEGER NOT NULL REFERENCES briefs (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    author     TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    -- text is the brief in the editing format; doc its canonical JSON.
    text       TEXT NOT NULL DEFAULT '',
    hash       TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (brief_id, number)
);

CREATE TABLE firms (
    id             INTEGER PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    aliases        TEXT NOT NULL DEFAULT '[]',
    practice_areas TEXT NOT NULL DEFAULT '[]',
    jurisdictions  TEXT NOT NULL DEFAULT '[]',
    website        TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE topics (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    keywords   TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Full-text index over briefs (external content: the text lives in briefs;
-- triggers keep the index in step inside the writing transaction).
CREATE VIRTUAL TABLE briefs_fts USING fts5 (
    title, search_text,
    content = 'briefs', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

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

-- +goose Down
DROP TRIGGER briefs_fts_update;
DROP TRIGGER briefs_fts_delete;
DROP TRIGGER briefs_fts_insert;
DROP TABLE briefs_fts;
DROP TABLE topics;
DROP TABLE firms;
DROP TABLE brief_revisions;
DROP TABLE brief_topics;
DROP TABLE brief_firms;
DROP TABLE brief_sources;
DROP TABLE briefs;
