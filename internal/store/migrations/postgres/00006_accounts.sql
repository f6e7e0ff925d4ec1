-- Accounts (issue 11): API tokens may expire.

-- +goose Up
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
