-- What a letter asks of its targets (issue 11): an ordered list of asks, each with an
-- optional condition; the status of each ask per target, kept as a history (the newest
-- change of an ask and target is its status; none means pending); and the targets'
-- responses, with an optional document (PDF, PNG or JPEG) kept in the database so that
-- every process serving it sees the same files.
CREATE TABLE letter_asks (
    id          INTEGER PRIMARY KEY,
    letter_id   INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    condition   TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX letter_asks_letter ON letter_asks(letter_id, position);

CREATE TABLE ask_status_changes (
    id           INTEGER PRIMARY KEY,
    ask_id       INTEGER NOT NULL REFERENCES letter_asks(id) ON DELETE CASCADE,
    target_id    INTEGER NOT NULL REFERENCES letter_targets(id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'met', 'refused', 'superseded')),
    on_date      TEXT NOT NULL,              -- YYYY-MM-DD, as the organiser gave it
    note         TEXT,
    recorded_by  INTEGER REFERENCES users(id),
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX ask_status_changes_ask ON ask_status_changes(ask_id, target_id, id);
CREATE INDEX ask_status_changes_target ON ask_status_changes(target_id);

CREATE TABLE target_responses (
    id             INTEGER PRIMARY KEY,
    letter_id      INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    target_id      INTEGER NOT NULL REFERENCES letter_targets(id) ON DELETE CASCADE,
    received_on    TEXT NOT NULL,            -- YYYY-MM-DD, as the organiser gave it
    body_markdown  TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX target_responses_letter ON target_responses(letter_id, received_on);
CREATE INDEX target_responses_target ON target_responses(target_id);

CREATE TABLE response_documents (
    response_id  INTEGER PRIMARY KEY REFERENCES target_responses(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('pdf', 'png', 'jpg')),
    bytes        BLOB NOT NULL,
    sha256       BLOB NOT NULL
);
