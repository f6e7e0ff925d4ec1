-- The newsletter and the events calendar: subscribers with their
-- preferences, one delivery record per subscriber and edition (the
-- exactly-once ledger of digests), events, and settings (the secret that
-- signs subscribers' links).

-- +goose Up
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE subscribers (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL,
    email_key       TEXT NOT NULL UNIQUE, -- lower(email)
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'confirmed', 'unsubscribed', 'bounced')),
    frequency       TEXT NOT NULL DEFAULT 'weekly' CHECK (frequency IN ('daily', 'weekly')),
    topics          TEXT NOT NULL DEFAULT '[]', -- JSON list of topic slugs
    firms           TEXT NOT NULL DEFAULT '[]', -- JSON list of firm slugs
    -- nonce is mixed into the signature of the subscriber's links.
    nonce           TEXT NOT NULL,
    signup_ip       TEXT NOT NULL DEFAULT '',
    confirm_ip      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    confirmed_at    TEXT,
    unsubscribed_at TEXT,
    bounced_at      TEXT,
    bounce_reason   TEXT NOT NULL DEFAULT '',
    last_digest_at  TEXT
);
CREATE INDEX subscribers_status ON subscribers (status, id);

CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    edition       TEXT NOT NULL, -- e.g. daily:2026-11-28, weekly:2026-W48
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'bounced')),
    claimed_by    TEXT NOT NULL DEFAULT '',
    claimed_until TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    message_id    TEXT NOT NULL DEFAULT '',
    window_start  TEXT,
    window_end    TEXT,
    briefs        INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    sent_at       TEXT,
    UNIQUE (subscriber_id, edition)
);
CREATE INDEX deliveries_state ON deliveries (state, claimed_until);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    time_zone   TEXT NOT NULL DEFAULT 'UTC',
    place       TEXT NOT NULL DEFAULT '',
    online_url  TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    topics      TEXT NOT NULL DEFAULT '[]', -- JSON list of topic names
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX events_starts ON events (starts_at);
CREATE INDEX events_ends ON events (ends_at);

-- +goose Down
DROP TABLE events;
DROP TABLE deliveries;
DROP TABLE subscribers;
DROP TABLE settings;
