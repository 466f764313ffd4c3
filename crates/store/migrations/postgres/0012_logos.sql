-- Logos (an organisation's, a workspace's): PNG bytes re-encoded by the server, named by
-- their SHA-256. Public and immutable. Kept in the database so that every process serving
-- the database sees the same logos.
CREATE TABLE logos (
    hash        BYTEA PRIMARY KEY,          -- SHA-256 of png
    png         BYTEA NOT NULL,
    width       BIGINT NOT NULL,
    height      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- How a workspace presents itself as the host of its letters: a link and a logo (its name
-- is workspaces.name).
CREATE TABLE workspace_branding (
    workspace_id  BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    website       TEXT,
    logo_hash     BYTEA REFERENCES logos(hash)
);
CREATE INDEX workspace_branding_logo ON workspace_branding(logo_hash);
