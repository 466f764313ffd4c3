-- Re-targeting (issue 11, item 6): a letter sent again to another target is a copy in the
-- same family, and the past signers who asked for updates are invited, by email, to add their
-- signature to the copy with one click (a POST: nothing is copied without their consent).

-- The first letter of its family (NULL: this letter is the first, or has no family yet).
ALTER TABLE letters ADD COLUMN family_id INTEGER REFERENCES letters(id);
CREATE INDEX letters_family ON letters(family_id);

-- One run of "Invite past signers" on a letter: the invitation email's JSON (less each
-- recipient's link) and the fan-out's progress, so that a retry goes on where it stopped.
CREATE TABLE family_invitation_runs (
    id            INTEGER PRIMARY KEY,
    letter_id     INTEGER NOT NULL REFERENCES letters(id),
    email_params  TEXT NOT NULL,
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    done_at       INTEGER,
    invited       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX family_invitation_runs_letter ON family_invitation_runs(letter_id, id);

-- One invitation per (new letter, past signer), deduplicated by the signer's duplicate key
-- (the keyed hash of their address, or of their organisation's domain): the fan-out's record
-- of who was emailed, and the hash of the link in that email.
CREATE TABLE family_invitations (
    id            INTEGER PRIMARY KEY,
    letter_id     INTEGER NOT NULL REFERENCES letters(id),
    signature_id  INTEGER NOT NULL REFERENCES signatures(id),
    email_hash    BLOB NOT NULL,
    run_id        INTEGER NOT NULL REFERENCES family_invitation_runs(id),
    token_hash    BLOB NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    used_at       INTEGER,
    UNIQUE (letter_id, email_hash)
);
CREATE INDEX family_invitations_signature ON family_invitations(signature_id);
CREATE INDEX family_invitations_run ON family_invitations(run_id);
