-- The legal instruments each brief cites (issue 15): which brief cites
-- which act, regulation, treaty, case or court, kept in step with every
-- save of the brief (store/law.go) so that /law/{slug} lists the briefs
-- that cite an instrument. briefs.law_indexed is the version of the
-- recogniser (legalref.Version) that wrote a brief's rows: Open and Restore
-- rebuild the rows of every brief written by another version.

-- +goose Up
CREATE TABLE brief_law_refs (
    brief_id     bigint NOT NULL REFERENCES briefs (id) ON DELETE CASCADE,
    slug         text NOT NULL,
    name         text NOT NULL,
    title        text NOT NULL,
    kind         text NOT NULL,
    jurisdiction text NOT NULL,
    url          text NOT NULL DEFAULT '',
    mentions     integer NOT NULL DEFAULT 1,
    pinpoints    text NOT NULL DEFAULT '[]',
    PRIMARY KEY (brief_id, slug)
);
CREATE INDEX brief_law_refs_slug ON brief_law_refs (slug, brief_id);
ALTER TABLE briefs ADD COLUMN law_indexed integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE briefs DROP COLUMN law_indexed;
DROP TABLE brief_law_refs;
