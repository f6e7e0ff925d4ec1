-- Cross-instance page-cache invalidation (issue 14): every transaction that
-- changes what the public site or the API shows sends one NOTIFY on the
-- channel legists_changes per table it touched, with the payload
-- 'schema.table'. PostgreSQL delivers it at commit, to every instance
-- listening (store/changes.go), whichever process wrote: the desk, the
-- API, `legists import`, scheduled publishing, a restore. Identical
-- notifications of one transaction are folded into one by PostgreSQL.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION legists_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('legists_changes', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER briefs_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON briefs
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();
CREATE TRIGGER brief_sources_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brief_sources
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();
CREATE TRIGGER brief_firms_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brief_firms
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();
CREATE TRIGGER brief_topics_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brief_topics
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();
CREATE TRIGGER brief_law_refs_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brief_law_refs
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();
CREATE TRIGGER firms_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON firms
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();
CREATE TRIGGER topics_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON topics
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();
CREATE TRIGGER events_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();
CREATE TRIGGER articles_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON articles
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();
CREATE TRIGGER stories_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stories
    FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change();

-- +goose Down
DROP TRIGGER stories_notify ON stories;
DROP TRIGGER articles_notify ON articles;
DROP TRIGGER events_notify ON events;
DROP TRIGGER topics_notify ON topics;
DROP TRIGGER firms_notify ON firms;
DROP TRIGGER brief_law_refs_notify ON brief_law_refs;
DROP TRIGGER brief_topics_notify ON brief_topics;
DROP TRIGGER brief_firms_notify ON brief_firms;
DROP TRIGGER brief_sources_notify ON brief_sources;
DROP TRIGGER briefs_notify ON briefs;
DROP FUNCTION legists_notify_change();
