-- Versions of a published letter (issue 11, item 1): organisers may still fix a published
-- letter's text. Each published text is a numbered version (1 is the text as first published,
-- recorded at the first edit, so existing letters need no backfill); each signature records
-- the version it was signed on; a change of substance asks earlier signers to re-confirm.

-- The current version's number, and the number of the last change of substance: published
-- signatures on an earlier version than that are awaiting re-confirmation.
ALTER TABLE letters ADD COLUMN text_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE letters ADD COLUMN reconfirm_from BIGINT NOT NULL DEFAULT 1;

-- The version a signature was signed on (NULL: version 1), or re-confirmed on.
ALTER TABLE signatures ADD COLUMN version BIGINT;

CREATE TABLE letter_versions (
    letter_id    BIGINT NOT NULL REFERENCES letters(id),
    number       BIGINT NOT NULL,
    title        TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body_md      TEXT NOT NULL,
    sha256       BYTEA NOT NULL,        -- of the canonical text bytes (served as {n}.txt)
    substantive  BIGINT NOT NULL CHECK (substantive IN (0, 1)),
    note         TEXT,               -- shown publicly
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (letter_id, number)
);

-- One row per (substantive version, earlier signer) emailed a re-confirmation link: the
-- record that keeps a retry from emailing anyone twice, and the hash of the link's token.
CREATE TABLE reconfirm_requests (
    letter_id     BIGINT NOT NULL,
    number        BIGINT NOT NULL,
    signature_id  BIGINT NOT NULL REFERENCES signatures(id),
    token_hash    BYTEA NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    confirmed_at  BIGINT,
    PRIMARY KEY (letter_id, number, signature_id),
    FOREIGN KEY (letter_id, number) REFERENCES letter_versions(letter_id, number)
);
CREATE INDEX signatures_version ON signatures(letter_id, version);
