-- Limits on the email that the sign-up form causes, beyond each signature's own backoff
-- (`signatures.emails_sent`, `last_emailed_at`). Neither table holds an address or a domain
-- in clear: only keyed hashes (HMAC with the instance key, kept outside the database).
--
-- An email that a limit withholds is still recorded in the outbox, as `failed` with
-- `last_error` 'throttled' (the signature's backoff) or 'over_budget' (the recipient's
-- budget) and no recipient or parameters, so that every sign-up writes the same rows.

-- Emails to one recipient across every letter, in a window of a day. The key is a keyed
-- hash of the mailbox with any +tag dropped, so that name+1@, name+2@ … share it.
CREATE TABLE mail_budgets (
    recipient_key  BLOB PRIMARY KEY,
    window_start   INTEGER NOT NULL,
    sent           INTEGER NOT NULL,        -- emails in the window (the limit + 1 once one was withheld)
    asked          INTEGER NOT NULL         -- sign-ups to this recipient in the window
) WITHOUT ROWID;

-- Sign-ups to addresses at one domain in the current clock hour (`hour` = Unix time / 3600),
-- across every letter and server process. Each batch adds its own sign-ups once.
CREATE TABLE mail_domain_counts (
    domain_key  INTEGER PRIMARY KEY,        -- 64 bits of a keyed hash of the domain
    hour        INTEGER NOT NULL,
    signups     INTEGER NOT NULL
);
