-- Undersigned on SQLite: the core loop (organisers, letters, signatures, outbox).
-- Times are Unix seconds (INTEGER); hashes are 32-byte BLOBs.

CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,   -- lower-cased
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,           -- PHC string, Argon2id
    created_at     INTEGER NOT NULL
);

CREATE TABLE memberships (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'moderator', 'viewer')),
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

-- The one-time link printed on first start; replaced at each start while no organiser exists.
CREATE TABLE setup_tokens (
    token_hash  BLOB PRIMARY KEY,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE sessions (
    id_hash     BLOB PRIMARY KEY,           -- SHA-256 of the cookie value
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE letters (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id),
    slug           TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    subject        TEXT NOT NULL,
    body_md        TEXT NOT NULL,
    signer_fields  TEXT NOT NULL,           -- JSON
    state          TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed', 'delivered', 'archived')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    published_at   INTEGER,
    closed_at      INTEGER
);
CREATE INDEX letters_workspace ON letters(workspace_id);

CREATE TABLE letter_targets (
    id            INTEGER PRIMARY KEY,
    letter_id     INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    title         TEXT,
    organisation  TEXT
);
CREATE INDEX letter_targets_letter ON letter_targets(letter_id, position);

CREATE TABLE letter_categories (
    id         INTEGER PRIMARY KEY,
    letter_id  INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    UNIQUE (letter_id, name)
);

CREATE TABLE signatures (
    id               INTEGER PRIMARY KEY,
    letter_id        INTEGER NOT NULL REFERENCES letters(id),
    category_id      INTEGER NOT NULL REFERENCES letter_categories(id),
    kind             TEXT NOT NULL DEFAULT 'individual' CHECK (kind IN ('individual', 'organisation')),
    name             TEXT NOT NULL,
    title            TEXT,
    affiliation      TEXT,
    city             TEXT,
    country          TEXT,
    comment          TEXT,
    email            TEXT NOT NULL,
    email_hash       BLOB NOT NULL,         -- HMAC of the normalised address
    display_level    TEXT NOT NULL CHECK (display_level IN ('public', 'initials', 'private')),
    state            TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'held', 'published', 'hidden', 'rejected', 'withdrawn')),
    created_at       INTEGER NOT NULL,
    confirmed_at     INTEGER,
    published_at     INTEGER,
    last_emailed_at  INTEGER,
    emails_sent      INTEGER NOT NULL DEFAULT 0,   -- for the per-signer email backoff
    UNIQUE (letter_id, email_hash)
);
CREATE INDEX signatures_public ON signatures(letter_id, state, published_at DESC, id DESC);
-- Deleting a draft's categories checks this foreign key: without the index, a full scan
-- while holding the write lock.
CREATE INDEX signatures_category ON signatures(category_id);
CREATE INDEX signatures_letter_created ON signatures(letter_id, created_at DESC, id DESC);

-- Each link carries the form it was sent for: confirming publishes exactly what the
-- confirmation page showed, never an earlier (or someone else's) submission.
CREATE TABLE confirmation_tokens (
    token_hash     BLOB PRIMARY KEY,        -- SHA-256 of the token in the link
    signature_id   INTEGER NOT NULL REFERENCES signatures(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    category_id    INTEGER NOT NULL REFERENCES letter_categories(id),
    name           TEXT NOT NULL,
    title          TEXT,
    affiliation    TEXT,
    city           TEXT,
    country        TEXT,
    comment        TEXT,
    display_level  TEXT NOT NULL CHECK (display_level IN ('public', 'initials', 'private'))
);
CREATE INDEX confirmation_tokens_signature ON confirmation_tokens(signature_id);
CREATE INDEX confirmation_tokens_category ON confirmation_tokens(category_id);

-- Published signatures per letter and category, updated once per batch, never per request.
CREATE TABLE letter_counts (
    letter_id    INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    category_id  INTEGER NOT NULL REFERENCES letter_categories(id) ON DELETE CASCADE,
    count        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (letter_id, category_id)
);
CREATE INDEX letter_counts_category ON letter_counts(category_id);

-- Email to send, written in the same transaction as the change that caused it. The worker
-- renders it from its kind and parameters; both are cleared once it is sent or given up.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    event_key        TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    recipient        TEXT,                  -- cleared once done
    params           TEXT,                  -- JSON; cleared once done
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    claimed_by       TEXT,                  -- the lease holder's random id
    claimed_until    INTEGER,
    last_error       TEXT,                  -- a short code, never the server's reply text
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- Facts about the instance, such as the fingerprint of the instance key that every server
-- process must share.
CREATE TABLE instance_facts (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Who changed what, when (invariant 6).
CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER REFERENCES workspaces(id),
    user_id       INTEGER REFERENCES users(id),
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    at            INTEGER NOT NULL
);
CREATE INDEX audit_events_workspace ON audit_events(workspace_id, at DESC);
