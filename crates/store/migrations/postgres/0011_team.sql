-- The organiser team in the browser: invitations, password resets and an optional second
-- factor (TOTP). Links keep only the SHA-256 of their token, never the token.

-- An owner's invitation to join a workspace with a role. Works once (`used_at`), until
-- `expires_at`. The address is an organiser's login, stored as `users.email` is.
CREATE TABLE invitations (
    token_hash    BYTEA PRIMARY KEY,
    workspace_id  BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,            -- lower-cased
    role          TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'moderator', 'viewer')),
    invited_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX invitations_workspace ON invitations(workspace_id, expires_at);
CREATE INDEX invitations_invited_by ON invitations(invited_by);

-- "Forgot password": a link that works once, until `expires_at`.
CREATE TABLE password_resets (
    token_hash  BYTEA PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_resets_user ON password_resets(user_id);

-- An organiser's TOTP second factor. The secret is sealed like personal data
-- (crates/store/src/sealed.rs). `enabled_at` is NULL while it is being set up (until the
-- organiser confirms a code); `last_step` is the last time step whose code was accepted, so
-- that a code works once.
CREATE TABLE user_totp (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret      BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    enabled_at  BIGINT,
    last_step   BIGINT
);

-- Single-use recovery codes for the second factor: SHA-256 of each (random, high-entropy)
-- code.
CREATE TABLE recovery_codes (
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  BYTEA NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- A login whose password was right and that waits for the second factor: no session exists
-- until the code is given. `attempts` counts wrong codes.
CREATE TABLE login_challenges (
    token_hash  BYTEA PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    attempts    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX login_challenges_user ON login_challenges(user_id);
CREATE INDEX login_challenges_expiry ON login_challenges(expires_at);
