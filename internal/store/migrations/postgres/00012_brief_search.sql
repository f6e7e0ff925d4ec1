-- A narrow search table that ranking reads on its own (issue 14): it
-- replaces briefs.search_tsv (a generated column) and its two GIN indexes,
-- whose matches had to be read from the wide rows of briefs for their
-- status and date, and counted in full.
--
-- brief_search holds, for each brief, what a search filters, orders and
-- ranks by: status, sort_at and the tsvector ('english'; title weight A,
-- body B, as before). A GIN index finds the matches of rare words; the
-- btree (status, sort_at DESC, id DESC) reads the newest matches of common
-- words first, so "the N most recent matches" stops after N. A trigger on
-- briefs keeps it in step inside the writing transaction (the tsvector is
-- recomputed only when the title or the text changes); it goes with its
-- brief (ON DELETE CASCADE). Backups leave it out, and a restore refills it
-- through the trigger.

-- +goose Up
CREATE TABLE brief_search (
    id      bigint PRIMARY KEY REFERENCES briefs (id) ON DELETE CASCADE,
    status  text NOT NULL,
    sort_at timestamptz NOT NULL,
    tsv     tsvector NOT NULL
);

INSERT INTO brief_search (id, status, sort_at, tsv)
    SELECT id, status, sort_at,
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('english'::regconfig, search_text), 'B')
    FROM briefs;

CREATE INDEX brief_search_tsv ON brief_search USING gin (tsv);
CREATE INDEX brief_search_recent ON brief_search (status, sort_at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION brief_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.title = OLD.title AND NEW.search_text = OLD.search_text THEN
        UPDATE brief_search SET status = NEW.status, sort_at = NEW.sort_at WHERE id = NEW.id;
        IF FOUND THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO brief_search (id, status, sort_at, tsv)
        VALUES (NEW.id, NEW.status, NEW.sort_at,
            setweight(to_tsvector('english'::regconfig, NEW.title), 'A') ||
            setweight(to_tsvector('english'::regconfig, NEW.search_text), 'B'))
        ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, sort_at = EXCLUDED.sort_at, tsv = EXCLUDED.tsv;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER briefs_search_sync AFTER INSERT OR UPDATE OF title, search_text, status, sort_at ON briefs
    FOR EACH ROW EXECUTE FUNCTION brief_search_sync();

DROP INDEX IF EXISTS briefs_search_published;
DROP INDEX IF EXISTS briefs_search;
ALTER TABLE briefs DROP COLUMN search_tsv;

-- +goose Down
DROP TRIGGER briefs_search_sync ON briefs;
DROP FUNCTION brief_search_sync();
DROP TABLE brief_search;

ALTER TABLE briefs ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, search_text), 'B')
) STORED;
CREATE INDEX briefs_search ON briefs USING gin (search_tsv);
CREATE INDEX IF NOT EXISTS briefs_search_published ON briefs USING gin (search_tsv) WHERE status = 'published';
