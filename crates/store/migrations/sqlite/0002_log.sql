-- Each letter's public log (docs/log-format.md). Signatures published before this migration
-- get their add entries when the store next opens (see `backfill_logs`).

-- A published signature's add entry in its letter's log, and the salt of its commitment.
ALTER TABLE signatures ADD COLUMN log_index INTEGER;
ALTER TABLE signatures ADD COLUMN salt BLOB;

-- The log's entries, the stored hashes of its Merkle tree (Go sumdb/tlog's stored-hash
-- layout), and its current size and root. Rows are only ever added; the head moves forward
-- in the same transaction as the entries.
CREATE TABLE log_entries (
    letter_id   INTEGER NOT NULL REFERENCES letters(id),
    idx         INTEGER NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (letter_id, idx)
) WITHOUT ROWID;
CREATE TABLE log_hashes (
    letter_id   INTEGER NOT NULL REFERENCES letters(id),
    hash_index  INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    PRIMARY KEY (letter_id, hash_index)
) WITHOUT ROWID;
CREATE TABLE log_heads (
    letter_id   INTEGER PRIMARY KEY REFERENCES letters(id),
    size        INTEGER NOT NULL,
    root        BLOB NOT NULL
);

-- signatories.json pages through a letter's public signatures by log index.
CREATE INDEX signatures_logged ON signatures(letter_id, log_index);
