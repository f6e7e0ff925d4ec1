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
-- The tables whose rows the public pages and the API show, each with one trigger.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['briefs', 'brief_sources', 'brief_firms', 'brief_topics', 'brief_law_refs', 'firms', 'topics', 'events', 'articles', 'stories'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
            FOR EACH STATEMENT EXECUTE FUNCTION legists_notify_change()', t || '_notify', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- The triggers depend on the function and go with it.
DROP FUNCTION legists_notify_change() CASCADE;
