-- Logos (an organisation's, a workspace's): PNG bytes re-encoded by the server, named by
-- their SHA-256. Public and immutable. Kept in the database (on SQLite a file in the data
-- folder) so that every process serving a PostgreSQL database sees the same logos.
CREATE TABLE logos (
    hash        BLOB PRIMARY KEY,           -- SHA-256 of png
    png         BLOB NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- How a workspace presents itself as the host of its letters: a link and a logo (its name
-- is workspaces.name).
CREATE TABLE workspace_branding (
    workspace_id  INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    website       TEXT,
    logo_hash     BLOB REFERENCES logos(hash)
);
CREATE INDEX workspace_branding_logo ON workspace_branding(logo_hash);
