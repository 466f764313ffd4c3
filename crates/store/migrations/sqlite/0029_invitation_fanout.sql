-- "Invite past signers" runs as the other fan-outs do (0028): by the fan-out job, leased, a
-- batch at a time through the writer, from a cursor, instead of every batch inside the
-- organiser's request, each searching the family's past signers from the first (tens of
-- minutes, with signing starved, for a million past signers). The cursor is the last past
-- signer read: their letter, then (created_at, id) in the order of signatures_letter_created.
-- A run unfinished at the upgrade starts again from the first past signer once; those
-- already invited are passed over (their invitation rows exist).
ALTER TABLE family_invitation_runs ADD COLUMN fanout_claimed_by TEXT;
ALTER TABLE family_invitation_runs ADD COLUMN fanout_claimed_until INTEGER;
ALTER TABLE family_invitation_runs ADD COLUMN fanout_after_letter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE family_invitation_runs ADD COLUMN fanout_after_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE family_invitation_runs ADD COLUMN fanout_after_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX family_invitation_runs_fanout ON family_invitation_runs(done_at);
