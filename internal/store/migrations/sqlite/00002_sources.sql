-- Sources (feeds and single pages) with their polling state, the articles
-- read from them with archived text and SimHash bands for near-duplicate
-- lookup, and the stories articles are clustered into.

-- +goose Up
CREATE TABLE sources (
    id               INTEGER PRIMARY KEY,
    url              TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('feed', 'page')),
    title            TEXT NOT NULL DEFAULT '',
    site_url         TEXT NOT NULL DEFAULT '',
    feed_type        TEXT NOT NULL DEFAULT '',
    interval_seconds INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    -- Conditional GET validators of the last answer with content.
    etag             TEXT NOT NULL DEFAULT '',
    last_modified    TEXT NOT NULL DEFAULT '',
    last_polled_at   TEXT,
    last_success_at  TEXT,
    last_status      INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    last_error_at    TEXT,
    error_count      INTEGER NOT NULL DEFAULT 0,
    next_poll_at     TEXT NOT NULL,
    -- A worker's lease: void once passed, so a killed worker never leaves
    -- a source claimed for longer than the lease.
    claimed_until    TEXT,
    claimed_by       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sources_due ON sources (next_poll_at, id);

CREATE TABLE stories (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL DEFAULT '',
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    -- article_count excludes near-duplicates.
    article_count INTEGER NOT NULL DEFAULT 0,
    -- centroid is the JSON object of term weights (sum of article vectors).
    centroid      TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX stories_last_seen ON stories (last_seen, id);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER REFERENCES sources (id) ON DELETE SET NULL,
    guid          TEXT NOT NULL,
    url           TEXT NOT NULL,
    -- link_key is the canonical form of url (the feed's link), to know an
    -- item before fetching its page.
    link_key      TEXT NOT NULL,
    canonical_url TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL DEFAULT '',
    publisher     TEXT NOT NULL DEFAULT '',
    author        TEXT NOT NULL DEFAULT '',
    language      TEXT NOT NULL DEFAULT '',
    excerpt       TEXT NOT NULL DEFAULT '',
    published_at  TEXT,
    modified_at   TEXT,
    fetched_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    -- sort_at is coalesce(published_at, fetched_at): the listing order.
    sort_at       TEXT NOT NULL,
    html          TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL DEFAULT '',
    full_text     INTEGER NOT NULL DEFAULT 0,
    content_hash  TEXT NOT NULL,
    simhash       INTEGER NOT NULL DEFAULT 0,
    -- The six 10- or 11-bit bands of simhash; NULL for texts too short to
    -- compare.
    sh0           INTEGER,
    sh1           INTEGER,
    sh2           INTEGER,
    sh3           INTEGER,
    sh4           INTEGER,
    sh5           INTEGER,
    duplicate_of  INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    story_id      INTEGER REFERENCES stories (id) ON DELETE SET NULL,
    UNIQUE (source_id, guid)
);
CREATE INDEX articles_sort ON articles (sort_at, id);
CREATE INDEX articles_source ON articles (source_id, sort_at);
CREATE INDEX articles_story ON articles (story_id, sort_at);
CREATE INDEX articles_link_key ON articles (link_key);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_duplicate_of ON articles (duplicate_of);
CREATE INDEX articles_sh0 ON articles (sh0);
CREATE INDEX articles_sh1 ON articles (sh1);
CREATE INDEX articles_sh2 ON articles (sh2);
CREATE INDEX articles_sh3 ON articles (sh3);
CREATE INDEX articles_sh4 ON articles (sh4);
CREATE INDEX articles_sh5 ON articles (sh5);
CREATE INDEX articles_unclustered ON articles (sort_at, id) WHERE story_id IS NULL AND duplicate_of IS NULL;

-- +goose Down
DROP TABLE articles;
DROP TABLE stories;
DROP TABLE sources;
