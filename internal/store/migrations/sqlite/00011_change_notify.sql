-- Cross-instance page-cache invalidation (issue 14) is PostgreSQL's
-- NOTIFY (see migrations/postgres/00011_change_notify.sql). A SQLite
-- database has one serving instance, which drops its page cache itself
-- after each write; this file keeps the two series in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
