-- Ingest that keeps its speed as the archive grows (issue 13).
--
-- article_bands is the near-duplicate index: each comparable article's
-- 64-bit SimHash cut into three bands (bits 0-20, 21-41, 42-63), one row
-- per band keyed by band_key = band number << 32 | band value, with the
-- SimHash itself, so that a lookup reads narrow rows only (never the
-- article's text) and probes each band and its one-bit neighbours with a
-- bounded LIMIT (store/fingerprints.go). It replaces the six sh0..sh5
-- columns of articles and their indexes.
--
-- sources.fetch_pages: '' (the ingest default), auto, always or never.
-- articles.page_errors / page_retry_at: an article page that failed is
-- retried after a backoff, not at every poll.

-- +goose Up
CREATE TABLE article_bands (
    band_key   bigint NOT NULL,
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    simhash    bigint NOT NULL,
    PRIMARY KEY (band_key, article_id)
);
CREATE INDEX article_bands_article ON article_bands (article_id);

INSERT INTO article_bands (band_key, article_id, simhash)
SELECT (0::bigint << 32) | (simhash & 2097151), id, simhash FROM articles WHERE sh0 IS NOT NULL
UNION ALL
SELECT (1::bigint << 32) | ((simhash >> 21) & 2097151), id, simhash FROM articles WHERE sh0 IS NOT NULL
UNION ALL
SELECT (2::bigint << 32) | ((simhash >> 42) & 4194303), id, simhash FROM articles WHERE sh0 IS NOT NULL;

DROP INDEX articles_sh0;
DROP INDEX articles_sh1;
DROP INDEX articles_sh2;
DROP INDEX articles_sh3;
DROP INDEX articles_sh4;
DROP INDEX articles_sh5;
ALTER TABLE articles DROP COLUMN sh0;
ALTER TABLE articles DROP COLUMN sh1;
ALTER TABLE articles DROP COLUMN sh2;
ALTER TABLE articles DROP COLUMN sh3;
ALTER TABLE articles DROP COLUMN sh4;
ALTER TABLE articles DROP COLUMN sh5;

-- Lookups by link and by text take the first article: (key, id) indexes
-- answer "ORDER BY id LIMIT 1" from the index, where a key-only index lets
-- PostgreSQL walk the primary key instead, through the whole table when
-- nothing matches (every new item).
DROP INDEX articles_link_key;
DROP INDEX articles_content_hash;
CREATE INDEX articles_link_key ON articles (link_key, id);
CREATE INDEX articles_content_hash ON articles (content_hash, id);

ALTER TABLE articles ADD COLUMN page_errors integer NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN page_retry_at timestamptz;
ALTER TABLE sources ADD COLUMN fetch_pages text NOT NULL DEFAULT ''
    CHECK (fetch_pages IN ('', 'auto', 'always', 'never'));

-- +goose Down
DROP INDEX articles_link_key;
DROP INDEX articles_content_hash;
CREATE INDEX articles_link_key ON articles (link_key);
CREATE INDEX articles_content_hash ON articles (content_hash);
ALTER TABLE sources DROP COLUMN fetch_pages;
ALTER TABLE articles DROP COLUMN page_retry_at;
ALTER TABLE articles DROP COLUMN page_errors;
ALTER TABLE articles ADD COLUMN sh0 integer;
ALTER TABLE articles ADD COLUMN sh1 integer;
ALTER TABLE articles ADD COLUMN sh2 integer;
ALTER TABLE articles ADD COLUMN sh3 integer;
ALTER TABLE articles ADD COLUMN sh4 integer;
ALTER TABLE articles ADD COLUMN sh5 integer;
UPDATE articles SET sh0 = simhash & 2047, sh1 = (simhash >> 11) & 2047, sh2 = (simhash >> 22) & 2047,
    sh3 = (simhash >> 33) & 2047, sh4 = (simhash >> 44) & 1023, sh5 = (simhash >> 54) & 1023
    WHERE id IN (SELECT article_id FROM article_bands);
CREATE INDEX articles_sh0 ON articles (sh0);
CREATE INDEX articles_sh1 ON articles (sh1);
CREATE INDEX articles_sh2 ON articles (sh2);
CREATE INDEX articles_sh3 ON articles (sh3);
CREATE INDEX articles_sh4 ON articles (sh4);
CREATE INDEX articles_sh5 ON articles (sh5);
DROP TABLE article_bands;
