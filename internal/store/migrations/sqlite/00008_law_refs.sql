-- The legal instruments each brief cites (issue 15): which brief cites
-- which act, regulation, treaty, case or court, kept in step with every
-- save of the brief (store/law.go) so that /law/{slug} lists the briefs
-- that cite an instrument. briefs.law_indexed is the version of the
-- recogniser (legalref.Version) that wrote a brief's rows: Open and Restore
-- rebuild the rows of every brief written by another version.

-- +goose Up
CREATE TABLE brief_law_refs (
    brief_id     INTEGER NOT NULL REFERENCES briefs (id) ON DELETE CASCADE,
    slug         TEXT NOT NULL,
    name         TEXT NOT NULL,
    title        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    url          TEXT NOT NULL DEFAULT '',
    mentions     INTEGER NOT NULL DEFAULT 1,
    pinpoints    TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (brief_id, slug)
);
CREATE INDEX brief_law_refs_slug ON brief_law_refs (slug, brief_id);
ALTER TABLE briefs ADD COLUMN law_indexed INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE briefs DROP COLUMN law_indexed;
DROP TABLE brief_law_refs;
