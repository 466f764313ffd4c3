-- Links a signer asked for again ("Lost your link?") to manage a published signature: how
-- it appears, its receipt, withdrawing. Only the SHA-256 of the token is kept, never the
-- token; no personal data. A link works `manage_link_days` after `created_at` (the server
-- decides, so that changing the setting applies to links already sent).
CREATE TABLE manage_tokens (
    token_hash    BYTEA PRIMARY KEY,
    signature_id  BIGINT NOT NULL REFERENCES signatures(id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL
);
CREATE INDEX manage_tokens_signature ON manage_tokens(signature_id);
