-- Updates on published letters (issue 11, item 5): organisers post updates that cite their
-- sources; signers who opted in when signing are emailed each one, through the outbox, in
-- batches, with a record per signer so that a re-run never emails anyone twice.

-- Whether the signer asked for updates about the letter (ticked when signing; cleared by
-- withdrawing or unsubscribing).
ALTER TABLE signatures ADD COLUMN updates INTEGER NOT NULL DEFAULT 0 CHECK (updates IN (0, 1));

CREATE TABLE letter_updates (
    id                    INTEGER PRIMARY KEY,
    letter_id             INTEGER NOT NULL REFERENCES letters(id),
    title                 TEXT NOT NULL,
    body_md               TEXT NOT NULL,
    sources               TEXT NOT NULL,       -- JSON: [{publisher, url, date}]
    email_params          TEXT NOT NULL,       -- the email's JSON, less each recipient's link
    created_by            INTEGER REFERENCES users(id),
    created_at            INTEGER NOT NULL,
    edited_at             INTEGER,
    deleted_at            INTEGER,             -- deleted updates are blanked and hidden
    fanout_done_at        INTEGER,             -- every opted-in signer has an outbox row
    fanout_claimed_by     TEXT,                -- the fan-out lease holder's random id
    fanout_claimed_until  INTEGER
);
CREATE INDEX letter_updates_letter ON letter_updates(letter_id, created_at);
CREATE INDEX letter_updates_fanout ON letter_updates(fanout_done_at);

-- One row per (update, signer) whose email was queued: the fan-out's record of who has been
-- emailed, and the hash of the signer's unsubscribe link in that email.
CREATE TABLE update_recipients (
    update_id     INTEGER NOT NULL REFERENCES letter_updates(id),
    signature_id  INTEGER NOT NULL REFERENCES signatures(id),
    token_hash    BLOB NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (update_id, signature_id)
);
