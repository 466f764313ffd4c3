-- Retention: a workspace may have signers' personal data erased a number of days after each
-- of its letters closes. The counts, the log's entries and their commitments stay; names,
-- addresses, details, comments, links and openings go.
CREATE TABLE workspace_retention (
    workspace_id  BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    days          BIGINT NOT NULL CHECK (days BETWEEN 1 AND 3650)
);

-- One row per letter whose signers' personal data was erased.
CREATE TABLE letter_erasures (
    letter_id       BIGINT PRIMARY KEY REFERENCES letters(id) ON DELETE CASCADE,
    erased_at       BIGINT NOT NULL,
    signatures      BIGINT NOT NULL,
    retention_days  BIGINT NOT NULL
);
