-- Log format 2 (docs/log-format.md): an add entry holds a hiding commitment to what the page
-- shows of the signer instead of the text; the text and its salt (the opening) are kept
-- beside the entry while the signature is public, and deleted when it is removed.

-- Each letter's log keeps the format it started with: letters whose log has entries are
-- format 1 and keep writing format 1 entries; every other letter (new ones, and those with
-- an empty log) is format 2.
ALTER TABLE letters ADD COLUMN log_version INTEGER NOT NULL DEFAULT 2
    CHECK (log_version IN (1, 2));
UPDATE letters SET log_version = 1
    WHERE id IN (SELECT letter_id FROM log_heads WHERE size > 0);

-- The openings of a format 2 log's public add entries, by entry index. Personal data (the
-- name or initials, details and comment exactly as the page shows them, which the signer
-- chose to make public): the row is deleted in the transaction that appends the entry's
-- removal, so nothing keeps the text once the signature is withdrawn, hidden or erased.
CREATE TABLE log_openings (
    letter_id   INTEGER NOT NULL REFERENCES letters(id),
    idx         INTEGER NOT NULL,
    salt        BLOB NOT NULL,
    name        TEXT NOT NULL,
    details     TEXT,
    comment     TEXT,
    PRIMARY KEY (letter_id, idx)
) WITHOUT ROWID;
