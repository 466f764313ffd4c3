-- Retention: a workspace may have signers' personal data erased a number of days after each
-- of its letters closes. The counts, the log's entries and their commitments stay; names,
-- addresses, details, comments, links and openings go.
CREATE TABLE workspace_retention (
    workspace_id  INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    days          INTEGER NOT NULL CHECK (days BETWEEN 1 AND 3650)
);

-- One row per letter whose signers' personal data was erased.
CREATE TABLE letter_erasures (
    letter_id       INTEGER PRIMARY KEY REFERENCES letters(id) ON DELETE CASCADE,
    erased_at       INTEGER NOT NULL,
    signatures      INTEGER NOT NULL,
    retention_days  INTEGER NOT NULL
);
