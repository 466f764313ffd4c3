-- Fan-outs a batch at a time from where the last batch stopped, instead of from the letter's
-- first signer each time (which made a fan-out to a million signers quadratic): the last
-- signer queued, as (created_at, id), the order of the index signatures_letter_created.
-- An unfinished fan-out starts again from its first signer once; those already queued are
-- passed over (their recipient rows exist).
ALTER TABLE letter_updates ADD COLUMN fanout_after_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_updates ADD COLUMN fanout_after_id INTEGER NOT NULL DEFAULT 0;

-- A change of substance asks its earlier signers to re-confirm through a fan-out of its own,
-- leased and resumed as an update's, instead of queueing every email inside the edit's
-- transaction (two minutes, holding the write lock, at a million signers). email_params is
-- the email's JSON less each recipient's link. Versions recorded before had their emails
-- queued at once: their fan-outs are done.
ALTER TABLE letter_versions ADD COLUMN email_params TEXT;
ALTER TABLE letter_versions ADD COLUMN fanout_done_at INTEGER;
ALTER TABLE letter_versions ADD COLUMN fanout_claimed_by TEXT;
ALTER TABLE letter_versions ADD COLUMN fanout_claimed_until INTEGER;
ALTER TABLE letter_versions ADD COLUMN fanout_after_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_versions ADD COLUMN fanout_after_id INTEGER NOT NULL DEFAULT 0;
UPDATE letter_versions SET fanout_done_at = created_at;
CREATE INDEX letter_versions_fanout ON letter_versions(fanout_done_at);
