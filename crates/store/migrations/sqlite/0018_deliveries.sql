-- Delivery (issue 11): each target's delivery address, a closing date, and the record of
-- every delivery (when, to whom, the document sent, the log's checkpoint at that moment).

-- Where a target receives the letter. Set once the letter is published (its targets are then
-- fixed); not shown publicly.
ALTER TABLE letter_targets ADD COLUMN email TEXT;

-- Signing closes on schedule at this time (None: when an organiser closes it).
ALTER TABLE letters ADD COLUMN closes_at INTEGER;

-- A delivery, scheduled or done. Its document and checkpoint are kept as they were sent.
CREATE TABLE deliveries (
    id             INTEGER PRIMARY KEY,
    letter_id      INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('scheduled', 'delivered', 'cancelled')),
    scheduled_for  INTEGER NOT NULL,
    note           TEXT,                    -- the organisers' covering note, if any
    created_by     INTEGER REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    delivered_at   INTEGER,
    signatures     INTEGER,                 -- published signatures in the document
    log_size       INTEGER,
    log_root       BLOB,
    checkpoint     TEXT,                    -- the signed note, as served
    pdf            BLOB,
    pdf_sha256     BLOB,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT
);
CREATE INDEX deliveries_due ON deliveries(status, scheduled_for);
CREATE INDEX deliveries_letter ON deliveries(letter_id, id);

-- Who a delivery went to, as the targets were at that moment, and the email that took it.
CREATE TABLE delivery_recipients (
    delivery_id   INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    title         TEXT,
    organisation  TEXT,
    email         TEXT NOT NULL,
    outbox_id     INTEGER NOT NULL,
    message_id    TEXT NOT NULL,
    PRIMARY KEY (delivery_id, position)
);
