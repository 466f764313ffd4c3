-- Signing the same letter again from a known address must cost what a first signature costs
-- (or its response time tells whether the address signed): where a first signature inserts
-- its row, a repeat inserts a row of the same shape here, indexed alike. Nothing reads them;
-- the mail worker deletes those older than an hour.
CREATE TABLE signing_decoys (
    id            INTEGER PRIMARY KEY,
    letter_id     INTEGER NOT NULL,
    category_id   INTEGER NOT NULL,
    email_hash    BLOB NOT NULL,
    payload       BLOB NOT NULL,
    state         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    published_at  INTEGER,
    log_index     INTEGER
);
CREATE INDEX signing_decoys_public ON signing_decoys(letter_id, state, published_at DESC, id DESC);
CREATE INDEX signing_decoys_category ON signing_decoys(category_id);
CREATE INDEX signing_decoys_created ON signing_decoys(letter_id, created_at DESC, id DESC);
CREATE INDEX signing_decoys_logged ON signing_decoys(letter_id, log_index);
