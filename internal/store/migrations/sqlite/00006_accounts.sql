-- Accounts (issue 11): API tokens may expire.

-- +goose Up
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
